import { NotFoundError } from '../errors.js';
import { metaOf, refNamer, type ViewMeta } from './common.js';
import type { GateCheckResult } from '../gates/checks.js';
import type { GateCurves } from '../gates/curves.js';
import type { GateRunRecord, Registry } from '../../ports/registry.js';

export interface GateRunView {
  kind: 'gate-run';
  meta: ViewMeta;
  id: number;
  model: string | null;
  candidate: string;
  baseline: string | null;
  verdict: GateRunRecord['verdict'];
  source: GateRunRecord['source'];
  at: string;
  actor: string;
  policy: { file: string | null; digest: string };
  dataset: { digest: string | null; rows: number | null };
  summary: Partial<Record<'pass' | 'fail' | 'warn' | 'skip' | 'inconclusive', number>>;
  checks: GateCheckResult[];
  /** Runs recorded from binary-labelled predictions since curves are kept; null otherwise. */
  curves: GateCurves | null;
}

/** The stored report as written by any mlctl version: every field optional. */
interface StoredReport {
  policy?: { file?: string };
  dataset?: { rows?: number | null };
  summary?: GateRunView['summary'];
  checks?: GateCheckResult[];
  curves?: GateCurves;
}

export async function buildGateRunView(registry: Registry, id: number, now: Date): Promise<GateRunView> {
  const g = await registry.getGateRun(id);
  if (!g)
    throw new NotFoundError(
      `gate run ${id} does not exist; mlctl lineage <model>@<version> lists a version's gate runs`,
    );
  const refOf = refNamer(registry);
  const cand = await registry.getVersionById(g.candidateId);
  const report = (g.report ?? {}) as StoredReport;
  const checks = Array.isArray(report.checks) ? report.checks : [];
  const summary = report.summary ?? {};
  if (!report.summary) for (const c of checks) summary[c.verdict] = (summary[c.verdict] ?? 0) + 1;
  const curves = report.curves;
  return {
    kind: 'gate-run',
    meta: metaOf(registry, now),
    id: g.id,
    model: cand?.model ?? null,
    candidate: (await refOf(g.candidateId)) ?? `version #${g.candidateId}`,
    baseline: await refOf(g.baselineId),
    verdict: g.verdict,
    source: g.source,
    at: g.at,
    actor: g.actor,
    policy: { file: report.policy?.file ?? null, digest: g.policyDigest },
    dataset: { digest: g.datasetDigest, rows: report.dataset?.rows ?? null },
    summary,
    checks,
    curves: curves && curves.candidate?.roc ? curves : null,
  };
}
