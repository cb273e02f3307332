import { shortHash } from '../../core/util/text.js';
import type { CommandCtx } from '../output.js';
import type { StepOutcome } from '../../core/rollout/outcome.js';
import type { ChampionResult } from '../../core/promote/direct.js';

/** Where a step landed: the commit, pushed or not, and anything that could not be committed (a warning). */
export function stepWhere(
  ctx: CommandCtx,
  o: { commit: string | null; pushed: boolean; files: string[]; outside: string[] },
  noCommit: boolean,
): string {
  if (o.outside.length) ctx.warnings.push(`not committed (outside the git repository): ${o.outside.join(', ')}`);
  if (o.commit) return ` — commit ${shortHash(o.commit)}${o.pushed ? ' (pushed)' : ''}`;
  if (noCommit && o.files.length) return ` — files written, not committed (--no-commit): ${o.files.join(', ')}`;
  return '';
}

export function renderStepOutcome(o: StepOutcome, where: string): string {
  return `${stepLine(o, where)}${o.pending ? pendingLine(o) : ''}`;
}

/** Two-push rule: what the step's commit could not write yet, and what writes it. */
function pendingLine(o: StepOutcome): string {
  const labels = Object.entries(o.pending!.labels)
    .map(([l, v]) => `${l} → ${v}`)
    .join(', ');
  return `labels ${labels} follow in a second commit once the version is loaded (the stage's bake time starts then): mlctl promote ${o.candidate} or mlctl rollout tick\n`;
}

function stepLine(o: StepOutcome, where: string): string {
  if (o.action === 'start')
    return `${o.candidate}: rollout ${o.rollout} started at ${o.stage}${where}\nnext: mlctl promote ${o.candidate} (when the stage's bake time and checks allow), mlctl rollout status ${o.model}\n`;
  if (o.action === 'advance') return `${o.candidate}: now at ${o.stage}${where}\n`;
  if (o.action === 'label')
    return `${o.candidate}: ${o.stage} labels written; the stage's bake time starts now${where}\n`;
  if (o.action === 'cleanup') return `${o.candidate}: the previous champion taken down after full's window${where}\n`;
  if (o.action === 'complete') return `${o.candidate} is now the champion (rollout ${o.rollout} completed)${where}\n`;
  return `${o.candidate}: rollout ${o.rollout} aborted at ${o.stage}; all traffic back to ${o.champion}${where}\n`;
}

export function renderPromotion(r: ChampionResult, where: string): string {
  return `${r.champion} is now the champion${r.previous ? ` (was ${r.previous}, now archived)` : ''}${where}\n`;
}

export function renderRollback(r: ChampionResult, where: string): string {
  return `${r.champion} is the champion again (${r.previous} archived)${where}\n`;
}
