import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { formatRef } from '../refs.js';
import { hashDataset } from '../registry/register.js';
import { shortHash } from '../util/text.js';
import { alignPredictions, evaluationDigest, type Predictions } from './predictions.js';
import { readPredictionsFile } from './predictions-file.js';
import { tablesFromPredictions } from './evaluate.js';
import { evaluateVersion } from './eval-command.js';
import { CLASSIFICATION_METRICS } from './metrics.js';
import type { LoadedPolicy } from './policy.js';
import type { MetricTable } from './kinds/input.js';
import type { GateContext, GateInput, GateReport } from './types.js';
import type { Registry, VersionRecord } from '../../ports/registry.js';

/** What a gate decides on: metric tables for both sides, and where they came from. */
export interface Evidence {
  source: GateReport['dataset']['source'];
  datasetDigest: string | null;
  rowCount: number | null;
  candidate: MetricTable;
  baseline: MetricTable | null;
  sliceRows?: Map<string, number>;
  /** Aligned per-row predictions, when the numbers come from predictions. */
  rows?: { cand: Predictions; base: Predictions | null };
}

function checkBinaryLabels(policy: LoadedPolicy, p: Predictions): void {
  const needs = policy.policy.gates.some((g) => (CLASSIFICATION_METRICS as readonly string[]).includes(g.metric));
  if (!needs || p.binary) return;
  const i = p.labels.findIndex((y) => y !== 0 && y !== 1);
  throw new UsageError(
    `${p.file}: id ${JSON.stringify(p.ids[i])} has label ${p.labels[i]}; classification metrics need labels 0 or 1`,
  );
}

/** log_loss and brier are defined on probabilities: a margin or a logit would give a number, and a wrong one. */
function checkProbabilities(policy: LoadedPolicy, p: Predictions): void {
  const needs = policy.policy.gates.find((g) => g.metric === 'log_loss' || g.metric === 'brier');
  if (!needs) return;
  const i = p.scores.findIndex((s) => !(s >= 0 && s <= 1));
  if (i < 0) return;
  throw new UsageError(
    `${p.file}: row ${i + 1} (id ${JSON.stringify(p.ids[i])}) has score ${p.scores[i]}, outside [0, 1]; ${needs.metric} needs probabilities (calibrate the scores, or gate on auc)`,
  );
}

/** Both sides' predictions on the same rows, paired (aligned by id), into metric tables per slice. */
function fromPredictions(
  policy: LoadedPolicy,
  source: Evidence['source'],
  cand: Predictions,
  base: Predictions | null,
): Evidence {
  checkProbabilities(policy, cand);
  if (base) checkProbabilities(policy, base);
  const aligned = base ? alignPredictions(cand, base) : null;
  checkBinaryLabels(policy, cand);
  const t = tablesFromPredictions(policy, cand, aligned);
  return {
    source,
    datasetDigest: evaluationDigest(cand),
    rowCount: cand.ids.length,
    candidate: t.candidate,
    baseline: t.baseline,
    sliceRows: t.sliceRows,
    rows: { cand, base: aligned },
  };
}

/** --predictions and --baseline-predictions. */
export async function evidenceFromFiles(ctx: GateContext, input: GateInput, policy: LoadedPolicy): Promise<Evidence> {
  // CSV, JSONL or Parquet (by name or magic bytes): one reader per format behind readPredictionsFile.
  const read = (f: string) => readPredictionsFile(resolve(ctx.cwd, f), f);
  const cand = await read(input.predictions!);
  const base = input.baselinePredictions ? await read(input.baselinePredictions) : null;
  return fromPredictions(policy, 'predictions', cand, base);
}

/** --eval: gates.eval.command run on both versions, each pulled into a temporary folder. */
export async function evidenceFromEvaluation(
  ctx: GateContext,
  policy: LoadedPolicy,
  cand: VersionRecord,
  base: VersionRecord | null,
): Promise<Evidence> {
  const work = await mkdtemp(join(tmpdir(), 'mlctl-eval-'));
  try {
    const rc = await evaluateVersion(ctx, cand, work);
    const rb = base ? await evaluateVersion(ctx, base, work) : null;
    if (rc.predictions && (!rb || rb.predictions))
      return fromPredictions(policy, 'eval', rc.predictions, rb?.predictions ?? null);
    const table = (o: typeof rc) => {
      if (o.metrics) return o.metrics;
      checkProbabilities(policy, o.predictions!);
      return tablesFromPredictions(policy, o.predictions!, null).candidate;
    };
    return {
      source: 'eval',
      datasetDigest: ctx.settings.eval?.dataset ? await hashDataset(ctx.settings.eval.dataset, ctx.cwd) : null,
      rowCount: null,
      candidate: table(rc),
      baseline: rb ? table(rb) : null,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function registeredMetrics(
  registry: Registry,
  v: VersionRecord,
): Promise<{ table: MetricTable; dataset: string | null }> {
  const table: MetricTable = new Map();
  let dataset: string | null = null;
  for (const m of await registry.metrics(v.id)) {
    const key = m.slice ?? '';
    if (!table.has(key)) table.set(key, {});
    table.get(key)![m.name] = m.value;
    if (!m.slice) dataset = m.datasetDigest;
  }
  return { table, dataset };
}

const shortDataset = (d: string | null) => (d ? `${shortHash(d)}…` : 'an unknown dataset');

/** The metrics registered with each version; comparable only when both were computed on the same dataset. */
export async function evidenceFromRegistry(
  ctx: GateContext,
  input: GateInput,
  cand: VersionRecord,
  base: VersionRecord | null,
): Promise<Evidence> {
  const c = await registeredMetrics(ctx.registry, cand);
  if (c.table.size === 0)
    throw new UsageError(
      `${formatRef(cand)} has no registered metrics; register with --metrics, or gate with --predictions or --eval`,
    );
  const evidence: Evidence = {
    source: 'metrics',
    datasetDigest: c.dataset,
    rowCount: null,
    candidate: c.table,
    baseline: null,
  };
  if (!base) return evidence;
  const b = await registeredMetrics(ctx.registry, base);
  const other = input.against ? 'baseline' : 'champion';
  if (!c.dataset && !b.dataset)
    throw new UsageError(
      `neither the candidate's nor the ${other}'s registered metrics name the dataset they were computed on, so they cannot be compared; give dataset.sha256 in the metrics files, or evaluate both on the same holdout: mlctl gate --eval (or --predictions/--baseline-predictions)`,
    );
  if (!c.dataset || !b.dataset || c.dataset !== b.dataset)
    throw new UsageError(
      `candidate metrics were computed on ${shortDataset(c.dataset)} but the ${other}'s on ${shortDataset(b.dataset)}; evaluate both on the same holdout: mlctl gate --eval (or --predictions/--baseline-predictions)`,
    );
  return { ...evidence, baseline: b.table };
}
