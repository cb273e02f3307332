import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, tempProject, writeJson, writeModel, runOk, withRegistry } from '../support/helpers.js';
import type { GateRunRecord } from '../../src/ports/registry.js';
import { writePredictions } from '../support/predictions.js';

const POLICY = `metrics:
  auc: { direction: higher, required: true }
gates:
  - id: auc-floor
    metric: auc
    min: 0.70
  - id: auc-noninferior
    metric: auc
    max_regression: { absolute: 0.005, relative: 0.01 }
    significance: { test: delong, alpha: 0.05, margin: 0.005 }
  - id: accuracy-not-worse
    metric: accuracy
    significance: { test: mcnemar, variant: exact, alpha: 0.05 }
    severity: warn
baseline: { if_missing: absolute_only }
`;

async function setup(policy = POLICY) {
  const dir = await tempProject();
  writeFileSync(join(dir, 'gates.yaml'), policy);
  writeModel(dir, 'm1', { 'w.bin': 'one' });
  writeModel(dir, 'm2', { 'w.bin': 'two' });
  await runOk(['register', 'fraud', 'm1'], { cwd: dir });
  await runOk(['register', 'fraud', 'm2'], { cwd: dir });
  return dir;
}
const json = (s: string) => JSON.parse(s);
/** Every recorded gate run, read through the Registry port. */
const gateRuns = (dir: string) =>
  withRegistry(dir, async (reg) => {
    const runs: GateRunRecord[] = [];
    for (const m of await reg.listModels())
      for (const n of await reg.versionNumbers(m.name))
        runs.push(...(await reg.gateRuns((await reg.getVersion(m.name, n))!.id)));
    return runs;
  });

describe('mlctl gate with prediction files', () => {
  it('passes a better candidate, records the run bound to its inputs and marks it validated', async () => {
    const dir = await setup();
    const p = writePredictions(dir, { shift: 0.25 });
    const r = await run(
      ['gate', 'fraud@2', '--against', 'fraud@1', '--predictions', p.cand, '--baseline-predictions', p.base, '--json'],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    const rep = json(r.stdout).data;
    expect(rep).toMatchObject({
      verdict: 'pass',
      candidate: { ref: 'fraud@2' },
      baseline: { ref: 'fraud@1' },
      dataset: { source: 'predictions', rows: 600 },
    });
    const delong = rep.checks.find((c: { id: string }) => c.id === 'auc-noninferior:delong');
    expect(delong).toMatchObject({ verdict: 'pass', test: 'delong' });
    expect(delong.p_value).toBeLessThan(0.05);
    expect(delong.ci).toHaveLength(2);
    expect(typeof delong.statistic).toBe('number');
    const floor = rep.checks.find((c: { id: string }) => c.id === 'auc-floor');
    expect(floor.inequality).toMatch(/^auc: 0\.\d{4} ≥ 0\.7000 ✓$/);
    const runs = await gateRuns(dir);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      verdict: 'pass',
      source: 'predictions',
      policyDigest: rep.policy.digest,
      datasetDigest: rep.dataset.digest,
    });
    expect(runs[0]!.candidateManifest).toBe(
      json((await run(['show', 'fraud@2', '--json'], { cwd: dir })).stdout).data.manifestDigest,
    );
    expect(json((await run(['show', 'fraud@2', '--json'], { cwd: dir })).stdout).data.status).toBe('validated');
  });

  it('fails a worse candidate with exit 1 and says which inequality failed', async () => {
    const dir = await setup();
    const p = writePredictions(dir, { shift: -0.4 });
    const r = await run(
      ['gate', 'fraud@2', '--against', 'fraud@1', '--predictions', p.cand, '--baseline-predictions', p.base],
      { cwd: dir },
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^gate FAILED: fraud@2 against fraud@1/);
    expect(r.stdout).toMatch(/FAIL\s+auc-noninferior\s+auc: 0\.\d{4} − 0\.\d{4} = −0\.\d{4} ≥ −0\.0050 ✗/);
    expect(r.stderr).toMatch(/gate failed: \d+ check\(s\) failed for fraud@2/);
    expect((await gateRuns(dir))[0]).toMatchObject({ verdict: 'fail' });
    expect(json((await run(['show', 'fraud@2', '--json'], { cwd: dir })).stdout).data.status).toBe('registered');
  });

  it('is inconclusive (exit 5) when there are too few rows to decide', async () => {
    const dir = await setup();
    writeFileSync(join(dir, 'c.csv'), 'id,label,score\na,1,0.9\nb,0,0.2\nc,0,0.3\n');
    writeFileSync(join(dir, 'b.csv'), 'id,label,score\na,1,0.8\nb,0,0.4\nc,0,0.1\n');
    writeFileSync(
      join(dir, 'gates.yaml'),
      'gates:\n  - id: auc-ni\n    metric: auc\n    significance: { test: delong, margin: 0.01 }\n',
    );
    const r = await run(
      [
        'gate',
        'fraud@2',
        '--against',
        'fraud@1',
        '--predictions',
        'c.csv',
        '--baseline-predictions',
        'b.csv',
        '--json',
      ],
      { cwd: dir },
    );
    expect(r.code).toBe(5);
    const rep = json(r.stdout);
    expect(rep).toMatchObject({ ok: false, data: { verdict: 'inconclusive' }, errors: [{ kind: 'inconclusive' }] });
    expect(rep.data.checks[0].message).toMatch(/at least 2 positives and 2 negatives/);
  });

  it('a superiority gate needs a significant improvement', async () => {
    const dir = await setup(
      'gates:\n  - id: better\n    metric: auc\n    min_improvement: { absolute: 0 }\n    significance: { test: paired_bootstrap, resamples: 300, seed: 1 }\n',
    );
    const p = writePredictions(dir, { shift: 0.01 });
    const r = await run(
      ['gate', 'fraud@2', '--against', 'fraud@1', '--predictions', p.cand, '--baseline-predictions', p.base, '--json'],
      { cwd: dir },
    );
    const sig = json(r.stdout).data.checks.find((c: { kind: string }) => c.kind === 'significance');
    expect(['inconclusive', 'fail']).toContain(sig.verdict);
    expect([1, 5]).toContain(r.code);
  });

  it('applies gates to slices with Holm correction and enforces required slices', async () => {
    const policy = `gates:
  - id: auc-ni
    metric: auc
    max_regression: { absolute: 0.05 }
    significance: { test: delong, margin: 0.05 }
    slices: all
slices:
  - { name: us, where: { country: US }, min_rows: 10 }
  - { name: de, where: { country: [DE] }, min_rows: 10000, below_min_rows: warn }
  - { name: jp, where: { country: JP }, required: true }
`;
    const dir = await setup(policy);
    const p = writePredictions(dir, { shift: 0.3, n: 800 });
    const r = await run(
      ['gate', 'fraud@2', '--against', 'fraud@1', '--predictions', p.cand, '--baseline-predictions', p.base, '--json'],
      { cwd: dir },
    );
    const checks = json(r.stdout).data.checks as Array<Record<string, any>>;
    const us = checks.find((c) => c.id === 'auc-ni[us]:delong')!;
    expect(us.p_value_raw).toBeLessThanOrEqual(us.p_value);
    expect(checks.find((c) => c.id === 'slice:de')).toMatchObject({ verdict: 'warn', kind: 'slice_rows' });
    expect(checks.find((c) => c.id === 'slice:jp')).toMatchObject({
      verdict: 'fail',
      message: 'required slice jp has no rows in the evaluation data',
    });
    expect(r.code).toBe(1);
  });
});

describe('mlctl gate with registered metrics', () => {
  it('compares like with like, and refuses metrics from different datasets', async () => {
    const dir = await tempProject();
    writeFileSync(
      join(dir, 'gates.yaml'),
      'gates:\n  - id: auc-ni\n    metric: auc\n    max_regression: { absolute: 0.01 }\n',
    );
    writeModel(dir, 'm1', { 'w.bin': '1' });
    writeModel(dir, 'm2', { 'w.bin': '2' });
    writeModel(dir, 'm3', { 'w.bin': '3' });
    writeJson(dir, 'a.json', { dataset: { sha256: 'a'.repeat(64) }, metrics: { auc: 0.9 } });
    writeJson(dir, 'b.json', { dataset: { sha256: 'a'.repeat(64) }, metrics: { auc: 0.895 } });
    writeJson(dir, 'c.json', { dataset: { sha256: 'b'.repeat(64) }, metrics: { auc: 0.95 } });
    await runOk(['register', 'fraud', 'm1', '--metrics', 'a.json'], { cwd: dir });
    await runOk(['register', 'fraud', 'm2', '--metrics', 'b.json'], { cwd: dir });
    await runOk(['register', 'fraud', 'm3', '--metrics', 'c.json'], { cwd: dir });
    const ok = await run(['gate', 'fraud@2', '--against', 'fraud@1'], { cwd: dir });
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/auc: 0\.8950 − 0\.9000 = −0\.0050 ≥ −0\.0100 ✓/);
    const bad = await run(['gate', 'fraud@3', '--against', 'fraud@1'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe(
      `mlctl: candidate metrics were computed on sha256:bbbbbbbbbbbb… but the baseline's on sha256:aaaaaaaaaaaa…; evaluate both on the same holdout: mlctl gate --eval (or --predictions/--baseline-predictions)`,
    );
  });

  it('with no champion: absolute thresholds only and reported, or fail by policy', async () => {
    const dir = await tempProject();
    writeModel(dir, 'm1', { 'w.bin': '1' });
    writeJson(dir, 'a.json', { metrics: { auc: 0.9 } });
    await runOk(['register', 'fraud', 'm1', '--metrics', 'a.json'], { cwd: dir });
    writeFileSync(
      join(dir, 'gates.yaml'),
      'gates:\n  - { id: floor, metric: auc, min: 0.8 }\n  - { id: ni, metric: auc, max_regression: { absolute: 0.01 } }\n',
    );
    const r = await run(['gate', 'fraud@1', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    const checks = json(r.stdout).data.checks;
    expect(checks[0]).toMatchObject({
      id: 'baseline',
      verdict: 'warn',
      message: 'no champion yet: absolute thresholds only (baseline.if_missing: absolute_only)',
    });
    expect(checks.find((c: { id: string }) => c.id === 'ni')).toMatchObject({ verdict: 'skip' });
    writeFileSync(
      join(dir, 'gates.yaml'),
      'gates:\n  - { id: floor, metric: auc, min: 0.8 }\nbaseline: { if_missing: fail }\n',
    );
    expect((await run(['gate', 'fraud@1'], { cwd: dir })).code).toBe(1);
  });
});

describe('gate outputs', () => {
  it('github: annotations pointing at the policy line, step summary and outputs', async () => {
    const dir = await setup();
    const p = writePredictions(dir, { shift: -0.4 });
    const summary = join(dir, 'summary.md');
    const outputs = join(dir, 'outputs.txt');
    writeFileSync(summary, '# existing\n');
    const r = await run(
      ['gate', 'fraud@2', '--against', 'fraud@1', '--predictions', p.cand, '--baseline-predictions', p.base],
      {
        cwd: dir,
        env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: outputs },
      },
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::group::mlctl gate fraud@2$/m);
    // max_regression is on line 9 of the policy.
    expect(r.stdout).toMatch(/^::error file=gates.yaml,line=9,title=gate auc-noninferior::auc: 0\.\d{4} − /m);
    expect(readFileSync(summary, 'utf8')).toMatch(/^# existing\n### ❌ mlctl gate failed: `fraud@2` vs `fraud@1`/);
    const out = readFileSync(outputs, 'utf8');
    expect(out).toMatch(/^verdict=fail$/m);
    expect(out).toMatch(/^candidate=fraud@2$/m);
    expect(out).toMatch(/^champion=fraud@1$/m);
    const m = /^report<<(ghadelimiter_[0-9a-f-]+)\n([\s\S]*?)\n\1$/m.exec(out);
    expect(m).not.toBeNull();
    expect(JSON.parse(m![2]!).verdict).toBe('fail');
  });

  it('junit and markdown', async () => {
    const dir = await setup();
    const p = writePredictions(dir, { shift: 0.25 });
    const args = ['gate', 'fraud@2', '--against', 'fraud@1', '--predictions', p.cand, '--baseline-predictions', p.base];
    const junit = await run([...args, '--output', 'junit', '--report', 'report.json'], { cwd: dir });
    expect(junit.stdout).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="mlctl gate" tests="\d+" failures="0"/,
    );
    expect(junit.stdout).toContain('<testcase classname="mlctl.gate.fraud@2" name="auc-noninferior:delong">');
    expect(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')).verdict).toBe('pass');
    const md = await run([...args, '--output', 'markdown'], { cwd: dir });
    expect(md.stdout).toMatch(/^### ✅ mlctl gate passed/);
    expect(md.stdout).toMatch(/\| ✅ \| `auc-floor` \| auc: 0\.\d{4} ≥ 0\.7000 ✓ \|/);
  });
});

describe('bad input: exit 2, one line, nothing recorded', () => {
  const cases: Array<[string, string | null, (d: string) => string[], RegExp]> = [
    [
      'unknown metric',
      'gates:\n  - id: x\n    metric: aucc\n    min: 0.5\n',
      () => [],
      /^mlctl: gates.yaml:3: gates\[0\].metric: unknown metric "aucc"/,
    ],
    [
      'negative margin',
      'gates:\n  - id: x\n    metric: auc\n    significance: { test: delong, margin: -0.01 }\n',
      () => [],
      /^mlctl: gates.yaml:4: gates\[0\].significance.margin: margin must be ≥ 0/,
    ],
    [
      'min > max',
      'gates:\n  - id: x\n    metric: auc\n    min: 0.9\n    max: 0.8\n',
      () => [],
      /^mlctl: gates.yaml:4: gates\[0\].min: min 0.9 is greater than max 0.8/,
    ],
    [
      'bad YAML',
      'gates:\n  - id: x\n   metric: [auc\n',
      () => [],
      /^mlctl: gates.yaml:\d: .*(YAML|indent|flow|collection)/i,
    ],
    [
      'unknown key',
      'gates:\n  - id: x\n    metric: auc\n    minimum: 0.8\n',
      () => [],
      /^mlctl: gates.yaml:4: gates\[0\].minimum: unknown key "minimum"/,
    ],
    [
      'predictions missing columns',
      null,
      (d) => (
        writeFileSync(join(d, 'c.csv'), 'id,score\na,0.1\n'),
        ['--predictions', 'c.csv', '--baseline-predictions', 'c.csv']
      ),
      /^mlctl: c.csv: missing column\(s\) label/,
    ],
    [
      'non-numeric score',
      null,
      (d) => (
        writeFileSync(join(d, 'c.csv'), 'id,label,score\na,1,0.1\nb,0,high\n'),
        ['--predictions', 'c.csv', '--baseline-predictions', 'c.csv']
      ),
      /^mlctl: c.csv:3: score must be a finite number, got "high"$/,
    ],
    [
      'duplicate id',
      null,
      (d) => (
        writeFileSync(join(d, 'c.csv'), 'id,label,score\na,1,0.1\na,0,0.2\n'),
        ['--predictions', 'c.csv', '--baseline-predictions', 'c.csv']
      ),
      /^mlctl: c.csv:3: duplicate id "a" \(first on line 2\)$/,
    ],
    [
      'labels outside 0/1',
      null,
      (d) => (
        writeFileSync(join(d, 'c.csv'), 'id,label,score\na,1,0.1\nb,2,0.2\n'),
        ['--predictions', 'c.csv', '--baseline-predictions', 'c.csv']
      ),
      /^mlctl: c.csv: id "b" has label 2; classification metrics need labels 0 or 1$/,
    ],
    [
      'mismatched ids',
      null,
      (d) => (
        writeFileSync(join(d, 'c.csv'), 'id,label,score\na,1,0.1\nb,0,0.2\n'),
        writeFileSync(join(d, 'b.csv'), 'id,label,score\na,1,0.1\nz,0,0.2\n'),
        ['--predictions', 'c.csv', '--baseline-predictions', 'b.csv']
      ),
      /^mlctl: predictions do not cover the same ids: 1 id\(s\) only in c.csv \(b\); 1 id\(s\) only in b.csv \(z\)/,
    ],
    [
      'NaN score',
      null,
      (d) => (
        writeFileSync(join(d, 'c.csv'), 'id,label,score\na,1,NaN\n'),
        ['--predictions', 'c.csv', '--baseline-predictions', 'c.csv']
      ),
      /^mlctl: c.csv:2: score must be a finite number, got "NaN"$/,
    ],
  ];
  it.each(cases)('%s', async (_n, policy, extra, message) => {
    const dir = await setup(policy ?? POLICY);
    const r = await run(
      [
        'gate',
        'fraud@2',
        '--against',
        'fraud@1',
        ...(policy ? ['--predictions', 'x.csv', '--baseline-predictions', 'x.csv'] : []),
        ...extra(dir),
      ],
      { cwd: dir },
    );
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(message);
    expect(await gateRuns(dir)).toHaveLength(0);
  });

  it('gate lint lists every problem with file:line and exits 2', async () => {
    const dir = await setup(
      'gates:\n  - id: a\n    metric: aucc\n    min: 1\n  - id: b\n    metric: auc\n    min: 0.9\n    max: 0.1\n',
    );
    const r = await run(['gate', 'lint'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe(
      'gates.yaml:3: gates[0].metric: unknown metric "aucc"; use one of accuracy, precision, recall, f1, auc, log_loss, brier, rmse, mae, or declare it under metrics: with a direction\ngates.yaml:7: gates[1].min: min 0.9 is greater than max 0.1\n',
    );
    expect((await run(['gate', 'lint', '--policy', 'gates.yaml'], { cwd: await setup() })).code).toBe(0);
  });
});

describe('gate --eval runs the configured evaluation command', () => {
  const script = `
const fs = require('fs');
const [,, modelDir, out] = process.argv;
const w = fs.readFileSync(modelDir + '/w.bin', 'utf8').trim();
if (w === 'crash') { console.error('Traceback: boom at line 3'); process.exit(7); }
if (w === 'slow') { setTimeout(() => {}, 60000); return; }
const shift = w === 'two' ? 0.3 : 0;
let s = 7; const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
let text = 'id,label,score\\n';
for (let i = 0; i < 400; i++) { const y = rnd() < 0.4 ? 1 : 0; const z = (rnd() - 0.5) * 2 + (y ? 1 + shift : 0); text += 'r' + i + ',' + y + ',' + (1 / (1 + Math.exp(-z))).toFixed(5) + '\\n'; }
fs.writeFileSync(out, text);
`;
  async function evalProject(timeout = '30s') {
    const dir = await setup(
      'gates:\n  - id: ni\n    metric: auc\n    max_regression: { absolute: 0.02 }\n    significance: { test: delong, margin: 0.02 }\n',
    );
    writeFileSync(join(dir, 'eval.cjs'), script);
    const cfg = readFileSync(join(dir, 'mlctl.yaml'), 'utf8');
    writeFileSync(
      join(dir, 'mlctl.yaml'),
      `${cfg}\ngates:\n  eval:\n    command: node eval.cjs {model_dir} {output}\n    timeout: ${timeout}\n`,
    );
    return dir;
  }
  it('pulls both versions, evaluates them and gates on the predictions', async () => {
    const dir = await evalProject();
    const r = await run(['gate', 'fraud@2', '--against', 'fraud@1', '--eval', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(json(r.stdout).data).toMatchObject({ verdict: 'pass', dataset: { source: 'eval', rows: 400 } });
  });
  it('a failing evaluation command: exit 3 with its stderr tail, nothing recorded', async () => {
    const dir = await evalProject();
    writeModel(dir, 'm3', { 'w.bin': 'crash' });
    await runOk(['register', 'fraud', 'm3'], { cwd: dir });
    const r = await run(['gate', 'fraud@3', '--against', 'fraud@1', '--eval'], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe('mlctl: evaluation of fraud@3 exited with 7; stderr: Traceback: boom at line 3');
    expect(await gateRuns(dir)).toHaveLength(0);
  });
  it('an evaluation that times out: exit 3', async () => {
    const dir = await evalProject('1s');
    writeModel(dir, 'm3', { 'w.bin': 'slow' });
    await runOk(['register', 'fraud', 'm3'], { cwd: dir });
    const r = await run(['gate', 'fraud@3', '--against', 'fraud@1', '--eval'], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/evaluation of fraud@3 timed out after 1 s/);
    expect(existsSync(join(dir, 'fraud-3'))).toBe(false);
  });
});

describe('drift and schema checks', () => {
  it('PSI per column against a pinned reference: pass, warn, fail', async () => {
    const dir = await setup(
      'gates:\n  - { id: floor, metric: auc, min: 0.5 }\ndrift:\n  reference: ref.csv\n  columns: [amount]\n  bins: 4\n',
    );
    const rows = (shift: number) =>
      Array.from({ length: 400 }, (_, i) => `r${i},${i % 2},${((i % 7) / 7).toFixed(3)},${(i % 100) + shift}`);
    writeFileSync(join(dir, 'ref.csv'), `amount\n${Array.from({ length: 400 }, (_, i) => i % 100).join('\n')}\n`);
    const go = async (shift: number) => {
      writeFileSync(join(dir, 'c.csv'), `id,label,score,amount\n${rows(shift).join('\n')}\n`);
      writeFileSync(join(dir, 'b.csv'), `id,label,score,amount\n${rows(shift).join('\n')}\n`);
      const r = await run(
        [
          'gate',
          'fraud@2',
          '--against',
          'fraud@1',
          '--predictions',
          'c.csv',
          '--baseline-predictions',
          'b.csv',
          '--json',
        ],
        { cwd: dir },
      );
      return json(r.stdout).data.checks.find((c: { id: string }) => c.id === 'drift:amount');
    };
    expect(await go(0)).toMatchObject({ verdict: 'pass', candidate: 0 });
    expect((await go(12)).verdict).toBe('warn');
    const f = await go(60);
    expect(f.verdict).toBe('fail');
    expect(f.inequality).toMatch(/^psi\(amount\): \d+\.\d{4} < 0\.2500 ✗$/);
  });

  it('a breaking feature-schema change fails the gate; compatible ones do not', async () => {
    const dir = await tempProject();
    writeFileSync(
      join(dir, 'gates.yaml'),
      'gates:\n  - { id: floor, metric: auc, min: 0.5 }\nschema:\n  rules: { input_removed: warn }\n',
    );
    writeModel(dir, 'm1', { 'w.bin': '1' });
    writeModel(dir, 'm2', { 'w.bin': '2' });
    writeJson(dir, 'm.json', { dataset: { sha256: 'a'.repeat(64) }, metrics: { auc: 0.9 } });
    writeJson(dir, 's1.json', {
      inputs: [
        { name: 'amount', type: 'float' },
        { name: 'legacy', type: 'string' },
      ],
      outputs: [{ name: 'score', type: 'double' }],
    });
    writeJson(dir, 's2.json', {
      inputs: [
        { name: 'amount', type: 'double' },
        { name: 'merchant', type: 'string', required: true },
      ],
      outputs: [{ name: 'score', type: 'double' }],
    });
    await runOk(['register', 'fraud', 'm1', '--metrics', 'm.json', '--schema', 's1.json'], { cwd: dir });
    await runOk(['register', 'fraud', 'm2', '--metrics', 'm.json', '--schema', 's2.json'], { cwd: dir });
    const r = await run(['gate', 'fraud@2', '--against', 'fraud@1', '--json'], { cwd: dir });
    expect(r.code).toBe(1);
    const checks = json(r.stdout).data.checks as Array<{ id: string; verdict: string }>;
    expect(checks.find((c) => c.id === 'schema:new_required_input:inputs.merchant')?.verdict).toBe('fail');
    expect(checks.find((c) => c.id === 'schema:input_removed:inputs.legacy')?.verdict).toBe('warn');
    expect(checks.find((c) => c.id.startsWith('schema:type_widened'))).toBeUndefined();
  });

  it('the shipped templates/gates.yaml is a valid policy', async () => {
    const dir = await tempProject();
    const r = await run(
      ['gate', 'lint', '--policy', fileURLToPath(new URL('../../templates/gates.yaml', import.meta.url))],
      { cwd: dir },
    );
    expect(r.stdout).toMatch(/ok \(6 gate\(s\)\)/);
    expect(r.code).toBe(0);
  });
});

describe('slice filters and per-slice thresholds', () => {
  it('selects rows by comparison and checks a gate only on its slices', async () => {
    const policy = `gates:
  - id: big-recall
    metric: recall
    min: 0.99
    slices: [big]
    overall: false
slices:
  - { name: big, where: { amount: { gte: 500 }, country: { ne: FR } } }
`;
    const dir = await setup(policy);
    const rows = Array.from(
      { length: 400 },
      (_, i) => `r${i},${i % 2},${i % 2 ? 0.9 : 0.1},${i * 3},${i % 4 === 0 ? 'FR' : 'US'}`,
    );
    writeFileSync(join(dir, 'c.csv'), `id,label,score,amount,country\n${rows.join('\n')}\n`);
    const r = await run(
      [
        'gate',
        'fraud@2',
        '--against',
        'fraud@1',
        '--predictions',
        'c.csv',
        '--baseline-predictions',
        'c.csv',
        '--json',
      ],
      { cwd: dir },
    );
    const checks = json(r.stdout).data.checks as Array<{ id: string; verdict: string }>;
    expect(checks.map((c) => c.id)).toEqual(['big-recall[big]']);
    expect(checks[0]!.verdict).toBe('pass');
    const { sliceIndex } = await import('../../src/core/gates/evaluate.js');
    const { parsePredictions } = await import('../../src/core/gates/predictions.js');
    const p = parsePredictions(`id,label,score,amount,country\n${rows.join('\n')}\n`, 'c.csv');
    // amount = 3i ≥ 500 → i ≥ 167 (233 rows), minus every 4th row (FR): 58 of them.
    expect(
      sliceIndex(p, {
        name: 'big',
        where: { amount: { gte: 500 }, country: { ne: 'FR' } },
        min_rows: 0,
        below_min_rows: 'skip',
        required: false,
      })!.length,
    ).toBe(175);
  });
  it('overall: false without slices is a policy error', async () => {
    const dir = await setup('gates:\n  - { id: x, metric: auc, min: 0.5, overall: false }\n');
    const r = await run(['gate', 'lint'], { cwd: dir });
    expect(r.stdout).toBe('gates.yaml:2: gates[0].overall: overall: false needs slices: to check instead\n');
  });
});

describe('gate lint reports structural and semantic problems together', () => {
  it('a negative margin and an unknown metric in one pass, by line', async () => {
    const dir = await setup(
      'gates:\n  - id: x\n    metric: aucc\n    min: 0.5\n  - id: y\n    metric: auc\n    significance: { test: delong, margin: -1 }\n',
    );
    const r = await run(['gate', 'lint'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(
      r.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.replace(/: .*?: /, ': ').split(';')[0]),
    ).toEqual([
      'gates.yaml:3: unknown metric "aucc"',
      'gates.yaml:7: margin must be ≥ 0 (it is a tolerance, not a signed change)',
    ]);
  });
});
