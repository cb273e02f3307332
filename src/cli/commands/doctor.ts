import type { Command } from 'commander';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import type { Deps } from '../deps.js';
import { commandCtx, emitVerdict } from '../output.js';
import { table } from '../render/table.js';
import { MlctlError } from '../../core/errors.js';

export interface DoctorCheck {
  check: string;
  status: 'ok' | 'warn' | 'fail' | 'skip';
  detail: string;
  /** What to do about it (empty when ok). */
  fix: string;
}

const why = (err: unknown) => (err instanceof MlctlError ? err.message : (err as Error).message).split('\n')[0]!;

/** Each check runs even when an earlier one failed, so one run lists everything to fix. */
async function runChecks(deps: Deps): Promise<DoctorCheck[]> {
  const out: DoctorCheck[] = [];
  const add = (check: string, status: DoctorCheck['status'], detail: string, fix = '') =>
    out.push({ check, status, detail, fix });

  let cfg: Awaited<ReturnType<Deps['config']>> | null = null;
  try {
    cfg = await deps.config();
    const file = cfg.file ?? 'mlctl.yaml';
    const { readRolloutConfig, readGitConfig, readRollbackConfig } = await import('../../core/rollout/plan.js');
    const rollout = readRolloutConfig(cfg.raw, file);
    const git = readGitConfig(cfg.raw.git, file, { lineOf: cfg.lineOf });
    readRollbackConfig(cfg.raw.rollback, git, file, { lineOf: cfg.lineOf });
    add(
      'config',
      'ok',
      `${relative(deps.cwd, file) || file} is valid (${Object.keys(rollout.serving).length} served model(s))`,
    );
  } catch (err) {
    add('config', 'fail', why(err), cfg ? 'fix mlctl.yaml at the place named' : "run 'mlctl init' here");
  }
  if (!cfg) return out;

  try {
    const { readGatesConfig, loadCurrentPolicy } = await import('../../core/gates/gates-config.js');
    const policy = loadCurrentPolicy(cfg.root, readGatesConfig(cfg.raw.gates, cfg.file ?? 'mlctl.yaml'));
    if (policy) add('gate policy', 'ok', `${policy.file}: ${policy.policy.gates.length} gate(s)`);
    else
      add(
        'gate policy',
        'warn',
        'no gate policy: promote will require --force',
        "write gates.yaml ('mlctl init --gates' or templates/gates.yaml)",
      );
  } catch (err) {
    add('gate policy', 'fail', why(err), 'mlctl gate lint shows every problem with file:line');
  }

  try {
    const registry = await deps.registry();
    const models = await registry.listModels();
    add('registry', 'ok', `${registry.location}: opened and migrated; ${models.length} model(s)`);
  } catch (err) {
    const missing = /does not exist/.test(why(err));
    add(
      'registry',
      missing ? 'warn' : 'fail',
      why(err),
      missing
        ? "run 'mlctl init --yes' or register a model"
        : 'check the registry setting and, for s3://, the credentials and endpoint',
    );
  }

  try {
    const store = await deps.artifacts();
    const key = `.mlctl-doctor/${randomUUID()}`;
    const probe = new TextEncoder().encode(`mlctl doctor ${deps.clock.now().toISOString()}`);
    await store.putBytes(key, probe);
    const back = await store.getBytes(key);
    await store.delete(key);
    if (!back || Buffer.compare(Buffer.from(back), Buffer.from(probe)) !== 0)
      add(
        'artifact store',
        'fail',
        `${store.location}: what was written could not be read back`,
        'check the S3-compatible server and its settings',
      );
    else add('artifact store', 'ok', `${store.location}: write, read and delete work`);
  } catch (err) {
    add(
      'artifact store',
      'fail',
      why(err),
      'check artifacts/s3 in mlctl.yaml and the AWS credentials (environment, profile or instance role)',
    );
  }

  const served = ((cfg.raw.serving ?? {}) as Record<string, { files?: string[] }>) ?? {};
  const files = Object.values(served).flatMap((s) => s.files ?? []);
  if (files.length === 0) add('git', 'skip', 'no serving files configured', '');
  else {
    try {
      const { join, isAbsolute } = await import('node:path');
      const abs = files.map((f) => (isAbsolute(f) ? f : join(cfg!.root, f)));
      const missing = abs.filter((f) => !existsSync(f));
      const git = await deps.gitops(cfg.root);
      const dirty = await git.dirty(abs.filter((f) => existsSync(f)).map((f) => relative(git.root, f)));
      if (missing.length)
        add(
          'serving files',
          'fail',
          `missing: ${missing.map((f) => relative(cfg!.root, f)).join(', ')}`,
          'create them from templates/serving/<adapter>.yaml or fix serving.<model>.files',
        );
      else if (dirty.length)
        add(
          'serving files',
          'warn',
          `uncommitted changes in ${dirty.join(', ')}`,
          'commit or discard them before a rollout step (or pass --allow-dirty)',
        );
      else add('serving files', 'ok', `${files.length} file(s) in the git repository ${git.root}, committed`);
      if (deps.env.GITHUB_ACTIONS === 'true') {
        const shallow = (
          await (await deps.exec()).shell('git rev-parse --is-shallow-repository', { cwd: git.root, timeoutMs: 10_000 })
        ).stdout.trim();
        if (shallow === 'true')
          add(
            'checkout depth',
            'fail',
            'the checkout is shallow: rollout commits and lineage need the history',
            'actions/checkout with `fetch-depth: 0`',
          );
        else add('checkout depth', 'ok', 'full history');
      }
    } catch (err) {
      add('serving files', 'fail', why(err), 'serving configs must live in a git repository (the GitOps repository)');
    }
  }

  try {
    const { adrContext } = await import('./adr.js');
    const { lintAdrs } = await import('../../core/adr/adr-ops.js');
    const a = await adrContext(deps, cfg);
    if (!existsSync(a.dir))
      add(
        'ADR folder',
        'warn',
        `${relative(deps.cwd, a.dir)} does not exist yet`,
        "mlctl creates it with the first decision; or 'mlctl adr new Record architecture decisions'",
      );
    else {
      const problems = lintAdrs(a.dir);
      if (problems.length)
        add(
          'ADR folder',
          'warn',
          `${relative(deps.cwd, a.dir)}: ${problems.length} problem(s), e.g. ${problems[0]!.file}: ${problems[0]!.problem}`,
          'mlctl adr lint lists them',
        );
      else add('ADR folder', 'ok', relative(deps.cwd, a.dir) || a.dir);
    }
  } catch (err) {
    add('ADR folder', 'fail', why(err), 'fix adr.dir in mlctl.yaml or the .adr-dir file');
  }

  if (deps.env.GITHUB_ACTIONS === 'true') {
    const usesS3 = cfg.registry.startsWith('s3://') || cfg.artifacts.kind === 's3';
    if (usesS3 && !deps.env.AWS_ACCESS_KEY_ID && !deps.env.ACTIONS_ID_TOKEN_REQUEST_URL) {
      add(
        'permissions',
        'fail',
        'S3 is used but there are no AWS credentials and no OIDC token endpoint',
        'add `permissions: id-token: write` and aws-actions/configure-aws-credentials (role-to-assume)',
      );
    } else
      add(
        'permissions',
        'ok',
        usesS3 ? 'AWS credentials or an OIDC token are available' : 'no cloud credentials needed',
      );
    const { readGitConfig } = await import('../../core/rollout/plan.js');
    const git = readGitConfig(cfg.raw.git, cfg.file ?? 'mlctl.yaml');
    if (files.length) {
      add(
        'push trigger',
        'warn',
        `rollout commits are pushed with ${git.push ? 'git.push' : '--push'} by GITHUB_TOKEN: such pushes do not start other workflows`,
        'fine for Argo CD / Flux (they poll git); to trigger workflows, push with a GitHub App token or a deploy key; the job also needs `permissions: contents: write`',
      );
    }
  }
  return out;
}

export function registerDoctor(program: Command, deps: Deps): void {
  program
    .command('doctor')
    .description(
      'check the set-up: config, gate policy, registry, artifact store (write/read/delete probe), serving files in git, ADR folder, and GitHub Actions pitfalls',
    )
    .addHelpText(
      'after',
      '\nExit status 1 when a check fails (warnings do not fail).\n\nExamples:\n  $ mlctl doctor\n  $ mlctl doctor --json',
    )
    .action(async (_o, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const checks = await runChecks(deps);
      const failed = checks.filter((c) => c.status === 'fail');
      const mark = { ok: 'ok', warn: 'WARN', fail: 'FAIL', skip: '-' } as const;
      await emitVerdict(
        ctx,
        { ok: failed.length === 0, checks },
        () =>
          table(
            ['CHECK', 'STATUS', 'DETAIL', 'FIX'],
            checks.map((c) => [c.check, mark[c.status], c.detail, c.fix]),
          ),
        failed.length === 0,
        `${failed.length} check(s) failed: ${failed.map((c) => c.check).join(', ')}`,
      );
    });
}
