import { findAdr, listAdrs } from '../adr/files.js';
import { diffVersions } from '../registry/diff.js';
import { shortHash } from '../util/text.js';
import { describeStage, formatDuration } from './stages.js';
import { type CandidateChange, type RolloutContext } from './context.js';
import { formatRef } from '../refs.js';
import type { FileJournal } from '../util/file-journal.js';
import type { RolloutStage } from '../../ports/registry.js';

/** The Context section of a promotion's ADR: who the candidate is and whom it replaces. */
export function promotionContext(c: Pick<CandidateChange, 'candidate' | 'champion' | 'reason'>): string {
  const cand = c.candidate;
  const code = cand.code.commit ? shortHash(cand.code.commit) : 'unknown';
  const data = cand.dataHash ? shortHash(cand.dataHash) : 'unknown';
  const replaces = c.champion ? formatRef(c.champion) : 'nobody';
  return `${formatRef(cand)} (registered ${cand.createdAt} by ${cand.createdBy}; code ${code}; data ${data}) is to replace ${replaces} as the production champion of ${cand.model}.${c.reason ? `\n\nReason: ${c.reason}` : ''}`;
}

/** The evidence part of a promotion's Decision section: the gate run (or the override) and the metric deltas. */
export async function gateEvidence(
  ctx: RolloutContext,
  c: Pick<CandidateChange, 'candidate' | 'champion' | 'gateRun' | 'reason'>,
): Promise<string> {
  const lines: string[] = [];
  const g = c.gateRun;
  if (g) {
    const report = g.report as { checks?: Array<{ id: string; verdict: string; inequality: string }> };
    lines.push(
      `Gate run #${g.id}: **${g.verdict}** (policy ${shortHash(g.policyDigest)}…, dataset ${g.datasetDigest ? shortHash(g.datasetDigest) : 'n/a'}…, ${g.at} by ${g.actor}).`,
      '',
      '| check | verdict | evaluated |',
      '|---|---|---|',
    );
    for (const chk of report.checks ?? [])
      lines.push(`| ${chk.id} | ${chk.verdict} | ${chk.inequality.replace(/\|/g, '\\|')} |`);
  } else if (c.champion)
    lines.push(
      `No passing gate run: the gate requirement was **overridden** with --force by ${ctx.actor}: ${c.reason}.`,
    );
  else lines.push('First production version of this model: no champion to compare with.');
  if (c.champion) {
    const d = await diffVersions(ctx.registry, formatRef(c.champion), formatRef(c.candidate));
    const rows = d.metrics.filter((m) => m.delta !== null);
    if (rows.length) {
      lines.push(
        '',
        `Metric deltas (${formatRef(c.champion)} → ${formatRef(c.candidate)}):`,
        '',
        '| metric | slice | from | to | delta |',
        '|---|---|---|---|---|',
      );
      for (const m of rows)
        lines.push(
          `| ${m.name} | ${m.slice ?? 'all'} | ${m.a} | ${m.b} | ${m.delta! >= 0 ? '+' : ''}${m.delta!.toPrecision(4)} |`,
        );
    }
  }
  return lines.join('\n');
}

/** The plan as the rollout's ADR lists it. */
export function planText(stages: RolloutStage[]): string {
  return stages
    .map(
      (s, i) =>
        `${i + 1}. ${describeStage(s)}${s.minDurationMs ? `, at least ${formatDuration(s.minDurationMs)}` : ''}${s.checks.length ? `, checks: ${s.checks.join(', ')}` : ''}${s.auto ? ', auto' : ''}${s.replicas ? `; replicas ${s.replicas.candidate} candidate + ${s.replicas.champion} champion` : ''}`,
    )
    .join('\n');
}

/** Put an existing ADR under the step's journal before editing it; false when it was moved or deleted by hand. */
export function snapshotAdr(ctx: RolloutContext, journal: FileJournal, file: string | null): boolean {
  if (!ctx.adr || !file) return false;
  try {
    journal.snapshot(findAdr(listAdrs(ctx.adr.dir), file).path);
    return true;
  } catch {
    return false; // the rollout goes on without its log
  }
}
