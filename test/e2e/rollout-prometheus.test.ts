import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, runOk } from '../support/helpers.js';
import { gitopsProject } from '../support/gitops-project.js';
import {
  freePort,
  havePrometheus,
  metricsEndpoint,
  startPrometheus,
  type PrometheusServer,
} from '../support/prometheus.js';

const json = (s: string) => JSON.parse(s);
const SERIES = 'mlctl_test_error_ratio{model="fraud",version="2"}';

describe.skipIf(!havePrometheus && !process.env.CI)(
  'prometheus checks against a real Prometheus (skipped only outside CI when the prometheus binary is missing)',
  () => {
    let prom: PrometheusServer;
    let metrics: Awaited<ReturnType<typeof metricsEndpoint>>;
    let closedPort = 0;
    beforeAll(async () => {
      closedPort = await freePort();
      metrics = await metricsEndpoint();
      metrics.set(SERIES, 0.002);
      prom = await startPrometheus(`127.0.0.1:${metrics.port}`);
      await prom.waitFor(`max(${SERIES})`, '0.002');
    });
    afterAll(async () => {
      await prom?.stop();
      await metrics?.close();
    });

    const project = () =>
      gitopsProject({
        adapter: 'istio',
        config: `serving:
  fraud: { adapter: istio, files: [deploy/fraud.yaml], plan: p }
rollout:
  plans:
    p:
      - { stage: canary, weight: 5, checks: [errors] }
      - { stage: ramp, weight: 50, checks: [errors, traffic] }
      - { stage: full }
  checks:
    errors: { prometheus: { url: ${prom.url}, query: 'max(mlctl_test_error_ratio{model="{model}",version="{version}"})', max: 0.01 } }
    traffic: { prometheus: { url: ${prom.url}, query: 'sum(mlctl_test_requests_total{model="{model}"})', min: 1 } }
    down: { prometheus: { url: 'http://127.0.0.1:${closedPort}', query: 'up', max: 1, timeout: 2s } }
`,
      });

    it('a passing query lets the rollout advance; an empty result is inconclusive (exit 5) and never passes', async () => {
      const p = await project();
      await runOk(['promote', 'fraud@1', '--yes'], { cwd: p.dir });
      expect((await run(['promote', 'fraud@2', '--force', '--reason', 'test'], { cwd: p.dir })).code).toBe(0);
      const adv = await run(['promote', 'fraud@2', '--json'], { cwd: p.dir });
      expect(adv.code, adv.stderr).toBe(0);
      const st = json((await run(['rollout', 'status', '--json'], { cwd: p.dir })).stdout).data[0];
      expect(st.stage).toBe('ramp 50%');
      const empty = await run(['promote', 'fraud@2', '--yes'], { cwd: p.dir });
      expect(empty.code).toBe(5);
      expect(empty.stderr.trim()).toBe(
        'mlctl: fraud: ramp 50% checks could not decide: traffic inconclusive (the query returned no series (no traffic yet, or a wrong label?)); wait and retry, or override with --force --reason "…"',
      );
      const checks = json((await run(['rollout', 'status', '--json'], { cwd: p.dir })).stdout).data[0].lastChecks
        .results;
      expect(
        checks.map((c: { name: string; status: string; value: number | null }) => [c.name, c.status, c.value]),
      ).toEqual([
        ['errors', 'pass', 0.002],
        ['traffic', 'inconclusive', null],
      ]);
    });

    it('tick aborts the rollout when the error ratio crosses max', async () => {
      const p = await project();
      await runOk(['promote', 'fraud@1', '--yes'], { cwd: p.dir });
      await runOk(['promote', 'fraud@2', '--force', '--reason', 'test'], { cwd: p.dir });
      metrics.set(SERIES, 0.05);
      await prom.waitFor(`max(${SERIES})`, '0.05');
      try {
        const t = await run(['rollout', 'tick', '--json'], { cwd: p.dir });
        expect(t.code, t.stderr).toBe(0);
        expect(json(t.stdout).data[0]).toMatchObject({
          action: 'aborted',
          checks: [{ name: 'errors', status: 'fail', value: 0.05, detail: '0.05 > max 0.01' }],
        });
        expect(p.log()[0]).toBe('mlctl: abort fraud@2 rollout at canary 5%');
      } finally {
        metrics.set(SERIES, 0.002);
        await prom.waitFor(`max(${SERIES})`, '0.002');
      }
    });

    it('an unreachable Prometheus cannot be evaluated: tick exits 3 naming it, nothing is aborted', async () => {
      const p = await project();
      const cfg = (await import('node:fs'))
        .readFileSync(`${p.dir}/mlctl.yaml`, 'utf8')
        .replace('checks: [errors] }', 'checks: [down] }');
      (await import('node:fs')).writeFileSync(`${p.dir}/mlctl.yaml`, cfg);
      await runOk(['promote', 'fraud@1', '--yes'], { cwd: p.dir });
      await runOk(['promote', 'fraud@2', '--force', '--reason', 'test'], { cwd: p.dir });
      const t = await run(['rollout', 'tick'], { cwd: p.dir });
      expect(t.code).toBe(3);
      expect(t.stderr.trim()).toBe(
        `mlctl: could not evaluate: fraud: down: cannot query http://127.0.0.1:${closedPort}: ECONNREFUSED`,
      );
      expect(json((await run(['rollout', 'status', '--json'], { cwd: p.dir })).stdout).data[0].state).toBe('active');
    });
  },
);
