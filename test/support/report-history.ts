import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gitopsProject } from './gitops-project.js';
import { run, writeModel } from './helpers.js';
import { writePredictions } from './predictions.js';

export const XSS = '<script>alert(1)</script>';
const T0 = '2026-11-23T10:00:00Z';
export const at = (minutes: number) => ({ MLCTL_NOW: new Date(Date.parse(T0) + minutes * 60_000).toISOString() });

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

async function ok(args: string[], dir: string, minutes: number): Promise<string> {
  const r = await run(args, { cwd: dir, env: at(minutes) });
  if (r.code !== 0) throw new Error(`mlctl ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/**
 * A model with a history worth drawing: fraud@1 champion; fraud@3…6 registered with metrics
 * (fraud@4's description and a tag are markup); fraud@4 gated on predictions (gate run 1, with
 * curves) and rolled out through shadow → canary → full with a command check; fraud@5 gated
 * against fraud@4 (gate run 2).
 */
export async function reportHistory() {
  const p = await gitopsProject({ adapter: 'istio', config: CONFIG });
  const dir = p.dir;
  writeFileSync(join(dir, 'check-value.json'), '{"value": 0.004}\n');
  writeFileSync(
    join(dir, 'gates.yaml'),
    'gates:\n  - { id: auc-floor, metric: auc, min: 0.5 }\n  - id: auc-noninferior\n    metric: auc\n    max_regression: { absolute: 0.05 }\n    significance: { test: delong, alpha: 0.05, margin: 0.05 }\n',
  );
  await ok(['promote', 'fraud@1', '--yes', '--reason', 'first model'], dir, 0);
  const aucs = [0.81, 0.86, 0.84, 0.88];
  for (let i = 0; i < aucs.length; i++) {
    const n = i + 3;
    writeModel(dir, `m${n}`, { 'model.bin': `v${n}` });
    writeFileSync(
      join(dir, `metrics-${n}.json`),
      JSON.stringify({ metrics: { auc: aucs[i], accuracy: 0.7 + i / 100, ...(n === 6 ? { latency_ms: 12 } : {}) } }),
    );
    const extra = n === 4 ? ['--description', XSS, '--tag', 'note=<b>bold</b>'] : ['--tag', `run=${n}`];
    await ok(
      ['register', 'fraud', `m${n}`, '--metrics', `metrics-${n}.json`, '--parent', `fraud@${n - 1}`, ...extra],
      dir,
      n,
    );
  }
  const pred = writePredictions(dir, { shift: 0.4, n: 800 });
  await ok(['gate', 'fraud@4', '--predictions', pred.cand, '--baseline-predictions', pred.base], dir, 10);
  await ok(['promote', 'fraud@4', '--reason', 'better auc'], dir, 11);
  // A bake time needs a look recorded after it ended before a step may count it (ADR 26).
  await ok(['rollout', 'status', 'fraud'], dir, 44);
  await ok(['promote', 'fraud@4'], dir, 45);
  await ok(['rollout', 'status', 'fraud'], dir, 79);
  await ok(['promote', 'fraud@4', '--yes'], dir, 80);
  const pred2 = writePredictions(dir, { shift: 0.1, n: 800, seed: 7 });
  await ok(['gate', 'fraud@5', '--predictions', pred2.cand, '--baseline-predictions', pred2.base], dir, 90);
  return { dir, registry: join(dir, '.mlctl/registry.db') };
}
