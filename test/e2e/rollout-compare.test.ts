import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, runOk } from '../support/helpers.js';
import { gitopsProject, type GitopsProject } from '../support/gitops-project.js';
import { havePrometheus, metricsEndpoint, startPrometheus, type PrometheusServer } from '../support/prometheus.js';
import { fixedHorizonTrials } from '../../src/core/stats/power.js';
import { formatInterval } from '../../src/core/rollout/looks.js';

/*
 * Live compare checks end to end: a real git repository with a bare remote, the real binary's
 * commands, counts from a command (a file the test writes) or from a real Prometheus scraping a
 * metrics endpoint the test sets. The clock is fixed per command (MLCTL_NOW); the stage of fraud@2
 * begins at T0 + 1 minute.
 */

const json = (s: string) => JSON.parse(s);
const T0 = '2026-11-23T10:00:00Z';
const at = (minutes: number) => ({ MLCTL_NOW: new Date(Date.parse(T0) + minutes * 60_000).toISOString() });

const PLAN = `serving:
  fraud: { adapter: istio, files: [deploy/fraud.yaml], plan: p }
rollout:
  plans:
    p:
      - { stage: canary, weight: 5, minDuration: 30m, checks: [errors]CANARY }
      - { stage: ramp, weight: 50, minDuration: 30m, checks: [errors], auto: true }
      - { stage: full, auto: true }
  checks:
    errors:
      compare:
SOURCE
        better: lower
        margin: 0.002
        alpha: 0.05
        min_trials: 1000
`;
const COMMAND_SOURCE = `        command: 'cat check-counts-{candidate}-vs-{champion}.json'`;

type Counts = { events: number; trials: number };
// Reference looks (margin 0.002, alpha 0.05, tau = margin): harmful fails at once (interval
// [0.00581, 0.01366]); equal rates pass with 10,000 candidate trials ([-0.00144, 0.00144]) but not
// yet with 4,000 ([-0.00225, 0.00225]); no candidate trials never count.
const HARMFUL = { candidate: { events: 150, trials: 10_000 }, champion: { events: 500, trials: 95_000 } };
const EQUAL_EARLY = { candidate: { events: 8, trials: 4000 }, champion: { events: 76, trials: 38_000 } };
const EQUAL = { candidate: { events: 20, trials: 10_000 }, champion: { events: 190, trials: 95_000 } };
const NO_TRAFFIC = { candidate: { events: 0, trials: 0 }, champion: { events: 190, trials: 95_000 } };

const routeWeights = (p: GitopsProject) =>
  p.docs()[0]!.spec.http[0].route.map((r: { weight: number }) => r.weight) as number[];
/** Where the serving file sends traffic: routes (subset, weight) and the versions the subsets select. */
const served = (p: GitopsProject) => {
  const [vs, dr] = p.docs();
  return {
    routes: vs!.spec.http[0].route.map((r: { destination: { subset: string }; weight: number }) => [
      r.destination.subset,
      r.weight,
    ]),
    subsets: dr!.spec.subsets,
  };
};
/** As an abort leaves it: all traffic to the stable subset, which selects fraud@1 only. */
const CHAMPION_ONLY = { routes: [['stable', 100]], subsets: [{ name: 'stable', labels: { 'model-version': '1' } }] };
const adrText = (dir: string, n: number) =>
  readFileSync(
    join(
      dir,
      'docs/adr',
      readdirSync(join(dir, 'docs/adr'))
        .filter((f) => /^\d{4}-/.test(f))
        .sort()[n - 1]!,
    ),
    'utf8',
  );

/** fraud@1 champion, fraud@2 in its canary stage since T0 + 1m. */
async function started(source: string, canary = '') {
  const p = await gitopsProject({ adapter: 'istio', config: PLAN.replace('SOURCE', source).replace('CANARY', canary) });
  await runOk(['promote', 'fraud@1', '--yes'], { cwd: p.dir, env: at(0) });
  await runOk(['promote', 'fraud@2', '--force', '--reason', 'no gate in this test'], { cwd: p.dir, env: at(1) });
  return p;
}

/** Replace the project's plan and checks (a bad one would have stopped the project's own setup). */
const withConfig = (p: GitopsProject, config: string) => {
  const file = join(p.dir, 'mlctl.yaml');
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.slice(0, text.indexOf('serving:\n  fraud:')) + config);
};

const setCounts = (p: GitopsProject, c: { candidate: Counts; champion: Counts } | string) =>
  writeFileSync(join(p.dir, 'check-counts-2-vs-1.json'), typeof c === 'string' ? c : `${JSON.stringify(c)}\n`);

const tick = async (p: GitopsProject, minutes: number) => {
  const t = await run(['rollout', 'tick', '--json'], { cwd: p.dir, env: at(minutes) });
  return { code: t.code, stderr: t.stderr, entry: json(t.stdout).data[0] };
};

describe('live compare checks with a command source', () => {
  it('a harmful candidate is aborted by tick: serving back to the champion, ADR Rejected with the interval', async () => {
    const p = await started(COMMAND_SOURCE);
    expect(routeWeights(p)).toEqual([95, 5]);
    setCounts(p, HARMFUL);
    const t = await tick(p, 11);
    expect(t.code, t.stderr).toBe(0);
    expect(t.entry).toMatchObject({ action: 'aborted', detail: 'aborted: all traffic back to fraud@1' });
    const c = t.entry.checks[0];
    expect(c).toMatchObject({
      name: 'errors',
      kind: 'compare',
      status: 'fail',
      margin: 0.002,
      looks: 1,
      candidate: HARMFUL.candidate,
      champion: HARMFUL.champion,
    });
    expect(c.estimate).toBeCloseTo(150 / 10_000 - 500 / 95_000, 12);
    expect(c.lower).toBeCloseTo(0.005809742557, 9);
    expect(c.upper).toBeCloseTo(0.013663941654, 9);
    expect(served(p)).toEqual(CHAMPION_ONLY);
    expect(p.log()[0]).toBe('mlctl: abort fraud@2 rollout at canary 5%');
    const adr = adrText(p.dir, 3);
    expect(adr).toMatch(/## Status\n\nRejected\n/);
    expect(adr).toContain(
      `aborted at canary 5% by tester@example.com (tick): rollout tick: a check failed; failing check: errors fail (candidate worse than the champion by ${formatInterval(c.lower, c.upper)} (95% always-valid), more than the margin 0.002)`,
    );
    // The evidence stays: the look is in the registry, listed by rollout history.
    const h = json((await runOk(['rollout', 'history', 'fraud', '--json'], { cwd: p.dir })).stdout).data;
    expect(h).toMatchObject({
      model: 'fraud',
      rollout: 1,
      candidate: 'fraud@2',
      champion: 'fraud@1',
      state: 'aborted',
    });
    expect(h.looks).toHaveLength(1);
    expect(h.looks[0]).toMatchObject({
      stage: 'canary 5%',
      check: 'errors',
      counted: true,
      verdict: 'fail',
      running: { lower: c.lower, upper: c.upper },
      params: { better: 'lower', margin: 0.002, alpha: 0.05, tau: 0.002, minTrials: 1000 },
    });
    const lineage = await runOk(['lineage', 'fraud@2'], { cwd: p.dir });
    expect(lineage.stdout).toContain(
      `canary 5%: errors fail, candidate worse by ${formatInterval(c.lower, c.upper)} (margin 0.002, 1 look(s))`,
    );
  });

  it('a candidate as good as the champion passes once the interval is inside the margin and the bake time is over, and advances', async () => {
    const p = await started(COMMAND_SOURCE);
    setCounts(p, EQUAL_EARLY);
    const early = await tick(p, 11);
    expect(early.code).toBe(5);
    expect(early.entry).toMatchObject({ action: 'blocked' });
    expect(early.entry.checks[0]).toMatchObject({ status: 'inconclusive', looks: 1 });
    expect(early.entry.checks[0].detail).toBe(
      'difference [-0.00225, 0.00225] (95% always-valid) still contains the margin 0.002',
    );
    setCounts(p, EQUAL);
    // Passes, but the stage's 30 minutes are not over: it waits.
    const baking = await tick(p, 20);
    expect(baking.code, baking.stderr).toBe(0);
    expect(baking.entry).toMatchObject({ action: 'waiting' });
    expect(baking.entry.checks[0]).toMatchObject({ status: 'pass', looks: 2, candidate: EQUAL.candidate });
    expect(baking.entry.checks[0].upper).toBeCloseTo(0.001442804662, 9);
    // status --check is a look too, and reports the compare check's evidence.
    const st = await run(['rollout', 'status', 'fraud', '--check', '--json'], { cwd: p.dir, env: at(32) });
    expect(st.code, st.stderr).toBe(0);
    expect(json(st.stdout).data[0].lastChecks.results[0]).toMatchObject({
      name: 'errors',
      kind: 'compare',
      status: 'pass',
      estimate: 0,
      margin: 0.002,
      looks: 3,
      candidate: EQUAL.candidate,
      champion: EQUAL.champion,
    });
    const adv = await tick(p, 33);
    expect(adv.code, adv.stderr).toBe(0);
    expect(adv.entry).toMatchObject({ action: 'advanced', detail: 'canary 5% → ramp 50%' });
    expect(routeWeights(p)).toEqual([50, 50]);
    // The stage's ADR log line quotes the interval it was decided on.
    expect(adrText(p.dir, 3)).toContain(
      'canary 5% → ramp 50% by tester@example.com (checks: errors pass (candidate worse by at most 0.00144 (difference [-0.00144, 0.00144], 95% always-valid), within the margin 0.002))',
    );
    // A new stage starts a new sequence: the canary's looks do not count in the ramp.
    setCounts(p, NO_TRAFFIC);
    const ramp = await tick(p, 40);
    expect(ramp.entry.checks[0]).toMatchObject({ status: 'inconclusive', looks: 0, lower: null, upper: null });
    const h = await runOk(['rollout', 'history', 'fraud'], { cwd: p.dir });
    expect(h.stdout).toContain('rollout 1 of fraud@2 against fraud@1 (active): 5 look(s)');
    expect(h.stdout).toMatch(/canary 5% +errors +20\/10000 +190\/95000 .*\[-0\.00144, 0\.00144\] +pass/);
    expect(h.stdout).toMatch(/ramp 50% +errors +0\/0 +190\/95000 .*inconclusive \(below min_trials 1000\)/);
    const bad = await run(['rollout', 'history', 'fraud', '--rollout', 'abc'], { cwd: p.dir });
    expect([bad.code, bad.stderr.trim()]).toEqual([2, 'mlctl: --rollout must be a positive whole number, got "abc"']);
  });

  it('no traffic on the candidate never passes: inconclusive (exit 5) however long the stage runs', async () => {
    const p = await started(COMMAND_SOURCE);
    setCounts(p, NO_TRAFFIC);
    for (const minutes of [40, 600, 6000]) {
      const t = await tick(p, minutes);
      expect(t.code).toBe(5);
      expect(t.entry.action).toBe('blocked');
      expect(t.entry.checks[0]).toMatchObject({ status: 'inconclusive', looks: 0, estimate: null });
      expect(t.entry.checks[0].detail).toBe(
        'not enough traffic yet: 0 candidate and 95000 champion trials, 1000 needed on each side',
      );
    }
    // promote asks the same checks, and refuses to advance without a decision.
    const promote = await run(['promote', 'fraud@2'], { cwd: p.dir, env: at(6001) });
    expect(promote.code).toBe(5);
    expect(promote.stderr.trim()).toBe(
      'mlctl: fraud: canary 5% checks could not decide: errors inconclusive (not enough traffic yet: 0 candidate and 95000 champion trials, 1000 needed on each side); wait and retry, or override with --force --reason "…"',
    );
    expect(routeWeights(p)).toEqual([95, 5]);
  });

  it('maxDuration with onTimeout hold pauses the rollout with the reason; a resume gives it another maxDuration', async () => {
    const p = await started(COMMAND_SOURCE, ', maxDuration: 2h');
    setCounts(p, NO_TRAFFIC);
    expect((await tick(p, 100)).entry.action).toBe('blocked');
    const held = await tick(p, 125);
    expect(held.entry).toMatchObject({
      action: 'paused',
      detail:
        'held: canary 5% did not pass its checks within maxDuration 2h (errors inconclusive (not enough traffic yet: 0 candidate and 95000 champion trials, 1000 needed on each side)); mlctl rollout resume fraud to give it more time',
    });
    const st = json((await runOk(['rollout', 'status', '--json'], { cwd: p.dir, env: at(126) })).stdout).data[0];
    expect(st.state).toBe('paused');
    expect(routeWeights(p)).toEqual([95, 5]);
    await runOk(['rollout', 'resume', 'fraud'], { cwd: p.dir, env: at(130) });
    expect((await tick(p, 200)).entry.action).toBe('blocked');
    expect((await tick(p, 251)).entry.action).toBe('paused');
  });

  it('maxDuration with onTimeout abort aborts the rollout: all traffic back, ADR Rejected with the reason', async () => {
    const p = await started(COMMAND_SOURCE, ', maxDuration: 2h, onTimeout: abort');
    setCounts(p, EQUAL_EARLY);
    const t = await tick(p, 125);
    expect(t.entry).toMatchObject({ action: 'aborted' });
    expect(served(p)).toEqual(CHAMPION_ONLY);
    expect(adrText(p.dir, 3)).toContain(
      'aborted at canary 5% by tester@example.com (tick): rollout tick: canary 5% did not pass its checks within maxDuration 2h (errors inconclusive (difference [-0.00225, 0.00225] (95% always-valid) still contains the margin 0.002))',
    );
  });

  it('counts that cannot be counts are an error naming the check (exit 3); nothing is aborted or stored as a look', async () => {
    const p = await started(COMMAND_SOURCE);
    setCounts(p, { candidate: { events: 5, trials: 3 }, champion: { events: 1, trials: 2000 } });
    const t = await run(['rollout', 'tick'], { cwd: p.dir, env: at(11) });
    expect(t.code).toBe(3);
    expect(t.stderr.trim()).toBe(
      'mlctl: could not evaluate: fraud: errors: candidate events (5) exceed trials (3); events must be a subset of trials',
    );
    setCounts(p, { candidate: { events: -1, trials: 3000 }, champion: { events: 1, trials: 2000 } });
    expect((await tick(p, 12)).entry.checks[0].detail).toBe(
      'candidate events is negative (-1); the source must report cumulative counts',
    );
    setCounts(p, 'all good\n');
    expect((await tick(p, 13)).entry.checks[0]).toMatchObject({
      status: 'error',
      detail:
        'the command did not print {"candidate": {"events": E, "trials": N}, "champion": {"events": E, "trials": N}} as its last line (got "all good")',
    });
    setCounts(p, '{"candidate": {"events": 1, "trials": 2000}}\n');
    expect((await tick(p, 14)).entry.checks[0].detail).toBe(
      'the command printed a last line that has no "champion": { "events", "trials" }; expected {"candidate": {"events": E, "trials": N}, "champion": {"events": E, "trials": N}}',
    );
    expect(json((await runOk(['rollout', 'status', '--json'], { cwd: p.dir })).stdout).data[0].state).toBe('active');
    expect(json((await runOk(['rollout', 'history', 'fraud', '--json'], { cwd: p.dir })).stdout).data.looks).toEqual(
      [],
    );
  });

  it('rollout plan shows the fixed-horizon sample size per side and the time each stage needs at its share', async () => {
    const p = await gitopsProject({
      adapter: 'istio',
      config: PLAN.replace('SOURCE', COMMAND_SOURCE).replace('CANARY', ''),
    });
    await runOk(['promote', 'fraud@1', '--yes'], { cwd: p.dir, env: at(0) });
    setCounts(p, EQUAL);
    const r = await run(['rollout', 'plan', 'fraud@2', '--json'], { cwd: p.dir, env: at(5) });
    expect(r.code, r.stderr).toBe(0);
    const n = fixedHorizonTrials({ p0: 0.002, margin: 0.002, alpha: 0.05, better: 'lower' })!;
    const rps = 95_000 / 3600;
    const [c] = json(r.stdout).data.compareChecks;
    expect(c).toMatchObject({ check: 'errors', baselineRate: 0.002, baselineFrom: 'source', fixed_horizon_trials: n });
    expect(c.requestsPerSecond).toBeCloseTo(rps, 9);
    expect(c.stages.map((s: { index: number; stage: string }) => [s.index, s.stage])).toEqual([
      [1, 'canary 5%'],
      [2, 'ramp 50%'],
    ]);
    expect(c.stages[0].seconds).toBeCloseTo(n / (rps * 0.05), 6);
    expect(c.stages[1].seconds).toBeCloseTo(n / (rps * 0.5), 6);
    const text = await run(['rollout', 'plan', 'fraud@2', '--baseline-rate', '0.01'], { cwd: p.dir, env: at(5) });
    const n1 = fixedHorizonTrials({ p0: 0.01, margin: 0.002, alpha: 0.05, better: 'lower' })!;
    expect(text.stdout).toContain(
      `errors: ${n1} trials per side for a fixed-horizon test (power 0.8 at no true difference, margin 0.002, alpha 0.05, baseline rate 0.01 from --baseline-rate)`,
    );
    const bad = await run(['rollout', 'plan', 'fraud@2', '--baseline-rate', '2'], { cwd: p.dir, env: at(5) });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('mlctl: --baseline-rate must be a proportion from 0 to 1 (e.g. 0.004), got 2');
  });

  it.each([
    ['no source', '        timeout: 1m', /rollout\.checks\.errors\.compare: needs a source of counts/],
    [
      'both sources',
      `${COMMAND_SOURCE}\n        prometheus: { url: 'http://127.0.0.1:9', events: 'a{version="{version}"}', trials: 'b{version="{version}"}' }`,
      /rollout\.checks\.errors\.compare: has both prometheus and command/,
    ],
    [
      'margin < 0',
      `${COMMAND_SOURCE}\n        margin: -0.1`,
      /rollout\.checks\.errors\.compare\.margin: must be from 0/,
    ],
    [
      'alpha 0.6',
      `${COMMAND_SOURCE}\n        alpha: 0.6`,
      /rollout\.checks\.errors\.compare\.alpha: must be in \(0, 0\.5\]/,
    ],
    [
      'an unknown key',
      `${COMMAND_SOURCE}\n        margn: 0.1`,
      /rollout\.checks\.errors\.compare: unknown key "margn"/,
    ],
  ])(
    'bad configuration (%s) is refused with exit 2 naming the check and key; nothing is written',
    async (_n, source, message) => {
      // Duplicate keys (margin, alpha) would be a YAML error of their own: the bad value replaces the good one.
      const config = PLAN.replace('SOURCE', source)
        .replace('CANARY', '')
        .replace(/ {8}margin: 0\.002\n/, source.includes('margin') ? '' : '        margin: 0.002\n')
        .replace(/ {8}alpha: 0\.05\n/, source.includes('alpha') ? '' : '        alpha: 0.05\n');
      const p = await gitopsProject({
        adapter: 'istio',
        config: PLAN.replace('SOURCE', COMMAND_SOURCE).replace('CANARY', ''),
      });
      withConfig(p, config);
      const log = p.log();
      const r = await run(['promote', 'fraud@1', '--yes'], { cwd: p.dir, env: at(0) });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/^mlctl: \S*mlctl\.yaml: /);
      expect(r.stderr).toMatch(/\(line \d+\)\n$/);
      expect(p.log()).toEqual(log);
    },
  );

  it('stage timeouts are checked with the plan: onTimeout without maxDuration, a maxDuration not above minDuration', async () => {
    const p = await gitopsProject({
      adapter: 'istio',
      config: PLAN.replace('SOURCE', COMMAND_SOURCE).replace('CANARY', ''),
    });
    withConfig(p, PLAN.replace('SOURCE', COMMAND_SOURCE).replace('CANARY', ', onTimeout: abort'));
    const r = await run(['rollout', 'status'], { cwd: p.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^mlctl: \S*mlctl\.yaml: rollout\.plans\.p\[0\]\.onTimeout: applies only with maxDuration: <duration> on the same stage \(line \d+\)$/m,
    );
    writeFileSync(
      join(p.dir, 'mlctl.yaml'),
      readFileSync(join(p.dir, 'mlctl.yaml'), 'utf8').replace('onTimeout: abort', 'maxDuration: 20m'),
    );
    expect((await run(['rollout', 'status'], { cwd: p.dir })).stderr).toMatch(
      /rollout\.plans\.p\[0\]\.maxDuration: must be longer than minDuration \(30m\)/,
    );
  });
});

const PROM_SOURCE = (url: string) => `        prometheus:
          url: ${url}
          events: 'sum(last_over_time(mlctl_live_events{model="{model}",version="{version}"}[{window}]))'
          trials: 'sum(last_over_time(mlctl_live_trials{model="{model}",version="{version}"}[{window}]))'`;

describe.skipIf(!havePrometheus && !process.env.CI)(
  'live compare checks against a real Prometheus (skipped only outside CI when the prometheus binary is missing)',
  () => {
    let prom: PrometheusServer;
    let metrics: Awaited<ReturnType<typeof metricsEndpoint>>;
    const setSide = async (version: number, c: Counts | null) => {
      const sel = `{model="fraud",version="${version}"}`;
      if (c === null) return;
      metrics.set(`mlctl_live_events${sel}`, c.events);
      metrics.set(`mlctl_live_trials${sel}`, c.trials);
      await prom.waitFor(`max(mlctl_live_trials${sel})`, String(c.trials));
      await prom.waitFor(`max(mlctl_live_events${sel})`, String(c.events));
    };
    beforeAll(async () => {
      metrics = await metricsEndpoint();
      prom = await startPrometheus(`127.0.0.1:${metrics.port}`);
      await setSide(1, EQUAL.champion);
    });
    afterAll(async () => {
      await prom?.stop();
      await metrics?.close();
    });

    it('no candidate series yet: inconclusive (no data), never passes', async () => {
      const p = await started(PROM_SOURCE(prom.url));
      const t = await tick(p, 40);
      expect(t.code).toBe(5);
      expect(t.entry.checks[0]).toMatchObject({ kind: 'compare', status: 'inconclusive', looks: 0 });
      expect(t.entry.checks[0].detail).toBe(
        'no data yet: candidate events query no series, candidate trials query no series (if there are simply no events yet, end the events query with "or vector(0)")',
      );
    });

    it('a good candidate advances, a harmful one is then aborted by tick with its interval', async () => {
      await setSide(2, EQUAL.candidate);
      const p = await started(PROM_SOURCE(prom.url));
      // {window} is the stage's age by the command's clock: 10 and 31 minutes here.
      expect((await tick(p, 11)).entry.checks[0]).toMatchObject({ status: 'pass', candidate: EQUAL.candidate });
      expect((await tick(p, 32)).entry.action).toBe('waiting');
      expect((await tick(p, 33)).entry).toMatchObject({ action: 'advanced', detail: 'canary 5% → ramp 50%' });
      expect(routeWeights(p)).toEqual([50, 50]);

      await setSide(2, HARMFUL.candidate);
      await setSide(1, HARMFUL.champion);
      try {
        const t = await tick(p, 40);
        expect(t.code, t.stderr).toBe(0);
        expect(t.entry).toMatchObject({ action: 'aborted' });
        const c = t.entry.checks[0];
        expect(c).toMatchObject({ status: 'fail', candidate: HARMFUL.candidate, champion: HARMFUL.champion });
        expect(c.lower).toBeCloseTo(0.005809742557, 9);
        expect(served(p)).toEqual(CHAMPION_ONLY);
        expect(adrText(p.dir, 3)).toMatch(/## Status\n\nRejected\n/);
        expect(adrText(p.dir, 3)).toContain(
          `errors fail (candidate worse than the champion by ${formatInterval(c.lower, c.upper)} (95% always-valid), more than the margin 0.002)`,
        );
      } finally {
        await setSide(1, EQUAL.champion);
      }
    });

    it('rollout plan reads the baseline rate and the request rate from Prometheus', async () => {
      const p = await gitopsProject({
        adapter: 'istio',
        config: PLAN.replace('SOURCE', PROM_SOURCE(prom.url)).replace('CANARY', ''),
      });
      await runOk(['promote', 'fraud@1', '--yes'], { cwd: p.dir, env: at(0) });
      const r = await run(['rollout', 'plan', 'fraud@2', '--json'], { cwd: p.dir, env: at(5) });
      expect(r.code, r.stderr).toBe(0);
      const [c] = json(r.stdout).data.compareChecks;
      expect(c).toMatchObject({
        baselineRate: 0.002,
        baselineFrom: 'source',
        fixed_horizon_trials: fixedHorizonTrials({ p0: 0.002, margin: 0.002, alpha: 0.05, better: 'lower' }),
      });
      expect(c.requestsPerSecond).toBeCloseTo(95_000 / 3600, 9);
    });
  },
);
