import { describe, expect, it } from 'vitest';
import { run, runOk, tempProject, withRegistry, writeModel } from '../support/helpers.js';
import { gitopsProject } from '../support/gitops-project.js';

/*
 * Issue 20.5 / ADR 26: clocks set behind and ahead (MLCTL_NOW). Times out of order are said loudly
 * (stderr and --json warnings), a bake time is never ended by a clock jump alone, and `audit
 * champion --at` follows the chain's order.
 */

const json = (s: string) => JSON.parse(s);
const T0 = Date.parse('2026-11-23T10:00:00Z');
const at = (minutes: number) => ({ MLCTL_NOW: new Date(T0 + minutes * 60_000).toISOString() });
const iso = (minutes: number) => at(minutes).MLCTL_NOW;
const CONFIG = `serving:
  fraud: { adapter: istio, files: [deploy/fraud.yaml], plan: quick }
rollout:
  plans:
    quick:
      - { stage: canary, weight: 10, minDuration: 30m }
      - { stage: full }
`;

async function rolling(startMinute: number) {
  const p = await gitopsProject({ adapter: 'istio', config: CONFIG });
  await runOk(['promote', 'fraud@1', '--yes'], { cwd: p.dir, env: at(0) });
  await runOk(['promote', 'fraud@2', '--force', '--reason', 'clock test'], { cwd: p.dir, env: at(startMinute) });
  return p;
}

describe('clocks behind and ahead', () => {
  it('a clock behind the registry: every rollout command warns (--json too), and the stage it enters starts at the chain, not in the past', async () => {
    const p = await gitopsProject({ adapter: 'istio', config: CONFIG });
    await runOk(['promote', 'fraud@1', '--yes'], { cwd: p.dir, env: at(60) });
    const behind = await run(['promote', 'fraud@2', '--force', '--reason', 'x', '--json'], { cwd: p.dir, env: at(0) });
    expect(behind.code, behind.stderr).toBe(0);
    expect(json(behind.stdout).warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^this machine's clock \\(${iso(0)}\\) is 1h behind the registry's last event \\(#\\d+ at ${iso(60)}\\): events recorded now would be out of order; set this machine's clock right \\(NTP\\)$`,
        ),
      ),
      'rollout started without a passing gate run (override recorded): x',
    ]);
    const [row] = await withRegistry(p.dir, (r) => r.rollouts({ model: 'fraud' }));
    // The stage starts no earlier than the chain's last event: a clock behind cannot shorten its bake time.
    expect(row!.stepStartedAt).toBe(iso(60));
    // Seen from this clock, that stage starts 59 minutes from now: said too.
    const status = await run(['rollout', 'status'], { cwd: p.dir, env: at(1) });
    expect(status.stderr).toMatch(
      /^warning: the canary 10% stage of fraud started at .*, 59m ahead of this machine's clock/,
    );
    // The rollout's events carry the clock as read; the chain keeps their true order.
    const events = await withRegistry(p.dir, (r) => r.events({ model: 'fraud', action: 'rollout.start' }));
    expect(events[0]!.at).toBe(iso(0));
  });

  it('a stage that starts in the future of this clock is flagged, and its bake time counts from that start', async () => {
    const p = await rolling(120); // started by a machine whose clock ran 2 h ahead
    const s = await run(['rollout', 'status', '--json'], { cwd: p.dir, env: at(5) });
    expect(json(s.stdout).warnings).toContain(
      `the canary 10% stage of fraud started at ${iso(120)}, 1h55m ahead of this machine's clock (${iso(5)}): one of the clocks is wrong; its bake time counts from ${iso(120)}`,
    );
    const early = await run(['promote', 'fraud@2', '--json'], { cwd: p.dir, env: at(40) });
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/needs 30m before the next stage; 1h50m left/);
  });

  it('a clock jumped ahead alone never ends a bake time; a look recorded since (a later command) does', async () => {
    const p = await rolling(1);
    // A day ahead, right after the start: only this clock says the 30 minutes have passed.
    const jump = await run(['promote', 'fraud@2', '--yes'], { cwd: p.dir, env: at(24 * 60) });
    expect(jump.code).toBe(5);
    expect(jump.stderr.trim()).toBe(
      `mlctl: fraud: canary 10%: this machine's clock says its 30m bake time has passed, but nothing recorded since ${iso(1)} confirms it (a clock jump alone never ends a bake time); this look is recorded now — run the command again, or override with --force --reason "…"`,
    );
    const looks = await withRegistry(p.dir, (r) => r.events({ action: 'rollout.look' }));
    expect(looks.map((e) => e.at)).toEqual([iso(24 * 60)]);
    expect(json((await run(['rollout', 'status', '--json'], { cwd: p.dir, env: at(2) })).stdout).data[0].stage).toBe(
      'canary 10%',
    );
    // With a correct clock, the bake time is not served.
    expect((await run(['promote', 'fraud@2', '--yes'], { cwd: p.dir, env: at(3) })).code).toBe(1);
    // Time really passes; a look after the bake time (not the future-dated one) confirms it for the next command.
    await runOk(['rollout', 'status'], { cwd: p.dir, env: at(32) });
    expect((await withRegistry(p.dir, (r) => r.events({ action: 'rollout.look' }))).map((e) => e.at)).toEqual([
      iso(32),
      iso(24 * 60),
    ]);
    const ok = await run(['promote', 'fraud@2', '--yes', '--json'], { cwd: p.dir, env: at(33) });
    expect(ok.code, ok.stderr).toBe(0);
    expect(json(ok.stdout).data).toMatchObject({ action: 'complete', champion: 'fraud@2' });
  });

  it('audit champion --at follows the chain order, and says which changes are dated out of order', async () => {
    const dir = await tempProject();
    writeModel(dir, 'm1', { 'w.bin': '1' });
    writeModel(dir, 'm2', { 'w.bin': '2' });
    await runOk(['register', 'fraud', 'm1'], { cwd: dir, env: at(0) });
    await runOk(['register', 'fraud', 'm2'], { cwd: dir, env: at(0) });
    await runOk(['promote', 'fraud@1', '--yes'], { cwd: dir, env: at(60) });
    // Promoted after fraud@1, by a machine whose clock is behind: dated 09:00, before fraud@1's 11:00.
    const late = await run(['promote', 'fraud@2', '--yes', '--force', '--reason', 'x'], { cwd: dir, env: at(-60) });
    expect(late.code, late.stderr).toBe(0);
    const q = async (m: number) =>
      json((await run(['audit', 'champion', 'fraud', '--at', iso(m), '--json'], { cwd: dir })).stdout);
    // By timestamps alone 09:30 would answer fraud@2, promoted after fraud@1 in fact.
    const early = await q(-30);
    expect(early.data).toMatchObject({ version: null });
    expect(early.warnings).toEqual([
      expect.stringMatching(
        /^event #\d+ \(fraud@2 champion, by tester@example.com\) is dated 2026-11-23T09:00:00.000Z, before #\d+ at 2026-11-23T11:00:00.000Z which it followed: a clock was wrong; answers follow the chain's order$/,
      ),
    ]);
    expect((await q(90)).data).toMatchObject({ version: 2 });
  });
});
