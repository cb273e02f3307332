import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { atomicWrite } from '../util/atomic-write.js';
import { UsageError } from '../errors.js';
import {
  CONFIG_FILE,
  DEFAULT_ARTIFACTS,
  DEFAULT_REGISTRY,
  S3_URI_HINT,
  isS3ObjectUri,
  isS3Uri,
} from '../config/index.js';
import { resolveAdrDir } from '../adr/files.js';
import { checkModelName } from '../refs.js';
import { INIT_ADAPTERS, SERVING_EXAMPLES, TEXTPROTO_ADAPTERS, type ServingAdapterName } from '../serving/kinds.js';
import type { Confirmation } from '../confirmation.js';

export type AdapterName = ServingAdapterName;

/** Everything `mlctl init` asks (or takes from flags). */
export interface InitAnswers {
  artifacts: string;
  registry: string;
  /** For s3:// artifacts or registry; undefined: AWS itself. */
  s3Endpoint?: string;
  s3Region?: string;
  /** Relative to the project folder. */
  adrDir: string;
  model: string | null;
  adapter: AdapterName | null;
  servingFile: string | null;
  gates: boolean;
  github: boolean;
  /** How the workflows refer to the mlctl action, e.g. acme/mlctl@v1. */
  action: string;
  /** Each rollout step a commit (default) or a pull request (ADR 25). */
  gitMode?: 'commit' | 'pull-request';
}

export interface PlannedFile {
  /** Relative to the project folder. */
  path: string;
  action: 'create' | 'overwrite' | 'keep';
  content: string;
}

export interface InitPlan {
  dir: string;
  answers: InitAnswers;
  files: PlannedFile[];
  /** Where an existing ADR folder was found (adopted instead of creating another), if anywhere. */
  adoptedAdrDir: string | null;
  /** On a terminal the files are shown and agreed to before anything is written. */
  confirm: Confirmation | null;
}

export interface InitDefaults {
  artifacts: string;
  registry: string;
  adrDir: string;
  adoptedAdrDir: string | null;
  servingFile(model: string, adapter: AdapterName): string;
  action: string;
}

/** The defaults init offers: an ADR folder that already exists (.adr-dir, doc/adr) is adopted. */
export function initDefaults(dir: string): InitDefaults {
  const found = resolveAdrDir(dir, null);
  const rel = relative(dir, found) || '.';
  const adopted = existsSync(found) || existsSync(join(dir, '.adr-dir')) ? rel : null;
  return {
    artifacts: DEFAULT_ARTIFACTS,
    registry: DEFAULT_REGISTRY,
    adrDir: rel,
    adoptedAdrDir: adopted,
    servingFile: (model, adapter) =>
      adapter === 'tfserving'
        ? `deploy/${model}/models.config`
        : adapter === 'triton'
          ? `deploy/${model}/config.pbtxt`
          : `deploy/${model}/${adapter}.yaml`,
    action: 'mlctl-dev/mlctl@v1',
  };
}

export function checkAnswers(a: InitAnswers): void {
  for (const [flag, v] of [
    ['--artifacts', a.artifacts],
    ['--registry', a.registry],
  ] as const) {
    if (!v.trim()) throw new UsageError(`${flag} must not be empty`);
    if (v.startsWith('s3://') && !isS3Uri(v)) throw new UsageError(`${flag} ${v}: ${S3_URI_HINT}`);
  }
  if (a.registry.startsWith('s3://') && !isS3ObjectUri(a.registry))
    throw new UsageError(`--registry ${a.registry}: name the database object, e.g. s3://bucket/mlctl/registry.db`);
  if (a.s3Endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(a.s3Endpoint))
    throw new UsageError(`--s3-endpoint ${a.s3Endpoint}: must be a URL such as http://127.0.0.1:9000`);
  if (a.model !== null) checkModelName(a.model);
  if (a.adapter !== null && !INIT_ADAPTERS.includes(a.adapter))
    throw new UsageError(`--adapter ${String(a.adapter)}: use ${INIT_ADAPTERS.join(', ')} or none`);
  if (a.servingFile !== null && (a.servingFile.startsWith('/') || a.servingFile.split(/[\\/]/).includes('..')))
    throw new UsageError(`--serving-file ${a.servingFile}: give a path inside the project`);
  if (a.adrDir.startsWith('/') || a.adrDir.split(/[\\/]/).includes('..'))
    throw new UsageError(`--adr-dir ${a.adrDir}: give a path inside the project`);
  if (a.gitMode !== undefined && a.gitMode !== 'commit' && a.gitMode !== 'pull-request')
    throw new UsageError(`--git-mode ${String(a.gitMode)}: use commit or pull-request`);
  if (!/^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[\w./-]+$/.test(a.action))
    throw new UsageError(`--action ${a.action}: expected owner/repo@ref`);
}

/** A model server's router companion file, beside its config. */
const routerFile = (servingFile: string): string => join(dirname(servingFile), 'traffic.yaml');

function yamlString(s: string): string {
  return /^[\w./:@-]+$/.test(s) ? s : JSON.stringify(s);
}

function configText(template: string, a: InitAnswers, d: InitDefaults): string {
  const s3 =
    a.s3Endpoint || a.s3Region
      ? `\n# S3 connection (MinIO, R2, Ceph and other S3-compatible servers need an endpoint):\ns3: { ${[a.s3Endpoint ? `endpoint: ${a.s3Endpoint}` : '', `region: ${a.s3Region ?? 'us-east-1'}`, a.s3Endpoint ? 'forcePathStyle: true' : ''].filter(Boolean).join(', ')} }\n`
      : '';
  let text = template
    .replace('{{registry}}', yamlString(a.registry))
    .replace('{{artifacts}}', yamlString(a.artifacts))
    .replace('{{s3}}\n', s3);
  if (a.adrDir !== d.adrDir)
    text += `\n# Architecture decision records (adr-tools compatible).\nadr: { dir: ${yamlString(a.adrDir)} }\n`;
  if (a.model && a.adapter && a.servingFile) {
    text += `\n# Staged rollouts edit these files in this (GitOps) repository, one ${a.gitMode === 'pull-request' ? 'pull request' : 'commit'} per stage.\nserving:\n  ${a.model}: { adapter: ${a.adapter}, files: [${yamlString(a.servingFile)}], plan: ${a.adapter === 'kserve' ? 'canary' : 'standard'}${TEXTPROTO_ADAPTERS.includes(a.adapter) ? `, router: { adapter: generic, files: [${yamlString(routerFile(a.servingFile))}] }` : ''} }\n`;
    if (TEXTPROTO_ADAPTERS.includes(a.adapter))
      text += `  # The model server loads versions; the router file carries the traffic split (istio works too).\n${a.adapter === 'tfserving' ? '  # A stage that loads a version writes its labels (and the split) in a second commit once it is\n  # loaded: status_url: http://tfserving:8501 asks the server, else label_delay (default 2m) is waited.\n' : ''}`;
    if (a.adapter === 'kserve')
      text += `\nrollout:\n  plans:\n    # KServe alone cannot mirror traffic: the built-in standard plan without its shadow stage.\n    canary:\n      - { stage: canary, weight: 5, minDuration: 30m }\n      - { stage: ramp, weight: 25, minDuration: 30m }\n      - { stage: ramp, weight: 50, minDuration: 30m }\n      - { stage: full }\n`;
    if (a.gitMode !== 'pull-request') text += `\ngit: { commit: true, push: false, remote: origin }\n`;
  }
  if (a.gitMode === 'pull-request')
    text += `\n# Each rollout step is a branch and a pull request; it takes effect when merged. The repository
# comes from GITHUB_REPOSITORY in Actions, else git.repository, else the remote's URL; the token from
# GITHUB_TOKEN or GH_TOKEN.
git:
  mode: pull-request
  remote: origin
  # repository: owner/name
  pullRequest: { labels: [mlctl], reviewers: [], team_reviewers: [], draft: false }

# Aborts and rollbacks: an urgent pull request (default), or commit where the branch lets mlctl push.
rollback: { mode: pull-request }
`;
  return text;
}

/** What init would write; nothing is written. Existing files are kept unless `force`; mlctl.yaml is refused. */
export function planFiles(
  dir: string,
  a: InitAnswers,
  d: InitDefaults,
  templates: (name: string) => string,
  force: boolean,
  today: string,
): InitPlan {
  checkAnswers(a);
  const files: PlannedFile[] = [];
  const add = (path: string, content: string) => {
    const exists = existsSync(join(dir, path));
    files.push({ path, content, action: !exists ? 'create' : force ? 'overwrite' : 'keep' });
  };
  if (existsSync(join(dir, CONFIG_FILE)) && !force)
    throw new UsageError(`${join(dir, CONFIG_FILE)} already exists; pass --force to overwrite it`);
  add(CONFIG_FILE, configText(templates('mlctl.yaml'), a, d));
  if (a.gates) add('gates.yaml', templates('gates.yaml'));
  if (a.model && a.adapter && a.servingFile) {
    add(a.servingFile, templates(`serving/${SERVING_EXAMPLES[a.adapter]}`).replace(/\bfraud\b/g, a.model));
    if (TEXTPROTO_ADAPTERS.includes(a.adapter))
      add(routerFile(a.servingFile), templates('serving/generic.yaml').replace(/\bfraud\b/g, a.model));
  }
  const adrAbs = resolve(dir, a.adrDir);
  const hasAdrs = existsSync(adrAbs) && readdirSync(adrAbs).some((f) => /^\d+-.*\.md$/.test(f));
  if (!hasAdrs)
    add(
      join(a.adrDir, '0001-record-architecture-decisions.md'),
      templates('adr/0001-record-architecture-decisions.md').replaceAll('{{date}}', today),
    );
  if (a.github) {
    const fill = (t: string) => t.replaceAll('{{model}}', a.model ?? 'my-model').replaceAll('{{action}}', a.action);
    add('.github/workflows/mlctl-gate.yml', fill(templates('github/mlctl-gate.yml')));
    const pr = a.gitMode === 'pull-request';
    add('.github/workflows/mlctl-rollout.yml', fill(templates(`github/mlctl-rollout${pr ? '-pr' : ''}.yml`)));
    if (pr) add('.github/workflows/mlctl-pr-merged.yml', fill(templates('github/mlctl-pr-merged.yml')));
  }
  return { dir, answers: a, files, adoptedAdrDir: d.adoptedAdrDir, confirm: null };
}

export interface InitResult {
  config: string;
  written: string[];
  kept: string[];
  registry: string;
  artifacts: string;
  adrDir: string;
  adoptedAdrDir: string | null;
}

/** Write the plan (each file atomically) and the .mlctl/ folder, git-ignored. */
export function writeFiles(plan: InitPlan): InitResult {
  const written: string[] = [];
  const kept: string[] = [];
  for (const f of plan.files) {
    if (f.action === 'keep') {
      kept.push(f.path);
      continue;
    }
    const abs = join(plan.dir, f.path);
    mkdirSync(dirname(abs), { recursive: true });
    atomicWrite(abs, f.content);
    written.push(f.path);
  }
  const state = join(plan.dir, '.mlctl');
  mkdirSync(state, { recursive: true });
  const ignore = join(state, '.gitignore');
  if (!existsSync(ignore)) {
    // The registry database and local blobs never belong in git.
    writeFileSync(ignore, '*\n');
    written.push('.mlctl/.gitignore');
  }
  return {
    config: join(plan.dir, CONFIG_FILE),
    written,
    kept,
    registry: plan.answers.registry,
    artifacts: plan.answers.artifacts,
    adrDir: plan.answers.adrDir,
    adoptedAdrDir: plan.adoptedAdrDir,
  };
}
