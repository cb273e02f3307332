import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { run, tempDir, writeJson, writeModel } from '../support/helpers.js';
import { gitopsProject } from '../support/gitops-project.js';
import {
  freePort,
  havePrometheus,
  metricsEndpoint,
  startPrometheus,
  type PrometheusServer,
} from '../support/prometheus.js';

const json = (s: string) => JSON.parse(s);

describe('mlctl capacity on flags alone', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('mlctl-capacity-');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints peak QPS, replicas and the standard plan per stage (no mlctl.yaml needed)', async () => {
    const r = await run(
      [
        'capacity',
        '--dau',
        '5000000',
        '--requests-per-user',
        '30',
        '--peak-ratio',
        '4',
        '--qps-per-replica',
        '80',
        '--headroom',
        '0.5',
        '--min-replicas',
        '3',
      ],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Peak:     6,944 QPS (5,000,000 DAU × 30 requests ÷ 86,400 s × peak ratio 4)');
    expect(r.stdout).toContain('Replicas: 174 (80 QPS per replica, 50% headroom, at least 3)');
    expect(r.stdout).toMatch(/canary 5% +9 +174 +183\n/);
    expect(r.stdout).toMatch(/scale-down \(after 1h\) +174 +0 +174\n/);
  });

  it('--json: peak_qps, replicas and stages with candidate_replicas and champion_replicas', async () => {
    const r = await run(
      [
        'capacity',
        '--peak-qps',
        '463',
        '--qps-per-replica',
        '600',
        '--headroom',
        '0.5',
        '--min-replicas',
        '3',
        '--json',
      ],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    const d = json(r.stdout).data;
    expect(d).toMatchObject({ peak_qps: 463, replicas: 3, champion_replicas: 3, plan: 'standard' });
    expect(
      d.stages.map((s: { stage: string; candidate_replicas: number; champion_replicas: number }) => [
        s.stage,
        s.candidate_replicas,
        s.champion_replicas,
      ]),
    ).toEqual([
      ['shadow (mirror 100%)', 3, 3],
      ['canary 5%', 3, 3],
      ['ramp 25%', 3, 3],
      ['ramp 50%', 3, 3],
      ['full', 3, 3],
      ['scale-down', 3, 0],
    ]);
    const two = json(
      (
        await run(['capacity', '--peak-qps', '463', '--qps-per-replica', '600', '--headroom', '0.5', '--json'], {
          cwd: dir,
        })
      ).stdout,
    );
    expect(two.data.replicas).toBe(2);
  });

  it('figures whose replica count cannot be counted are refused (exit 2), never printed as Infinity', async () => {
    for (const args of [
      ['--peak-qps', '1e308', '--qps-per-replica', '1e-10'],
      ['--peak-qps', '100', '--qps-per-replica', '1e-320'],
      ['--dau', '1e300', '--requests-per-user', '1e300', '--peak-ratio', '2', '--qps-per-replica', '80'],
    ]) {
      const r = await run(['capacity', ...args, '--headroom', '0.5'], { cwd: dir });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/give more replicas than can be counted/);
      expect(r.stdout).not.toMatch(/Infinity|∞/);
    }
  });

  it('--max-replicas marks the stages that would be refused, with the numbers', async () => {
    const r = await run(
      [
        'capacity',
        '--peak-qps',
        '6944',
        '--qps-per-replica',
        '80',
        '--headroom',
        '0.5',
        '--max-replicas',
        '300',
        '--json',
      ],
      { cwd: dir },
    );
    expect(r.code).toBe(0);
    const env = json(r.stdout);
    expect(
      env.data.stages.filter((s: { over_max: boolean }) => s.over_max).map((s: { stage: string }) => s.stage),
    ).toEqual(['shadow (mirror 100%)', 'full']);
    expect(env.warnings[0]).toBe(
      'shadow (mirror 100%) needs 348 replicas (174 candidate + 174 champion), above max_replicas 300: a rollout would refuse this stage',
    );
  });

  it('bad input: exit 2 with one line naming the flag', async () => {
    const base = ['--qps-per-replica', '80', '--headroom', '0.5'];
    const cases: Array<[string[], string]> = [
      [['--peak-qps', '-5', ...base], '--peak-qps must be a number of 0 or more, got -5'],
      [
        ['--peak-qps', '5', '--qps-per-replica', '80', '--headroom', '1'],
        '--headroom must be a share from 0 up to (not including) 1, such as 0.5, got 1',
      ],
      [
        ['--peak-qps', '5', '--qps-per-replica', '0', '--headroom', '0.5'],
        '--qps-per-replica must be a number above 0, got 0',
      ],
      [
        ['--peak-qps', '5', '--dau', '10', ...base],
        'pass either --peak-qps or --dau, --requests-per-user and --peak-ratio, not both (got --peak-qps and --dau)',
      ],
      [['--dau', '10', '--peak-ratio', '3', ...base], '--dau and --peak-ratio also need --requests-per-user'],
      [
        ['--peak-qps', '5', '--headroom', '0.5'],
        'missing --qps-per-replica: the QPS one replica sustains at the latency target (or size a registered version: mlctl capacity <model>@<version>)',
      ],
      [['--peak-qps', 'lots', ...base], '--peak-qps must be a number, got "lots"'],
      [
        ['--peak-qps', '5', ...base, '--min-replicas', '0'],
        '--min-replicas must be a whole number from 1 to 100000, got 0',
      ],
      [
        ['--peak-qps', '5', ...base, '--min-replicas', '5', '--max-replicas', '4'],
        '--max-replicas (4) must be at least --min-replicas (5)',
      ],
      [
        ['--dau', '10', '--requests-per-user', '3', '--peak-ratio', '0.5', ...base],
        '--peak-ratio must be at least 1 (the peak over the average request rate), got 0.5',
      ],
    ];
    for (const [args, message] of cases) {
      const r = await run(['capacity', ...args], { cwd: dir });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toBe(`mlctl: ${message}\n`);
      expect(r.stdout).toBe('');
    }
  });

  it('--help has Examples', async () => {
    const r = await run(['capacity', '--help'], { cwd: dir });
    expect(r.stdout).toContain('Examples:\n  $ mlctl capacity --peak-qps 6944');
  });
});

describe('mlctl capacity <ref> with serving.<model>.capacity', () => {
  const capacity = (peak: string, extra = '') => `serving:
  fraud:
    adapter: generic
    files: [deploy/fraud.yaml]
    capacity:
      peak_qps: ${peak}
      qps_per_replica: { metric: qps_per_replica }
      headroom: 0.5
      min_replicas: 3
${extra}`;

  const made: string[] = [];
  afterAll(() => {
    for (const d of made) rmSync(d, { recursive: true, force: true });
  });

  /** fraud@3 (80 QPS per replica) is the champion; fraud@4 is slower (40); fraud@5 has no throughput metric. */
  async function project(config: string) {
    const p = await gitopsProject({ adapter: 'generic', config });
    made.push(p.dir, p.remote);
    for (const [name, metrics] of [
      ['m3', { qps_per_replica: 80 }],
      ['m4', { qps_per_replica: 40, auc: 0.9 }],
      ['m5', { auc: 0.9 }],
    ] as const) {
      writeModel(p.dir, name, { 'model.bin': name });
      writeJson(p.dir, `${name}.json`, metrics);
      const r = await run(['register', 'fraud', name, '--metrics', `${name}.json`], { cwd: p.dir });
      if (r.code !== 0) throw new Error(r.stderr);
    }
    const pr = await run(['promote', 'fraud@3', '--yes'], { cwd: p.dir });
    if (pr.code !== 0) throw new Error(pr.stderr);
    return p;
  }

  it('sizes each side with its own registered throughput on the model’s plan', async () => {
    const p = await project(capacity('6944'));
    const r = await run(['capacity', 'fraud@4', '--json'], { cwd: p.dir });
    expect(r.code, r.stderr).toBe(0);
    const d = json(r.stdout).data;
    expect(d).toMatchObject({
      model: 'fraud',
      version: 4,
      champion: 3,
      qps_per_replica: 40,
      champion_qps_per_replica: 80,
      replicas: 348,
      champion_replicas: 174,
    });
    expect(d.stages[1]).toEqual({
      stage: 'canary 5%',
      candidate_replicas: 18,
      champion_replicas: 174,
      total_replicas: 192,
      over_max: false,
    });
    const text = await run(['capacity', 'fraud@4'], { cwd: p.dir });
    expect(text.stdout).toContain('fraud@4 against the champion fraud@3, plan standard');
    // Flags beat the configuration.
    const flagged = json(
      (await run(['capacity', 'fraud@4', '--peak-qps', '100', '--json'], { cwd: p.dir })).stdout,
    ).data;
    expect(flagged).toMatchObject({ peak_qps: 100, replicas: 5, champion_replicas: 3 });
  });

  it('a version without the throughput metric is refused clearly, or sized with --assume-qps-per-replica (a warning)', async () => {
    const p = await project(capacity('6944'));
    const r = await run(['capacity', 'fraud@5'], { cwd: p.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'mlctl: fraud@5 was registered without the metric qps_per_replica (serving.fraud.capacity.qps_per_replica sizes each version with its own); register a version that reports it, or pass --assume-qps-per-replica N\n',
    );
    const a = await run(['capacity', 'fraud@5', '--assume-qps-per-replica', '20', '--json'], { cwd: p.dir });
    expect(a.code, a.stderr).toBe(0);
    const env = json(a.stdout);
    expect(env.data).toMatchObject({ replicas: 695, assumed: [{ version: 5, qps_per_replica: 20 }] });
    expect(env.warnings).toEqual(['fraud@5 has no registered throughput: sized with the assumed 20 QPS per replica']);
  });

  it('a model without capacity configuration names the key and the flag', async () => {
    const p = await project('');
    const r = await run(['capacity', 'fraud@4'], { cwd: p.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'mlctl: fraud: no peak QPS: set serving.fraud.capacity.peak_qps in mlctl.yaml, or pass --peak-qps (or --dau, --requests-per-user and --peak-ratio)\n',
    );
  });

  it('a Prometheus peak that cannot be reached: exit 3', async () => {
    const port = await freePort();
    const p = await project(capacity(`{ prometheus: { url: 'http://127.0.0.1:${port}', query: up, timeout: 2s } }`));
    const r = await run(['capacity', 'fraud@4'], { cwd: p.dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^mlctl: peak QPS: cannot query http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED\n$/);
  });

  describe.skipIf(!havePrometheus && !process.env.CI)(
    'peak QPS from a real Prometheus (skipped only outside CI when the prometheus binary is missing)',
    () => {
      let prom: PrometheusServer;
      let metrics: Awaited<ReturnType<typeof metricsEndpoint>>;
      beforeAll(async () => {
        metrics = await metricsEndpoint();
        metrics.set('mlctl_test_peak_qps{model="fraud"}', 6944.5);
        prom = await startPrometheus(`127.0.0.1:${metrics.port}`);
        await prom.waitFor('max(mlctl_test_peak_qps{model="fraud"})', '6944.5');
      });
      afterAll(async () => {
        await prom?.stop();
        await metrics?.close();
      });

      it('an instant query, {model} expanded; no series is inconclusive (exit 5)', async () => {
        const p = await project(
          capacity(`{ prometheus: { url: '${prom.url}', query: 'max(mlctl_test_peak_qps{model="{model}"})' } }`),
        );
        const r = await run(['capacity', 'fraud@3', '--json'], { cwd: p.dir });
        expect(r.code, r.stderr).toBe(0);
        expect(json(r.stdout).data).toMatchObject({ peak_qps: 6944.5, peak_source: 'prometheus', replicas: 174 });
        const none = await project(
          capacity(`{ prometheus: { url: '${prom.url}', query: 'max(mlctl_test_nothing)' } }`),
        );
        const e = await run(['capacity', 'fraud@3'], { cwd: none.dir });
        expect(e.code).toBe(5);
        expect(e.stderr).toContain('peak QPS: the query returned no series');
      });
    },
  );
});
