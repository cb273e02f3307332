import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, runOk, tempProject, writeModel } from '../support/helpers.js';
import { writePredictions } from '../support/predictions.js';

/** Issue 11.16: inputs that were accepted without a word, each refused with one line (file, line, what to do). */
async function project() {
  const dir = await tempProject();
  writeModel(dir, 'model', { 'w.bin': 'w' });
  return dir;
}
async function registerWith(dir: string, file: string, text: string, flag = '--metrics') {
  writeFileSync(join(dir, file), text);
  return run(['register', 'fraud', 'model', flag, file], { cwd: dir });
}
async function nothingRegistered(dir: string) {
  expect((await run(['show', 'fraud@1'], { cwd: dir })).code).toBe(2);
}

describe('metrics files (11.16)', () => {
  it('a duplicate key is refused, naming the key and both lines', async () => {
    const dir = await project();
    const r = await registerWith(dir, 'm.json', '{\n  "auc": 0.91,\n  "f1": 0.5,\n  "auc": 0.42\n}\n');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'mlctl: m.json: duplicate key "auc" (line 4; first on line 2); JSON readers keep only one of them, so remove the other',
    );
    const nested = await registerWith(
      dir,
      'n.json',
      '{"metrics": {"auc": 0.9},\n "slices": {"country=US": {"auc": 0.8,\n   "auc": 0.7}}}\n',
    );
    expect(nested.code).toBe(2);
    expect(nested.stderr).toMatch(/n\.json: duplicate key "auc" in slices\.country=US \(line 3; first on line 2\)/);
    await nothingRegistered(dir);
  });

  it('an unknown top-level key of the wrapped form is refused', async () => {
    const dir = await project();
    const r = await registerWith(dir, 'm.json', '{\n  "metrics": {"auc": 0.9},\n  "datset": {"name": "holdout"}\n}\n');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'mlctl: m.json: unknown key "datset" (line 3); the wrapped form has only "dataset", "metrics" and "slices"',
    );
    await nothingRegistered(dir);
  });

  for (const name of ['__proto__', 'constructor', 'prototype']) {
    it(`${name} is not a metric name (nor a slice name)`, async () => {
      const dir = await project();
      const r = await registerWith(dir, 'm.json', `{\n  "auc": 0.9,\n  "${name}": 0.5\n}\n`);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe(
        `mlctl: m.json: ${JSON.stringify(name)} is reserved and cannot name a metric (line 3); rename it`,
      );
      const s = await registerWith(dir, 's.json', `{"metrics": {"auc": 0.9}, "slices": {"${name}": {"auc": 1}}}`);
      expect(s.code).toBe(2);
      expect(s.stderr).toMatch(/is reserved and cannot name a slice/);
      await nothingRegistered(dir);
    });
  }
});

describe('YAML configs with .nan or .inf (11.16)', () => {
  for (const [value, word] of [
    ['.nan', 'NaN'],
    ['.inf', 'Infinity'],
    ['-.Inf', '-Infinity'],
  ] as const) {
    it(`${value} is refused, not stored as null`, async () => {
      const dir = await project();
      const r = await registerWith(dir, 'train.yaml', `lr: 0.1\nclip: ${value}\n`, '--config');
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe(
        `mlctl: train.yaml: clip is ${word}, which JSON cannot hold (line 2); write a number, or the value as a string ("${value}")`,
      );
      await nothingRegistered(dir);
    });
  }
});

describe('gate policies (11.16)', () => {
  it('min_improvement above max_improvement is a lint error: the gate could never pass', async () => {
    const dir = await project();
    writeFileSync(
      join(dir, 'gates.yaml'),
      'gates:\n  - id: auc-up\n    metric: auc\n    min_improvement: { absolute: 0.05 }\n    max_improvement: { absolute: 0.02 }\n',
    );
    const r = await run(['gate', 'lint'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toMatch(
      /gates\.yaml:4: gates\[0\]\.min_improvement\.absolute: min_improvement 0\.05 is above max_improvement 0\.02: no candidate could pass/,
    );
  });
});

describe('tags (11.16)', () => {
  it('the same key twice is refused, naming it', async () => {
    const dir = await project();
    const r = await run(['register', 'fraud', 'model', '--tag', 'team=a', '--tag', 'team=b'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('mlctl: tag "team" given twice (team=a, team=b); give each key once');
    await nothingRegistered(dir);
    await runOk(['register', 'fraud', 'model'], { cwd: dir });
    const t = await run(['tag', 'fraud@1', 'team=a', 'team=b'], { cwd: dir });
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/tag "team" given twice/);
  });
});

describe('prediction scores outside [0, 1] (11.16)', () => {
  it('refused, naming the file and row, when log_loss or brier is gated; fine for auc alone', async () => {
    const dir = await project();
    await runOk(['register', 'fraud', 'model'], { cwd: dir });
    // Margins, not probabilities: the second row's score is below 0.
    const p = writePredictions(dir);
    const rows = readFileSync(join(dir, p.cand), 'utf8').trim().split('\n').slice(1);
    const margins = rows.map((l, i) => {
      const [id, label, score] = l.split(',');
      return `${id},${label},${i === 1 ? -1.5 : 4 * Number(score) - 2}`;
    });
    writeFileSync(join(dir, 'margin.csv'), `id,label,score\n${margins.join('\n')}\n`);
    writeFileSync(join(dir, 'gates.yaml'), 'gates:\n  - { id: ll, metric: log_loss, max: 0.7 }\n');
    const r = await run(['gate', 'fraud@1', '--predictions', 'margin.csv'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'mlctl: margin.csv: row 2 (id "r1") has score -1.5, outside [0, 1]; log_loss needs probabilities (calibrate the scores, or gate on auc)',
    );
    writeFileSync(join(dir, 'gates.yaml'), 'gates:\n  - { id: auc, metric: auc, min: 0.1 }\n');
    const ok = await run(['gate', 'fraud@1', '--predictions', 'margin.csv'], { cwd: dir });
    expect(ok.code, ok.stderr).toBe(0);
  });
});
