import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BIN, baseEnv, run, tempDir, writeModel } from '../support/helpers.js';
import { writePredictions } from '../support/predictions.js';

/**
 * The gate workflow that `mlctl init --github` writes, run step by step as a script the way the
 * runner would (GITHUB_ACTIONS, GITHUB_STEP_SUMMARY, GITHUB_OUTPUT per step). The `uses:` steps
 * (checkout, installing mlctl) are replaced by a prepared folder and an `mlctl` on PATH; the
 * training step is replaced by prepared outputs.
 */
async function gateWorkflow(shift: number) {
  const dir = tempDir('mlctl-gha-');
  expect((await run(['init', '--yes', '--model', 'fraud', '--adapter', 'istio', '--github'], { cwd: dir })).code).toBe(
    0,
  );
  writeFileSync(
    join(dir, 'gates.yaml'),
    'gates:\n  - { id: auc-floor, metric: auc, min: 0.6 }\n  - id: auc-noninferior\n    metric: auc\n    max_regression: { absolute: 0.01 }\n    significance: { test: delong, alpha: 0.05, margin: 0.01 }\n',
  );
  // The checkout: a git repository (the champion's serving config is committed by promote).
  for (const args of [
    ['init', '-q', '-b', 'main'],
    ['config', 'user.email', 'ci@example.com'],
    ['config', 'user.name', 'CI'],
    ['add', '-A'],
    ['commit', '-qm', 'init'],
  ])
    spawnSync('git', args, { cwd: dir });
  writeModel(dir, 'champ', { 'w.bin': 'v1' });
  expect((await run(['register', 'fraud', 'champ'], { cwd: dir })).code).toBe(0);
  const promoted = await run(['promote', 'fraud@1', '--yes'], { cwd: dir });
  expect(promoted.code, promoted.stderr).toBe(0);
  // What the training step leaves behind, and a predict script for the champion.
  writeModel(dir, 'model', { 'w.bin': 'v2' });
  writeFileSync(join(dir, 'metrics.json'), JSON.stringify({ metrics: { auc: 0.9 } }));
  const p = writePredictions(dir, { shift });
  writeFileSync(join(dir, 'predictions.csv'), readFileSync(join(dir, p.cand)));
  mkdirSync(join(dir, 'training'));
  writeFileSync(join(dir, 'training/predict.sh'), `#!/bin/sh\ncp ${p.base} champion-predictions.csv\n`);
  chmodSync(join(dir, 'training/predict.sh'), 0o755);
  const bin = tempDir('mlctl-bin-');
  writeFileSync(join(bin, 'mlctl'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(bin, 'mlctl'), 0o755);

  const workflow = parse(readFileSync(join(dir, '.github/workflows/mlctl-gate.yml'), 'utf8'));
  const steps = (
    workflow.jobs.gate.steps as Array<{ id?: string; run?: string; uses?: string; env?: Record<string, string> }>
  ).filter((s) => s.run && s.id !== 'train');
  const summary = join(dir, 'summary.md');
  const results: Array<{ id: string; code: number; stdout: string; stderr: string; outputs: string }> = [];
  for (const s of steps) {
    const outputs = join(dir, `output-${s.id}`);
    writeFileSync(outputs, '');
    // The runner's expression for the pull request number.
    const script = s.run!.replace(/\$\{\{\s*github\.event\.pull_request\.number\s*\}\}/g, '42');
    const r = spawnSync('bash', ['-e', '-c', script], {
      cwd: dir,
      env: {
        ...baseEnv(),
        ...s.env,
        PATH: `${bin}:${process.env.PATH}`,
        GITHUB_ACTIONS: 'true',
        CI: 'true',
        GITHUB_STEP_SUMMARY: summary,
        GITHUB_OUTPUT: outputs,
      } as NodeJS.ProcessEnv,
      encoding: 'utf8',
      timeout: 60_000,
    });
    results.push({
      id: s.id!,
      code: r.status ?? -1,
      stdout: r.stdout,
      stderr: r.stderr,
      outputs: readFileSync(outputs, 'utf8'),
    });
    if (r.status !== 0) break; // a failed step fails the job
  }
  let summaryText = '';
  try {
    summaryText = readFileSync(summary, 'utf8');
  } catch {
    // no summary written
  }
  return { dir, results, summary: summaryText };
}

/** Parse a GITHUB_OUTPUT file (name=value and heredoc forms). */
function readOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([\w-]+)<<(ghadelimiter_[0-9a-f-]{36})$/.exec(lines[i]!);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      out[heredoc[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (lines[i]!.includes('=')) {
      const k = lines[i]!.slice(0, lines[i]!.indexOf('='));
      out[k] = lines[i]!.slice(k.length + 1);
    }
  }
  return out;
}

describe('the gate workflow, run as the runner would', () => {
  it('a better candidate passes: job summary, grouped log, outputs verdict/candidate/champion/report', async () => {
    const { dir, results, summary } = await gateWorkflow(0.3);
    expect(results.map((r) => [r.id, r.code])).toEqual([
      ['register', 0],
      ['champion', 0],
      ['gate', 0],
    ]);
    const gate = results.find((r) => r.id === 'gate')!;
    expect(gate.stdout).toMatch(/^::group::mlctl gate fraud@2\n/);
    expect(gate.stdout).toContain('::endgroup::');
    expect(gate.stdout).not.toMatch(/^::error/m);
    expect(summary).toContain('### ✅ mlctl gate passed: `fraud@2` vs `fraud@1`');
    // The HTML report is written for the upload step, and the summary says where it went.
    expect(summary).toContain(
      '📄 HTML report (curves, every check): `gate-report.html`, attached to this run as the artifact `mlctl-gate-report`',
    );
    expect(readFileSync(join(dir, 'gate-report.html'), 'utf8')).toMatch(/^<!doctype html>/);
    const outputs = readOutputs(gate.outputs);
    expect(outputs).toMatchObject({ verdict: 'pass', candidate: 'fraud@2', champion: 'fraud@1' });
    expect(JSON.parse(outputs.report!)).toMatchObject({ verdict: 'pass', candidate: { ref: 'fraud@2' } });
    // The register step (mlctl pull runs too) reports in the runner's format as well.
    const pull = results.find((r) => r.id === 'champion')!;
    expect(readOutputs(pull.outputs).report).toBeDefined();
    expect(summary).toMatch(/### ✅ `mlctl pull`/);
  });

  it('a worse candidate fails the job with error annotations on the run', async () => {
    const { results, summary } = await gateWorkflow(-0.4);
    const gate = results.find((r) => r.id === 'gate')!;
    expect(gate.code).toBe(1);
    expect(gate.stdout).toMatch(/^::error file=gates.yaml,line=5,title=gate auc-noninferior::auc: .* ✗$/m);
    expect(summary).toContain('### ❌ mlctl gate failed');
    expect(readOutputs(gate.outputs).verdict).toBe('fail');
  });

  it('every reporting command speaks the runner’s language: warnings and errors as annotations, summary, outputs', async () => {
    const dir = tempDir('mlctl-gha-');
    expect((await run(['init', '--yes'], { cwd: dir })).code).toBe(0);
    writeModel(dir, 'm', { 'w.bin': 'x' });
    const summary = join(dir, 'summary.md');
    const outputs = join(dir, 'outputs');
    writeFileSync(outputs, '');
    const env = { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: outputs };
    const reg = await run(['register', 'fraud', 'm'], { cwd: dir, env });
    expect(reg.code, reg.stderr).toBe(0);
    expect(readOutputs(readFileSync(outputs, 'utf8'))).toMatchObject({ model: 'fraud', version: '1' });
    expect(readFileSync(summary, 'utf8')).toMatch(/### ✅ `mlctl register`\n\n````\nfraud@1\n````/);
    const bad = await run(['show', 'fraud@9'], { cwd: dir, env });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toMatch(/^::error title=mlctl show::fraud@9 does not exist; fraud has versions 1$/m);
    // More than 10 warnings of a type: 10 annotations and one notice counting the rest.
    const { annotations } = await import('../../src/cli/render/github.js');
    const many = annotations(
      Array.from({ length: 13 }, (_, i) => ({ level: 'warning' as const, message: `w${i}: 100%\nnext` })),
    );
    expect(many.split('\n').filter((l) => l.startsWith('::warning::'))).toHaveLength(10);
    expect(many).toContain('::warning::w0: 100%25%0Anext');
    expect(many).toMatch(/::notice::3 warnings left out/);
  });
});
