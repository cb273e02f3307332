import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, runOk, withRegistry } from '../support/helpers.js';
import { git, gitopsProject, type GitopsProject } from '../support/gitops-project.js';
import { holdAt } from '../support/pause.js';
import type { PausePhase } from '../../src/core/rollout/pause-phases.js';

/*
 * Issue 20.2 / ADR 26: kill -9 at each phase of a rollout step (files written, committed, pushed,
 * recorded but not committed), with the test-only pause point, on a real GitOps repository with a
 * bare remote; then what is left, and what the next command makes of it.
 */

const json = (s: string) => JSON.parse(s);
const T0 = Date.parse('2026-11-23T10:00:00Z');
const at = (minutes: number) => ({ MLCTL_NOW: new Date(T0 + minutes * 60_000).toISOString() });
const CONFIG = `serving:
  fraud: { adapter: istio, files: [deploy/fraud.yaml], plan: quick }
rollout:
  plans:
    quick:
      - { stage: shadow, mirror: 50, minDuration: 30m, checks: [ok] }
      - { stage: canary, weight: 10, minDuration: 30m }
      - { stage: full }
  checks:
    ok: { command: 'cat check-value.json', max: 0.01 }
`;
const JOURNAL = '.mlctl/steps/fraud.json';
const CANARY = 'mlctl: fraud@2 canary 10%';

/** fraud@1 champion, fraud@2's rollout at shadow since minute 1, all pushed; its bake time looked at (minute 39). */
async function rolling(config = CONFIG): Promise<GitopsProject> {
  const p = await gitopsProject({ adapter: 'istio', config });
  writeFileSync(join(p.dir, 'check-value.json'), '{"value": 0.002}\n');
  await runOk(['promote', 'fraud@1', '--yes', '--push'], { cwd: p.dir, env: at(0) });
  await runOk(['promote', 'fraud@2', '--force', '--reason', 'crash test', '--push'], { cwd: p.dir, env: at(1) });
  await runOk(['rollout', 'status'], { cwd: p.dir, env: at(39) });
  return p;
}

/** Run `args`, held at `phase`, and kill -9 it there. */
async function killedAt(p: GitopsProject, phase: PausePhase, args: string[], minute = 40) {
  const cmd = holdAt(phase, args, { cwd: p.dir, env: at(minute) });
  await cmd.paused();
  const r = await cmd.kill();
  expect(r.code).toBe(128);
  return r;
}

/** What a test looks at: the registry's rollout and events, both git logs, the working tree, the journal. */
async function state(p: GitopsProject) {
  return withRegistry(p.dir, async (r) => {
    const [rollout] = await r.rollouts({ model: 'fraud' });
    const events = await r.events({ model: 'fraud' });
    return {
      step: rollout!.step,
      state: rollout!.state,
      lastCommit: rollout!.lastCommit,
      events: events.length,
      lastEvent: events[0]!,
      local: git(p.dir, 'log', '-1', '--format=%s'),
      localSha: git(p.dir, 'rev-parse', 'HEAD'),
      remote: git(p.remote, 'log', '-1', '--format=%s', 'main'),
      remoteSha: git(p.remote, 'rev-parse', 'main'),
      tree: git(p.dir, 'status', '--porcelain'),
      journal: existsSync(join(p.dir, JOURNAL)) ? json(readFileSync(join(p.dir, JOURNAL), 'utf8')) : null,
    };
  });
}

const count = (p: GitopsProject, subject: string) => p.log().filter((l) => l === subject).length;

describe('a rollout step killed at each phase (kill -9), then the next command', () => {
  it('after its files are written: nothing committed; rollout status restores them; promote then advances once', async () => {
    const p = await rolling();
    const before = await state(p);
    const file = p.read();
    await killedAt(p, 'written', ['promote', 'fraud@2', '--push']);
    const s = await state(p);
    expect(s).toMatchObject({
      step: 0,
      state: 'active',
      events: before.events + 1, // the promote's own check evaluation, recorded before its step
      localSha: before.localSha,
      remoteSha: before.localSha,
      tree: 'M deploy/fraud.yaml\n M docs/adr/0003-promote-fraud-2-to-production.md',
      journal: { phase: 'written', commit: null, step: { action: 'advance', stage: 'canary-10', model: 'fraud' } },
    });
    expect(p.read()).not.toBe(file);
    const status = await run(['rollout', 'status', 'fraud', '--json'], { cwd: p.dir, env: at(41) });
    expect(status.code, status.stderr).toBe(0);
    expect(json(status.stdout).warnings).toEqual([
      `advance fraud@2 canary-10 (step ${s.journal.step.id}) was interrupted: nothing had been committed; restored deploy/fraud.yaml, docs/adr/0003-promote-fraud-2-to-production.md`,
    ]);
    expect(json(status.stdout).data[0]).toMatchObject({ step: 1, stage: 'shadow (mirror 50%)' });
    const after = await state(p);
    expect(after).toMatchObject({ tree: '', journal: null, localSha: before.localSha, step: 0 });
    expect(p.read()).toBe(file);
    expect(after.lastEvent).toMatchObject({
      action: 'step.discard',
      payload: { stepId: s.journal.step.id, phase: 'written', restored: ['deploy/fraud.yaml', expect.any(String)] },
    });
    const ok = await run(['promote', 'fraud@2', '--push', '--json'], { cwd: p.dir, env: at(42) });
    expect(ok.code, ok.stderr).toBe(0);
    expect(count(p, CANARY)).toBe(1);
    expect(await state(p)).toMatchObject({ step: 1, remote: CANARY, tree: '', journal: null });
  });

  it('after its files are written, rollback is never in the way: the files are restored and the rollout aborted', async () => {
    const p = await rolling();
    await killedAt(p, 'written', ['promote', 'fraud@2', '--push']);
    const rb = await run(['rollback', 'fraud', '--yes', '--push', '--json', '--reason', 'incident'], {
      cwd: p.dir,
      env: at(41),
    });
    expect(rb.code, rb.stderr).toBe(0);
    expect(json(rb.stdout).warnings[0]).toMatch(
      /was interrupted: nothing had been committed; restored deploy\/fraud\.yaml/,
    );
    expect(await state(p)).toMatchObject({
      state: 'aborted',
      local: 'mlctl: abort fraud@2 rollout at shadow (mirror 50%)',
      remote: 'mlctl: abort fraud@2 rollout at shadow (mirror 50%)',
      tree: '',
      journal: null,
    });
    expect(count(p, CANARY)).toBe(0);
  });

  it('after its commit, before the push: the unpushed commit is undone and the step done again, once', async () => {
    const p = await rolling();
    const before = await state(p);
    await killedAt(p, 'committed', ['promote', 'fraud@2', '--push']);
    const s = await state(p);
    expect(s).toMatchObject({ step: 0, local: CANARY, remoteSha: before.localSha, tree: '' });
    expect(s.journal).toMatchObject({ phase: 'committed', commit: s.localSha });
    // The next promote settles it first (the step never happened), then advances.
    const ok = await run(['promote', 'fraud@2', '--push', '--json'], { cwd: p.dir, env: at(42) });
    expect(ok.code, ok.stderr).toBe(0);
    expect(json(ok.stdout).warnings[0]).toMatch(
      new RegExp(
        `^advance fraud@2 canary-10 \\(step ${s.journal.step.id}\\) was interrupted: undid its unpushed commit ${s.localSha.slice(0, 10)}`,
      ),
    );
    const after = await state(p);
    expect(after).toMatchObject({ step: 1, local: CANARY, remote: CANARY, tree: '', journal: null });
    expect(after.localSha).not.toBe(s.localSha);
    expect(after.remoteSha).toBe(after.localSha);
    expect(count(p, CANARY)).toBe(1);
    const discard = (await withRegistry(p.dir, (r) => r.events({ action: 'step.discard' })))[0]!;
    expect(discard.payload).toMatchObject({ stepId: s.journal.step.id, undone: s.localSha, phase: 'committed' });
  });

  it('after its push: doctor reports it, tick adopts the commit (rollout.step, steps row, step.adopt) and makes no new one', async () => {
    const p = await rolling();
    await killedAt(p, 'pushed', ['promote', 'fraud@2', '--push']);
    const s = await state(p);
    expect(s).toMatchObject({ step: 0, local: CANARY, remote: CANARY, tree: '' });
    expect(s.remoteSha).toBe(s.localSha);
    expect(s.journal).toMatchObject({ phase: 'pushed', commit: s.localSha });
    const doctor = json((await run(['doctor', '--json'], { cwd: p.dir, env: at(41) })).stdout).data;
    expect(doctor.checks.find((c: { check: string }) => c.check === 'rollout steps')).toMatchObject({
      status: 'warn',
      detail: `fraud: ${s.localSha.slice(0, 10)} (advance fraud@2 canary-10 (step ${s.journal.step.id})) was committed and pushed but not recorded in the registry`,
      fix: expect.stringMatching(/^mlctl rollout status fraud settles/),
    });
    const tick = await run(['rollout', 'tick', '--json'], { cwd: p.dir, env: at(42) });
    expect(tick.code, tick.stderr).toBe(0);
    expect(json(tick.stdout).warnings[0]).toBe(
      `adopted ${s.localSha.slice(0, 10)} (step ${s.journal.step.id}: advance fraud@2 canary-10), which its process committed and pushed but did not record`,
    );
    // Adopted at minute 42: the canary's bake time counts from there, so tick waits.
    expect(json(tick.stdout).data[0]).toMatchObject({ stage: 'canary 10%', action: 'waiting' });
    const after = await state(p);
    expect(after).toMatchObject({ step: 1, lastCommit: s.localSha, localSha: s.localSha, tree: '', journal: null });
    expect(count(p, CANARY)).toBe(1);
    const [adopt] = await withRegistry(p.dir, (r) => r.events({ action: 'step.adopt' }));
    expect(adopt).toMatchObject({
      at: at(42).MLCTL_NOW,
      subject: 'fraud@2',
      payload: { stepId: s.journal.step.id, action: 'advance', commit: s.localSha, published: true, journal: true },
    });
    expect(await withRegistry(p.dir, (r) => r.getStep(s.journal.step.id))).toMatchObject({
      how: 'adopted',
      commit: s.localSha,
      stage: 'canary-10',
    });
    const view = json((await run(['rollout', 'status', 'fraud', '--json'], { cwd: p.dir, env: at(43) })).stdout);
    expect(view).toMatchObject({ warnings: [], data: [{ stage: 'canary 10%', stageSince: at(42).MLCTL_NOW }] });
  });

  it('recorded but not committed in the registry: rolled back with the process; rollback adopts the commit, then aborts', async () => {
    const p = await rolling();
    const before = await state(p);
    await killedAt(p, 'recorded', ['promote', 'fraud@2', '--push']);
    const s = await state(p);
    expect(s).toMatchObject({ step: 0, events: before.events + 1, local: CANARY, remote: CANARY });
    const rb = await run(['rollback', 'fraud', '--yes', '--push', '--json'], { cwd: p.dir, env: at(41) });
    expect(rb.code, rb.stderr).toBe(0);
    expect(json(rb.stdout).warnings[0]).toMatch(
      /^adopted [0-9a-f]{10} \(step [0-9a-f]{12}: advance fraud@2 canary-10\)/,
    );
    expect(json(rb.stdout).data).toMatchObject({ action: 'abort', stage: 'canary 10%' });
    expect(await state(p)).toMatchObject({
      state: 'aborted',
      local: 'mlctl: abort fraud@2 rollout at canary 10%',
      remote: 'mlctl: abort fraud@2 rollout at canary 10%',
      tree: '',
      journal: null,
    });
    expect((await run(['audit', 'verify'], { cwd: p.dir })).code).toBe(0);
  });

  it('without push (commit only), killed after its commit: the commit is the step in git, so it is adopted', async () => {
    const p = await rolling();
    await killedAt(p, 'committed', ['promote', 'fraud@2']);
    const s = await state(p);
    const status = await run(['rollout', 'status', 'fraud', '--json'], { cwd: p.dir, env: at(41) });
    expect(json(status.stdout).warnings[0]).toMatch(
      /^adopted [0-9a-f]{10} .*which its process committed but did not record$/,
    );
    expect(await state(p)).toMatchObject({ step: 1, lastCommit: s.localSha, journal: null });
  });

  it('a start killed after its files are written: the serving file restored and its new ADR removed', async () => {
    const p = await gitopsProject({ adapter: 'istio', config: CONFIG });
    await runOk(['promote', 'fraud@1', '--yes'], { cwd: p.dir, env: at(0) });
    const file = p.read();
    await killedAt(p, 'written', ['promote', 'fraud@2', '--force', '--reason', 'x'], 1);
    expect(git(p.dir, 'status', '--porcelain')).toBe(
      'M deploy/fraud.yaml\n?? docs/adr/0003-promote-fraud-2-to-production.md',
    );
    const status = await run(['rollout', 'status', '--json'], { cwd: p.dir, env: at(2) });
    expect(json(status.stdout)).toMatchObject({
      data: [],
      warnings: [expect.stringMatching(/^start fraud@2 shadow-50/)],
    });
    expect(git(p.dir, 'status', '--porcelain')).toBe('');
    expect(p.read()).toBe(file);
  });

  it('a start killed after its push is adopted as the rollout its trailers name (key, plan, stage)', async () => {
    const p = await gitopsProject({ adapter: 'istio', config: CONFIG });
    await runOk(['promote', 'fraud@1', '--yes', '--push'], { cwd: p.dir, env: at(0) });
    await killedAt(p, 'pushed', ['promote', 'fraud@2', '--force', '--reason', 'x', '--push'], 1);
    const key = git(p.dir, 'log', '-1', '--format=%(trailers:key=Mlctl-Rollout,valueonly)');
    expect(git(p.dir, 'log', '-1', '--format=%(trailers:key=Mlctl-Step,valueonly)')).toBe(key);
    const status = await run(['rollout', 'status', 'fraud', '--json'], { cwd: p.dir, env: at(2) });
    expect(status.code, status.stderr).toBe(0);
    expect(json(status.stdout).data[0]).toMatchObject({
      candidate: 'fraud@2',
      champion: 'fraud@1',
      stage: 'shadow (mirror 50%)',
      state: 'active',
    });
    const [row] = await withRegistry(p.dir, (r) => r.rollouts({ model: 'fraud' }));
    expect(row).toMatchObject({
      key,
      planName: 'quick',
      lastCommit: git(p.dir, 'rev-parse', 'HEAD'),
      adr: '0003-promote-fraud-2-to-production.md',
    });
    expect(json((await run(['show', 'fraud@2', '--json'], { cwd: p.dir })).stdout).data.status).toBe('staging');
    // The rollout goes on from there, and its abort restores the candidate's status from the adoption.
    expect((await run(['rollback', 'fraud', '--yes'], { cwd: p.dir, env: at(3) })).code).toBe(0);
    expect(json((await run(['show', 'fraud@2', '--json'], { cwd: p.dir })).stdout).data.status).toBe('registered');
  });

  it('a champion rollback killed after its push: the next status adopts it, and audit champion shows it', async () => {
    const p = await rolling();
    await runOk(['promote', 'fraud@2', '--yes', '--force', '--reason', 'skip', '--push'], { cwd: p.dir, env: at(40) });
    await runOk(['promote', 'fraud@2', '--yes', '--force', '--reason', 'skip', '--push'], { cwd: p.dir, env: at(41) });
    await killedAt(p, 'pushed', ['rollback', 'fraud', '--yes', '--push', '--reason', 'bad'], 50);
    expect((await run(['rollout', 'status', 'fraud'], { cwd: p.dir, env: at(51) })).stderr).toMatch(
      /^warning: adopted [0-9a-f]{10} \(step [0-9a-f]{12}: rollback fraud@1\)/,
    );
    const champ = json((await run(['audit', 'champion', 'fraud', '--json'], { cwd: p.dir, env: at(52) })).stdout).data;
    expect(champ).toMatchObject({ version: 1, since: { via: 'rollback', at: at(51).MLCTL_NOW } });
  });

  it('an unpushed commit without its journal stops promote (exit 3) naming it and what resolves it; pushed, it is adopted', async () => {
    const p = await rolling();
    await killedAt(p, 'committed', ['promote', 'fraud@2', '--push']);
    const sha = git(p.dir, 'rev-parse', 'HEAD');
    rmSync(join(p.dir, JOURNAL));
    const r = await run(['promote', 'fraud@2', '--push'], { cwd: p.dir, env: at(42) });
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toMatch(
      new RegExp(
        `^mlctl: ${sha.slice(0, 10)} \\(advance fraud@2 canary-10 \\(step [0-9a-f]{12}\\)\\) was committed by mlctl but neither pushed nor recorded in the registry; push it \\(git push origin HEAD\\) and run mlctl rollout status fraud to adopt it, or take it out of the branch \\(git reset --keep ${sha.slice(0, 10)}~1\\)$`,
      ),
    );
    expect((await state(p)).step).toBe(0);
    git(p.dir, 'push', '-q', 'origin', 'HEAD');
    expect((await run(['rollout', 'status', 'fraud'], { cwd: p.dir, env: at(43) })).code).toBe(0);
    expect(await state(p)).toMatchObject({ step: 1, lastCommit: sha });
  });

  it('a pushed commit that cannot be adopted stops the command (exit 3) naming it and git revert; reverted, the journal is settled', async () => {
    const p = await gitopsProject({ adapter: 'istio', config: CONFIG });
    await runOk(['promote', 'fraud@1', '--yes', '--push'], { cwd: p.dir, env: at(0) });
    await killedAt(p, 'pushed', ['promote', 'fraud@2', '--force', '--reason', 'x', '--push'], 1);
    const sha = git(p.dir, 'rev-parse', 'HEAD');
    writeFileSync(
      join(p.dir, 'mlctl.yaml'),
      readFileSync(join(p.dir, 'mlctl.yaml'), 'utf8').replaceAll('quick', 'slow'),
    );
    const r = await run(['rollout', 'status', 'fraud'], { cwd: p.dir, env: at(2) });
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toMatch(
      new RegExp(
        `^mlctl: ${sha.slice(0, 10)} \\(start fraud@2 shadow-50 \\(step [0-9a-f]{12}\\)\\) was committed and pushed by mlctl but not recorded in the registry, and cannot be adopted: its plan quick is not in mlctl.yaml; revert it \\(git revert ${sha.slice(0, 10)}, then git push origin HEAD\\) and run the command again$`,
      ),
    );
    git(p.dir, 'revert', '--no-edit', sha);
    git(p.dir, 'push', '-q', 'origin', 'HEAD');
    const again = await run(['rollout', 'status', 'fraud', '--json'], { cwd: p.dir, env: at(3) });
    expect(again.code, again.stderr).toBe(0);
    expect(json(again.stdout).warnings[0]).toMatch(
      /^start fraud@2 shadow-50 .* was interrupted: its commit [0-9a-f]{10} was reverted/,
    );
    expect(existsSync(join(p.dir, JOURNAL))).toBe(false);
    expect(
      json((await run(['rollout', 'status', 'fraud', '--json'], { cwd: p.dir, env: at(4) })).stdout).warnings,
    ).toEqual([]);
  });
});
