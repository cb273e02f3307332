import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, runOk, tempProject, writeJson, writeModel } from '../support/helpers.js';
import { fmtP, pText } from '../../src/core/gates/checks.js';

/** Issue 11.18: messages that misled, each now saying what is really wrong. */
async function project() {
  const dir = await tempProject();
  writeModel(dir, 'model', { 'w.bin': 'w' });
  writeModel(dir, 'm2', { 'w.bin': 'two' });
  return dir;
}
const err = (r: { stderr: string }) => r.stderr.trim();

describe('metrics files (11.18)', () => {
  it('a UTF-8 byte-order mark is not content: the file is read', async () => {
    const dir = await project();
    writeFileSync(join(dir, 'm.json'), '\ufeff{"auc": 0.91}\n');
    const r = await run(['register', 'fraud', 'model', '--metrics', 'm.json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
  });

  it('1e999 is "not a finite number", not "got null"', async () => {
    const dir = await project();
    writeFileSync(join(dir, 'm.json'), '{\n  "auc": 1e999\n}\n');
    const r = await run(['register', 'fraud', 'model', '--metrics', 'm.json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(err(r)).toBe(
      'mlctl: m.json: "auc" is not a finite number: 1e999 is too large for a number (line 2); write a finite value',
    );
  });

  it('a bad value in a slice names the slice', async () => {
    const dir = await project();
    writeFileSync(join(dir, 'm.json'), '{"metrics": {"auc": 0.9},\n "slices": {"country=US": {"auc": "high"}}}\n');
    const r = await run(['register', 'fraud', 'model', '--metrics', 'm.json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(err(r)).toBe('mlctl: m.json: "auc" in slice "country=US" must be a finite number, got "high" (line 2)');
  });
});

describe('predictions (11.18)', () => {
  it('an empty id is "empty id at row N", not a duplicate of ""', async () => {
    const dir = await project();
    await runOk(['register', 'fraud', 'model'], { cwd: dir });
    writeFileSync(join(dir, 'gates.yaml'), 'gates:\n  - { id: auc, metric: auc, min: 0.1 }\n');
    writeFileSync(join(dir, 'p.csv'), 'id,label,score\na,1,0.9\n,0,0.2\nc,1,0.7\n,0,0.1\n');
    const r = await run(['gate', 'fraud@1', '--predictions', 'p.csv'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(err(r)).toBe('mlctl: p.csv:3: empty id at row 2; every row needs an id');
  });
});

describe('refs and the registry setting (11.18)', () => {
  it('a version number too large is said so, not "versions start at 1"', async () => {
    const dir = await project();
    const r = await run(['show', 'fraud@99999999999999999999'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(err(r)).toBe(
      'mlctl: invalid ref "fraud@99999999999999999999": the version number is too large (at most 9007199254740991)',
    );
  });

  it('registry: pointing at a folder says it is a folder', async () => {
    const dir = await project();
    mkdirSync(join(dir, 'regdir'));
    writeFileSync(join(dir, 'mlctl.yaml'), 'registry: regdir\n');
    const r = await run(['list'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(err(r)).toBe(
      `mlctl: mlctl.yaml: registry: ${join(dir, 'regdir')} is a folder, not a registry file; point it at a file, e.g. regdir/registry.db`,
    );
  });

  it('rollback with no champion says the model has no champion yet', async () => {
    const dir = await project();
    await runOk(['register', 'fraud', 'model'], { cwd: dir });
    const r = await run(['rollback', 'fraud', '--yes'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(err(r)).toBe(
      'mlctl: fraud has no champion yet, so there is nothing to roll back; promote a version first (mlctl promote fraud@<version>)',
    );
    const show = await run(['show', 'fraud@champion'], { cwd: dir });
    expect(err(show)).toBe('mlctl: fraud has no champion yet; promote a version first (mlctl promote fraud@<version>)');
  });
});

describe('gate (11.18)', () => {
  it('both sides without a dataset: one correct sentence', async () => {
    const dir = await project();
    writeJson(dir, 'm.json', { auc: 0.9 });
    await runOk(['register', 'fraud', 'model', '--metrics', 'm.json'], { cwd: dir });
    await runOk(['register', 'fraud', 'm2', '--metrics', 'm.json'], { cwd: dir });
    writeFileSync(join(dir, 'gates.yaml'), 'gates:\n  - { id: ni, metric: auc, max_regression: { absolute: 0.01 } }\n');
    const r = await run(['gate', 'fraud@2', '--against', 'fraud@1'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(err(r)).toBe(
      "mlctl: neither the candidate's nor the baseline's registered metrics name the dataset they were computed on, so they cannot be compared; give dataset.sha256 in the metrics files, or evaluate both on the same holdout: mlctl gate --eval (or --predictions/--baseline-predictions)",
    );
  });

  it('a p-value that underflows is said as "p < 1e-300" (the text both the gate check and its renderer use)', () => {
    expect(pText(0)).toBe('p < 1e-300');
    expect(pText(1e-320)).toBe('p < 1e-300');
    expect(pText(0.0312)).toBe('p = 0.0312');
    expect(fmtP(2e-7)).toBe('2.00e−7');
  });
});
