import { describe, expect, it } from 'vitest';
import { ceil, div, exact, mul, sub, toNumber } from '../../src/core/capacity/exact.js';
import { peakFromTraffic, replicasFor } from '../../src/core/capacity/sizing.js';
import {
  capacityPerStage,
  overMaxReplicas,
  replicasAtStage,
  scaledDown,
  type StageSizing,
} from '../../src/core/capacity/per-stage.js';
import { STANDARD_PLAN } from '../../src/core/config/rollout.js';
import { readSettings } from '../../src/core/config/index.js';
import { configDoc } from '../../src/core/config/file.js';
import { parseYamlDoc } from '../../src/core/inputs/located-doc.js';

describe('exact arithmetic', () => {
  it('reads numbers as the decimals they are written as', () => {
    expect(exact(0.3)).toEqual({ n: 3n, d: 10n });
    expect(exact('6944.50')).toEqual({ n: 13889n, d: 2n });
    expect(exact(1e-7)).toEqual({ n: 1n, d: 10_000_000n });
    expect(exact(2.5e21)).toEqual({ n: 2_500_000_000_000_000_000_000n, d: 1n });
    expect(exact(-1.5)).toEqual({ n: -3n, d: 2n });
    expect(() => exact(Number.NaN)).toThrow(/not a finite decimal/);
    expect(() => exact('1.2.3')).toThrow(/not a finite decimal/);
  });
  it('takes ceilings exactly, where doubles are off by one', () => {
    // In doubles 21 / (1 × (1 − 0.3)) is 30.000000000000004 and 300 × 0.07 is 21.000000000000004.
    expect(Math.ceil(21 / (1 * (1 - 0.3)))).toBe(31);
    expect(ceil(div(exact(21), mul(exact(1), sub(exact(1), exact(0.3)))))).toBe(30n);
    expect(ceil(mul(exact(300), exact(0.07)))).toBe(21n);
    expect(ceil(exact(173.6))).toBe(174n);
    expect(ceil(exact(174))).toBe(174n);
    expect(ceil(exact(0))).toBe(0n);
    expect(toNumber(div(exact(1), exact(3)))).toBeCloseTo(1 / 3, 15);
  });
});

describe('sizing: the worked examples', () => {
  it('5,000,000 DAU × 30 requests, peak ratio 4 → 6,944 QPS; 80 per replica, 50% headroom → 174', () => {
    const peak = peakFromTraffic({ dau: 5_000_000, requestsPerUser: 30, peakRatio: 4 });
    // Exactly 62,500/9 = 6,944.4̅ QPS: shown rounded to the nearest whole QPS, sized unrounded.
    expect(peak).toEqual({ n: 62_500n, d: 9n });
    expect(Math.round(toNumber(peak))).toBe(6944);
    expect(replicasFor(peak, { qpsPerReplica: 80, headroom: 0.5, minReplicas: 1 })).toBe(174);
    // The rounded 6,944: 6944 / (80 × 0.5) = 173.6 → 174 as well.
    expect(replicasFor(6944, { qpsPerReplica: 80, headroom: 0.5, minReplicas: 1 })).toBe(174);
  });
  it('2,000,000 × 4, ratio 5 → 463 QPS; 600 per replica (50% headroom) → 2, but at least 3', () => {
    const peak = peakFromTraffic({ dau: 2_000_000, requestsPerUser: 4, peakRatio: 5 });
    expect(Math.round(toNumber(peak))).toBe(463);
    expect(replicasFor(peak, { qpsPerReplica: 600, headroom: 0.5, minReplicas: 1 })).toBe(2);
    expect(replicasFor(peak, { qpsPerReplica: 600, headroom: 0.5, minReplicas: 3 })).toBe(3);
  });
  it('an exact multiple is not rounded up; anything above it is', () => {
    expect(replicasFor(7000, { qpsPerReplica: 80, headroom: 0.5, minReplicas: 1 })).toBe(175);
    expect(replicasFor(7000.001, { qpsPerReplica: 80, headroom: 0.5, minReplicas: 1 })).toBe(176);
    expect(replicasFor(21, { qpsPerReplica: 1, headroom: 0.3, minReplicas: 1 })).toBe(30);
    expect(replicasFor(0, { qpsPerReplica: 80, headroom: 0, minReplicas: 2 })).toBe(2);
  });
});

describe('per stage of the standard plan', () => {
  const sizing: StageSizing = {
    peak: peakFromTraffic({ dau: 5_000_000, requestsPerUser: 30, peakRatio: 4 }),
    headroom: 0.5,
    minReplicas: 3,
    qpsPerReplica: { candidate: 80, champion: 80 },
  };
  it('candidate for its share, champion at full size through full, zero only after scale-down', () => {
    expect(capacityPerStage(STANDARD_PLAN, sizing)).toEqual([
      { stage: 'shadow (mirror 100%)', candidate: 174, champion: 174, total: 348 },
      { stage: 'canary 5%', candidate: 9, champion: 174, total: 183 },
      { stage: 'ramp 25%', candidate: 44, champion: 174, total: 218 },
      { stage: 'ramp 50%', candidate: 87, champion: 174, total: 261 },
      { stage: 'full', candidate: 174, champion: 174, total: 348 },
      { stage: 'scale-down', candidate: 174, champion: 0, total: 174 },
    ]);
  });
  it('a small share never goes below min_replicas; each side uses its own throughput', () => {
    const slow = { ...sizing, qpsPerReplica: { candidate: 40, champion: 80 } };
    expect(replicasAtStage({ stage: 'canary', weight: 1 }, sizing)).toEqual({ candidate: 3, champion: 174 });
    expect(replicasAtStage({ stage: 'ramp', weight: 50 }, slow)).toEqual({ candidate: 174, champion: 174 });
    expect(replicasAtStage({ stage: 'full' }, slow)).toEqual({ candidate: 348, champion: 174 });
    expect(scaledDown(slow)).toEqual({ candidate: 348, champion: 0 });
    expect(
      replicasAtStage({ stage: 'shadow', mirror: 10 }, { ...sizing, qpsPerReplica: { candidate: 80, champion: null } }),
    ).toEqual({
      candidate: 18,
      champion: 0,
    });
  });
  it('max_replicas: the numbers when the total would exceed it, null when it fits', () => {
    expect(overMaxReplicas({ candidate: 174, champion: 174 }, 300)).toEqual({
      candidate: 174,
      champion: 174,
      total: 348,
      max: 300,
    });
    expect(overMaxReplicas({ candidate: 9, champion: 174 }, 300)).toBeNull();
    expect(overMaxReplicas({ candidate: 9, champion: 174 }, undefined)).toBeNull();
  });
});

describe('serving.<model>.capacity in mlctl.yaml', () => {
  // mlctl.yaml from text, every section validated as every command does (raw is the same text parsed).
  const read = (yaml: string, _raw?: unknown) =>
    readSettings(configDoc(parseYamlDoc(yaml, 'mlctl.yaml')), '/project').rollout;
  const yaml = (capacity: string) =>
    `serving:\n  fraud:\n    adapter: generic\n    files: [deploy/fraud.yaml]\n    capacity:\n${capacity}`;
  const parse = async (text: string) => (await import('yaml')).parse(text) as unknown;

  it('reads numbers, Prometheus, per-version metrics, defaults', async () => {
    const text = yaml(
      `      peak_qps: { prometheus: { url: 'http://127.0.0.1:9090', query: 'max_over_time(x[7d])' } }\n      qps_per_replica: { metric: qps_per_replica }\n      headroom: 0.5\n      min_replicas: 3\n`,
    );
    const cfg = read(text, await parse(text));
    expect(cfg.serving.fraud!.capacity).toEqual({
      peakQps: { prometheus: { url: 'http://127.0.0.1:9090', query: 'max_over_time(x[7d])', timeout: '10s' } },
      qpsPerReplica: { metric: 'qps_per_replica' },
      headroom: 0.5,
      minReplicas: 3,
      scaleDownAfter: '1h',
      scaleDownAfterMs: 3_600_000,
    });
    const plain = yaml(
      `      peak_qps: 6944\n      qps_per_replica: 80\n      headroom: 0\n      max_replicas: 400\n      scaleDownAfter: 30m\n`,
    );
    expect(read(plain, await parse(plain)).serving.fraud!.capacity).toMatchObject({
      peakQps: { qps: 6944 },
      qpsPerReplica: { qps: 80 },
      minReplicas: 1,
      maxReplicas: 400,
      scaleDownAfterMs: 1_800_000,
    });
  });

  it('bad values: exit 2 naming the key and its line', async () => {
    const cases: Array<[string, RegExp]> = [
      [
        `      peak_qps: 6944\n      qps_per_replica: 80\n      headroom: 1\n`,
        /capacity\.headroom: must be a share from 0 up to \(not including\) 1.*got 1 \(line 8\)/,
      ],
      [
        `      peak_qps: -3\n      qps_per_replica: 80\n      headroom: 0.5\n`,
        /capacity\.peak_qps: must be a number above 0, got -3 \(line 6\)/,
      ],
      [
        `      peak_qps: 6944\n      qps_per_replica: 0\n      headroom: 0.5\n`,
        /capacity\.qps_per_replica: must be a number above 0, got 0 \(line 7\)/,
      ],
      [`      peak_qps: 6944\n      headroom: 0.5\n`, /capacity\.qps_per_replica: is required \(line 6\)/],
      [
        `      peak_qps: 6944\n      qps_per_replica: 80\n      headroom: 0.5\n      min_replicas: 4\n      max_replicas: 3\n`,
        /capacity\.max_replicas: must be a whole number from 4 to 100000, got 3 \(line 10\)/,
      ],
      [
        `      peak_qps: 6944\n      qps_per_replica: 80\n      headroom: 0.5\n      scaleDownAfter: soon\n`,
        /capacity\.scaleDownAfter: invalid duration "soon"; use e.g. 90s, 30m, 1h30m, 7d \(line 9\)/,
      ],
      [
        `      peak_qps: 6944\n      qps_per_replica: 80\n      headroom: 0.5\n      replicas: 3\n`,
        /capacity: unknown key "replicas"; use peak_qps.* \(line 9\)/,
      ],
      [
        `      peak_qps: { prometheus: { url: nope, query: x } }\n      qps_per_replica: 80\n      headroom: 0.5\n`,
        /peak_qps\.prometheus\.url: must be a URL/,
      ],
    ];
    for (const [capacity, message] of cases) {
      const text = yaml(capacity);
      let err: unknown;
      try {
        read(text, await parse(text));
      } catch (e) {
        err = e;
      }
      expect((err as Error).message, capacity).toMatch(message);
      expect((err as { exitCode: number }).exitCode).toBe(2);
    }
  });

  it('deployments: istio only, a list of names', async () => {
    const ok = `serving:\n  fraud: { adapter: istio, files: [f.yaml], deployments: [fraud-blue, fraud-green] }\n`;
    expect(read(ok, await parse(ok)).serving.fraud!.deployments).toEqual(['fraud-blue', 'fraud-green']);
    const kserve = `serving:\n  fraud: { adapter: generic, files: [f.yaml], deployments: [fraud-blue] }\n`;
    await expect(async () => read(kserve, await parse(kserve))).rejects.toThrow(
      /serving\.fraud\.deployments: only the istio adapter scales Deployments; generic sets replicas in its own resources \(line 2\)/,
    );
  });
});
