import { UsageError, type InconclusiveError, type VerdictError } from '../errors.js';
import { resolveRef } from '../registry/resolve.js';
import { type CandidateChange, type RolloutContext } from '../rollout/context.js';
import { formatRef } from '../refs.js';
import { openRolloutOf } from '../rollout/pause.js';
import { planAdvance, type AdvancePlan } from '../rollout/advance.js';
import { evaluateStage } from '../rollout/evaluate.js';
import { blocker } from '../rollout/blocker.js';
import { settlePending, type SettledStep } from '../rollout/settle-pending.js';
import { advanceStep, directPromotionStep, isPullRequestOutcome, startStep } from '../rollout/step-mode.js';
import { planCandidateChange } from './candidate.js';
import { reconcile } from '../reconcile/reconcile.js';
import { checkClock } from '../rollout/clock.js';
import { type ChampionResult } from './direct.js';
import { confirmation, type Confirmation } from '../confirmation.js';
import type { HealthCheckResult } from '../rollout/health-checks.js';
import type { StepOutcome } from '../rollout/outcome.js';
import type { PullRequestOutcome } from '../rollout/pr-steps.js';
import { freezePlan } from '../rollout/stages.js';
import { assumedWarnings, sizePlan, type SizedPlan } from '../rollout/replicas.js';
import { labelsReady, notReady, settleLabels } from '../rollout/label-step.js';
import { pendingLabelOf } from '../rollout/label-pending.js';
import type { LabelReadiness } from '../rollout/label-ready.js';
import type { RolloutRecord } from '../../ports/registry.js';

export interface PromoteInput {
  ref: string;
  force?: boolean;
  reason?: string;
  /** Size a version registered without its throughput metric with this QPS per replica (recorded). */
  assumeQpsPerReplica?: number;
}

/**
 * What `mlctl promote` will do, decided before anything changes:
 * - `advance`: the candidate's rollout is open → its next stage (its checks were run and recorded;
 *   `override` is what --force overrides: failing or undecided checks, bake time left);
 * - `start`: the model has a serving target and a champion → start a staged rollout;
 * - `direct`: no serving target, or the model's first version → champion now;
 * - `label`: the candidate's last step loaded a version and its labels wait (two-push rule) → write them
 *   once the version is loaded (refused, exit 1, until then).
 * `confirm` is what must be agreed to first (a change to full traffic), or null.
 */
export type PromotePlan =
  | {
      kind: 'advance';
      confirm: Confirmation | null;
      advance: AdvancePlan;
      checks: HealthCheckResult[];
      override: VerdictError | InconclusiveError | null;
      reason: string | null;
    }
  | { kind: 'start'; confirm: Confirmation | null; change: CandidateChange; sized: SizedPlan }
  | { kind: 'direct'; confirm: Confirmation | null; change: CandidateChange }
  | { kind: 'label'; confirm: null; rollout: RolloutRecord; ready: LabelReadiness }
  /** A step of this model was waiting for its pull request: settled or still waiting, and that is all (ADR 25). */
  | { kind: 'settled'; confirm: null; settled: SettledStep[] };

export type PromoteResult = { warnings: string[]; notes: string[] } & (
  | { kind: 'advance' | 'start' | 'label'; outcome: StepOutcome }
  | { kind: 'direct'; outcome: ChampionResult }
  | { kind: 'pull-request'; outcome: PullRequestOutcome }
  | { kind: 'settled'; outcome: SettledStep[] }
);

export async function planPromote(ctx: RolloutContext, input: PromoteInput): Promise<PromotePlan> {
  const force = !!input.force;
  if (force && !input.reason?.trim())
    throw new UsageError('--force needs --reason: an override is recorded with why it was made');
  const reason = input.reason ?? null;
  const cand = await resolveRef(ctx.registry, input.ref);
  // The chain before this command writes anything: its own events never confirm a bake time.
  const before = (await ctx.registry.lastEvent())?.seq ?? 0;
  // A step waiting for its pull request is looked at first: merged, closed or still open, that is
  // this call's news; the next call moves on from there.
  const settled = await settlePending(ctx, cand.model);
  if (settled.length) return { kind: 'settled', confirm: null, settled };
  await reconcile(ctx, cand.model);
  await checkClock(ctx);
  const open = await openRolloutOf(ctx, cand.model);
  if (open) {
    if (open.candidateId !== cand.id) {
      const other = formatRef((await ctx.registry.getVersionById(open.candidateId))!);
      throw new UsageError(
        `${cand.model} has a rollout of ${other} in progress; advance it with mlctl promote ${other}, or abort it with mlctl rollback ${cand.model}`,
      );
    }
    if (open.state === 'paused')
      throw new UsageError(`the rollout of ${cand.model} is paused; run mlctl rollout resume ${cand.model} first`);
    const label = await labelPlan(ctx, open);
    if (label) return label;
    const advance = await planAdvance(ctx, open, before);
    const checks = await evaluateStage(ctx, open, { look: advance.remainingMs === 0 && !advance.confirmed });
    const why = blocker(advance, checks);
    if (why && !force) throw why;
    const champ = advance.champion;
    return {
      kind: 'advance',
      advance,
      checks,
      override: why,
      reason,
      confirm: advance.toFull
        ? confirmation(
            `Send all traffic to ${formatRef(cand)} and make it the champion${champ ? ` (replacing ${formatRef(champ)})` : ''}?`,
            `moving ${formatRef(cand)} to full`,
          )
        : null,
    };
  }
  // A completed rollout whose full stage still waits for its stable label: promote writes it.
  const [last] = await ctx.registry.rollouts({ model: cand.model, limit: 1 });
  if (last && last.candidateId === cand.id && last.state === 'completed') {
    const label = await labelPlan(ctx, last);
    if (label) return label;
  }
  const change = await planCandidateChange(ctx, { candidate: cand, force, reason });
  const served = ctx.rollout.serving[cand.model];
  const target = formatRef(cand);
  if (served && change.champion)
    return {
      kind: 'start',
      change,
      // Sized before anything changes: a version without its throughput metric is refused here.
      sized: await sizePlan(
        ctx,
        served,
        cand.model,
        freezePlan(ctx.rollout.plans[served.plan]!),
        { candidate: cand, champion: change.champion },
        input.assumeQpsPerReplica,
      ),
      confirm:
        ctx.rollout.plans[served.plan]![0]!.stage === 'full'
          ? confirmation(`Send all traffic to ${target} and make it the champion?`, `moving ${target} to full`)
          : null,
    };
  return {
    kind: 'direct',
    change,
    confirm: confirmation(
      `Make ${target} the production champion${change.champion ? ` (replacing ${formatRef(change.champion)})` : ''}?`,
      `promoting ${target}`,
    ),
  };
}

/** A rollout's pending labels as promote's plan (null: none); refused, exit 1, while the version loads. */
async function labelPlan(ctx: RolloutContext, r: RolloutRecord): Promise<PromotePlan | null> {
  const p = pendingLabelOf(r);
  if (!p) return null;
  const ready = await labelsReady(ctx, r, p);
  if (!ready.ready) throw notReady(r, p, ready);
  return { kind: 'label', confirm: null, rollout: r, ready };
}

/** Carry out a plan (after any confirmation): one step, all or nothing. */
export async function applyPromote(ctx: RolloutContext, plan: PromotePlan): Promise<PromoteResult> {
  if (plan.kind === 'settled')
    return {
      kind: 'settled',
      outcome: plan.settled,
      warnings: plan.settled.filter((s) => s.outcome === 'conflict').map((s) => `${s.model}: ${s.detail}`),
      notes: [],
    };
  if (plan.kind === 'label')
    return { kind: 'label', outcome: await settleLabels(ctx, plan.rollout, plan.ready), warnings: [], notes: [] };
  if (plan.kind === 'advance') {
    const outcome = await advanceStep(ctx, plan.advance, {
      forced: !!plan.override,
      reason: plan.reason,
      checks: plan.checks,
    });
    const warnings = plan.override ? [`advanced with --force (override recorded): ${plan.override.message}`] : [];
    if (isPullRequestOutcome(outcome))
      return { kind: 'pull-request', outcome, warnings: [...warnings, ...outcome.warnings], notes: [] };
    return { kind: 'advance', outcome, warnings, notes: [] };
  }
  const { change } = plan;
  const notes = (adr: string | null) => (adr ? [`recorded ADR ${adr}`] : []);
  if (plan.kind === 'start') {
    const outcome = await startStep(ctx, change, plan.sized);
    const warnings = [
      ...(change.forced ? [`rollout started without a passing gate run (override recorded): ${change.reason}`] : []),
      ...assumedWarnings(change.candidate.model, plan.sized.sizing),
    ];
    if (isPullRequestOutcome(outcome))
      return { kind: 'pull-request', outcome, warnings: [...warnings, ...outcome.warnings], notes: notes(outcome.adr) };
    return { kind: 'start', outcome, warnings, notes: notes(outcome.adr) };
  }
  const outcome = await directPromotionStep(ctx, change);
  if (isPullRequestOutcome(outcome))
    return { kind: 'pull-request', outcome, warnings: outcome.warnings, notes: notes(outcome.adr) };
  const warnings = outcome.forced ? [`promoted without a passing gate run (override recorded): ${change.reason}`] : [];
  return { kind: 'direct', outcome, warnings, notes: notes(outcome.adr) };
}
