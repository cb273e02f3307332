import { UsageError } from '../errors.js';
import { S3_URI_HINT, isS3Uri } from '../config/index.js';
import type { Prompter } from '../../ports/prompter.js';
import type { AdapterName, InitAnswers, InitDefaults } from './files.js';

/** What `mlctl init` was given as flags (the global --artifacts and --registry answer those questions). */
export interface InitFlags {
  yes?: boolean;
  artifacts?: string;
  registry?: string;
  s3Endpoint?: string;
  s3Region?: string;
  adrDir?: string;
  model?: string;
  adapter?: string;
  servingFile?: string;
  gates?: boolean;
  github?: boolean;
  action?: string;
  /** Each rollout step a commit (default) or a pull request. */
  gitMode?: string;
}

/**
 * Every answer init needs: a flag's value, else the default with --yes, else the question on a
 * terminal (`prompter`), else exit 2 naming the flag. `ci`: CI is set (named in that error).
 */
export async function collectAnswers(
  flags: InitFlags,
  d: InitDefaults,
  prompter: Prompter | null,
  ci: boolean,
): Promise<InitAnswers> {
  const ask = async <T>(given: T | undefined, flag: string, fallback: T, prompt: (p: Prompter) => Promise<T>) => {
    if (given !== undefined) return given;
    if (flags.yes) return fallback;
    if (prompter) return prompt(prompter);
    throw new UsageError(
      `mlctl init needs ${flag} (no terminal to ask on${ci ? ', CI is set' : ''}); pass it, or --yes to accept the defaults`,
    );
  };
  const artifacts = await ask(flags.artifacts, '--artifacts', d.artifacts, async (p) => {
    const kind = await p.select(
      'Where should model artifacts be stored?',
      [
        { value: 'local', name: `a local folder (${d.artifacts})` },
        { value: 's3', name: 'an S3 bucket (AWS, MinIO, R2, Ceph…)' },
      ],
      'local',
    );
    if (kind === 'local') return p.input('Artifact folder', d.artifacts);
    return p.input('Artifact location (s3://bucket/prefix)', 's3://ml-artifacts/models', (v) =>
      isS3Uri(v) ? null : S3_URI_HINT,
    );
  });
  const registry = await ask(flags.registry, '--registry', d.registry, async (p) => {
    const kind = await p.select(
      'Where should the registry live?',
      [
        { value: 'local', name: `a local SQLite file (${d.registry})`, description: 'for one person or one machine' },
        {
          value: 's3',
          name: 'shared on S3',
          description: 'one registry for every terminal and CI runner, locked with conditional writes',
        },
      ],
      'local',
    );
    if (kind === 'local') return d.registry;
    const base = artifacts.startsWith('s3://') ? artifacts.replace(/\/+$/, '') : 's3://ml-artifacts/models';
    return p.input('Shared registry object', `${base}/registry.db`);
  });
  const usesS3 = artifacts.startsWith('s3://') || registry.startsWith('s3://');
  let s3Endpoint = flags.s3Endpoint;
  if (usesS3 && s3Endpoint === undefined && !flags.yes && prompter)
    s3Endpoint =
      (await prompter.input('S3 endpoint (empty for AWS itself)', '', (v) =>
        !v || /^https?:\/\/[^\s/]+/.test(v) ? null : 'a URL such as http://127.0.0.1:9000',
      )) || undefined;
  const adrDir = await ask(flags.adrDir, '--adr-dir', d.adrDir, (p) =>
    p.input(d.adoptedAdrDir ? `ADR folder (found ${d.adoptedAdrDir})` : 'ADR folder', d.adrDir),
  );
  const modelAnswer = await ask(flags.model, '--model', 'none', (p) =>
    p.input('A first model to roll out with mlctl (a name, or "none")', 'none'),
  );
  const model = modelAnswer === 'none' || modelAnswer === '' ? null : modelAnswer;
  let adapter: AdapterName | null = null;
  let servingFile: string | null = null;
  if (model) {
    adapter = (await ask(flags.adapter, '--adapter', 'istio', (p) =>
      p.select<AdapterName>(
        'How is it served?',
        [
          { value: 'istio', name: 'Istio VirtualService', description: 'shadow, canary and ramp by route weights' },
          { value: 'kserve', name: 'KServe InferenceService', description: 'canaryTrafficPercent (no shadow)' },
          { value: 'seldon', name: 'Seldon Core v2', description: 'Experiment with candidates and mirror' },
          { value: 'generic', name: 'generic traffic file', description: 'for a custom gateway' },
          {
            value: 'tfserving',
            name: 'TensorFlow Serving models.config',
            description: 'version policy and labels, with a router file for the split',
          },
          {
            value: 'triton',
            name: 'Triton config.pbtxt',
            description: 'version policy, with a router file for the split',
          },
        ],
        'istio',
      ),
    )) as AdapterName;
    const chosen = adapter;
    servingFile = await ask(flags.servingFile, '--serving-file', d.servingFile(model, chosen), (p) =>
      p.input('Serving config file', d.servingFile(model, chosen)),
    );
  } else if (flags.adapter || flags.servingFile) {
    throw new UsageError('--adapter and --serving-file need --model <name>');
  }
  const gates = await ask(flags.gates, '--gates or --no-gates', true, (p) =>
    p.confirm('Write a gate policy (gates.yaml)?', true),
  );
  const github = await ask(flags.github, '--github or --no-github', false, (p) =>
    p.confirm('Add GitHub Actions workflows (gate on pull requests, scheduled rollouts)?', false),
  );
  return {
    artifacts,
    registry,
    s3Endpoint,
    s3Region: flags.s3Region,
    adrDir,
    model,
    adapter,
    servingFile,
    gates,
    github,
    action: flags.action ?? d.action,
    gitMode: (flags.gitMode ?? 'commit') as 'commit' | 'pull-request',
  };
}
