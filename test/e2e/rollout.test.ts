import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, runOk, tempDir, withRegistry } from '../support/helpers.js';
import { git, gitopsProject } from '../support/gitops-project.js';
import { crdValidator, haveCrds } from '../support/crd-validator.js';
import { holdAt } from '../support/pause.js';

const json = (s: string) => JSON.parse(s);
const T0 = '2026-11-23T10:00:00Z';
const at = (minutes: number) => ({ MLCTL_NOW: new Date(Date.parse(T0) + minutes * 60_000).toISOString() });

const QUICK = `serving:
  fraud: { adapter: ADAPTER, files: [deploy/fraud.yaml], plan: quick }
rollout:
  plans:
    quick:
      - { stage: STAGE0, minDuration: 30m, checks: [ok] }
      - { stage: canary, weight: 10, minDuration: 30m }
      - { stage: full }
  checks:
    ok: { command: 'cat check-value.json', max: 0.01 }
`;
const config = (adapter: string) =>
  QUICK.replace('ADAPTER', adapter).replace(
    'STAGE0',
    adapter === 'kserve' ? 'canary, weight: 5' : 'shadow, mirror: 50',
  );

/** fraud@1 champion (served at 100%), fraud@2 rolling out under the quick plan. */
async function started(adapter: 'istio' | 'kserve' | 'seldon' | 'generic' = 'istio') {
  const p = await gitopsProject({ adapter, config: config(adapter) });
  writeFileSync(join(p.dir, 'check-value.json'), '{"value": 0.002}\n');
  const first = await run(['promote', 'fraud@1', '--yes', '--json'], { cwd: p.dir, env: at(0) });
  expect(first.code, first.stderr).toBe(0);
  const start = await run(['promote', 'fraud@2', '--force', '--reason', 'no gate in this test', '--json'], {
    cwd: p.dir,
    env: at(1),
  });
  expect(start.code, start.stderr).toBe(0);
  return { ...p, first: json(first.stdout).data, start: json(start.stdout).data };
}

const adrs = (dir: string) =>
  readdirSync(join(dir, 'docs/adr'))
    .filter((f) => /^\d{4}-/.test(f))
    .sort();
const adrText = (dir: string, n: number) => readFileSync(join(dir, 'docs/adr', adrs(dir)[n - 1]!), 'utf8');

describe('staged rollouts on a real git repository', () => {
  it('the first version becomes champion directly, its serving config written at 100% in one commit with its ADR', async () => {
    const p = await started();
    expect(p.first).toMatchObject({
      champion: 'fraud@1',
      previous: null,
      commit: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    expect(git(p.dir, 'show', '--name-only', '--format=%B', p.first.commit)).toMatch(
      /^mlctl: fraud@1 full \(first version\)\n\nMlctl-Model: fraud\nMlctl-Version: 1\nMlctl-Stage: full\nMlctl-Step: [0-9a-f]{12}\nMlctl-Action: promote\nMlctl-Audit-Head: 2 [0-9a-f]{64}\n\n\ndeploy\/fraud\.yaml\ndocs\/adr\/0002-promote-fraud-1-to-production\.md$/,
    );
    // The start of fraud@2's rollout: shadow (mirror 50%) of the candidate subset, stable keeps 100% of live traffic.
    expect(p.start).toMatchObject({
      action: 'start',
      candidate: 'fraud@2',
      champion: 'fraud@1',
      stage: 'shadow (mirror 50%)',
      state: 'active',
      adr: '0003-promote-fraud-2-to-production.md',
    });
    const [vs, dr] = p.docs();
    expect(vs!.spec.http[0].route).toEqual([
      { destination: { host: 'fraud.models.svc.cluster.local', subset: 'stable' }, weight: 100 },
      { destination: { host: 'fraud.models.svc.cluster.local', subset: 'candidate' }, weight: 0 },
    ]);
    expect(vs!.spec.http[0].mirror).toEqual({ host: 'fraud.models.svc.cluster.local', subset: 'candidate' });
    expect(vs!.spec.http[0].mirrorPercentage).toEqual({ value: 50 });
    expect(dr!.spec.subsets).toEqual([
      { name: 'stable', labels: { 'model-version': '1' } },
      { name: 'candidate', labels: { 'model-version': '2' } },
    ]);
    // Comments and unrelated fields survive.
    expect(p.read()).toContain('# the DestinationRule selects pods by their model-version label.');
    expect(dr!.spec.trafficPolicy).toEqual({ connectionPool: { http: { http2MaxRequests: 1000 } } });
    expect(adrText(p.dir, 3)).toMatch(/## Status\n\nProposed\n/);
    const show = json((await run(['show', 'fraud@2', '--json'], { cwd: p.dir })).stdout).data;
    expect(show.status).toBe('staging');
  });

  it('advances only after the bake time and with passing checks; full needs --yes without a terminal; completes with champion, ADR and trailers', async () => {
    const p = await started();
    const early = await run(['promote', 'fraud@2'], { cwd: p.dir, env: at(10) });
    expect(early.code).toBe(1);
    expect(early.stderr.trim()).toBe(
      'mlctl: fraud: shadow (mirror 50%) needs 30m before the next stage; 21m left (since 2026-11-23T10:01:00.000Z) — wait, or override with --force --reason "…"',
    );
    writeFileSync(join(p.dir, 'check-value.json'), '{"value": 0.2}\n');
    const failing = await run(['promote', 'fraud@2'], { cwd: p.dir, env: at(40) });
    expect(failing.code).toBe(1);
    expect(failing.stderr).toMatch(
      /shadow \(mirror 50%\) checks failed: ok fail \(0\.2 > max 0\.01\); abort with mlctl rollback fraud/,
    );
    writeFileSync(join(p.dir, 'check-value.json'), '{"value": 0.004}\n');
    const canary = await run(['promote', 'fraud@2', '--json'], { cwd: p.dir, env: at(41) });
    expect(canary.code, canary.stderr).toBe(0);
    expect(json(canary.stdout).data).toMatchObject({ action: 'advance', stage: 'canary 10%', step: 1 });
    expect(p.docs()[0]!.spec.http[0].route.map((r: { weight: number }) => r.weight)).toEqual([90, 10]);
    expect(p.docs()[0]!.spec.http[0].mirror).toBeUndefined();
    // A bake time needs a second reading besides this clock: a look recorded since (ADR 26).
    const unconfirmed = await run(['promote', 'fraud@2', '--yes'], { cwd: p.dir, env: at(75) });
    expect(unconfirmed.code).toBe(5);
    expect(unconfirmed.stderr).toMatch(/a clock jump alone never ends a bake time\); this look is recorded now/);
    const noYes = await run(['promote', 'fraud@2'], { cwd: p.dir, env: { ...at(80), CI: 'true' } });
    expect(noYes.code).toBe(2);
    expect(noYes.stderr.trim()).toBe(
      'mlctl: moving fraud@2 to full changes production and needs confirmation: pass --yes (no terminal to ask on, CI is set)',
    );
    const full = await run(['promote', 'fraud@2', '--yes', '--json'], { cwd: p.dir, env: at(81) });
    expect(full.code, full.stderr).toBe(0);
    expect(json(full.stdout).data).toMatchObject({ action: 'complete', champion: 'fraud@2', state: 'completed' });
    const [vs, dr] = p.docs();
    expect(vs!.spec.http[0].route).toEqual([
      { destination: { host: 'fraud.models.svc.cluster.local', subset: 'stable' }, weight: 100 },
    ]);
    expect(dr!.spec.subsets).toEqual([{ name: 'stable', labels: { 'model-version': '2' } }]);
    expect(p.log().slice(0, 4)).toEqual([
      'mlctl: fraud@2 full (champion)',
      'mlctl: fraud@2 canary 10%',
      'mlctl: fraud@2 shadow (mirror 50%)',
      'mlctl: fraud@1 full (first version)',
    ]);
    expect(
      git(
        p.dir,
        'log',
        '-1',
        '--format=%(trailers:key=Mlctl-Stage,valueonly)%(trailers:key=Mlctl-Rollout,valueonly)%(trailers:key=Mlctl-Version,valueonly)',
      ),
    ).toBe(`full\n${p.start.key}\n2`);
    // The start's commit names the rollout too: its key is the start step's id, made before the commit.
    const starts = git(
      p.dir,
      'log',
      '--format=%(trailers:key=Mlctl-Rollout,valueonly)%(trailers:key=Mlctl-Step,valueonly)%(trailers:key=Mlctl-Action,valueonly)',
    );
    expect(starts.split('\n').filter(Boolean)).toEqual([
      p.start.key,
      expect.stringMatching(/^[0-9a-f]{12}$/),
      'complete',
      p.start.key,
      expect.stringMatching(/^[0-9a-f]{12}$/),
      'advance',
      p.start.key,
      p.start.key,
      'start',
      expect.stringMatching(/^[0-9a-f]{12}$/),
      'promote',
    ]);
    const adr = adrText(p.dir, 3);
    expect(adr).toMatch(/## Status\n\nAccepted\n/);
    expect(adr).toContain(
      '## Rollout log\n\n- 2026-11-23T10:01:00Z shadow (mirror 50%) — started by tester@example.com\n- 2026-11-23T10:41:00Z shadow (mirror 50%) → canary 10% by tester@example.com (checks: ok pass (0.004 ≤ 0.01))\n- 2026-11-23T11:21:00Z canary 10% → full by tester@example.com\n- 2026-11-23T11:21:00Z completed: fraud@2 is the champion; fraud@1 archived\n',
    );
    // Each ADR change went into the commit of the stage it describes.
    expect(git(p.dir, 'status', '--porcelain')).toBe('');
    const show1 = json((await run(['show', 'fraud@1', '--json'], { cwd: p.dir })).stdout).data;
    const show2 = json((await run(['show', 'fraud@2', '--json'], { cwd: p.dir })).stdout).data;
    expect([show1.status, show2.status, show2.aliases]).toEqual(['archived', 'production', ['champion']]);
    const actions = json((await run(['audit', '--model', 'fraud', '--json'], { cwd: p.dir })).stdout).data.events.map(
      (e: { action: string }) => e.action,
    );
    expect(actions.filter((a: string) => a.startsWith('rollout.') || a === 'champion.set' || a === 'override')).toEqual(
      // Checks run (and are recorded) on every attempt: 10m (too early), 40m (failing), 41m (passing); canary has
      // none, so the look at 75m that confirms its bake time is recorded as such.
      [
        'champion.set',
        'rollout.complete',
        'rollout.stage',
        'rollout.look',
        'rollout.stage',
        'rollout.check',
        'rollout.check',
        'rollout.check',
        'rollout.start',
        'override',
        'champion.set',
      ],
    );
    expect((await run(['audit', 'verify'], { cwd: p.dir })).code).toBe(0);
    // Lineage lists the rollout with the commit of each of its steps.
    const lineage = json((await run(['lineage', 'fraud@2', '--json'], { cwd: p.dir })).stdout).data;
    const commits = git(p.dir, 'log', '--format=%H', '-3').split('\n').reverse();
    expect(lineage.rollouts).toEqual([
      {
        id: 1,
        state: 'completed',
        stage: 'full',
        startedAt: '2026-11-23T10:01:00.000Z',
        endedAt: '2026-11-23T11:21:00.000Z',
        outcome: 'completed',
        commits,
        liveChecks: [],
      },
    ]);
    expect((await run(['lineage', 'fraud@2'], { cwd: p.dir })).stdout).toContain(
      `rollout #1 completed at full (started 2026-11-23T10:01:00.000Z); commits ${commits.map((c) => c.slice(0, 10)).join(', ')}`,
    );
    // A rollback after completion: a new commit and an ADR superseding the promotion's.
    const rb = await run(['rollback', 'fraud', '--yes', '--reason', 'p99 regression', '--json'], {
      cwd: p.dir,
      env: at(90),
    });
    expect(rb.code, rb.stderr).toBe(0);
    expect(json(rb.stdout).data).toMatchObject({
      champion: 'fraud@1',
      previous: 'fraud@2',
      adr: '0004-roll-back-fraud-to-fraud-1.md',
    });
    expect(p.docs()[1]!.spec.subsets).toEqual([{ name: 'stable', labels: { 'model-version': '1' } }]);
    expect(p.log()[0]).toBe('mlctl: roll back fraud to fraud@1');
    expect(adrText(p.dir, 3)).toMatch(
      /## Status\n\nSuperseded by \[4\. Roll back fraud to fraud@1\]\(0004-roll-back-fraud-to-fraud-1\.md\)\n/,
    );
    expect(git(p.dir, 'status', '--porcelain')).toBe('');
  });

  it('rollback during a rollout aborts it: all traffic back to the champion, ADR Rejected, candidate back to validated/registered', async () => {
    const p = await started();
    const r = await run(['rollback', 'fraud', '--yes', '--reason', 'error budget burn', '--json'], {
      cwd: p.dir,
      env: at(5),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(json(r.stdout).data).toMatchObject({
      action: 'abort',
      state: 'aborted',
      champion: 'fraud@1',
      stage: 'shadow (mirror 50%)',
    });
    const [vs, dr] = p.docs();
    expect(vs!.spec.http[0].mirror).toBeUndefined();
    expect(vs!.spec.http[0].mirrorPercentage).toBeUndefined();
    expect(dr!.spec.subsets).toEqual([{ name: 'stable', labels: { 'model-version': '1' } }]);
    expect(p.log()[0]).toBe('mlctl: abort fraud@2 rollout at shadow (mirror 50%)');
    expect(adrText(p.dir, 3)).toMatch(/## Status\n\nRejected\n/);
    expect(adrText(p.dir, 3)).toContain(
      'aborted at shadow (mirror 50%) by tester@example.com (rollback): error budget burn; all traffic back to fraud@1',
    );
    expect(json((await run(['show', 'fraud@2', '--json'], { cwd: p.dir })).stdout).data.status).toBe('registered');
    expect(json((await run(['show', 'fraud@1', '--json'], { cwd: p.dir })).stdout).data.aliases).toEqual(['champion']);
    const st = json((await run(['rollout', 'status', 'fraud', '--json'], { cwd: p.dir })).stdout).data;
    expect(st[0]).toMatchObject({ state: 'aborted', outcome: 'error budget burn' });
    // A new rollout may start again.
    expect((await run(['promote', 'fraud@2', '--force', '--reason', 'retry'], { cwd: p.dir, env: at(6) })).code).toBe(
      0,
    );
  });

  it('tick: a failing check aborts; bake time holds; only auto stages are entered; paused rollouts are left alone; idempotent', async () => {
    const p = await gitopsProject({
      adapter: 'istio',
      config: `serving:\n  fraud: { adapter: istio, files: [deploy/fraud.yaml], plan: auto }\nrollout:\n  plans:\n    auto:\n      - { stage: canary, weight: 5, minDuration: 10m, checks: [ok] }\n      - { stage: ramp, weight: 50, minDuration: 10m, checks: [ok], auto: true }\n      - { stage: full }\n  checks:\n    ok: { command: 'cat check-value.json', max: 0.01 }\n`,
    });
    writeFileSync(join(p.dir, 'check-value.json'), '{"value": 0.001}\n');
    await runOk(['promote', 'fraud@1', '--yes'], { cwd: p.dir, env: at(0) });
    await runOk(['promote', 'fraud@2', '--force', '--reason', 'test'], { cwd: p.dir, env: at(1) });
    const wait = await run(['rollout', 'tick', '--json'], { cwd: p.dir, env: at(5) });
    expect(wait.code).toBe(0);
    expect(json(wait.stdout).data[0]).toMatchObject({ action: 'waiting', detail: expect.stringMatching(/6m left/) });
    // Served by this clock at 11 min; the tick records the look that lets the next one advance.
    const look = await run(['rollout', 'tick', '--json'], { cwd: p.dir, env: at(11) });
    expect(json(look.stdout).data[0]).toMatchObject({
      action: 'waiting',
      detail: expect.stringMatching(/nothing recorded since .* confirms it/),
    });
    const adv = await run(['rollout', 'tick', '--json'], { cwd: p.dir, env: at(12) });
    expect(json(adv.stdout).data[0]).toMatchObject({ action: 'advanced', detail: 'canary 5% → ramp 50%' });
    // full is not auto: tick waits for a human (once the bake time is confirmed by a look).
    const looked = await run(['rollout', 'tick', '--json'], { cwd: p.dir, env: at(29) });
    expect(json(looked.stdout).data[0]).toMatchObject({
      action: 'waiting',
      detail: expect.stringMatching(/confirms it/),
    });
    const ready = await run(['rollout', 'tick', '--json'], { cwd: p.dir, env: at(30) });
    expect(json(ready.stdout).data[0]).toMatchObject({
      action: 'waiting',
      detail: expect.stringMatching(/ready for full, which is not marked auto/),
    });
    const commits = p.log().length;
    expect((await run(['rollout', 'tick'], { cwd: p.dir, env: at(31) })).code).toBe(0);
    expect(p.log().length).toBe(commits);
    expect((await run(['rollout', 'pause', 'fraud', '--reason', 'freeze'], { cwd: p.dir, env: at(32) })).code).toBe(0);
    writeFileSync(join(p.dir, 'check-value.json'), '{"value": 0.5}\n');
    expect(json((await run(['rollout', 'tick', '--json'], { cwd: p.dir, env: at(33) })).stdout).data[0]).toMatchObject({
      action: 'paused',
    });
    expect((await run(['promote', 'fraud@2', '--yes'], { cwd: p.dir, env: at(33) })).stderr).toMatch(
      /is paused; run mlctl rollout resume fraud first/,
    );
    expect((await run(['rollout', 'resume', 'fraud'], { cwd: p.dir, env: at(34) })).code).toBe(0);
    const abort = await run(['rollout', 'tick', '--json'], { cwd: p.dir, env: at(35) });
    expect(abort.code).toBe(0);
    expect(json(abort.stdout).data[0]).toMatchObject({
      action: 'aborted',
      commit: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    expect(p.log()[0]).toBe('mlctl: abort fraud@2 rollout at ramp 50%');
    expect(adrText(p.dir, 3)).toMatch(/failing check: ok fail \(0\.5 > max 0\.01\)/);
    expect(json((await run(['rollout', 'tick', '--json'], { cwd: p.dir, env: at(36) })).stdout).data).toEqual([]);
  });

  it('a check that cannot run blocks without aborting: promote exits 5 naming it, tick exits 3', async () => {
    const p = await started();
    writeFileSync(join(p.dir, 'check-value.json'), 'not json\n');
    const r = await run(['promote', 'fraud@2'], { cwd: p.dir, env: at(40) });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(
      /checks could not decide: ok error \(has min\/max but did not print \{"value": <number>\}/,
    );
    const t = await run(['rollout', 'tick'], { cwd: p.dir, env: at(41) });
    expect(t.code).toBe(3);
    expect(t.stderr).toMatch(/could not evaluate: fraud: ok:/);
    expect(json((await run(['rollout', 'status', '--json'], { cwd: p.dir })).stdout).data[0]).toMatchObject({
      state: 'active',
      step: 1,
    });
    // --force --reason overrides, and the override is recorded.
    const forced = await run(['promote', 'fraud@2', '--force', '--reason', 'check script broken, dashboards fine'], {
      cwd: p.dir,
      env: at(42),
    });
    expect(forced.code, forced.stderr).toBe(0);
    const o = json((await run(['audit', '--action', 'override', '--json'], { cwd: p.dir })).stdout).data.events[0];
    expect(o.payload).toMatchObject({
      reason: 'check script broken, dashboards fine',
      checks: [{ name: 'ok', status: 'error' }],
    });
  });

  it('refuses dirty serving files (exit 2, --allow-dirty overrides) and --no-commit leaves the change uncommitted', async () => {
    const p = await started();
    writeFileSync(p.file, `${p.read()}# local edit\n`);
    const r = await run(['promote', 'fraud@2', '--force', '--reason', 'x'], { cwd: p.dir, env: at(2) });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'mlctl: deploy/fraud.yaml has uncommitted changes; commit or discard them first, or pass --allow-dirty',
    );
    expect(p.read()).toMatch(/# local edit\n$/);
    git(p.dir, 'checkout', 'deploy/fraud.yaml');
    const head = git(p.dir, 'rev-parse', 'HEAD');
    const nc = await run(['promote', 'fraud@2', '--force', '--reason', 'x', '--no-commit'], { cwd: p.dir, env: at(3) });
    expect(nc.code, nc.stderr).toBe(0);
    expect(nc.stdout).toMatch(
      /files written, not committed \(--no-commit\): deploy\/fraud\.yaml, docs\/adr\/0003-promote-fraud-2-to-production\.md/,
    );
    expect(git(p.dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(p.dir, 'status', '--porcelain')).toBe(
      'M deploy/fraud.yaml\n M docs/adr/0003-promote-fraud-2-to-production.md',
    );
  });

  it('a rejected push changes nothing: local commit undone, files restored, registry untouched (exit 3)', async () => {
    const p = await started();
    git(p.dir, 'push', '-q', 'origin', 'main');
    const other = join(tempDir('mlctl-other-'), 'clone');
    git(p.dir, 'clone', '-q', p.remote, other);
    writeFileSync(join(other, 'README.md'), 'someone else\n');
    git(other, 'add', '.');
    git(other, '-c', 'user.email=o@x', '-c', 'user.name=o', 'commit', '-qm', 'other');
    git(other, 'push', '-q', 'origin', 'main');
    await runOk(['rollout', 'status'], { cwd: p.dir, env: at(39) }); // a look: the bake time is confirmed
    const before = { head: git(p.dir, 'rev-parse', 'HEAD'), file: p.read(), adr: adrText(p.dir, 3) };
    const r = await run(['promote', 'fraud@2', '--push'], { cwd: p.dir, env: at(40) });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /^mlctl: git push to origin was rejected \(.*\); nothing changed: the local commit was undone and the registry is untouched — pull, then run the command again\n$/,
    );
    expect({ head: git(p.dir, 'rev-parse', 'HEAD'), file: p.read(), adr: adrText(p.dir, 3) }).toEqual(before);
    expect(git(p.dir, 'status', '--porcelain')).toBe('');
    expect(json((await run(['rollout', 'status', '--json'], { cwd: p.dir })).stdout).data[0]).toMatchObject({
      step: 1,
      stage: 'shadow (mirror 50%)',
    });
    git(p.dir, 'pull', '-q', '--rebase', 'origin', 'main');
    const ok = await run(['promote', 'fraud@2', '--push', '--json'], { cwd: p.dir, env: at(41) });
    expect(ok.code, ok.stderr).toBe(0);
    expect(json(ok.stdout).data.pushed).toBe(true);
    expect(git(p.remote, 'log', '-1', '--format=%s', 'main')).toBe('mlctl: fraud@2 canary 10%');
  });

  it('two promotes racing on one rollout: exactly one acts, the other exits 3', async () => {
    const p = await started();
    await runOk(['rollout', 'status'], { cwd: p.dir, env: at(39) }); // a look confirming the bake time
    const env = { ...at(40) };
    // Lined up with the test-only pause point (MLCTL_TEST_PAUSE), not with timing: B plans and waits
    // before the lock; A plans the same step, takes the lock and holds it; then both go on.
    const b = holdAt('before-lock', ['promote', 'fraud@2'], { cwd: p.dir, env });
    await b.paused();
    const a = holdAt('locked', ['promote', 'fraud@2'], { cwd: p.dir, env });
    await a.paused();
    b.release();
    a.release();
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect(ra.code, ra.stderr).toBe(0);
    expect(rb.code, rb.stderr).toBe(3);
    expect(rb.stderr).toMatch(
      /the rollout of fraud changed under this command \(now at step 2\/3 \(canary 10%\), active\)/,
    );
    expect(p.log()[0]).toBe('mlctl: fraud@2 canary 10%');
    expect(p.log().filter((l) => l === 'mlctl: fraud@2 canary 10%')).toHaveLength(1);
    expect(git(p.dir, 'status', '--porcelain')).toBe('');
  });

  it('rollout plan shows the stages and the diff of the next stage, writing nothing', async () => {
    const p = await started();
    const before = p.read();
    const r = await run(['rollout', 'plan', 'fraud@2'], { cwd: p.dir, env: at(40) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      'fraud@2 against fraud@1 — plan quick on istio\n▶ 1. shadow (mirror 50%), at least 30m, checks: ok\n  2. canary 10%, at least 30m\n  3. full\n\nnext: canary 10%\n',
    );
    expect(r.stdout).toContain('--- a/deploy/fraud.yaml\n+++ b/deploy/fraud.yaml\n');
    expect(r.stdout).toMatch(/^-\s+mirror:$/m);
    expect(r.stdout).toMatch(/^\+\s+weight: 10$/m);
    expect(p.read()).toBe(before);
    expect(git(p.dir, 'status', '--porcelain')).toBe('');
  });

  it('rejects bad serving setups with one line and exit 2', async () => {
    const k = await gitopsProject({ adapter: 'kserve', config: '' });
    // KServe cannot shadow, and the standard plan starts with one: every command refuses the config.
    writeFileSync(
      join(k.dir, 'mlctl.yaml'),
      `${readFileSync(join(k.dir, 'mlctl.yaml'), 'utf8')}serving:\n  fraud: { adapter: kserve, files: [deploy/fraud.yaml] }\n`,
    );
    for (const args of [['promote', 'fraud@1', '--yes'], ['list'], ['rollout', 'status']]) {
      const r = await run(args, { cwd: k.dir });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim()).toMatch(
        /mlctl.yaml: serving.fraud: plan standard has a shadow stage, which kserve cannot do on its own; use the istio adapter, or drop the shadow stage \(line \d+\)$/,
      );
    }
    const i = await gitopsProject({
      adapter: 'istio',
      config: 'serving:\n  fraud: { adapter: istio, files: [deploy/fraud.yaml] }\n',
    });
    writeFileSync(
      i.file,
      i
        .read()
        .replace(
          '  name: fraud\n  namespace: models\nspec:\n  hosts',
          '  name: fraud\n  namespace: models\n  annotations: { argo-rollouts.argoproj.io/managed-by-rollouts: fraud }\nspec:\n  hosts',
        ),
    );
    git(i.dir, 'commit', '-qam', 'argo');
    const owned = await run(['promote', 'fraud@1', '--yes'], { cwd: i.dir });
    expect(owned.code).toBe(2);
    expect(owned.stderr.trim()).toBe(
      'mlctl: deploy/fraud.yaml: VirtualService fraud is managed by Argo Rollouts (annotation argo-rollouts.argoproj.io/managed-by-rollouts: fraud); let Argo Rollouts drive it, or remove it from serving.files',
    );
    expect(json((await run(['show', 'fraud@1', '--json'], { cwd: i.dir })).stdout).data.aliases).toEqual([]);
    // No half-written ADR is left behind.
    expect(adrs(i.dir)).toEqual(['0001-record-architecture-decisions.md']);
  });

  it('materializes each served version as a folder of named files and writes its URI', async () => {
    const p = await started('kserve');
    const uri = p.docs()[0]!.spec.predictor.model.storageUri as string;
    expect(uri).toBe(`${join(p.dir, '.mlctl/artifacts')}/models/fraud/2/`);
    expect(readFileSync(join(p.dir, '.mlctl/artifacts/models/fraud/2/model.bin'), 'utf8')).toBe('two');
    expect(p.docs()[0]!.spec.predictor.canaryTrafficPercent).toBe(5);
    const [row] = await withRegistry(p.dir, (reg) => reg.rollouts({ model: 'fraud' }));
    expect(row).toMatchObject({
      candidateUri: uri,
      championUri: `${join(p.dir, '.mlctl/artifacts')}/models/fraud/1/`,
    });
  });
});

describe('gc of serving folders', () => {
  it('removes the folders of versions archived longer than the retention (30d default, gc.retention, --retention); blobs stay while referenced', async () => {
    const p = await started();
    expect(
      (await run(['promote', 'fraud@2', '--yes', '--force', '--reason', 'skip bake'], { cwd: p.dir, env: at(2) })).code,
    ).toBe(0);
    expect(
      (await run(['promote', 'fraud@2', '--yes', '--force', '--reason', 'skip bake'], { cwd: p.dir, env: at(3) })).code,
    ).toBe(0);
    const folder1 = join(p.dir, '.mlctl/artifacts/models/fraud/1/model.bin');
    expect(existsSync(folder1)).toBe(true);
    const day = 24 * 60;
    const soon = json((await run(['gc', '--json'], { cwd: p.dir, env: at(10 * day) })).stdout).data;
    expect(soon).toMatchObject({ folders: [], foldersKept: 1 });
    expect(existsSync(folder1)).toBe(true);
    const dry = await run(['gc', '--dry-run'], { cwd: p.dir, env: at(31 * day) });
    expect(dry.stdout).toContain('would delete the serving folder of fraud@1 (1 file(s), 3 B)\n');
    writeFileSync(
      join(p.dir, 'mlctl.yaml'),
      `${readFileSync(join(p.dir, 'mlctl.yaml'), 'utf8')}gc: { retention: 60d }\n`,
    );
    expect(json((await run(['gc', '--json'], { cwd: p.dir, env: at(31 * day) })).stdout).data.folders).toEqual([]);
    const done = json(
      (await run(['gc', '--json', '--retention', '7d'], { cwd: p.dir, env: at(31 * day) })).stdout,
    ).data;
    expect(done.folders).toEqual([{ ref: 'fraud@1', files: 1, size: 3 }]);
    expect(existsSync(folder1)).toBe(false);
    // The champion's folder and every blob stay.
    expect(readFileSync(join(p.dir, '.mlctl/artifacts/models/fraud/2/model.bin'), 'utf8')).toBe('two');
    expect(done.deleted).toBe(0);
    expect((await run(['verify', 'fraud@1'], { cwd: p.dir })).code).toBe(0);
  });
});

describe.skipIf(!haveCrds)(
  'every file a rollout writes validates against the real CRDs (skipped only without ../shared/crds)',
  () => {
    for (const adapter of ['istio', 'kserve', 'seldon'] as const) {
      it(adapter, async () => {
        const validate = crdValidator();
        const p = await started(adapter);
        const states = [p.docs()];
        for (const [min, args] of [
          [40, []],
          [80, ['--yes']],
        ] as const) {
          await runOk(['rollout', 'status'], { cwd: p.dir, env: at(min - 1) });
          const r = await run(['promote', 'fraud@2', ...args], { cwd: p.dir, env: at(min) });
          expect(r.code, r.stderr).toBe(0);
          states.push(p.docs());
        }
        for (const docs of states)
          for (const d of docs)
            expect(validate(d as { apiVersion: string; kind: string }), `${adapter} ${d.kind}`).toEqual([]);
        expect(git(p.dir, 'status', '--porcelain')).toBe('');
      });
    }
  },
);
