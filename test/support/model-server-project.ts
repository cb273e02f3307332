import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runOk, tempDir, writeModel } from './helpers.js';
import { git } from './gitops-project.js';

export interface ModelServerProject {
  dir: string;
  /** The model server's file (models.config or config.pbtxt), as mlctl.yaml names it. */
  file: string;
  read(): string;
  /** The router companion's traffic file (generic), parsed. */
  traffic(): Record<string, any>;
  log(): string[];
  head(): string;
}

/** A quick plan: minutes, so a test walks it with MLCTL_NOW. */
export const QUICK_PLAN = `
rollout:
  plans:
    quick:
      - { stage: shadow, mirror: 50, minDuration: 10m }
      - { stage: canary, weight: 10, minDuration: 10m }
      - { stage: ramp, weight: 50, minDuration: 10m }
      - { stage: full }
`;

/**
 * A GitOps repository made by `mlctl init --model fraud --adapter <tfserving|triton>` (the model
 * server's file and a generic router file beside it), with a bare remote; the server's file
 * replaced by `text` when given; `keys` added to serving.fraud; `plan`: the quick plan's stages
 * (YAML list items) instead of QUICK_PLAN's; fraud@1 and fraud@2 registered.
 */
export async function modelServerProject(
  adapter: 'tfserving' | 'triton',
  o: { text?: string; keys?: string; plan?: string } = {},
): Promise<ModelServerProject> {
  const remote = tempDir('mlctl-remote-');
  git(remote, 'init', '-q', '--bare', '-b', 'main');
  const dir = tempDir('mlctl-gitops-');
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'ci@example.com');
  git(dir, 'config', 'user.name', 'CI');
  await runOk(['init', '--yes', '--model', 'fraud', '--adapter', adapter, '--no-gates'], { cwd: dir });
  const cfgPath = join(dir, 'mlctl.yaml');
  const cfg = readFileSync(cfgPath, 'utf8');
  const plan = o.plan ? `\nrollout:\n  plans:\n    quick:\n${o.plan}` : QUICK_PLAN;
  writeFileSync(cfgPath, cfg.replace('plan: standard', `plan: quick${o.keys ? `, ${o.keys}` : ''}`) + plan);
  const spec = parse(readFileSync(cfgPath, 'utf8')).serving.fraud as { files: string[]; router: { files: string[] } };
  const file = spec.files[0]!;
  if (o.text !== undefined) writeFileSync(join(dir, file), o.text);
  writeFileSync(join(dir, '.gitignore'), '.mlctl/\nm*/\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'initial');
  git(dir, 'remote', 'add', 'origin', remote);
  git(dir, 'push', '-q', 'origin', 'main');
  writeModel(dir, 'm1', { 'saved_model.pb': 'one' });
  writeModel(dir, 'm2', { 'saved_model.pb': 'two' });
  for (const m of ['m1', 'm2']) await runOk(['register', 'fraud', m], { cwd: dir });
  return {
    dir,
    file,
    read: () => readFileSync(join(dir, file), 'utf8'),
    traffic: () => parse(readFileSync(join(dir, spec.router.files[0]!), 'utf8')) as Record<string, any>,
    log: () => git(dir, 'log', '--format=%s').split('\n'),
    head: () => git(dir, 'rev-parse', 'HEAD'),
  };
}
