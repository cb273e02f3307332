import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { run, runOk } from '../support/helpers.js';
import { git } from '../support/gitops-project.js';
import { modelServerProject, type ModelServerProject } from '../support/model-server-project.js';
import { CONFIG_PBTXT, THREE_MODELS } from '../support/textproto-samples.js';
import { haveProtoc, haveProtos, protocCheck } from '../support/protoc.js';
import { readTfServingState } from '../../src/core/serving/tfserving.js';
import { readTritonVersions } from '../../src/core/serving/triton.js';

/*
 * Issue 16 end to end: rollouts on TF Serving's models.config (three models in the file) and
 * Triton's config.pbtxt, in a git repository, with a generic router companion writing the split.
 * On TF Serving a commit that loads a version leaves its labels for a second commit (two-push rule).
 */

const json = (s: string) => JSON.parse(s);
const T0 = '2026-11-23T10:00:00Z';
const iso = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();
const at = (minutes: number) => ({ MLCTL_NOW: iso(minutes) });

const state = (p: ModelServerProject) => {
  const s = readTfServingState(p.read(), p.file, 'fraud');
  return { loaded: s.loaded, labels: Object.fromEntries(s.labels) };
};

/** Every file mlctl wrote parses with the real schema (protoc --encode). */
function expectValid(kind: 'tfserving' | 'triton', texts: string[]) {
  if (!haveProtoc || !haveProtos) return;
  for (const t of texts) expect(protocCheck(kind, t)).toBeNull();
}

/** What is not fraud's entry stays byte for byte: the header, churn, ranker, the trailing comment. */
function expectOthersKept(text: string) {
  const churn = THREE_MODELS.slice(THREE_MODELS.indexOf('  # Churn model'), THREE_MODELS.indexOf('  config {\n'));
  const ranker = THREE_MODELS.slice(THREE_MODELS.indexOf('  config { name: "ranker"'));
  expect(text.startsWith(THREE_MODELS.slice(0, THREE_MODELS.indexOf('  # Churn model')))).toBe(true);
  expect(text).toContain(churn);
  expect(text.endsWith(ranker)).toBe(true);
}

const promote = (p: ModelServerProject, min: number, ...more: string[]) =>
  run(['promote', 'fraud@2', ...more], { cwd: p.dir, env: at(min) });

/** fraud@1 champion, fraud@2 started (its canary label pending), labelled by a tick at minute 3. */
async function labelled(p: ModelServerProject) {
  await runOk(['promote', 'fraud@1', '--yes'], { cwd: p.dir, env: at(0) });
  const start = await promote(p, 1, '--force', '--reason', 'no gate in this test', '--json');
  expect(start.code, start.stderr).toBe(0);
  const tick = json((await runOk(['rollout', 'tick', '--json'], { cwd: p.dir, env: at(3) })).stdout).data;
  return { start: json(start.stdout).data, tick };
}

/** From a labelled shadow stage to full, each bake time confirmed by a look first. */
async function toFull(p: ModelServerProject, from = 3) {
  for (const [i, args] of [[], [], ['--yes']].entries()) {
    const m = from + 11 + i * 12;
    await runOk(['rollout', 'status'], { cwd: p.dir, env: at(m) });
    const r = await promote(p, m + 1, ...args);
    expect(r.code, r.stderr).toBe(0);
  }
}

describe('TF Serving: a rollout on a models.config holding three models, two pushes per load', () => {
  it('shadow → canary → ramp → full → unload; each load commit is followed by its label commit, bake time from the label', async () => {
    const p = await modelServerProject('tfserving', { text: THREE_MODELS });
    const texts = [p.read()];
    await runOk(['promote', 'fraud@1', '--yes'], { cwd: p.dir, env: at(0) });
    expect(state(p)).toEqual({ loaded: [1], labels: { stable: 1 } });
    // The start loads fraud@2 only: "canary" may not name a version the server has not loaded.
    const start = await promote(p, 1, '--force', '--reason', 'no gate in this test', '--json');
    expect(start.code, start.stderr).toBe(0);
    const loadCommit = p.head();
    expect(json(start.stdout).data).toMatchObject({
      action: 'start',
      stage: 'shadow (mirror 50%)',
      pending: { kind: 'label', labels: { canary: 2 }, loadCommit, since: iso(1) },
    });
    expect(state(p)).toEqual({ loaded: [1, 2], labels: { stable: 1 } });
    // The router keeps its split until the label is written: no traffic is mirrored to a loading version.
    expect(p.traffic().mirror).toBeUndefined();
    texts.push(p.read());
    const status = json((await runOk(['rollout', 'status', 'fraud', '--json'], { cwd: p.dir, env: at(2) })).stdout);
    expect(status.data[0].pending).toEqual({
      kind: 'label',
      stage: 'shadow (mirror 50%)',
      action: 'start',
      since: iso(1),
      loadCommit,
      labels: { canary: 2 },
    });
    const table = await runOk(['rollout', 'status', 'fraud'], { cwd: p.dir, env: at(2) });
    expect(table.stdout).toContain(`labels canary → 2 wait for the load since ${iso(1)}`);
    // label_delay (default 2m) has not passed since the load commit.
    const early = await promote(p, 2);
    expect(early.code).toBe(1);
    expect(early.stderr.trim()).toBe(
      `mlctl: fraud: shadow (mirror 50%) waits for its version to load before labels canary → 2 are written (two-push rule): waiting for version 2 to load: label_delay 2m since ${iso(1)}, 1m left; run mlctl promote or mlctl rollout tick again later`,
    );
    const tick = json((await runOk(['rollout', 'tick', '--json'], { cwd: p.dir, env: at(3) })).stdout).data;
    expect(tick).toEqual([
      expect.objectContaining({
        action: 'labelled',
        detail: 'labels canary → 2 written (label_delay 2m has passed since the load commit); the bake time starts now',
      }),
    ]);
    expect(state(p)).toEqual({ loaded: [1, 2], labels: { stable: 1, canary: 2 } });
    expect(p.traffic().mirror).toEqual({ version: 2, percent: 50 });
    texts.push(p.read());
    const after = json((await runOk(['rollout', 'status', 'fraud', '--json'], { cwd: p.dir, env: at(4) })).stdout);
    expect(after.data[0]).toMatchObject({ pending: null, stageSince: iso(3) });
    // The bake time (10m) counts from the label commit at minute 3, not from the load at minute 1.
    const baking = await promote(p, 12);
    expect(baking.code).toBe(1);
    expect(baking.stderr).toContain(`1m left (since ${iso(3)})`);
    await toFull(p);
    texts.push(p.read());
    expect(state(p)).toEqual({ loaded: [1, 2], labels: { stable: 2, canary: 2 } });
    expect(p.traffic()).toMatchObject({ stable: { version: 2 } });
    expect(p.traffic().candidate).toBeUndefined();
    expect(json((await runOk(['show', 'fraud@champion', '--json'], { cwd: p.dir })).stdout).data.version).toBe(2);
    // fraud@1 stays loaded for the window after full (unload_after, default 1h), then the next tick unloads it.
    const waiting = json((await runOk(['rollout', 'tick', '--json'], { cwd: p.dir, env: at(60) })).stdout).data;
    expect(waiting).toEqual([
      expect.objectContaining({
        action: 'waiting',
        detail: `fraud@1 unloaded after ${iso(99)} (39m left): a rollback until then is instant`,
      }),
    ]);
    const unload = json((await runOk(['rollout', 'tick', '--json'], { cwd: p.dir, env: at(100) })).stdout).data;
    expect(unload).toEqual([expect.objectContaining({ action: 'cleaned-up', detail: 'fraud@1 unloaded' })]);
    expect(state(p)).toEqual({ loaded: [2], labels: { stable: 2 } });
    texts.push(p.read());
    expect(p.log()).toEqual([
      "mlctl: fraud@2 after full's 1h window: fraud@1 unloaded",
      'mlctl: fraud@2 full (champion)',
      'mlctl: fraud@2 ramp 50%',
      'mlctl: fraud@2 canary 10%',
      'mlctl: fraud@2 shadow (mirror 50%): labels canary → 2',
      'mlctl: fraud@2 shadow (mirror 50%)',
      'mlctl: fraud@1 full (first version)',
      'initial',
    ]);
    // The two pushes in git: the load commit adds version 2 and no label; the next one adds the label.
    const diffOf = (rev: string) => git(p.dir, 'show', '--format=', rev, '--', p.file);
    expect(diffOf(loadCommit)).toMatch(/^\+\s+versions: 2/m);
    expect(diffOf(loadCommit)).not.toMatch(/^\+.*version_labels/m);
    const labelCommit = git(p.dir, 'rev-list', '--reverse', `${loadCommit}..HEAD`).split('\n')[0]!;
    expect(git(p.dir, 'log', '-1', '--format=%(trailers:key=Mlctl-Action,valueonly)', labelCommit).trim()).toBe(
      'label',
    );
    expect(diffOf(labelCommit)).toMatch(/^\+\s+key: "canary"/m);
    for (const t of texts.slice(1)) expectOthersKept(t);
    expectValid('tfserving', texts);
    expect(git(p.dir, 'status', '--porcelain')).toBe('');
    expect((await run(['audit', 'verify'], { cwd: p.dir })).code).toBe(0);
  });

  it('rollback during the rollout moves everything back to the champion in one commit; a rollback within full’s window too', async () => {
    const p = await modelServerProject('tfserving', { text: THREE_MODELS });
    await labelled(p);
    await runOk(['rollout', 'status'], { cwd: p.dir, env: at(14) });
    expect((await promote(p, 15)).code).toBe(0);
    const before = p.log().length;
    await runOk(['rollback', 'fraud', '--yes'], { cwd: p.dir, env: at(16) });
    expect(p.log().length).toBe(before + 1);
    expect(state(p)).toEqual({ loaded: [1], labels: { stable: 1 } });
    expect(p.traffic()).toMatchObject({ stable: { version: 1 } });
    expect(p.traffic().candidate).toBeUndefined();
    expectValid('tfserving', [p.read()]);

    // A second rollout to full, then a rollback while fraud@1 is still loaded: stable moves back at once.
    const q = await modelServerProject('tfserving', { text: THREE_MODELS });
    await labelled(q);
    await toFull(q);
    const n = q.log().length;
    await runOk(['rollback', 'fraud', '--yes'], { cwd: q.dir, env: at(50) });
    expect(q.log().length).toBe(n + 1);
    expect(state(q)).toEqual({ loaded: [1], labels: { stable: 1 } });
    expectValid('tfserving', [q.read()]);
    // Nothing is owed any more: the rollout's candidate is no longer the champion.
    expect(json((await runOk(['rollout', 'tick', '--json'], { cwd: q.dir, env: at(200) })).stdout).data).toEqual([]);
  });

  it('a rollback after full’s window reloads the old version first; the next tick moves stable once it is loaded', async () => {
    const p = await modelServerProject('tfserving', { text: THREE_MODELS });
    await labelled(p);
    await toFull(p);
    await runOk(['rollout', 'tick'], { cwd: p.dir, env: at(100) });
    expect(state(p)).toEqual({ loaded: [2], labels: { stable: 2 } });
    await runOk(['rollback', 'fraud', '--yes'], { cwd: p.dir, env: at(101) });
    expect(state(p)).toEqual({ loaded: [1, 2], labels: { stable: 2 } });
    expect(p.traffic()).toMatchObject({ stable: { version: 2 } });
    const waiting = json((await runOk(['rollout', 'tick', '--json'], { cwd: p.dir, env: at(102) })).stdout).data;
    expect(waiting).toEqual([
      expect.objectContaining({
        action: 'waiting',
        detail: `labels stable → 1 wait: waiting for version 1 to load: label_delay 2m since ${iso(101)}, 1m left`,
      }),
    ]);
    const done = json((await runOk(['rollout', 'tick', '--json'], { cwd: p.dir, env: at(104) })).stdout).data;
    expect(done).toEqual([expect.objectContaining({ action: 'labelled', candidate: 'fraud@1' })]);
    expect(state(p)).toEqual({ loaded: [1], labels: { stable: 1 } });
    expect(p.traffic()).toMatchObject({ stable: { version: 1 } });
    expect(p.log().slice(0, 2)).toEqual([
      'mlctl: fraud@1 full: labels stable → 1',
      'mlctl: roll back fraud to fraud@1',
    ]);
    expect(json((await runOk(['rollout', 'tick', '--json'], { cwd: p.dir, env: at(110) })).stdout).data).toEqual([]);
    expectValid('tfserving', [p.read()]);
    expect((await run(['audit', 'verify'], { cwd: p.dir })).code).toBe(0);
  });

  it('a plan of only full: the load commit leaves stable pending, and the label commit makes the candidate champion', async () => {
    const p = await modelServerProject('tfserving', { text: THREE_MODELS, plan: '      - { stage: full }\n' });
    await runOk(['promote', 'fraud@1', '--yes'], { cwd: p.dir, env: at(0) });
    const start = await promote(p, 1, '--yes', '--force', '--reason', 'test', '--json');
    expect(start.code, start.stderr).toBe(0);
    expect(json(start.stdout).data).toMatchObject({
      action: 'start',
      state: 'active',
      pending: { labels: { stable: 2 } },
    });
    expect(state(p)).toEqual({ loaded: [1, 2], labels: { stable: 1 } });
    expect(json((await runOk(['show', 'fraud@champion', '--json'], { cwd: p.dir })).stdout).data.version).toBe(1);
    const done = await promote(p, 4, '--json');
    expect(done.code, done.stderr).toBe(0);
    expect(json(done.stdout).data).toMatchObject({ action: 'complete', champion: 'fraud@2', state: 'completed' });
    expect(state(p)).toEqual({ loaded: [1, 2], labels: { stable: 2, canary: 2 } });
    expect(json((await runOk(['show', 'fraud@champion', '--json'], { cwd: p.dir })).stdout).data.version).toBe(2);
    expect(p.log().slice(0, 2)).toEqual(['mlctl: fraud@2 full (champion)', 'mlctl: fraud@2 full']);
    expect(
      json((await runOk(['rollout', 'status', 'fraud', '--json'], { cwd: p.dir })).stdout).data[0].pending,
    ).toBeNull();
    expectValid('tfserving', [p.read()]);
  });

  it('rollout plan shows both commits of a load: the model server’s file, then its labels and the router’s split', async () => {
    const p = await modelServerProject('tfserving', { text: THREE_MODELS });
    await runOk(['promote', 'fraud@1', '--yes'], { cwd: p.dir, env: at(0) });
    const plan = json((await runOk(['rollout', 'plan', 'fraud@2', '--json'], { cwd: p.dir, env: at(1) })).stdout).data;
    const changed = (ds: Array<{ file: string; diff: string }>) => ds.filter((d) => d.diff.includes('\n@@'));
    expect(changed(plan.diffs).map((d: { file: string }) => d.file)).toEqual(['deploy/fraud/models.config']);
    expect(plan.then.labels).toEqual({ canary: 2 });
    expect(changed(plan.then.diffs).map((d: { file: string }) => d.file)).toEqual([
      'deploy/fraud/models.config',
      'deploy/fraud/traffic.yaml',
    ]);
    expect(plan.then.diffs[0].diff).toMatch(/^\+\s+key: "canary"/m);
    expect(plan.then.diffs[1].diff).toMatch(/^\+mirror:/m);
    const text = (await runOk(['rollout', 'plan', 'fraud@2'], { cwd: p.dir, env: at(1) })).stdout;
    expect(text).toContain(
      'then, once the version is loaded, a second commit (two-push rule): labels canary → 2, and the traffic split',
    );
    expect(git(p.dir, 'status', '--porcelain')).toBe('');
  });

  it.each([
    [
      'malformed text',
      THREE_MODELS.replace('    name: "fraud"', '    name: "fraud'),
      /^mlctl: deploy\/fraud\/models\.config:14:11: unterminated string/,
    ],
    [
      'the model missing from the file',
      THREE_MODELS.replace('name: "fraud"', 'name: "payments"'),
      /^mlctl: deploy\/fraud\/models\.config:3:1: model_config_list has no config with name: "fraud"/,
    ],
    [
      'a label on a version the file does not load',
      THREE_MODELS.replace('      value: 1\n', '      value: 9\n'),
      /^mlctl: deploy\/fraud\/models\.config:24:14: version_labels "stable": version 9 is not loaded/,
    ],
  ])('%s: exit 2 naming file, line and field; nothing written', async (_n, text, message) => {
    const p = await modelServerProject('tfserving', { text: THREE_MODELS });
    await runOk(['promote', 'fraud@1', '--yes'], { cwd: p.dir, env: at(0) });
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    writeFileSync(join(p.dir, p.file), text);
    git(p.dir, 'commit', '-qam', 'hand edit');
    const head = p.head();
    const r = await promote(p, 1, '--force', '--reason', 'test');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(p.read()).toBe(text);
    expect(p.head()).toBe(head);
    expect(git(p.dir, 'status', '--porcelain')).toBe('');
    expect(json((await runOk(['rollout', 'status', 'fraud', '--json'], { cwd: p.dir })).stdout).data).toEqual([]);
  });
});

describe('TF Serving status_url: labels follow once the model status API says AVAILABLE', () => {
  let server: Server | null = null;
  afterEach(async () => {
    await new Promise((r) => server?.close(r) ?? r(undefined));
    server = null;
  });

  /**
   * A small local stand-in for TF Serving's REST model status API, answering in its published
   * shape: GET /v1/models/<name>/versions/<v> → {"model_version_status": [{"version": "<v>",
   * "state": "AVAILABLE" | "LOADING" | …, "status": {"error_code": "OK", "error_message": ""}}]},
   * 404 with {"error": …} for a version it does not know.
   */
  async function fakeModelServer(states: Map<string, string>): Promise<string> {
    server = createServer((req, res) => {
      const m = /^\/v1\/models\/([^/]+)\/versions\/(\d+)$/.exec(req.url ?? '');
      const s = m ? states.get(`${m[1]}@${m[2]}`) : undefined;
      res.setHeader('content-type', 'application/json');
      if (!m || !s) {
        res.statusCode = 404;
        res.end(JSON.stringify({ error: `Servable not found for request: Specific(${m?.[1]}, ${m?.[2]})` }));
        return;
      }
      res.end(
        JSON.stringify({
          model_version_status: [{ version: m[2], state: s, status: { error_code: 'OK', error_message: '' } }],
        }),
      );
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
  }

  it('waits while the server says LOADING (label_delay plays no part), writes the label once AVAILABLE; an unreachable server is exit 3', async () => {
    const states = new Map([['fraud@1', 'AVAILABLE']]);
    const url = await fakeModelServer(states);
    const p = await modelServerProject('tfserving', { text: THREE_MODELS, keys: `status_url: "${url}"` });
    await runOk(['promote', 'fraud@1', '--yes'], { cwd: p.dir, env: at(0) });
    expect((await promote(p, 1, '--force', '--reason', 'test')).code).toBe(0);
    const unknown = json((await runOk(['rollout', 'tick', '--json'], { cwd: p.dir, env: at(30) })).stdout).data;
    expect(unknown[0]).toMatchObject({
      action: 'waiting',
      detail: `labels canary → 2 wait: ${url} says version 2 is NOT_LOADED`,
    });
    states.set('fraud@2', 'LOADING');
    const loading = await promote(p, 31);
    expect(loading.code).toBe(1);
    expect(loading.stderr).toContain(`${url} says version 2 is LOADING`);
    expect(state(p).labels).toEqual({ stable: 1 });
    states.set('fraud@2', 'AVAILABLE');
    const ok = await promote(p, 32, '--json');
    expect(ok.code, ok.stderr).toBe(0);
    expect(json(ok.stdout).data).toMatchObject({ action: 'label', stage: 'shadow (mirror 50%)' });
    expect(state(p).labels).toEqual({ stable: 1, canary: 2 });
    expect(p.log()[0]).toBe('mlctl: fraud@2 shadow (mirror 50%): labels canary → 2');

    // A server that does not answer: the tick says so and exits 3; nothing is written.
    const again = await modelServerProject('tfserving', { text: THREE_MODELS, keys: `status_url: "${url}"` });
    await runOk(['promote', 'fraud@1', '--yes'], { cwd: again.dir, env: at(0) });
    expect((await promote(again, 1, '--force', '--reason', 'test')).code).toBe(0);
    await new Promise((r) => server!.close(r));
    server = null;
    const head = again.head();
    const down = await run(['rollout', 'tick'], { cwd: again.dir, env: at(30) });
    expect(down.code).toBe(3);
    expect(down.stderr).toContain(`serving.fraud.status_url: cannot ask ${url}/v1/models/fraud/versions/2`);
    expect(again.head()).toBe(head);
  });
});

describe('Triton: a rollout on config.pbtxt (no labels: one commit per stage)', () => {
  const versions = (p: ModelServerProject) => readTritonVersions(p.read(), p.file, 'fraud');

  it('loads both versions while rolling out, the new champion alone after the window, the champion alone after an abort', async () => {
    const p = await modelServerProject('triton', { text: CONFIG_PBTXT });
    const texts = [p.read()];
    await runOk(['promote', 'fraud@1', '--yes'], { cwd: p.dir, env: at(0) });
    const start = await promote(p, 1, '--force', '--reason', 'test', '--json');
    expect(start.code, start.stderr).toBe(0);
    expect(json(start.stdout).data.pending).toBeUndefined();
    expect(versions(p)).toEqual([1, 2]);
    expect(p.traffic().mirror).toEqual({ version: 2, percent: 50 });
    texts.push(p.read());
    await toFull(p, 1);
    expect(versions(p)).toEqual([1, 2]);
    expect(p.traffic()).toMatchObject({ stable: { version: 2 } });
    texts.push(p.read());
    const tick = json((await runOk(['rollout', 'tick', '--json'], { cwd: p.dir, env: at(120) })).stdout).data;
    expect(tick).toEqual([expect.objectContaining({ action: 'cleaned-up', detail: 'fraud@1 unloaded' })]);
    expect(versions(p)).toEqual([2]);
    texts.push(p.read());
    expect(p.log().slice(0, 6)).toEqual([
      "mlctl: fraud@2 after full's 1h window: fraud@1 unloaded",
      'mlctl: fraud@2 full (champion)',
      'mlctl: fraud@2 ramp 50%',
      'mlctl: fraud@2 canary 10%',
      'mlctl: fraud@2 shadow (mirror 50%)',
      'mlctl: fraud@1 full (first version)',
    ]);
    // Only the version_policy line changed; every other line is the author's.
    const others = (t: string) => t.split('\n').filter((l) => !l.startsWith('version_policy'));
    for (const t of texts) expect(others(t)).toEqual(others(CONFIG_PBTXT));
    expectValid('triton', texts);

    const q = await modelServerProject('triton', { text: CONFIG_PBTXT });
    await runOk(['promote', 'fraud@1', '--yes'], { cwd: q.dir, env: at(0) });
    expect((await promote(q, 1, '--force', '--reason', 'test')).code).toBe(0);
    await runOk(['rollback', 'fraud', '--yes'], { cwd: q.dir, env: at(2) });
    expect(readTritonVersions(q.read(), q.file, 'fraud')).toEqual([1]);
    expect(q.traffic().mirror).toBeUndefined();
    expectValid('triton', [q.read()]);
  });
});
