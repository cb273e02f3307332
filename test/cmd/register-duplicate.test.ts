import { describe, expect, it } from 'vitest';
import { run, runOk, tempProject, writeJson, writeModel } from '../support/helpers.js';

/**
 * Issue 11.17: registering content already registered returns the existing version; what came with
 * the new call (metrics, tags, description, …) is not recorded, and mlctl says so and how to record it.
 */
describe('re-registering identical content (11.17)', () => {
  it('warns, in --json too, naming what was dropped and how to record it', async () => {
    const dir = await tempProject();
    writeModel(dir, 'model', { 'w.bin': 'w' });
    writeJson(dir, 'm.json', { auc: 0.91, f1: 0.5 });
    await runOk(['register', 'fraud', 'model', '--tag', 'team=a'], { cwd: dir });
    const r = await run(
      [
        'register',
        'fraud',
        'model',
        '--metrics',
        'm.json',
        '--tag',
        'team=a',
        '--tag',
        'owner=ml',
        '--description',
        'retrained',
        '--json',
      ],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    const env = JSON.parse(r.stdout);
    expect(env.data).toMatchObject({ ref: 'fraud@1', created: false, dropped: ['metrics', 'tags', 'description'] });
    expect(env.warnings).toContain(
      'fraud@1 already holds this content, so these were not recorded: 2 metric(s) from m.json, tag owner=ml, the description; add tags with: mlctl tag fraud@1 owner=ml — or register a new version with --allow-duplicate',
    );
    // Nothing was recorded on fraud@1.
    const shown = JSON.parse((await runOk(['show', 'fraud@1', '--json'], { cwd: dir })).stdout).data;
    expect(shown).toMatchObject({ tags: { team: 'a' }, metrics: [], description: null });
    // The human form says it on stderr.
    const human = await run(['register', 'fraud', 'model', '--description', 'again'], { cwd: dir });
    expect(human.code).toBe(0);
    expect(human.stderr).toMatch(/fraud@1 already holds this content, so these were not recorded: the description; /);
  });

  it('says nothing more when the call brings nothing new', async () => {
    const dir = await tempProject();
    writeModel(dir, 'model', { 'w.bin': 'w' });
    await runOk(['register', 'fraud', 'model', '--tag', 'team=a'], { cwd: dir });
    const r = await run(['register', 'fraud', 'model', '--tag', 'team=a', '--json'], { cwd: dir });
    const env = JSON.parse(r.stdout);
    expect(env.data.dropped).toEqual([]);
    expect(env.warnings.join('\n')).not.toMatch(/not recorded/);
  });
});
