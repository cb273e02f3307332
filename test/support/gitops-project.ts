import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { runOk, tempDir, writeModel } from './helpers.js';

export const git = (cwd: string, ...a: string[]) =>
  execFileSync('git', a, { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    .toString()
    .trim();
export const TEMPLATES = fileURLToPath(new URL('../../templates/serving/', import.meta.url));

export interface GitopsProject {
  dir: string;
  remote: string;
  file: string;
  read(): string;
  /** any: the documents of whichever CRD the adapter edits, read by tests field by field. */
  docs(): Array<Record<string, any>>;
  log(): string[];
}

/**
 * A GitOps repository with a bare remote holding mlctl.yaml, the serving file of `fraud` from the
 * shipped template, and the registry/artifacts (git-ignored). fraud@1 and fraud@2 are registered.
 */
export async function gitopsProject(o: {
  adapter: 'istio' | 'kserve' | 'seldon' | 'generic';
  config: string;
}): Promise<GitopsProject> {
  const remote = tempDir('mlctl-remote-');
  git(remote, 'init', '-q', '--bare', '-b', 'main');
  const dir = tempDir('mlctl-gitops-');
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'ci@example.com');
  git(dir, 'config', 'user.name', 'CI');
  await runOk(['init', '--yes'], { cwd: dir });
  writeFileSync(join(dir, 'mlctl.yaml'), `${readFileSync(join(dir, 'mlctl.yaml'), 'utf8')}\n${o.config}`);
  mkdirSync(join(dir, 'deploy'));
  const file = join(dir, 'deploy/fraud.yaml');
  // The file as it was before mlctl: pointing at an older model build, so the first promotion changes it.
  writeFileSync(
    file,
    readFileSync(join(TEMPLATES, `${o.adapter}.yaml`), 'utf8').replace('model-version: "1"', 'model-version: "0"'),
  );
  writeFileSync(join(dir, '.gitignore'), '.mlctl/\nm*/\ncheck-*\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'initial');
  git(dir, 'remote', 'add', 'origin', remote);
  git(dir, 'push', '-q', 'origin', 'main');
  writeModel(dir, 'm1', { 'model.bin': 'one' });
  writeModel(dir, 'm2', { 'model.bin': 'two' });
  for (const m of ['m1', 'm2']) await runOk(['register', 'fraud', m], { cwd: dir });
  return {
    dir,
    remote,
    file,
    read: () => readFileSync(file, 'utf8'),
    docs: () =>
      parseAllDocuments(readFileSync(file, 'utf8'))
        .map((d) => d.toJS())
        .filter(Boolean),
    log: () => git(dir, 'log', '--format=%s').split('\n'),
  };
}
