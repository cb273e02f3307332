import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, runOk, tempProject, writeJson, writeModel } from '../support/helpers.js';

/** Issue 11.12: a policy without gates, or a gate run that evaluated nothing, never lets a candidate through. */
async function project(policy: string) {
  const dir = await tempProject();
  writeFileSync(join(dir, 'gates.yaml'), policy);
  writeModel(dir, 'm1', { 'w.bin': '1' });
  writeModel(dir, 'm2', { 'w.bin': '2' });
  writeJson(dir, 'm.json', { dataset: { sha256: 'a'.repeat(64) }, metrics: { auc: 0.9 } });
  await runOk(['register', 'fraud', 'm1', '--metrics', 'm.json'], { cwd: dir });
  await runOk(['register', 'fraud', 'm2', '--metrics', 'm.json'], { cwd: dir });
  await runOk(['promote', 'fraud@1', '--yes'], { cwd: dir });
  return dir;
}

describe('a policy with no gates (11.12)', () => {
  for (const [name, policy] of [
    ['an empty file', ''],
    ['gates: []', 'gates: []\n'],
    ['only metrics declared', 'metrics:\n  auc: { direction: higher }\n'],
  ] as const) {
    it(`${name}: gate lint, gate and promote exit 2 naming the file`, async () => {
      const dir = await project('gates:\n  - { id: floor, metric: auc, min: 0.5 }\n');
      writeFileSync(join(dir, 'gates.yaml'), policy);
      for (const args of [
        ['gate', 'lint'],
        ['gate', 'fraud@2'],
        ['promote', 'fraud@2', '--yes'],
      ]) {
        const r = await run(args, { cwd: dir });
        expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(2);
        expect(r.stdout + r.stderr).toMatch(/gates\.yaml.*no gates/);
      }
    });
  }
});

describe('a gate run that evaluated no check (11.12)', () => {
  it('is inconclusive, not passing, and never satisfies promote', async () => {
    // f1 is neither registered nor required: its only check is skipped.
    const dir = await project('gates:\n  - { id: f1-floor, metric: f1, min: 0.5 }\n');
    const r = await run(['gate', 'fraud@2', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(5);
    const rep = JSON.parse(r.stdout).data;
    expect(rep.verdict).toBe('inconclusive');
    expect(rep.checks.find((c: { id: string }) => c.id === 'evaluated')).toMatchObject({
      verdict: 'inconclusive',
      message: expect.stringMatching(/no check was evaluated/),
    });
    const p = await run(['promote', 'fraud@2', '--yes'], { cwd: dir });
    expect(p.code).toBe(1);
    expect(p.stderr).toMatch(/no passing gate run/);
  });
});
