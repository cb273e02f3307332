import { describe, expect, it } from 'vitest';
import { blocker } from '../../src/core/rollout/blocker.js';
import { ExitCode } from '../../src/core/errors.js';
import type { HealthCheckResult } from '../../src/core/rollout/health-checks.js';
import type { RolloutRecord } from '../../src/ports/registry.js';

const rollout = {
  model: 'fraud',
  step: 0,
  plan: [
    { stage: 'canary', weight: 10, minDurationMs: 30 * 60_000, checks: ['errors'], auto: false },
    { stage: 'full', minDurationMs: 0, checks: [], auto: false },
  ],
  stepStartedAt: '2026-11-23T10:00:00Z',
} as unknown as RolloutRecord;

const check = (status: HealthCheckResult['status'], name = 'errors'): HealthCheckResult => ({
  name,
  kind: 'prometheus',
  status,
  value: status === 'pass' || status === 'fail' ? 0.5 : null,
  min: null,
  max: 1,
  detail: status,
});

describe('the stage blocker: why a rollout may not leave its stage yet', () => {
  it.each<[string, HealthCheckResult[], number, { exit: number; message: RegExp } | null, boolean?]>([
    ['no checks, bake time served', [], 0, null],
    ['passing checks, bake time served', [check('pass')], 0, null],
    [
      'passing checks, bake time left: exit 1 with the time left',
      [check('pass')],
      20 * 60_000,
      { exit: ExitCode.negative, message: /canary 10% needs 30m before the next stage; 20m left/ },
    ],
    [
      'a failing check wins over everything: exit 1, abort or override',
      [check('pass', 'a'), check('fail', 'b'), check('inconclusive', 'c')],
      20 * 60_000,
      { exit: ExitCode.negative, message: /checks failed: b fail \(fail\); abort with mlctl rollback fraud/ },
    ],
    [
      'an inconclusive check: exit 5',
      [check('pass', 'a'), check('inconclusive', 'c')],
      0,
      { exit: ExitCode.inconclusive, message: /checks could not decide: c inconclusive/ },
    ],
    [
      'a check that could not run: exit 5 too (it blocks, it never aborts)',
      [check('error')],
      0,
      { exit: ExitCode.inconclusive, message: /checks could not decide: errors error/ },
    ],
    [
      'bake time served by this clock only, nothing recorded since confirms it: exit 5, run again',
      [check('pass')],
      0,
      {
        exit: ExitCode.inconclusive,
        message:
          /canary 10%: this machine's clock says its 30m bake time has passed, but nothing recorded since 2026-11-23T10:00:00Z confirms it \(a clock jump alone never ends a bake time\)/,
      },
      false,
    ],
  ])('%s', (_name, checks, remainingMs, expected, confirmed = true) => {
    const why = blocker({ rollout, remainingMs, confirmed }, checks);
    if (expected === null) expect(why).toBeNull();
    else {
      expect(why?.exitCode).toBe(expected.exit);
      expect(why?.message).toMatch(expected.message);
    }
  });
});
