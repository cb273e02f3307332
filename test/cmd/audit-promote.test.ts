import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, tempProject, writeModel, runOk } from '../support/helpers.js';
import { writePredictions } from '../support/predictions.js';
import { FakePrompter } from '../support/fake-prompter.js';

const at = (t: string) => ({ MLCTL_NOW: t });
const json = (s: string) => JSON.parse(s);

/** fraud@1 champion (first model), fraud@2 gated and promoted, then rolled back. */
async function history() {
  const dir = await tempProject();
  writeFileSync(join(dir, 'gates.yaml'), 'gates:\n  - { id: ni, metric: auc, max_regression: { absolute: 0.01 } }\n');
  writeModel(dir, 'm1', { 'w.bin': '1' });
  writeModel(dir, 'm2', { 'w.bin': '2' });
  writeModel(dir, 'data', { 'train.csv': 'a,b\n1,2\n' });
  await runOk(['register', 'fraud', 'm1', '--data', 'data'], { cwd: dir, env: at('2026-11-01T10:00:00Z') });
  await runOk(['register', 'fraud', 'm2', '--data', 'data', '--parent', 'fraud@1'], {
    cwd: dir,
    env: at('2026-11-02T10:00:00Z'),
  });
  expect(
    (
      await run(['promote', 'fraud@1', '--yes', '--reason', 'first model'], {
        cwd: dir,
        env: at('2026-11-03T10:00:00Z'),
      })
    ).code,
  ).toBe(0);
  const p = writePredictions(dir, { shift: 0.3 });
  await runOk(['gate', 'fraud@2', '--predictions', p.cand, '--baseline-predictions', p.base], {
    cwd: dir,
    env: at('2026-11-04T10:00:00Z'),
  });
  return dir;
}

describe('promote and rollback (no serving target)', () => {
  it('requires a passing gate run bound to the current champion and policy', async () => {
    const dir = await tempProject();
    writeFileSync(join(dir, 'gates.yaml'), 'gates:\n  - { id: floor, metric: auc, min: 0.5 }\n');
    writeModel(dir, 'm1', { 'w.bin': '1' });
    writeModel(dir, 'm2', { 'w.bin': '2' });
    await runOk(['register', 'fraud', 'm1'], { cwd: dir });
    await runOk(['register', 'fraud', 'm2'], { cwd: dir });
    expect((await run(['promote', 'fraud@1', '--yes'], { cwd: dir })).code).toBe(0);
    const refused = await run(['promote', 'fraud@2', '--yes'], { cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toMatch(
      /^mlctl: fraud@2 has no passing gate run against the champion fraud@1 under gates.yaml \(sha256:[0-9a-f]{12}…\); run: mlctl gate fraud@2/,
    );
    // A passing run under a policy that has since changed does not count.
    const p = writePredictions(dir, { shift: 0.3 });
    expect(
      (await run(['gate', 'fraud@2', '--predictions', p.cand, '--baseline-predictions', p.base], { cwd: dir })).code,
    ).toBe(0);
    writeFileSync(join(dir, 'gates.yaml'), 'gates:\n  - { id: floor, metric: auc, min: 0.6 }\n');
    expect((await run(['promote', 'fraud@2', '--yes'], { cwd: dir })).code).toBe(1);
    expect((await run(['promote', 'fraud@2', '--yes', '--force'], { cwd: dir })).stderr).toMatch(
      /--force needs --reason/,
    );
    const forced = await run(['promote', 'fraud@2', '--yes', '--force', '--reason', 'incident INC-1', '--json'], {
      cwd: dir,
    });
    expect(json(forced.stdout)).toMatchObject({
      ok: true,
      data: { champion: 'fraud@2', previous: 'fraud@1', forced: true },
      warnings: [expect.stringMatching(/override recorded/)],
    });
    const overrides = json((await run(['audit', '--action', 'override', '--json'], { cwd: dir })).stdout).data.events;
    expect(overrides[0]).toMatchObject({ subject: 'fraud@2', payload: { reason: 'incident INC-1' } });
  });

  it('asks for --yes without a terminal and changes nothing', async () => {
    const dir = await tempProject();
    writeModel(dir, 'm1', { 'w.bin': '1' });
    await runOk(['register', 'fraud', 'm1'], { cwd: dir });
    const r = await run(['promote', 'fraud@1'], { cwd: dir, env: { CI: 'true' } });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'mlctl: promoting fraud@1 changes production and needs confirmation: pass --yes (no terminal to ask on, CI is set)',
    );
    expect(json((await run(['show', 'fraud@1', '--json'], { cwd: dir })).stdout).data.aliases).toEqual([]);
  });

  it('on a terminal asks through the Prompter: no changes nothing, yes promotes', async () => {
    const dir = await tempProject();
    writeModel(dir, 'm1', { 'w.bin': '1' });
    await runOk(['register', 'fraud', 'm1'], { cwd: dir });
    const no = new FakePrompter([[/^Make fraud@1 the production champion\?$/, false]]);
    const refused = await run(['promote', 'fraud@1'], { cwd: dir, tty: true, deps: { prompter: async () => no } });
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toBe('mlctl: not confirmed; nothing changed');
    expect(json((await run(['show', 'fraud@1', '--json'], { cwd: dir })).stdout).data.aliases).toEqual([]);
    const yes = new FakePrompter([[/^Make fraud@1 the production champion\?$/, true]]);
    await runOk(['promote', 'fraud@1'], { cwd: dir, tty: true, deps: { prompter: async () => yes } });
    expect(json((await run(['show', 'fraud@1', '--json'], { cwd: dir })).stdout).data.aliases).toEqual(['champion']);
    // With CI set there is no asking, terminal or not.
    writeModel(dir, 'm2', { 'w.bin': '2' });
    await runOk(['register', 'fraud', 'm2'], { cwd: dir });
    await runOk(['promote', 'fraud@2', '--yes', '--force', '--reason', 'test'], { cwd: dir });
    const ci = await run(['rollback', 'fraud'], { cwd: dir, tty: true, env: { CI: 'true' } });
    expect(ci.code).toBe(2);
    expect(ci.stderr.trim()).toBe(
      'mlctl: rolling back fraud changes production and needs confirmation: pass --yes (no terminal to ask on, CI is set)',
    );
  });

  it('records ADRs: the promotion with its gate evidence, the rollback superseding it', async () => {
    const dir = await history();
    const r = await run(['promote', 'fraud@2', '--yes', '--reason', 'better recall'], {
      cwd: dir,
      env: at('2026-11-05T10:00:00Z'),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/recorded ADR 0003-promote-fraud-2-to-production.md/);
    const adr = readFileSync(join(dir, 'docs/adr/0003-promote-fraud-2-to-production.md'), 'utf8');
    expect(adr).toMatch(/^# 3\. Promote fraud@2 to production\n\nDate: 2026-11-05\n\n## Status\n\nAccepted\n/);
    expect(adr).toMatch(/Gate run #1: \*\*pass\*\*/);
    expect(adr).toMatch(/\| ni \| pass \| auc: 0\.\d{4} − 0\.\d{4} = \+0\.\d{4} ≥ −0\.0100 ✓ \|/);
    expect(adr).toContain('Reason: better recall');
    const rb = await run(['rollback', 'fraud', '--yes', '--reason', 'p99 latency'], {
      cwd: dir,
      env: at('2026-11-06T10:00:00Z'),
    });
    expect(rb.stdout).toBe('fraud@1 is the champion again (fraud@2 archived)\n');
    expect(readFileSync(join(dir, 'docs/adr/0004-roll-back-fraud-to-fraud-1.md'), 'utf8')).toContain(
      'Supersedes [3. Promote fraud@2 to production](0003-promote-fraud-2-to-production.md)',
    );
    expect(readFileSync(join(dir, 'docs/adr/0003-promote-fraud-2-to-production.md'), 'utf8')).toContain(
      'Superseded by [4. Roll back fraud to fraud@1]',
    );
    const show = json((await run(['show', 'fraud@2', '--json'], { cwd: dir })).stdout).data;
    expect(show.status).toBe('archived');
    expect(show.adrs).toEqual(['0003-promote-fraud-2-to-production.md', '0004-roll-back-fraud-to-fraud-1.md']);
    const again = await run(['rollback', 'fraud', '--yes'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr.trim()).toBe(
      'mlctl: no earlier champion of fraud to return to (versions rolled back from are skipped); name one with --to fraud@N',
    );
  });
});

describe('mlctl audit', () => {
  it('answers who was champion when, with the full timeline', async () => {
    const dir = await history();
    await runOk(['promote', 'fraud@2', '--yes', '--reason', 'better'], { cwd: dir, env: at('2026-11-05T10:00:00Z') });
    await runOk(['rollback', 'fraud', '--yes', '--reason', 'latency'], { cwd: dir, env: at('2026-11-06T10:00:00Z') });
    const q = async (t?: string) =>
      json(
        (
          await run(['audit', 'champion', 'fraud', ...(t ? ['--at', t] : []), '--json'], {
            cwd: dir,
            env: at('2026-11-07T00:00:00Z'),
          })
        ).stdout,
      ).data;
    expect((await q('2026-11-02T12:00:00Z')).version).toBeNull();
    expect((await q('2026-11-04')).version).toBe(1);
    expect((await q('2026-11-05T12:00:00Z')).version).toBe(2);
    const now = await q();
    expect(now.version).toBe(1);
    expect(
      now.timeline.map((c: { version: number; via: string; reason: string }) => [c.version, c.via, c.reason]),
    ).toEqual([
      [1, 'promote', 'first model'],
      [2, 'promote', 'better'],
      [1, 'rollback', 'latency'],
    ]);
    expect(now.timeline[1].adr).toBe('0003-promote-fraud-2-to-production.md');
  });

  it('filters by model, ref, action, actor and time; prints CSV', async () => {
    const dir = await history();
    const ev = async (...a: string[]) =>
      json((await run(['audit', ...a, '--json'], { cwd: dir, env: at('2026-11-10T00:00:00Z') })).stdout).data
        .events as Array<{ seq: number; action: string; subject: string }>;
    expect((await ev('--action', 'register')).map((e) => e.subject)).toEqual(['fraud@2', 'fraud@1']);
    expect((await ev('--ref', 'fraud@champion')).map((e) => e.action)).toEqual([
      'champion.set',
      'adr.recorded',
      'register',
    ]);
    expect(await ev('--since', '2026-11-03T12:00:00Z')).toHaveLength(1);
    expect(await ev('--until', '2026-11-02')).toHaveLength(1);
    expect(await ev('--since', '8d')).toHaveLength(4);
    expect(await ev('--actor', 'nobody@x')).toHaveLength(0);
    expect(await ev('--limit', '2')).toHaveLength(2);
    const csv = (await run(['audit', '--action', 'register', '--csv'], { cwd: dir })).stdout.split('\n');
    expect(csv[0]).toBe('seq,at,actor,action,model,subject,payload,hash');
    expect(csv[1]).toMatch(/^2,2026-11-02T10:00:00.000Z,tester@example.com,register,fraud,fraud@2,"\{""codeCommit""/);
  });

  it.each([
    [
      '--since that is not a date',
      ['audit', '--since', 'last tuesday'],
      /^mlctl: --since "last tuesday" is not a date/,
    ],
    ['unknown action', ['audit', '--action', 'deploy'], /^mlctl: unknown action "deploy"/],
    ['unknown model for champion', ['audit', 'champion', 'nope'], /^mlctl: unknown model "nope"/],
  ])('%s: exit 2', async (_n, args, message) => {
    const dir = await history();
    const r = await run(args, { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(message);
  });

  it('verify names the first broken sequence number for an edited, removed or reordered row', async () => {
    for (const tamper of ['edit', 'delete', 'swap'] as const) {
      const dir = await history();
      expect((await run(['audit', 'verify'], { cwd: dir })).stdout).toMatch(/^ok: 5 event\(s\), chain intact/);
      const db = new Database(join(dir, '.mlctl/registry.db'));
      // An attacker with file access can drop the triggers; the chain still tells.
      db.exec('DROP TRIGGER events_append_only_update; DROP TRIGGER events_append_only_delete;');
      if (tamper === 'edit') db.prepare("UPDATE events SET actor = 'mallory' WHERE seq = 3").run();
      if (tamper === 'delete') db.prepare('DELETE FROM events WHERE seq = 3').run();
      if (tamper === 'swap')
        db.exec(
          'UPDATE events SET seq = 100 WHERE seq = 3; UPDATE events SET seq = 3 WHERE seq = 4; UPDATE events SET seq = 4 WHERE seq = 100;',
        );
      db.close();
      const r = await run(['audit', 'verify'], { cwd: dir });
      expect(r.code, tamper).toBe(1);
      expect(r.stdout, tamper).toMatch(/^broken at event 3: /);
    }
  });
});

describe('mlctl lineage', () => {
  it('shows upstream and downstream, and every version trained on a dataset', async () => {
    const dir = await history();
    const n = json((await run(['lineage', 'fraud@2', '--json'], { cwd: dir })).stdout).data;
    expect(n.ref).toBe('fraud@2');
    expect(n.parents.map((p: { ref: string }) => p.ref)).toEqual(['fraud@1']);
    expect(n.gateRuns[0]).toMatchObject({ verdict: 'pass', baseline: 'fraud@1' });
    const one = json((await run(['lineage', 'fraud@1', '--json'], { cwd: dir })).stdout).data;
    expect(one.children.map((c: { ref: string }) => c.ref)).toEqual(['fraud@2']);
    expect(one.adrs).toEqual(['0002-promote-fraud-1-to-production.md']);
    expect((await run(['lineage', 'fraud@2'], { cwd: dir })).stdout).toMatch(
      /^fraud@2 \(validated\)\n│ data sha256:[0-9a-f]{12}…\n[\s\S]*upstream:\n└─ parent fraud@1 \(production; aliases: champion\)/,
    );
    expect((await run(['lineage', 'fraud@2', '--mermaid'], { cwd: dir })).stdout).toMatch(
      /^```mermaid\ngraph TD\n[\s\S]*fraud_1 --> fraud_2/,
    );
    expect((await run(['lineage', 'fraud@2', '--dot'], { cwd: dir })).stdout).toMatch(
      /^digraph lineage \{[\s\S]*"fraud@1" -> "fraud@2";/,
    );
    const data = json((await run(['show', 'fraud@1', '--json'], { cwd: dir })).stdout).data.dataHash;
    const usage = json((await run(['lineage', '--data', data, '--json'], { cwd: dir })).stdout).data;
    expect(usage.versions.map((v: { ref: string; serving: boolean }) => [v.ref, v.serving])).toEqual([
      ['fraud@1', true],
      ['fraud@2', false],
    ]);
    expect((await run(['lineage', '--data', 'sha256:xyz'], { cwd: dir })).code).toBe(2);
  });
});
