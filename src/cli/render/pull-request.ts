import { shortHash } from '../../core/util/text.js';
import type { PullRequestOutcome } from '../../core/rollout/pr-steps.js';
import type { SettledStep } from '../../core/rollout/settle-pending.js';

/** A step opened as a pull request (ADR 25): where to review it, and that it applies once merged. */
export function renderPullRequestOutcome(o: PullRequestOutcome): string {
  const who = o.candidate ?? o.champion ?? o.model;
  const what =
    o.action === 'abort'
      ? 'the abort of its rollout'
      : o.action === 'rollback'
        ? o.stage
        : o.action === 'start'
          ? `the start of rollout ${o.rollout} at ${o.stage}`
          : o.stage;
  const lines = [
    `${who}: ${o.urgent ? 'urgent ' : ''}pull request #${o.pull_request.number} ${o.pull_request.created ? 'opened' : 'is open'} for ${what}: ${o.pull_request.url}`,
  ];
  if (o.superseded !== null) lines.push(`closed pull request #${o.superseded}, which this step supersedes`);
  lines.push(
    `it takes effect when merged into ${o.base} (branch ${o.branch}, commit ${shortHash(o.commit)}); mlctl rollout tick records it then`,
  );
  return `${lines.join('\n')}\n`;
}

/** What looking at pending pull requests found: merged, cancelled, still waiting, rebased, in conflict. */
export function renderSettled(entries: SettledStep[]): string {
  return entries.map((e) => `${e.model}: ${e.detail}\n`).join('');
}
