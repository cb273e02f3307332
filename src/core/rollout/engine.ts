import { findAdr, listAdrs } from '../adr/files.js';
import { newAdr, updateAdr } from '../adr/adr-ops.js';
import { appendEvent } from '../audit/chain.js';
import { InconclusiveError, NotFoundError, StorageError, UsageError, VerdictError } from '../errors.js';
import { checkModelName } from '../refs.js';
import {
  championMoved,
  evidence,
  promotionContext,
  refOf,
  servingUri,
  type PromoteContext,
  type PromotionPlan,
} from '../promote/direct.js';
import { runChecks, type CheckResult } from './checks.js';
import { describeStage, formatDuration, freezePlan, stageSlug, targetAt } from './stages.js';
import { runStep } from './step.js';
import { statusBeforeRollout } from './status-before.js';
import type { FileJournal } from '../util/file-journal.js';
import type { RolloutRecord, VersionRecord } from '../../ports/registry.js';

export interface StepOutcome {
  model: string;
  rollout: number;
  candidate: string;
  champion: string | null;
  action: 'start' | 'advance' | 'complete' | 'abort';
  step: number;
  stage: string;
  state: RolloutRecord['state'];
  commit: string | null;
  pushed: boolean;
  files: string[];
  outside: string[];
  adr: string | null;
  forced: boolean;
}

const versionsOf = async (ctx: PromoteContext, r: RolloutRecord) => {
  const cand = (await ctx.registry.getVersionById(r.candidateId))!;
  const champ = r.championId === null ? null : (await ctx.registry.getVersionById(r.championId))!;
  return { cand, champ };
};

function servingSpec(ctx: PromoteContext, model: string) {
  const spec = ctx.rollout.serving[model];
  if (!spec)
    throw new UsageError(
      `${model} has no serving target (serving.${model} in mlctl.yaml); without one, mlctl promote makes a candidate champion directly`,
    );
  return spec;
}

/** Re-read under the lock: exactly one of two racing commands acts, the other exits 3. */
async function unchanged(ctx: PromoteContext, r: RolloutRecord): Promise<void> {
  const now = await ctx.registry.getRollout(r.id);
  if (!now || now.revision !== r.revision) {
    const where = now
      ? `now at step ${now.step + 1}/${now.plan.length} (${describeStage(now.plan[now.step]!)}), ${now.state}`
      : 'gone';
    throw new StorageError(
      `the rollout of ${r.model} changed under this command (${where}); see mlctl rollout status ${r.model} and run again if still needed`,
    );
  }
}

function snapshotAdr(ctx: PromoteContext, journal: FileJournal, file: string | null): boolean {
  if (!ctx.adr || !file) return false;
  try {
    journal.snapshot(findAdr(listAdrs(ctx.adr.dir), file).path);
    return true;
  } catch {
    return false; // moved or deleted by hand: the rollout goes on without its log
  }
}

/** Why the rollout was started (the champion change carries it, unless the last step gave its own). */
async function startReason(ctx: PromoteContext, r: RolloutRecord): Promise<string | null> {
  const e = (await ctx.registry.events({ model: r.model, action: 'rollout.start', limit: 50 })).find(
    (x) => (x.payload as { rollout?: number }).rollout === r.id,
  );
  return (e?.payload as { reason?: string | null } | undefined)?.reason ?? null;
}

const stamp = (ctx: PromoteContext) =>
  ctx.clock
    .now()
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z');

/** Start a staged rollout of a gated candidate against the champion (the first call of promote). */
export async function startRollout(ctx: PromoteContext, plan: PromotionPlan): Promise<StepOutcome> {
  const cand = plan.candidate;
  const champ = plan.champion;
  if (!champ) throw new Error('startRollout needs a champion'); // first versions go through applyPromotion
  const spec = servingSpec(ctx, cand.model);
  const stages = freezePlan(ctx.rollout.plans[spec.plan]!);
  const candidateUri = await servingUri(ctx, cand);
  const championUri = await servingUri(ctx, champ, true);
  const planText = stages
    .map(
      (s, i) =>
        `${i + 1}. ${describeStage(s)}${s.minDurationMs ? `, at least ${formatDuration(s.minDurationMs)}` : ''}${s.checks.length ? `, checks: ${s.checks.join(', ')}` : ''}${s.auto ? ', auto' : ''}`,
    )
    .join('\n');
  let adrFile: string | null = null;
  const first = stages[0]!;
  const r = await runStep(
    { ...ctx.step, registry: ctx.registry },
    {
      verify: async () => {
        await championMoved(ctx, cand.model, champ.version, 'starting the rollout');
        const open = await ctx.registry.openRollout(cand.model);
        if (open)
          throw new StorageError(
            `${cand.model} already has a rollout in progress (rollout ${open.id}, ${refOf((await ctx.registry.getVersionById(open.candidateId))!)}); see mlctl rollout status ${cand.model}`,
          );
      },
      serving: {
        model: cand.model,
        spec,
        target: targetAt(
          { model: cand.model, plan: stages, candidateUri, championUri },
          { candidate: cand.version, champion: champ.version },
          0,
        ),
      },
      adr: async (journal) => {
        if (!ctx.adr) return;
        const a = await newAdr(ctx.adr, {
          title: `Promote ${refOf(cand)} to production`,
          status: 'proposed',
          sections: {
            context: promotionContext(plan),
            decision: `Roll ${refOf(cand)} out in stages with the ${spec.plan} plan on ${spec.adapter} (started by ${ctx.actor}; served from ${candidateUri}):\n\n${planText}\n\n${await evidence(ctx, plan)}`,
            consequences: `Each stage is one commit of ${spec.files.join(', ')}; \`mlctl rollback ${cand.model}\` aborts the rollout and sends all traffic back to ${refOf(champ)}.`,
          },
        });
        journal.created(a.path);
        adrFile = a.file;
        await updateAdr(ctx.adr, a.file, { log: [`${stamp(ctx)} ${describeStage(first)} — started by ${ctx.actor}`] });
      },
      message: `mlctl: ${refOf(cand)} ${describeStage(first)}`,
      trailers: { 'Mlctl-Model': cand.model, 'Mlctl-Version': String(cand.version), 'Mlctl-Stage': stageSlug(first) },
      record: async (commit) => {
        const at = ctx.clock.now().toISOString();
        const row = await ctx.registry.insertRollout({
          model: cand.model,
          candidateId: cand.id,
          championId: champ.id,
          planName: spec.plan,
          plan: stages,
          step: 0,
          state: 'active',
          stepStartedAt: at,
          candidateUri,
          championUri,
          gateRunId: plan.gateRun?.id ?? null,
          adr: adrFile,
          lastCommit: commit,
          startedAt: at,
          startedBy: ctx.actor,
        });
        await ctx.registry.setStatus(cand.id, 'staging', at);
        if (plan.forced)
          await appendEvent(ctx.registry, {
            at,
            actor: ctx.actor,
            action: 'override',
            model: cand.model,
            subject: refOf(cand),
            payload: { what: 'start a rollout without a passing gate run', reason: plan.reason, rollout: row.id },
          });
        if (adrFile)
          await appendEvent(ctx.registry, {
            at,
            actor: ctx.actor,
            action: 'adr.recorded',
            model: cand.model,
            subject: refOf(cand),
            payload: { adr: adrFile, for: 'rollout', rollout: row.id },
          });
        await appendEvent(ctx.registry, {
          at,
          actor: ctx.actor,
          action: 'rollout.start',
          model: cand.model,
          subject: refOf(cand),
          payload: {
            rollout: row.id,
            version: cand.version,
            champion: champ.version,
            plan: spec.plan,
            stages: stages.map(describeStage),
            stage: describeStage(first),
            gateRunId: plan.gateRun?.id ?? null,
            forced: plan.forced,
            reason: plan.reason,
            commit,
            uri: candidateUri,
            previousStatus: cand.status,
          },
        });
        return row;
      },
    },
  );
  const row = r.result;
  const outcome: StepOutcome = {
    model: cand.model,
    rollout: row.id,
    candidate: refOf(cand),
    champion: refOf(champ),
    action: 'start',
    step: 0,
    stage: describeStage(first),
    state: 'active',
    commit: r.commit,
    pushed: r.pushed,
    files: r.files,
    outside: r.outside,
    adr: adrFile,
    forced: plan.forced,
  };
  // A plan of only `full` completes at once.
  if (first.stage === 'full')
    return {
      ...(await enterStep(ctx, row, 0, { forced: plan.forced, reason: plan.reason, checks: [] }, true)),
      action: 'complete',
    };
  return outcome;
}

export interface AdvancePlan {
  rollout: RolloutRecord;
  candidate: VersionRecord;
  champion: VersionRecord | null;
  from: number;
  to: number;
  toFull: boolean;
  /** Time left in the current stage's minDuration (0 when served). */
  remainingMs: number;
}

export async function openRolloutOf(ctx: PromoteContext, model: string): Promise<RolloutRecord | undefined> {
  checkModelName(model);
  return await ctx.registry.openRollout(model);
}

export async function planAdvance(ctx: PromoteContext, r: RolloutRecord): Promise<AdvancePlan> {
  const { cand, champ } = await versionsOf(ctx, r);
  const cur = r.plan[r.step]!;
  const elapsed = ctx.clock.now().getTime() - new Date(r.stepStartedAt).getTime();
  const to = r.step + 1;
  return {
    rollout: r,
    candidate: cand,
    champion: champ,
    from: r.step,
    to,
    toFull: r.plan[to]?.stage === 'full',
    remainingMs: Math.max(0, cur.minDurationMs - elapsed),
  };
}

/** Run the current stage's checks and store their results (an event and the rollout's last_checks). */
export async function evaluateStage(ctx: PromoteContext, r: RolloutRecord): Promise<CheckResult[]> {
  const names = r.plan[r.step]!.checks;
  if (!names.length) return [];
  const { cand, champ } = await versionsOf(ctx, r);
  const defined = names.filter((n) => n in ctx.rollout.checks);
  const missing: CheckResult[] = names
    .filter((n) => !(n in ctx.rollout.checks))
    .map((n) => ({
      name: n,
      kind: 'command',
      status: 'error',
      value: null,
      min: null,
      max: null,
      detail: `check ${n} is no longer defined under rollout.checks in mlctl.yaml`,
    }));
  const results = [
    ...(await runChecks(ctx.checks, ctx.rollout.checks, defined, {
      model: r.model,
      version: cand.version,
      champion: champ?.version ?? null,
      stage: stageSlug(r.plan[r.step]!),
    })),
    ...missing,
  ];
  await ctx.registry.write(async () => {
    const at = ctx.clock.now().toISOString();
    await ctx.registry.setRolloutChecks(r.id, { at, results }, at);
    await appendEvent(ctx.registry, {
      at,
      actor: ctx.actor,
      action: 'rollout.check',
      model: r.model,
      subject: refOf(cand),
      payload: {
        rollout: r.id,
        stage: describeStage(r.plan[r.step]!),
        results: results.map((c) => ({ name: c.name, status: c.status, value: c.value, detail: c.detail })),
      },
    });
  });
  return results;
}

const summarize = (cs: CheckResult[]) =>
  cs.map((c) => `${c.name} ${c.status}${c.detail ? ` (${c.detail})` : ''}`).join('; ');

/**
 * Why the rollout may not leave its current stage yet, as the error to throw (or null):
 * failing checks (exit 1), inconclusive or unevaluable checks (exit 5), bake time left (exit 1).
 */
export function blocker(p: AdvancePlan, checks: CheckResult[]): Error | null {
  const r = p.rollout;
  const cur = describeStage(r.plan[r.step]!);
  const failed = checks.filter((c) => c.status === 'fail');
  if (failed.length)
    return new VerdictError(
      `${r.model}: ${cur} checks failed: ${summarize(failed)}; abort with mlctl rollback ${r.model}, or override with --force --reason "…"`,
    );
  const open = checks.filter((c) => c.status !== 'pass');
  if (open.length)
    return new InconclusiveError(
      `${r.model}: ${cur} checks could not decide: ${summarize(open)}; wait and retry, or override with --force --reason "…"`,
    );
  if (p.remainingMs > 0)
    return new VerdictError(
      `${r.model}: ${cur} needs ${formatDuration(r.plan[r.step]!.minDurationMs)} before the next stage; ${formatDuration(p.remainingMs)} left (since ${r.stepStartedAt}) — wait, or override with --force --reason "…"`,
    );
  return null;
}

/** Move the rollout to the next stage; at `full` the candidate becomes champion. */
export async function applyAdvance(
  ctx: PromoteContext,
  p: AdvancePlan,
  opts: { forced: boolean; reason: string | null; checks: CheckResult[] },
): Promise<StepOutcome> {
  if (p.rollout.state === 'paused')
    throw new UsageError(
      `the rollout of ${p.rollout.model} is paused; run mlctl rollout resume ${p.rollout.model} first`,
    );
  return enterStep(ctx, p.rollout, p.to, opts, false);
}

async function enterStep(
  ctx: PromoteContext,
  r: RolloutRecord,
  to: number,
  opts: { forced: boolean; reason: string | null; checks: CheckResult[] },
  starting: boolean,
): Promise<StepOutcome> {
  const { cand, champ } = await versionsOf(ctx, r);
  const spec = servingSpec(ctx, r.model);
  const stage = r.plan[to]!;
  const full = stage.stage === 'full';
  const from = describeStage(r.plan[r.step]!);
  let adrTouched = false;
  const fresh = starting ? (await ctx.registry.getRollout(r.id))! : r;
  const res = await runStep(
    { ...ctx.step, registry: ctx.registry },
    {
      verify: async () => {
        await unchanged(ctx, fresh);
        if (full) await championMoved(ctx, r.model, champ?.version ?? null, 'completing the rollout');
      },
      serving: {
        model: r.model,
        spec,
        target: targetAt(r, { candidate: cand.version, champion: champ?.version ?? cand.version }, to),
      },
      adr: async (journal) => {
        adrTouched = snapshotAdr(ctx, journal, r.adr);
        if (!adrTouched) return;
        const line = `${stamp(ctx)} ${starting ? '' : `${from} → `}${describeStage(stage)} by ${ctx.actor}${opts.checks.length ? ` (checks: ${summarize(opts.checks)})` : ''}${opts.forced ? ` — override: ${opts.reason}` : ''}`;
        await updateAdr(
          ctx.adr!,
          r.adr!,
          full
            ? {
                status: 'Accepted',
                log: [
                  line,
                  `${stamp(ctx)} completed: ${refOf(cand)} is the champion${champ ? `; ${refOf(champ)} archived` : ''}`,
                ],
              }
            : { log: [line] },
        );
      },
      message: `mlctl: ${refOf(cand)} ${describeStage(stage)}${full ? ' (champion)' : ''}`,
      trailers: {
        'Mlctl-Model': r.model,
        'Mlctl-Version': String(cand.version),
        'Mlctl-Stage': stageSlug(stage),
        'Mlctl-Rollout': String(r.id),
      },
      record: async (commit) => {
        const at = ctx.clock.now().toISOString();
        const ok = await ctx.registry.updateRollout(r.id, fresh.revision, {
          step: to,
          stepStartedAt: at,
          lastCommit: commit,
          updatedAt: at,
          ...(full ? { state: 'completed', endedAt: at, outcome: 'completed' } : {}),
        });
        if (!ok)
          throw new StorageError(
            `the rollout of ${r.model} changed under this command; see mlctl rollout status ${r.model}`,
          );
        if (opts.forced && !starting)
          await appendEvent(ctx.registry, {
            at,
            actor: ctx.actor,
            action: 'override',
            model: r.model,
            subject: refOf(cand),
            payload: {
              what: `leave ${from} before its bake time and checks allowed`,
              reason: opts.reason,
              rollout: r.id,
              checks: opts.checks.map((c) => ({ name: c.name, status: c.status })),
            },
          });
        if (!starting)
          await appendEvent(ctx.registry, {
            at,
            actor: ctx.actor,
            action: 'rollout.stage',
            model: r.model,
            subject: refOf(cand),
            payload: {
              rollout: r.id,
              from,
              to: describeStage(stage),
              step: to,
              forced: opts.forced,
              reason: opts.reason,
              commit,
            },
          });
        if (full) {
          await ctx.registry.setAlias(r.model, 'champion', cand.id, at, ctx.actor);
          await ctx.registry.setStatus(cand.id, 'production', at);
          if (champ) await ctx.registry.setStatus(champ.id, 'archived', at);
          await appendEvent(ctx.registry, {
            at,
            actor: ctx.actor,
            action: 'rollout.complete',
            model: r.model,
            subject: refOf(cand),
            payload: { rollout: r.id, commit },
          });
          await appendEvent(ctx.registry, {
            at,
            actor: ctx.actor,
            action: 'champion.set',
            model: r.model,
            subject: refOf(cand),
            payload: {
              version: cand.version,
              previous: champ?.version ?? null,
              via: 'rollout',
              rollout: r.id,
              reason: opts.reason ?? (await startReason(ctx, r)),
              adr: r.adr,
              gateRunId: r.gateRunId,
              forced: opts.forced,
              commit,
              uri: r.candidateUri,
            },
          });
        }
      },
    },
  );
  return {
    model: r.model,
    rollout: r.id,
    candidate: refOf(cand),
    champion: full ? refOf(cand) : champ ? refOf(champ) : null,
    action: full ? 'complete' : 'advance',
    step: to,
    stage: describeStage(stage),
    state: full ? 'completed' : fresh.state,
    commit: res.commit,
    pushed: res.pushed,
    files: res.files,
    outside: res.outside,
    adr: adrTouched ? r.adr : null,
    forced: opts.forced,
  };
}

/** All traffic back to the champion, no mirror; the ADR is Rejected with the reason. */
export async function abortRollout(
  ctx: PromoteContext,
  r: RolloutRecord,
  opts: { reason: string | null; failing: CheckResult[]; by: 'rollback' | 'tick' },
): Promise<StepOutcome> {
  const { cand, champ } = await versionsOf(ctx, r);
  const spec = servingSpec(ctx, r.model);
  const from = describeStage(r.plan[r.step]!);
  const why =
    [
      opts.reason,
      opts.failing.length ? `failing check${opts.failing.length > 1 ? 's' : ''}: ${summarize(opts.failing)}` : null,
    ]
      .filter(Boolean)
      .join('; ') || 'no reason given';
  let adrTouched = false;
  const res = await runStep(
    { ...ctx.step, registry: ctx.registry },
    {
      verify: async () => await unchanged(ctx, r),
      serving: {
        model: r.model,
        spec,
        target: {
          model: r.model,
          champion: { version: champ?.version ?? cand.version, uri: r.championUri ?? r.candidateUri },
        },
      },
      adr: async (journal) => {
        adrTouched = snapshotAdr(ctx, journal, r.adr);
        if (adrTouched)
          await updateAdr(ctx.adr!, r.adr!, {
            status: 'Rejected',
            log: [
              `${stamp(ctx)} aborted at ${from} by ${ctx.actor} (${opts.by}): ${why}; all traffic back to ${champ ? refOf(champ) : 'the champion'}`,
            ],
          });
      },
      message: `mlctl: abort ${refOf(cand)} rollout at ${from}`,
      trailers: {
        'Mlctl-Model': r.model,
        'Mlctl-Version': String(cand.version),
        'Mlctl-Stage': 'abort',
        'Mlctl-Rollout': String(r.id),
      },
      record: async (commit) => {
        const at = ctx.clock.now().toISOString();
        if (
          !(await ctx.registry.updateRollout(r.id, r.revision, {
            state: 'aborted',
            endedAt: at,
            updatedAt: at,
            outcome: why,
            lastCommit: commit,
          }))
        )
          throw new StorageError(
            `the rollout of ${r.model} changed under this command; see mlctl rollout status ${r.model}`,
          );
        await ctx.registry.setStatus(cand.id, await statusBeforeRollout(ctx.registry, r, refOf(cand)), at);
        await appendEvent(ctx.registry, {
          at,
          actor: ctx.actor,
          action: 'rollout.abort',
          model: r.model,
          subject: refOf(cand),
          payload: {
            rollout: r.id,
            at: from,
            reason: opts.reason,
            failing: opts.failing.map((c) => ({ name: c.name, value: c.value, detail: c.detail })),
            by: opts.by,
            commit,
          },
        });
      },
    },
  );
  return {
    model: r.model,
    rollout: r.id,
    candidate: refOf(cand),
    champion: champ ? refOf(champ) : null,
    action: 'abort',
    step: r.step,
    stage: from,
    state: 'aborted',
    commit: res.commit,
    pushed: res.pushed,
    files: res.files,
    outside: res.outside,
    adr: adrTouched ? r.adr : null,
    forced: false,
  };
}

export async function setPaused(
  ctx: PromoteContext,
  model: string,
  paused: boolean,
  reason: string | null,
): Promise<RolloutRecord> {
  const r = await openRolloutOf(ctx, model);
  if (!r) throw new NotFoundError(`${model} has no rollout in progress; see mlctl rollout status`);
  if ((r.state === 'paused') === paused) throw new UsageError(`the rollout of ${model} is already ${r.state}`);
  return ctx.registry.write(async () => {
    await unchanged(ctx, r);
    const at = ctx.clock.now().toISOString();
    await ctx.registry.updateRollout(r.id, r.revision, { state: paused ? 'paused' : 'active', updatedAt: at });
    await appendEvent(ctx.registry, {
      at,
      actor: ctx.actor,
      action: paused ? 'rollout.pause' : 'rollout.resume',
      model,
      subject: refOf((await ctx.registry.getVersionById(r.candidateId))!),
      payload: { rollout: r.id, stage: describeStage(r.plan[r.step]!), reason },
    });
    return (await ctx.registry.getRollout(r.id))!;
  });
}
