import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readSettings } from '../../src/core/config/index.js';
import { configDoc } from '../../src/core/config/file.js';
import { parseYamlDoc } from '../../src/core/inputs/located-doc.js';
import { look, type SequenceParams } from '../../src/core/stats/confidence-sequence.js';
import { runningState } from '../../src/core/rollout/looks.js';
import { finalIntervals } from '../../src/core/rollout/history.js';
import { parseCountsLine } from '../../src/core/rollout/compare-counts.js';
import { buildRolloutView } from '../../src/core/views/rollout.js';
import { SqliteRegistry } from '../../src/adapters/sqlite/sqlite-registry.js';
import { tempDir } from '../support/helpers.js';
import { newVersion, rolloutInput } from '../registry/contract.js';
import type { CompareLookRecord } from '../../src/ports/registry.js';

const settings = (text: string) => readSettings(configDoc(parseYamlDoc(text, 'mlctl.yaml')), '/project');

const PARAMS: SequenceParams = { better: 'lower', margin: 0.002, alpha: 0.05, tau: 0.002, minTrials: 1000 };
const COUNTS: Array<[{ events: number; trials: number }, { events: number; trials: number }]> = [
  [
    { events: 3, trials: 900 },
    { events: 40, trials: 9000 },
  ],
  [
    { events: 8, trials: 4000 },
    { events: 76, trials: 38_000 },
  ],
  [
    { events: 14, trials: 7000 },
    { events: 140, trials: 66_000 },
  ],
  [
    { events: 20, trials: 10_000 },
    { events: 190, trials: 95_000 },
  ],
];

/** The looks as the registry stores them (compare-check.ts), from a chain of look() calls. */
function storedLooks(params = PARAMS, step = 0): CompareLookRecord[] {
  let prev = null;
  const out: CompareLookRecord[] = [];
  for (const [i, [c, h]] of COUNTS.entries()) {
    const r = look(c, h, params, prev);
    prev = r.state;
    out.push({
      id: i + 1,
      rolloutId: 1,
      step,
      check: 'errors',
      at: `2026-11-23T10:${String(10 + i).padStart(2, '0')}:00.000Z`,
      actor: 't',
      candidate: c,
      champion: h,
      estimate: r.estimate,
      radius: r.radius,
      lower: r.interval?.lower ?? null,
      upper: r.interval?.upper ?? null,
      runLower: r.state?.lower ?? null,
      runUpper: r.state?.upper ?? null,
      counted: r.counted,
      verdict: r.verdict,
      better: params.better,
      margin: params.margin,
      alpha: params.alpha,
      tau: params.tau,
      minTrials: params.minTrials,
    });
  }
  return out;
}

describe('the running intersection from stored looks', () => {
  it('folds the counted looks exactly as the chain of looks did (the first look, below min_trials, does not count)', () => {
    const looks = storedLooks();
    expect(looks.map((l) => [l.counted, l.verdict])).toEqual([
      [false, 'inconclusive'],
      [true, 'inconclusive'],
      [true, 'pass'],
      [true, 'pass'],
    ]);
    const s = runningState(looks, PARAMS)!;
    expect(s).toEqual({ lower: looks[3]!.runLower, upper: looks[3]!.runUpper, looks: 3 });
    expect(runningState(looks.slice(0, 1), PARAMS)).toBeNull();
  });

  it('starts a new sequence when direction, alpha or tau changed; a margin change keeps it', () => {
    const looks = storedLooks();
    expect(runningState(looks, { ...PARAMS, alpha: 0.01 })).toBeNull();
    expect(runningState(looks, { ...PARAMS, tau: 0.005 })).toBeNull();
    expect(runningState(looks, { ...PARAMS, better: 'higher' })).toBeNull();
    const otherMargin: SequenceParams = { ...PARAMS, margin: 0.01 };
    expect(runningState(looks, otherMargin)!.looks).toBe(3);
  });

  it('finalIntervals gives the last counted look of each check per stage', () => {
    const looks = [...storedLooks(), ...storedLooks(PARAMS, 1).slice(0, 2)];
    const plan = [
      { stage: 'canary' as const, weight: 5, minDurationMs: 0, checks: ['errors'], auto: false },
      { stage: 'ramp' as const, weight: 50, minDurationMs: 0, checks: ['errors'], auto: false },
      { stage: 'full' as const, minDurationMs: 0, checks: [], auto: false },
    ];
    expect(finalIntervals({ plan }, looks)).toEqual([
      {
        stage: 'canary 5%',
        check: 'errors',
        lower: looks[3]!.runLower,
        upper: looks[3]!.runUpper,
        margin: 0.002,
        verdict: 'pass',
        looks: 3,
      },
      {
        stage: 'ramp 50%',
        check: 'errors',
        lower: looks[5]!.runLower,
        upper: looks[5]!.runUpper,
        margin: 0.002,
        verdict: 'inconclusive',
        looks: 1,
      },
    ]);
  });
});

describe("a command's counts line", () => {
  it.each([
    ['{"candidate": {"events": 1, "trials": 10}, "champion": {"events": 2, "trials": 30}}', null],
    ['progress…\n{"candidate": {"events": 1, "trials": 10}, "champion": {"events": 2, "trials": 30}}\n', null],
    ['', 'did not print'],
    ['{"candidate": {"events": 1, "trials": 10}}', 'has no "champion"'],
    ['{"candidate": {"events": "1", "trials": 10}, "champion": {"events": 2, "trials": 30}}', 'must be numbers'],
    ['[1, 2]', 'has no "candidate"'],
  ])('%j', (text, error) => {
    const r = parseCountsLine(text);
    if (error === null)
      expect(r).toEqual({ kind: 'counts', candidate: { events: 1, trials: 10 }, champion: { events: 2, trials: 30 } });
    else {
      expect(r.kind).toBe('error');
      expect((r as { detail: string }).detail).toContain(error);
    }
  });
});

describe('compare checks in mlctl.yaml', () => {
  const yaml = (check: string, stage = '{ stage: canary, weight: 5, checks: [errors] }') => `
serving:
  fraud: { adapter: istio, files: [deploy/vs.yaml], plan: p }
rollout:
  plans:
    p:
      - ${stage}
      - { stage: full }
  checks:
    errors:
${check}
`;
  const CMD = `      compare: { command: ./counts.sh, better: lower, margin: 0.002 }`;

  it('reads a compare check beside the threshold checks, and the stage timeout with its default', () => {
    const c = settings(
      yaml(CMD, '{ stage: canary, weight: 5, minDuration: 30m, maxDuration: 6h, checks: [errors] }'),
    ).rollout;
    expect(c.checks.errors).toEqual({
      compare: {
        source: { kind: 'command', command: './counts.sh', timeout: '5m' },
        better: 'lower',
        margin: 0.002,
        alpha: 0.05,
        minTrials: 1000,
        tau: 0.002,
        tauIsDefault: true,
        against: 'champion',
      },
    });
    expect(c.plans.p![0]).toMatchObject({ maxDuration: '6h', maxDurationMs: 6 * 3_600_000, onTimeout: 'hold' });
  });

  it.each([
    [
      'a threshold key beside compare',
      yaml(`${CMD}\n      max: 1`),
      'mlctl.yaml: rollout.checks.errors: a compare check keeps its settings inside compare: { … }; remove max here (line 12)',
    ],
    [
      'against: baseline, which no adapter writes',
      yaml(`      compare: { command: ./counts.sh, better: lower, margin: 0.002, against: baseline }`),
      "mlctl.yaml: rollout.checks.errors.compare.against: baseline (a fresh copy of the champion at the candidate's weight) is not written by any serving adapter yet; remove it to compare with the champion's live traffic (line 11)",
    ],
    [
      'a maxDuration on a stage without checks',
      yaml(CMD, '{ stage: canary, weight: 5, maxDuration: 1h }'),
      'mlctl.yaml: rollout.plans.p[0].maxDuration: limits how long the stage waits for its checks to pass, and this stage has none; add checks or remove it (line 7)',
    ],
    [
      'an unknown onTimeout',
      yaml(CMD, '{ stage: canary, weight: 5, maxDuration: 1h, onTimeout: rollback, checks: [errors] }'),
      'mlctl.yaml: rollout.plans.p[0].onTimeout: must be one of hold, abort, got "rollback" (line 7)',
    ],
  ])('refuses %s, naming the key', (_n, text, message) => {
    expect(() => settings(text)).toThrow(message);
  });
});

describe('the rollout page view', () => {
  it("draws each check's counted looks per stage with the running interval", async () => {
    const dir = tempDir();
    const reg = SqliteRegistry.open(join(dir, 'registry.db'), { create: true });
    try {
      const v1 = await reg.write(() => reg.insertVersion(newVersion('m')));
      const v2 = await reg.write(() => reg.insertVersion(newVersion('m', 'c'.repeat(64))));
      const ro = await reg.write(() =>
        reg.insertRollout({
          ...rolloutInput('m', v2.id, v1.id),
          plan: [
            { stage: 'canary', weight: 5, minDurationMs: 0, checks: ['errors'], auto: false },
            { stage: 'full', minDurationMs: 0, checks: [], auto: false },
          ],
        }),
      );
      const looks = storedLooks();
      await reg.write(async () => {
        for (const l of looks) await reg.insertCompareLook({ ...l, rolloutId: ro.id });
      });
      const view = await buildRolloutView(reg, ro.id, new Date('2026-11-23T12:00:00Z'));
      expect(view.compareChecks).toEqual([
        {
          name: 'errors',
          stage: 'canary 5%',
          looks: looks.slice(1).map((l) => ({
            at: l.at,
            estimate: l.estimate,
            lower: l.runLower,
            upper: l.runUpper,
            margin: 0.002,
            verdict: l.verdict,
          })),
        },
      ]);
    } finally {
      await reg.close();
    }
  });
});
