import { existsSync } from 'node:fs';
import { readInputText } from '../inputs/read-input.js';
import { join, resolve } from 'node:path';
import { EvaluationError } from '../errors.js';
import { formatRef } from '../refs.js';
import { pullVersion } from '../artifacts/pull.js';
import { parseMetrics } from '../inputs/metrics-file.js';
import { parsePredictions, type Predictions } from './predictions.js';
import type { MetricTable } from './kinds/input.js';
import type { GateContext } from './types.js';
import type { VersionRecord } from '../../ports/registry.js';

/** Shell-quote a substituted path so spaces and quotes in it cannot break the command. */
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** What an evaluation command wrote to {output}: per-row predictions, or a metrics JSON. */
export type EvaluationOutput =
  { predictions: Predictions; metrics?: undefined } | { metrics: MetricTable; predictions?: undefined };

/**
 * Pull a version into `work` and run gates.eval.command on it; a command that fails, times out or
 * writes nothing is an EvaluationError (exit 3: the model was not judged).
 */
export async function evaluateVersion(ctx: GateContext, v: VersionRecord, work: string): Promise<EvaluationOutput> {
  const ev = ctx.settings.eval!;
  const store = await ctx.store!();
  const ref = formatRef(v);
  const modelDir = join(work, `${v.model}-${v.version}`);
  await pullVersion({ registry: ctx.registry, store, cwd: work }, ref, modelDir);
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
    throw new EvaluationError(
      `evaluation of ${ref} timed out after ${Math.round(ev.timeoutMs / 1000)} s${tail ? `; stderr: ${tail}` : ''}`,
    );
  if (r.exitCode !== 0)
    throw new EvaluationError(`evaluation of ${ref} exited with ${r.exitCode}${tail ? `; stderr: ${tail}` : ''}`);
  if (!existsSync(output))
    throw new EvaluationError(
      `evaluation of ${ref} wrote nothing to {output}; the command must write predictions (CSV/JSONL) or metrics JSON there`,
    );
  const text = await readInputText(output, `evaluation output of ${ref}`, 'table');
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') && !trimmed.split('\n', 1)[0]!.includes('"id"')) {
    const m = parseMetrics(text, `evaluation output of ${ref}`);
    const table: MetricTable = new Map();
    for (const row of m.rows) {
      const k = row.slice ?? '';
      if (!table.has(k)) table.set(k, {});
      table.get(k)![row.name] = row.value;
    }
    return { metrics: table };
  }
  return { predictions: parsePredictions(text, `evaluation output of ${ref}`) };
}
