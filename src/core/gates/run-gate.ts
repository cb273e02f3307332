import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { MlctlError, NotFoundError, StorageError, UsageError } from '../errors.js';
import { appendEvent } from '../audit/chain.js';
import { resolveRef } from '../registry/resolve.js';
import { pullVersion } from '../artifacts/pull.js';
import { hashDataset } from '../registry/register.js';
import { parseMetrics } from '../inputs/metrics-file.js';
import type { FeatureSchema } from '../inputs/feature-schema.js';
import { loadPolicy, type LoadedPolicy } from './policy.js';
import {
  alignPredictions,
  evaluationDigest,
  parsePredictions,
  readNumericColumns,
  readPredictions,
  type Predictions,
} from './predictions.js';
import { evaluateGates, tablesFromPredictions, type MetricTable } from './evaluate.js';
import { overallVerdict, type CheckResult } from './checks.js';
import { gateCurves, type GateCurves } from './curves.js';
import { CLASSIFICATION_METRICS } from './metrics.js';
import type { GatesSettings } from './gates-config.js';
import type { Registry, VersionRecord } from '../../ports/registry.js';
import type { BlobStore } from '../../ports/blob-store.js';
import type { Clock } from '../../ports/clock.js';
import type { Exec } from '../../ports/exec.js';

export interface GateInput {
  candidate: string;
  against?: string;
  policyFile: string;
  /** How the policy is named in messages and annotations (a path relative to the repository). */
  policyLabel?: string;
  predictions?: string;
  baselinePredictions?: string;
  eval?: boolean;
}

export interface GateContext {
  registry: Registry;
  clock: Clock;
  actor: string;
  cwd: string;
  settings: GatesSettings;
  store?: () => Promise<BlobStore>;
  exec?: () => Promise<Exec>;
}

export interface GateReport {
  verdict: 'pass' | 'fail' | 'inconclusive';
  candidate: { ref: string; manifestDigest: string };
  baseline: { ref: string; manifestDigest: string } | null;
  baselineMissing: 'absolute_only' | 'fail' | null;
  policy: { file: string; digest: string };
  dataset: { digest: string | null; source: 'metrics' | 'predictions' | 'eval'; rows: number | null };
  summary: Record<'pass' | 'fail' | 'warn' | 'skip' | 'inconclusive', number>;
  checks: CheckResult[];
  /**
   * ROC and precision–recall curves of both models (≤ 500 points each), for runs recorded from
   * binary-labelled predictions. Absent on other runs and on runs recorded before curves were kept.
   */
  curves?: GateCurves;
  gateRunId: number;
  at: string;
  actor: string;
}

function metricTable(registry: Registry, v: VersionRecord): { table: MetricTable; dataset: string | null } {
  const table: MetricTable = new Map();
  let dataset: string | null = null;
  for (const m of registry.metrics(v.id)) {
    const key = m.slice ?? '';
    if (!table.has(key)) table.set(key, {});
    table.get(key)![m.name] = m.value;
    if (!m.slice) dataset = m.datasetDigest;
  }
  return { table, dataset };
}

const short = (d: string | null) => (d ? `${d.slice(0, 19)}…` : 'an unknown dataset');

/** Shell-quote a substituted path so spaces and quotes in it cannot break the command. */
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

async function evaluateVersion(
  ctx: GateContext,
  v: VersionRecord,
  work: string,
): Promise<{ predictions?: Predictions; metrics?: MetricTable }> {
  const ev = ctx.settings.eval!;
  const store = await ctx.store!();
  const modelDir = join(work, `${v.model}-${v.version}`);
  await pullVersion({ registry: ctx.registry, store, cwd: work }, `${v.model}@${v.version}`, modelDir);
  const output = join(work, `${v.model}-${v.version}.out`);
  const dataset = ev.dataset ? resolve(ctx.cwd, ev.dataset) : '';
  const command = ev.command
    .replaceAll('{model_dir}', q(modelDir))
    .replaceAll('{dataset}', q(dataset))
    .replaceAll('{data}', q(dataset))
    .replaceAll('{output}', q(output))
    .replaceAll('{model}', q(v.model))
    .replaceAll('{version}', String(v.version));
  const r = await (await ctx.exec!()).shell(command, { cwd: ctx.cwd, timeoutMs: ev.timeoutMs });
  const tail = r.stderr.trim().split('\n').slice(-5).join(' | ');
  if (r.timedOut)
    throw new StorageError(
      `evaluation of ${v.model}@${v.version} timed out after ${Math.round(ev.timeoutMs / 1000)} s${tail ? `; stderr: ${tail}` : ''}`,
    );
  if (r.exitCode !== 0)
    throw new StorageError(
      `evaluation of ${v.model}@${v.version} exited with ${r.exitCode}${tail ? `; stderr: ${tail}` : ''}`,
    );
  let text: string;
  try {
    text = await readFile(output, 'utf8');
  } catch {
    throw new StorageError(
      `evaluation of ${v.model}@${v.version} wrote nothing to {output}; the command must write predictions (CSV/JSONL) or metrics JSON there`,
    );
  }
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') && !trimmed.split('\n', 1)[0]!.includes('"id"')) {
    const m = parseMetrics(text, `evaluation output of ${v.model}@${v.version}`);
    const table: MetricTable = new Map();
    for (const row of m.rows) {
      const k = row.slice ?? '';
      if (!table.has(k)) table.set(k, {});
      table.get(k)![row.name] = row.value;
    }
    return { metrics: table };
  }
  return { predictions: parsePredictions(text, `evaluation output of ${v.model}@${v.version}`) };
}

function checkBinaryLabels(policy: LoadedPolicy, p: Predictions): void {
  const needs = policy.policy.gates.some((g) => (CLASSIFICATION_METRICS as readonly string[]).includes(g.metric));
  if (!needs || p.binary) return;
  const i = p.labels.findIndex((y) => y !== 0 && y !== 1);
  throw new UsageError(
    `${p.file}: id ${JSON.stringify(p.ids[i])} has label ${p.labels[i]}; classification metrics need labels 0 or 1`,
  );
}

/**
 * Decide whether `candidate` may replace the baseline (the champion by default) under the policy,
 * record the run bound to both manifests, the policy and the evaluation data, and return the report.
 * Invalid input throws before anything is recorded.
 */
export async function runGate(ctx: GateContext, input: GateInput): Promise<GateReport> {
  const policy = loadPolicy(resolve(ctx.cwd, input.policyFile), input.policyLabel ?? input.policyFile);
  const cand = resolveRef(ctx.registry, input.candidate);
  let base: VersionRecord | null = null;
  if (input.against) base = resolveRef(ctx.registry, input.against);
  else {
    try {
      base = resolveRef(ctx.registry, `${cand.model}@champion`);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }
  if (base && base.id === cand.id)
    throw new UsageError(
      `${cand.model}@${cand.version} is already the baseline it would be compared with; gate a different version`,
    );
  if (input.predictions === undefined && input.baselinePredictions !== undefined)
    throw new UsageError('--baseline-predictions needs --predictions for the candidate');
  if (input.eval && input.predictions) throw new UsageError('give either --eval or --predictions, not both');
  if (input.eval && !ctx.settings.eval)
    throw new UsageError(
      "--eval needs gates.eval.command in mlctl.yaml, e.g. 'python eval.py --model {model_dir} --data {dataset} --out {output}'",
    );
  if (base && input.predictions && !input.baselinePredictions) {
    throw new UsageError(
      `--predictions needs --baseline-predictions for ${base.model}@${base.version} too, so the comparison is paired`,
    );
  }

  let source: GateReport['dataset']['source'];
  let datasetDigest: string | null;
  let candTable: MetricTable;
  let baseTable: MetricTable | null = null;
  let sliceRows: Map<string, number> | undefined;
  let rows: { cand: Predictions; base: Predictions | null } | undefined;
  let rowCount: number | null = null;

  const fromPredictions = (pc: Predictions, pb: Predictions | null) => {
    const aligned = pb ? alignPredictions(pc, pb) : null;
    checkBinaryLabels(policy, pc);
    const t = tablesFromPredictions(policy, pc, aligned);
    candTable = t.candidate;
    baseTable = t.baseline;
    sliceRows = t.sliceRows;
    rows = { cand: pc, base: aligned };
    datasetDigest = evaluationDigest(pc);
    rowCount = pc.ids.length;
  };

  if (input.predictions) {
    source = 'predictions';
    const pc = readPredictions(resolve(ctx.cwd, input.predictions), input.predictions);
    const pb = input.baselinePredictions
      ? readPredictions(resolve(ctx.cwd, input.baselinePredictions), input.baselinePredictions)
      : null;
    fromPredictions(pc, pb);
  } else if (input.eval) {
    source = 'eval';
    const work = await mkdtemp(join(tmpdir(), 'mlctl-eval-'));
    try {
      const rc = await evaluateVersion(ctx, cand, work);
      const rb = base ? await evaluateVersion(ctx, base, work) : null;
      if (rc.predictions && (!rb || rb.predictions)) fromPredictions(rc.predictions, rb?.predictions ?? null);
      else {
        candTable = rc.metrics ?? tablesFromPredictions(policy, rc.predictions!, null).candidate;
        baseTable = rb ? (rb.metrics ?? tablesFromPredictions(policy, rb.predictions!, null).candidate) : null;
        datasetDigest = ctx.settings.eval?.dataset ? await hashDataset(ctx.settings.eval.dataset, ctx.cwd) : null;
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  } else {
    source = 'metrics';
    const c = metricTable(ctx.registry, cand);
    if (c.table.size === 0)
      throw new UsageError(
        `${cand.model}@${cand.version} has no registered metrics; register with --metrics, or gate with --predictions or --eval`,
      );
    candTable = c.table;
    datasetDigest = c.dataset;
    if (base) {
      const b = metricTable(ctx.registry, base);
      if (!c.dataset || !b.dataset || c.dataset !== b.dataset) {
        throw new UsageError(
          `candidate metrics were computed on ${short(c.dataset)} but the ${input.against ? 'baseline' : 'champion'}'s on ${short(b.dataset)}; evaluate both on the same holdout: mlctl gate --eval (or --predictions/--baseline-predictions)`,
        );
      }
      baseTable = b.table;
    }
  }

  const driftSpec = policy.policy.drift;
  const drift = driftSpec
    ? {
        reference: readNumericColumns(
          resolve(dirname(resolve(ctx.cwd, input.policyFile)), driftSpec.reference),
          driftSpec.reference,
        ),
        current: (rows as { cand: Predictions } | undefined)?.cand ?? null,
      }
    : undefined;
  const checks = evaluateGates({
    policy,
    candidate: candTable!,
    baseline: baseTable,
    rows,
    sliceRows,
    drift,
    schemas: {
      cand: cand.featureSchema as FeatureSchema | null,
      base: (base?.featureSchema as FeatureSchema | null) ?? null,
    },
  });
  const ifMissing = policy.policy.baseline.if_missing;
  if (!base) {
    checks.unshift({
      id: 'baseline',
      metric: null,
      slice: null,
      kind: 'baseline',
      verdict: ifMissing === 'fail' ? 'fail' : 'warn',
      severity: ifMissing === 'fail' ? 'error' : 'warn',
      candidate: null,
      baseline: null,
      inequality: `${cand.model}@champion: none`,
      message:
        ifMissing === 'fail'
          ? 'no champion to compare with (baseline.if_missing: fail)'
          : 'no champion yet: absolute thresholds only (baseline.if_missing: absolute_only)',
      line: policy.doc.lineOf(['baseline', 'if_missing']),
    });
  }
  const verdict = overallVerdict(checks);
  const summary = { pass: 0, fail: 0, warn: 0, skip: 0, inconclusive: 0 };
  for (const c of checks) summary[c.verdict]++;
  const at = ctx.clock.now().toISOString();
  const report: GateReport = {
    verdict,
    candidate: { ref: `${cand.model}@${cand.version}`, manifestDigest: cand.manifestDigest },
    baseline: base ? { ref: `${base.model}@${base.version}`, manifestDigest: base.manifestDigest } : null,
    baselineMissing: base ? null : ifMissing,
    policy: { file: policy.file, digest: policy.digest },
    dataset: { digest: datasetDigest!, source: source!, rows: rowCount },
    summary,
    checks,
    gateRunId: 0,
    at,
    actor: ctx.actor,
  };
  // Assigned inside fromPredictions(), which the compiler does not follow.
  const evaluated = rows as { cand: Predictions; base: Predictions | null } | undefined;
  const curves = evaluated ? gateCurves(evaluated.cand, evaluated.base) : null;
  if (curves) report.curves = curves;
  try {
    report.gateRunId = await ctx.registry.write(() => {
      const id = ctx.registry.insertGateRun({
        candidateId: cand.id,
        baselineId: base?.id ?? null,
        candidateManifest: cand.manifestDigest,
        baselineManifest: base?.manifestDigest ?? null,
        policyDigest: policy.digest,
        datasetDigest: datasetDigest ?? null,
        source: source!,
        verdict,
        report: { ...report, gateRunId: undefined },
        at,
        actor: ctx.actor,
      });
      if (verdict === 'pass' && cand.status === 'registered') ctx.registry.setStatus(cand.id, 'validated', at);
      appendEvent(ctx.registry, {
        at,
        actor: ctx.actor,
        action: 'gate.run',
        model: cand.model,
        subject: `${cand.model}@${cand.version}`,
        payload: {
          gateRunId: id,
          verdict,
          baseline: report.baseline?.ref ?? null,
          policyDigest: policy.digest,
          datasetDigest: datasetDigest ?? null,
          summary,
        },
      });
      return id;
    });
  } catch (err) {
    if (err instanceof MlctlError) throw err;
    throw new StorageError(`could not record the gate run: ${(err as Error).message}`, { cause: err });
  }
  return report;
}
