import type { SizedPlan } from './replicas.js';
import { assertNoOpenRollout, prepareStart, writeStartAdr } from './start-prep.js';
import { findAdr, listAdrs } from '../adr/files.js';
import { newAdr, updateAdr } from '../adr/adr-ops.js';
import { appendEvent } from '../audit/chain.js';
import { ConcurrentChangeError, UsageError } from '../errors.js';
import { formatRef } from '../refs.js';
import { servingSpecOf, servingUri, stamp, versionsOf, type CandidateChange, type RolloutContext } from './context.js';
import { gateEvidence, promotionContext, snapshotAdr } from './adr-text.js';
import { assertChampionUnchanged, assertRolloutUnchanged, rolloutMoved } from './races.js';
import { summarizeChecks } from './evaluate.js';
import { allTrafficTo, describeStage, formatDuration, stageSlug, targetAt } from './stages.js';
import { newStepId, type StepIdentity } from './step-identity.js';
import { runPullRequestStep, type PullRequestStepResult } from './pr-step.js';
import { pendingOf, type PendingPullRequest } from './pending.js';
import { championPending } from './champion-pending.js';
import { cancelledLines, waitingMessage } from './pr-cancel.js';
import type { AdvanceOptions, AdvancePlan } from './advance.js';
import type { HealthCheckResult } from './health-checks.js';
import type { StageView, StepEvidence } from '../pull-requests/evidence.js';
import type { RolloutRecord, RolloutStage, StepAction, VersionRecord } from '../../ports/registry.js';

/** What opening a step's pull request did, for rendering and --json. */
export interface PullRequestOutcome {
  model: string;
  /** The rollout's row id (null for a champion change outside a rollout). */
  rollout: number | null;
  stepId: string;
  candidate: string | null;
  champion: string | null;
  action: StepAction;
  /** Where the step takes traffic once merged. */
  stage: string;
  state: 'pending';
  pull_request: { number: number; url: string; state: 'open'; created: boolean };
  branch: string;
  base: string;
  /** The step's commit on its branch (the merge commit is recorded once merged). */
  commit: string;
  files: string[];
  adr: string | null;
  urgent: boolean;
  /** The pull request this step closed (an abort superseding a pending step). */
  superseded: number | null;
  warnings: string[];
}

export const stageView = (s: RolloutStage): StageView => ({
  stage: s.stage,
  ...(s.weight !== undefined ? { weight: s.weight } : {}),
  ...(s.mirror !== undefined ? { mirror: s.mirror } : {}),
});

const liveChecks = (cs: HealthCheckResult[]): StepEvidence['liveChecks'] =>
  cs.map((c) => ({ name: c.name, status: c.status, value: c.value, min: c.min, max: c.max, detail: c.detail }));

function gateView(change: CandidateChange): StepEvidence['gate'] {
  const g = change.gateRun;
  if (!g) return undefined;
  const report = g.report as { checks?: Array<{ id: string; verdict: string; inequality: string }> };
  return {
    runId: g.id,
    verdict: g.verdict,
    policy: g.policyDigest.slice(0, 12),
    forced: change.forced,
    checks: (report.checks ?? []).map((c) => ({ id: c.id, verdict: c.verdict, inequality: c.inequality })),
  };
}

function outcome(
  r: PullRequestStepResult,
  o: {
    model: string;
    step: StepIdentity;
    candidate: string | null;
    champion: string | null;
    stage: string;
    superseded?: number | null;
  },
): PullRequestOutcome {
  return {
    model: o.model,
    rollout: r.rollout,
    stepId: o.step.id,
    candidate: o.candidate,
    champion: o.champion,
    action: o.step.action,
    stage: o.stage,
    state: 'pending',
    pull_request: { number: r.pullRequest.number, url: r.pullRequest.url, state: 'open', created: r.created },
    branch: r.pending.branch,
    base: r.pending.base,
    commit: r.pending.commit,
    files: r.files,
    adr: r.pending.adr,
    urgent: r.pending.urgent,
    superseded: o.superseded ?? null,
    warnings: r.warnings,
  };
}

/** A rollout step may open a pull request only when none of its steps is waiting for one. */
function assertNothingPending(r: RolloutRecord): void {
  const p = pendingOf(r);
  if (p) throw new UsageError(waitingMessage(r.model, p));
}

/** Start a rollout as a pull request: the rollout's row exists from now on (pending), its stage once merged. */
export async function openStartPr(
  ctx: RolloutContext,
  change: CandidateChange,
  sized?: SizedPlan,
): Promise<PullRequestOutcome> {
  const prep = await prepareStart(ctx, change, sized);
  const { cand, champ, spec, stages, first, candidateUri, championUri, id, step } = prep;
  let adrFile: string | null = null;
  const r = await runPullRequestStep(ctx, {
    scope: `model:${cand.model}`,
    verify: async () => {
      await assertChampionUnchanged(ctx, cand.model, champ.version, 'starting the rollout');
      await assertNoChampionPending(ctx, cand.model);
      await assertNoOpenRollout(ctx, cand.model);
    },
    serving: prep.serving,
    adr: async (journal) => {
      adrFile = await writeStartAdr(ctx, change, prep, journal, 'pull request');
    },
    message: `mlctl: ${formatRef(cand)} ${describeStage(first)}`,
    step,
    label: `start at ${describeStage(first)}`,
    urgent: false,
    evidence: {
      kind: first.stage === 'full' ? 'full' : 'start',
      model: cand.model,
      candidate: cand.version,
      champion: champ.version,
      rollout: id,
      stage: stageView(first),
      ...(first.minDurationMs ? { bake: formatDuration(first.minDurationMs) } : {}),
      actor: ctx.actor,
      ...(change.reason ? { reason: change.reason } : {}),
      gate: gateView(change),
    },
    adrFile: () => adrFile,
    effect: { kind: 'start', forced: change.forced, reason: change.reason, gateRunId: change.gateRun?.id ?? null },
    park: async (pending) => {
      const at = ctx.clock.now().toISOString();
      const row = await ctx.registry.insertRollout({
        key: id,
        model: cand.model,
        candidateId: cand.id,
        championId: champ.id,
        planName: spec.plan,
        plan: stages,
        step: 0,
        state: 'active',
        // Rewritten with the merge time: the stage starts when its pull request is merged.
        stepStartedAt: at,
        candidateUri,
        championUri,
        gateRunId: change.gateRun?.id ?? null,
        adr: adrFile,
        lastCommit: null,
        startedAt: at,
        startedBy: ctx.actor,
      });
      if (!(await ctx.registry.updateRollout(row.id, row.revision, { pending, updatedAt: at })))
        throw rolloutMoved(row);
      return row.id;
    },
  });
  return outcome(r, {
    model: cand.model,
    step,
    candidate: formatRef(cand),
    champion: formatRef(champ),
    stage: describeStage(first),
  });
}

/** The next stage of an open rollout as a pull request; the rollout stays where it is until it is merged. */
export async function openAdvancePr(
  ctx: RolloutContext,
  p: AdvancePlan,
  opts: AdvanceOptions,
): Promise<PullRequestOutcome> {
  const r = p.rollout;
  if (r.state === 'paused')
    throw new UsageError(`the rollout of ${r.model} is paused; run mlctl rollout resume ${r.model} first`);
  assertNothingPending(r);
  const { cand, champ } = await versionsOf(ctx, r);
  const spec = servingSpecOf(ctx, r.model);
  const to = p.to;
  const stage = r.plan[to]!;
  const full = stage.stage === 'full';
  const from = describeStage(r.plan[r.step]!);
  const step: StepIdentity = {
    id: newStepId(),
    model: r.model,
    action: full ? 'complete' : 'advance',
    version: cand.version,
    stage: stageSlug(stage),
    rollout: r.key,
  };
  const earlier = await cancelledLines(ctx, r);
  let adrTouched = false;
  const res = await runPullRequestStep(ctx, {
    scope: `model:${r.model}`,
    verify: async () => {
      await assertRolloutUnchanged(ctx, r);
      if (full) await assertChampionUnchanged(ctx, r.model, champ?.version ?? null, 'completing the rollout');
    },
    serving: {
      model: r.model,
      spec,
      target: targetAt(r, { candidate: cand.version, champion: champ?.version ?? cand.version }, to),
    },
    adr: async (journal) => {
      adrTouched = snapshotAdr(ctx, journal, r.adr);
      if (!adrTouched) return;
      const line = `${stamp(ctx)} ${from} → ${describeStage(stage)} by ${ctx.actor}${opts.checks.length ? ` (checks: ${summarizeChecks(opts.checks)})` : ''}${opts.forced ? ` — override: ${opts.reason}` : ''} (pull request)`;
      await updateAdr(
        ctx.adr!,
        r.adr!,
        full
          ? {
              status: 'Accepted',
              log: [
                ...earlier,
                line,
                `${stamp(ctx)} completed: ${formatRef(cand)} is the champion${champ ? `; ${formatRef(champ)} archived` : ''}`,
              ],
            }
          : { log: [...earlier, line] },
      );
    },
    message: `mlctl: ${formatRef(cand)} ${describeStage(stage)}${full ? ' (champion)' : ''}`,
    step,
    label: describeStage(stage),
    urgent: false,
    evidence: {
      kind: full ? 'full' : 'advance',
      model: r.model,
      candidate: cand.version,
      champion: champ?.version ?? null,
      rollout: r.key,
      stage: stageView(stage),
      from: stageView(r.plan[r.step]!),
      ...(stage.minDurationMs && !full ? { bake: formatDuration(stage.minDurationMs) } : {}),
      actor: ctx.actor,
      ...(opts.reason ? { reason: opts.reason } : {}),
      liveChecks: liveChecks(opts.checks),
    },
    adrFile: () => (adrTouched ? r.adr : null),
    effect: {
      kind: 'advance',
      to,
      forced: opts.forced,
      reason: opts.reason,
      checks: opts.checks.map((c) => ({ name: c.name, status: c.status })),
    },
    park: async (pending) => {
      if (!(await ctx.registry.updateRollout(r.id, r.revision, { pending, updatedAt: pending.since })))
        throw rolloutMoved(r);
      return r.id;
    },
  });
  return outcome(res, {
    model: r.model,
    step,
    candidate: formatRef(cand),
    champion: champ ? formatRef(champ) : null,
    stage: describeStage(stage),
  });
}

export interface AbortInput {
  reason: string | null;
  failing: HealthCheckResult[];
  by: 'rollback' | 'tick';
}

/** Why an abort happens, as the rollout's outcome and the ADR say it. */
export const abortWhy = (o: AbortInput): string =>
  [o.reason, o.failing.length ? `failing check${o.failing.length > 1 ? 's' : ''}: ${summarizeChecks(o.failing)}` : null]
    .filter(Boolean)
    .join('; ') || 'no reason given';

/**
 * Abort a rollout as an urgent pull request: all traffic back to the champion once merged. A pending
 * step's pull request is closed first (superseded); an abort already waiting is returned as it is.
 */
export async function openAbortPr(
  ctx: RolloutContext,
  r: RolloutRecord,
  o: AbortInput,
): Promise<PullRequestOutcome | { already: PendingPullRequest }> {
  const pending = pendingOf(r);
  if (pending?.kind === 'pull_request' && pending.action === 'abort') return { already: pending };
  const { cand, champ } = await versionsOf(ctx, r);
  const spec = servingSpecOf(ctx, r.model);
  const from = describeStage(r.plan[r.step]!);
  const why = abortWhy(o);
  const step: StepIdentity = {
    id: newStepId(),
    model: r.model,
    action: 'abort',
    version: cand.version,
    stage: 'abort',
    rollout: r.key,
  };
  const superseded = pending?.kind === 'pull_request' ? pending : null;
  const earlier = await cancelledLines(ctx, r);
  let adrTouched = false;
  const res = await runPullRequestStep(ctx, {
    scope: `model:${r.model}`,
    verify: async () => await assertRolloutUnchanged(ctx, r),
    serving: {
      model: r.model,
      spec,
      target: allTrafficTo(r.model, { version: champ?.version ?? cand.version, uri: r.championUri ?? r.candidateUri }),
    },
    adr: async (journal) => {
      adrTouched = snapshotAdr(ctx, journal, r.adr);
      if (adrTouched)
        await updateAdr(ctx.adr!, r.adr!, {
          status: 'Rejected',
          log: [
            ...earlier,
            `${stamp(ctx)} aborted at ${from} by ${ctx.actor} (${o.by}): ${why}; all traffic back to ${champ ? formatRef(champ) : 'the champion'} (pull request)`,
          ],
        });
    },
    message: `mlctl: abort ${formatRef(cand)} rollout at ${from}`,
    step,
    label: 'abort',
    urgent: true,
    evidence: {
      kind: 'abort',
      model: r.model,
      candidate: cand.version,
      champion: champ?.version ?? null,
      rollout: r.key,
      stage: stageView(r.plan[r.step]!),
      actor: ctx.actor,
      reason: why,
      urgent: true,
      ...(o.failing.length ? { liveChecks: liveChecks(o.failing) } : {}),
    },
    adrFile: () => (adrTouched ? r.adr : null),
    effect: {
      kind: 'abort',
      reason: o.reason,
      by: o.by,
      failing: o.failing.map((c) => ({ name: c.name, value: c.value, detail: c.detail })),
      why,
    },
    supersede: superseded
      ? {
          number: superseded.number,
          comment: `Superseded: mlctl is aborting this rollout (${why}) and opens an urgent pull request that sends all traffic back to ${champ ? formatRef(champ) : 'the champion'}.`,
        }
      : null,
    park: async (next) => {
      if (!(await ctx.registry.updateRollout(r.id, r.revision, { pending: next, updatedAt: next.since })))
        throw rolloutMoved(r);
      if (superseded)
        await appendEvent(ctx.registry, {
          at: next.since,
          actor: ctx.actor,
          action: 'step.cancel',
          model: r.model,
          subject: formatRef(cand),
          payload: {
            stepId: superseded.stepId,
            action: superseded.action,
            stage: superseded.stage,
            number: superseded.number,
            url: superseded.url,
            rollout: r.id,
            why: `superseded by the abort (pull request #${next.number})`,
          },
        });
      return r.id;
    },
  });
  return outcome(res, {
    model: r.model,
    step,
    candidate: formatRef(cand),
    champion: champ ? formatRef(champ) : null,
    stage: 'abort',
    superseded: superseded?.number ?? null,
  });
}

async function assertNoChampionPending(ctx: RolloutContext, model: string): Promise<void> {
  const p = await championPending(ctx.registry, model);
  if (p) throw new UsageError(waitingMessage(model, p.pending));
}

export interface ChampionPrInput {
  via: 'promote' | 'rollback';
  model: string;
  target: VersionRecord;
  current: VersionRecord | null;
  reason: string | null;
  /** rollback: the ADR of the promotion being undone (superseded by the rollback's). */
  supersedes: string | null;
  /** promote: the gate evidence. */
  change: CandidateChange | null;
}

/** A champion change outside a rollout (the first version, a rollback) as a pull request; its pending state lives in the audit log. */
export async function openChampionPr(ctx: RolloutContext, o: ChampionPrInput): Promise<PullRequestOutcome> {
  const spec = servingSpecOf(ctx, o.model);
  const uri = await servingUri(ctx, o.target);
  const rollback = o.via === 'rollback';
  const step: StepIdentity = {
    id: newStepId(),
    model: o.model,
    action: o.via,
    version: o.target.version,
    stage: rollback ? 'rollback' : 'full',
    rollout: null,
  };
  let adrFile: string | null = null;
  const res = await runPullRequestStep(ctx, {
    scope: `model:${o.model}`,
    verify: async () => {
      await assertChampionUnchanged(ctx, o.model, o.current?.version ?? null, rollback ? 'rolling back' : 'promoting');
      await assertNoChampionPending(ctx, o.model);
      const open = await ctx.registry.openRollout(o.model);
      if (open)
        throw new ConcurrentChangeError(
          `${o.model} has a rollout in progress (rollout ${open.id}); see mlctl rollout status ${o.model}`,
          'open-rollout',
        );
    },
    serving: { model: o.model, spec, target: allTrafficTo(o.model, { version: o.target.version, uri }) },
    adr: async (journal) => {
      if (!ctx.adr) return;
      if (o.supersedes) {
        try {
          journal.snapshot(findAdr(listAdrs(ctx.adr.dir), o.supersedes).path);
        } catch {
          // gone or renamed: newAdr reports it
        }
      }
      const a = await newAdr(ctx.adr, {
        title: rollback
          ? `Roll back ${o.model} to ${formatRef(o.target)}`
          : `Promote ${formatRef(o.target)} to production`,
        status: 'accepted',
        touch: (p) => journal.snapshot(p),
        supersedes: o.supersedes ? [o.supersedes] : [],
        sections: rollback
          ? {
              context: `${o.current ? formatRef(o.current) : 'Nothing'} is the production champion of ${o.model}.${o.reason ? `\n\nReason for rolling back: ${o.reason}` : ''}`,
              decision: `Make ${formatRef(o.target)} the champion again (rollback by ${ctx.actor}; served from ${uri}; in effect once its pull request is merged)${o.current ? `; ${formatRef(o.current)} is archived` : ''}.`,
              consequences: `${o.current ? formatRef(o.current) : 'The previous champion'} stays in the registry for analysis; promoting it again requires a new passing gate run.`,
            }
          : {
              context: promotionContext({ candidate: o.target, champion: o.current, reason: o.reason }),
              decision: `Make ${formatRef(o.target)} the champion of ${o.model} (direct promotion, by ${ctx.actor}; served from ${uri}; in effect once its pull request is merged).\n\n${o.change ? await gateEvidence(ctx, o.change) : ''}`,
              consequences: `${o.model} has a champion from now on; later candidates are gated against it and rolled out in stages.`,
            },
      });
      journal.created(a.path);
      adrFile = a.file;
    },
    message: rollback
      ? `mlctl: roll back ${o.model} to ${formatRef(o.target)}`
      : `mlctl: ${formatRef(o.target)} full (${o.current ? 'direct promotion' : 'first version'})`,
    step,
    label: rollback ? `rollback to ${formatRef(o.target)}` : `promotion of ${formatRef(o.target)}`,
    urgent: rollback,
    evidence: rollback
      ? {
          kind: 'rollback',
          model: o.model,
          candidate: o.current?.version ?? o.target.version,
          champion: o.target.version,
          rollout: step.id,
          stage: { stage: 'full' },
          actor: ctx.actor,
          ...(o.reason ? { reason: o.reason } : {}),
          urgent: true,
        }
      : {
          kind: 'full',
          model: o.model,
          candidate: o.target.version,
          champion: o.current?.version ?? null,
          rollout: step.id,
          stage: { stage: 'full' },
          actor: ctx.actor,
          ...(o.reason ? { reason: o.reason } : {}),
          ...(o.change ? { gate: gateView(o.change) } : {}),
        },
    adrFile: () => adrFile,
    effect: {
      kind: 'champion',
      via: o.via,
      version: o.target.version,
      previous: o.current?.version ?? null,
      reason: o.reason,
      gateRunId: o.change?.gateRun?.id ?? null,
      forced: o.change?.forced ?? false,
      uri,
    },
    park: async () => null,
  });
  return outcome(res, {
    model: o.model,
    step,
    candidate: null,
    champion: formatRef(o.target),
    stage: rollback ? `rollback to ${formatRef(o.target)}` : 'full',
  });
}
