import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, runOk, tempProject, writeJson, writeModel } from '../support/helpers.js';
import { writePredictions } from '../support/predictions.js';

/** Issue 11.14: every input has a size limit, checked before reading and overridable; parsing is linear. */
describe('input size limits (11.14)', () => {
  it('a document over MLCTL_MAX_DOCUMENT_SIZE is refused before reading, naming the variable', async () => {
    const dir = await tempProject();
    writeModel(dir, 'model', { 'w.bin': 'w' });
    const metrics: Record<string, number> = {};
    for (let i = 0; i < 100; i++) metrics[`m${i}`] = i / 100;
    writeJson(dir, 'm.json', metrics);
    const r = await run(['register', 'fraud', 'model', '--metrics', 'm.json'], {
      cwd: dir,
      env: { MLCTL_MAX_DOCUMENT_SIZE: '1KiB' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(
      /^mlctl: m\.json: \d\.\d+ KiB is over the 1\.00 KiB limit for YAML, JSON and text inputs; if the file is right, raise it with MLCTL_MAX_DOCUMENT_SIZE=\d+MiB$/,
    );
    expect((await run(['show', 'fraud@1'], { cwd: dir })).code).toBe(2);
    // The same file under the default limit is fine.
    await runOk(['register', 'fraud', 'model', '--metrics', 'm.json'], { cwd: dir });
  });

  it('a predictions table over MLCTL_MAX_TABLE_SIZE is refused; a malformed limit is exit 2', async () => {
    const dir = await tempProject();
    writeFileSync(join(dir, 'gates.yaml'), 'gates:\n  - { id: floor, metric: auc, min: 0.5 }\n');
    writeModel(dir, 'model', { 'w.bin': 'w' });
    await runOk(['register', 'fraud', 'model'], { cwd: dir });
    const p = writePredictions(dir);
    const r = await run(['gate', 'fraud@1', '--predictions', p.cand], {
      cwd: dir,
      env: { MLCTL_MAX_TABLE_SIZE: '4KiB' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /cand\.csv: .* is over the 4\.00 KiB limit for prediction and data tables; .*MLCTL_MAX_TABLE_SIZE=/,
    );
    const bad = await run(['show', 'fraud@1'], { cwd: dir, env: { MLCTL_MAX_TABLE_SIZE: 'lots' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe(
      'mlctl: MLCTL_MAX_TABLE_SIZE: "lots" is not a size; write e.g. 64MiB, 2GiB or a number of bytes',
    );
  });
});

describe('metrics parsing is linear (11.14)', () => {
  // 200k keys took more than 11 minutes before (a line lookup per key); the test's time-out bounds it.
  it('registers 200,000 metrics from one file', { timeout: 120_000 }, async () => {
    const dir = await tempProject();
    writeModel(dir, 'model', { 'w.bin': 'w' });
    const metrics: Record<string, number> = {};
    for (let i = 0; i < 200_000; i++) metrics[`metric_${i}`] = (i % 1000) / 1000;
    writeJson(dir, 'm.json', { metrics });
    const r = await run(['register', 'fraud', 'model', '--metrics', 'm.json', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const shown = await runOk(['show', 'fraud@1', '--json'], { cwd: dir });
    expect(JSON.parse(shown.stdout).data.metrics).toHaveLength(200_000);
  });
});
