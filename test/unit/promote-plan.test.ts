import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runOk, tempProject, writeModel } from '../support/helpers.js';
import { gitopsProject } from '../support/gitops-project.js';
import { withRolloutContext } from '../support/core-context.js';
import { planPromote, type PromoteInput } from '../../src/core/promote/promote.js';
import { planRollback, type RollbackInput } from '../../src/core/promote/rollback.js';
import { ExitCode, type MlctlError } from '../../src/core/errors.js';

const T0 = '2026-11-23T10:00:00Z';
const at = (minutes: number) => ({ MLCTL_NOW: new Date(Date.parse(T0) + minutes * 60_000).toISOString() });

/** What a plan decided, in a form a table can state. */
async function decided(
  dir: string,
  input: PromoteInput,
  minutes = 0,
): Promise<{ kind: string; question: string | null; forced?: boolean } | { exit: number; error: string }> {
  return withRolloutContext(
    dir,
    async (ctx) => {
      try {
        const p = await planPromote(ctx, input);
        return {
          kind: p.kind,
          question: p.confirm?.question ?? null,
          ...(p.kind === 'advance'
            ? { forced: p.override !== null }
            : p.kind === 'settled'
              ? { forced: false }
              : p.kind === 'label'
                ? {}
                : { forced: p.change.forced }),
        };
      } catch (err) {
        return { exit: (err as MlctlError).exitCode, error: (err as Error).message };
      }
    },
    at(minutes),
  );
}

/** fraud@1 and fraud@2 registered, no serving target; `champion`: fraud@1 promoted first. */
async function direct(champion: boolean) {
  const dir = await tempProject();
  writeFileSync(join(dir, 'gates.yaml'), 'gates:\n  - { id: floor, metric: auc, min: 0.5 }\n');
  writeModel(dir, 'm1', { 'w.bin': '1' });
  writeModel(dir, 'm2', { 'w.bin': '2' });
  await runOk(['register', 'fraud', 'm1'], { cwd: dir });
  await runOk(['register', 'fraud', 'm2'], { cwd: dir });
  if (champion) await runOk(['promote', 'fraud@1', '--yes'], { cwd: dir });
  return dir;
}

const PLAN = (first: string) => `serving:
  fraud: { adapter: istio, files: [deploy/fraud.yaml], plan: p }
rollout:
  plans:
    p:
      - { ${first}, minDuration: 30m }
      - { stage: full }
`;

/** `rollout status` at minute `m`: a look at the rollout, recorded. */
const looked = (m: number) => async (dir: string) => {
  await runOk(['rollout', 'status'], { cwd: dir, env: at(m) });
  return dir;
};

/** A GitOps project with fraud@1 champion; `rolling`: fraud@2's rollout started at 0 min. */
async function served(first: string, rolling: boolean) {
  const p = await gitopsProject({ adapter: 'istio', config: PLAN(first) });
  await runOk(['promote', 'fraud@1', '--yes'], { cwd: p.dir, env: at(-10) });
  if (rolling) await runOk(['promote', 'fraud@2', '--yes', '--force', '--reason', 'test'], { cwd: p.dir, env: at(0) });
  return p.dir;
}

describe('planPromote: what promote will do, decided before anything changes', () => {
  it.each<[string, () => Promise<string>, PromoteInput, number, object]>([
    [
      'a first version without a serving target: direct, confirmed',
      () => direct(false),
      { ref: 'fraud@1' },
      0,
      { kind: 'direct', question: 'Make fraud@1 the production champion?', forced: false },
    ],
    [
      'a later version without a passing gate run: exit 1 naming the gate',
      () => direct(true),
      { ref: 'fraud@2' },
      0,
      {
        exit: ExitCode.negative,
        error: expect.stringMatching(/^fraud@2 has no passing gate run against the champion fraud@1/),
      },
    ],
    [
      '--force without --reason: exit 2',
      () => direct(true),
      { ref: 'fraud@2', force: true },
      0,
      { exit: ExitCode.usage, error: '--force needs --reason: an override is recorded with why it was made' },
    ],
    [
      '--force with a reason: direct, the override flagged, replacing the champion',
      () => direct(true),
      { ref: 'fraud@2', force: true, reason: 'hotfix' },
      0,
      { kind: 'direct', question: 'Make fraud@2 the production champion (replacing fraud@1)?', forced: true },
    ],
    [
      'the champion itself: exit 2',
      () => direct(true),
      { ref: 'fraud@1' },
      0,
      { exit: ExitCode.usage, error: 'fraud@1 is already the champion' },
    ],
    [
      'a served model with a champion: start a rollout, nothing to confirm before a partial stage',
      () => served('stage: canary, weight: 10', false),
      { ref: 'fraud@2', force: true, reason: 'test' },
      0,
      { kind: 'start', question: null, forced: true },
    ],
    [
      'an open rollout within its bake time: exit 1 naming the time left',
      () => served('stage: canary, weight: 10', true),
      { ref: 'fraud@2' },
      10,
      { exit: ExitCode.negative, error: expect.stringMatching(/canary 10% needs 30m before the next stage; 20m left/) },
    ],
    [
      'an open rollout within its bake time, forced: advance with the override, to full so confirmed',
      () => served('stage: canary, weight: 10', true),
      { ref: 'fraud@2', force: true, reason: 'hurry' },
      10,
      {
        kind: 'advance',
        question: 'Send all traffic to fraud@2 and make it the champion (replacing fraud@1)?',
        forced: true,
      },
    ],
    [
      'an open rollout after its bake time, confirmed by a look recorded since: advance, no override',
      () => served('stage: canary, weight: 10', true).then(looked(30)),
      { ref: 'fraud@2' },
      31,
      {
        kind: 'advance',
        question: 'Send all traffic to fraud@2 and make it the champion (replacing fraud@1)?',
        forced: false,
      },
    ],
    [
      'an open rollout after its bake time by this clock alone (a jump of a day): exit 5, a look recorded',
      () => served('stage: canary, weight: 10', true),
      { ref: 'fraud@2' },
      24 * 60,
      {
        exit: ExitCode.inconclusive,
        error: expect.stringMatching(
          /^fraud: canary 10%: this machine's clock says its 30m bake time has passed, but nothing recorded since 2026-11-23T10:00:00.000Z confirms it/,
        ),
      },
    ],
  ])('%s', async (_name, setup, input, minutes, expected) => {
    expect(await decided(await setup(), input, minutes)).toEqual(expected);
  });

  it('another version of the model in a rollout, or a paused rollout: exit 2 saying what to do', async () => {
    const dir = await served('stage: canary, weight: 10', true);
    writeModel(dir, 'm3', { 'model.bin': 'three' });
    await runOk(['register', 'fraud', 'm3'], { cwd: dir });
    expect(await decided(dir, { ref: 'fraud@3' }, 40)).toEqual({
      exit: ExitCode.usage,
      error:
        'fraud has a rollout of fraud@2 in progress; advance it with mlctl promote fraud@2, or abort it with mlctl rollback fraud',
    });
    await runOk(['rollout', 'pause', 'fraud'], { cwd: dir, env: at(1) });
    expect(await decided(dir, { ref: 'fraud@2' }, 40)).toEqual({
      exit: ExitCode.usage,
      error: 'the rollout of fraud is paused; run mlctl rollout resume fraud first',
    });
  });
});

describe('planRollback: abort an open rollout, or roll the champion back', () => {
  const plan = (dir: string, input: RollbackInput) =>
    withRolloutContext(dir, async (ctx) => {
      try {
        const p = await planRollback(ctx, input);
        if (p.kind === 'waiting') return { kind: p.kind };
        return p.kind === 'abort'
          ? { kind: p.kind, question: p.confirm.question }
          : { kind: p.kind, question: p.confirm.question, to: p.rollback.target.version };
      } catch (err) {
        return { exit: (err as MlctlError).exitCode, error: (err as Error).message };
      }
    });

  it.each<[string, () => Promise<string>, RollbackInput, object]>([
    [
      'an open rollout: abort it',
      () => served('stage: canary, weight: 10', true),
      { model: 'fraud' },
      { kind: 'abort', question: 'Abort the rollout of fraud@2 and send all traffic back to the champion?' },
    ],
    [
      'an open rollout with --to: exit 2 (abort first)',
      () => served('stage: canary, weight: 10', true),
      { model: 'fraud', to: 'fraud@1' },
      {
        exit: ExitCode.usage,
        error: 'fraud has a rollout in progress; run mlctl rollback fraud (without --to) to abort it first',
      },
    ],
    [
      'a first champion: no earlier one to return to',
      () => direct(true),
      { model: 'fraud' },
      {
        exit: ExitCode.usage,
        error:
          'no earlier champion of fraud to return to (versions rolled back from are skipped); name one with --to fraud@N',
      },
    ],
    [
      'a --to that does not exist: exit 2',
      () => direct(true),
      { model: 'fraud', to: 'churn@1' },
      { exit: ExitCode.usage, error: expect.stringMatching(/churn/) },
    ],
    [
      '--to the champion itself: exit 2',
      () => direct(true),
      { model: 'fraud', to: 'fraud@1' },
      { exit: ExitCode.usage, error: 'fraud@1 is already the champion' },
    ],
    [
      '--to an earlier version: roll back to it',
      () => direct(true),
      { model: 'fraud', to: 'fraud@2' },
      { kind: 'rollback', question: 'Roll fraud back from fraud@1 to fraud@2?', to: 2 },
    ],
  ])('%s', async (_name, setup, input, expected) => {
    expect(await plan(await setup(), input)).toEqual(expected);
  });

  it('without --to: the previous champion from the audit log', async () => {
    const dir = await direct(true);
    await runOk(['promote', 'fraud@2', '--yes', '--force', '--reason', 'test'], { cwd: dir });
    expect(await plan(dir, { model: 'fraud' })).toEqual({
      kind: 'rollback',
      question: 'Roll fraud back from fraud@2 to fraud@1?',
      to: 1,
    });
  });
});
