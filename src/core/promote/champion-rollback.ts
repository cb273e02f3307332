import { findAdr, listAdrs } from '../adr/files.js';
import { newAdr } from '../adr/adr-ops.js';
import { appendEvent } from '../audit/chain.js';
import { ConcurrentChangeError, NotFoundError, UsageError } from '../errors.js';
import { resolveRef } from '../registry/resolve.js';
import { servingUri, stepContext, type RolloutContext } from '../rollout/context.js';
import { formatRef } from '../refs.js';
import { assertChampionUnchanged } from '../rollout/races.js';
import { recordChampionChange } from '../rollout/champion.js';
import { allTrafficTo } from '../rollout/stages.js';
import { newStepId } from '../rollout/step-identity.js';
import { runStep } from '../rollout/step.js';
import type { ChampionResult } from './direct.js';
import type { VersionRecord } from '../../ports/registry.js';

export interface ChampionRollback {
  model: string;
  current: VersionRecord;
  target: VersionRecord;
  /** The ADR of the promotion being undone, superseded by the rollback's. */
  supersedes: string | null;
  reason: string | null;
}

/** Back to the previous champion (from the audit log) or to `to`; nothing is written. */
export async function planChampionRollback(
  ctx: RolloutContext,
  input: { model: string; to?: string; reason: string | null },
): Promise<ChampionRollback> {
  const current = await resolveRef(ctx.registry, `${input.model}@champion`).catch((err: unknown) => {
    if (!(err instanceof NotFoundError) || !/has no champion yet/.test(err.message)) throw err;
    throw new NotFoundError(
      `${input.model} has no champion yet, so there is nothing to roll back; promote a version first (mlctl promote ${input.model}@<version>)`,
    );
  });
  const history = await ctx.registry.events({ model: input.model, action: 'champion.set' });
  const last = history.find((e) => (e.payload as { version?: number }).version === current.version);
  let target: VersionRecord;
  if (input.to) {
    target = await resolveRef(ctx.registry, input.to);
    if (target.model !== input.model) throw new UsageError(`${input.to} is not a version of ${input.model}`);
  } else {
    // The most recent earlier champion, skipping versions that were themselves rolled back from:
    // a second rollback must not flip back to the version the first one removed.
    const rolledBackFrom = new Set<number>();
    for (const e of history) {
      const p = e.payload as { via?: string; previous?: number | null };
      if (p.via === 'rollback' && typeof p.previous === 'number') rolledBackFrom.add(p.previous);
    }
    const prev = history
      .map((e) => (e.payload as { version?: number }).version)
      .find((v): v is number => typeof v === 'number' && v !== current.version && !rolledBackFrom.has(v));
    if (prev === undefined)
      throw new UsageError(
        `no earlier champion of ${input.model} to return to (versions rolled back from are skipped); name one with --to ${input.model}@N`,
      );
    target = (await ctx.registry.getVersion(input.model, prev))!;
  }
  if (target.id === current.id) throw new UsageError(`${formatRef(target)} is already the champion`);
  return {
    model: input.model,
    current,
    target,
    supersedes: (last?.payload as { adr?: string | null } | undefined)?.adr ?? null,
    reason: input.reason,
  };
}

/** Make the earlier version champion again, in one step; its ADR supersedes the promotion's. */
export async function applyChampionRollback(ctx: RolloutContext, plan: ChampionRollback): Promise<ChampionResult> {
  const spec = ctx.rollout.serving[plan.model];
  const uri = spec ? await servingUri(ctx, plan.target) : null;
  let adrFile: string | null = null;
  const id = newStepId();
  const r = await runStep(stepContext(ctx), {
    verify: async () => {
      await assertChampionUnchanged(ctx, plan.model, plan.current.version, 'rolling back');
      const open = await ctx.registry.openRollout(plan.model);
      if (open)
        throw new ConcurrentChangeError(
          `${plan.model} has a rollout in progress (rollout ${open.id}); run mlctl rollback ${plan.model} again to abort it`,
          'open-rollout',
        );
    },
    serving:
      spec && uri
        ? { model: plan.model, spec, target: allTrafficTo(plan.model, { version: plan.target.version, uri }) }
        : null,
    adr: async (journal) => {
      if (!ctx.adr) return;
      if (plan.supersedes) {
        // The superseded ADR is edited too; the journal restores it if the rollback does not happen.
        try {
          journal.snapshot(findAdr(listAdrs(ctx.adr.dir), plan.supersedes).path);
        } catch {
          // gone or renamed: newAdr reports it
        }
      }
      const a = await newAdr(ctx.adr, {
        title: `Roll back ${plan.model} to ${formatRef(plan.target)}`,
        status: 'accepted',
        touch: (p) => journal.snapshot(p),
        supersedes: plan.supersedes ? [plan.supersedes] : [],
        sections: {
          context: `${formatRef(plan.current)} is the production champion of ${plan.model}.${plan.reason ? `\n\nReason for rolling back: ${plan.reason}` : ''}`,
          decision: `Make ${formatRef(plan.target)} the champion again (rollback by ${ctx.actor}${uri ? `; served from ${uri}` : ''}); ${formatRef(plan.current)} is archived.`,
          consequences: `${formatRef(plan.current)} stays in the registry for analysis; promoting it again requires a new passing gate run.`,
        },
      });
      journal.created(a.path);
      adrFile = a.file;
    },
    scope: `model:${plan.model}`,
    message: `mlctl: roll back ${plan.model} to ${formatRef(plan.target)}`,
    step: {
      id,
      model: plan.model,
      action: 'rollback',
      version: plan.target.version,
      stage: 'rollback',
      rollout: null,
    },
    record: async (commit) => {
      const at = ctx.clock.now().toISOString();
      if (adrFile)
        await appendEvent(ctx.registry, {
          at,
          actor: ctx.actor,
          action: 'adr.recorded',
          model: plan.model,
          subject: formatRef(plan.target),
          payload: { adr: adrFile, for: 'rollback' },
        });
      await appendEvent(ctx.registry, {
        at,
        actor: ctx.actor,
        action: 'rollback',
        model: plan.model,
        subject: formatRef(plan.target),
        payload: {
          from: plan.current.version,
          to: plan.target.version,
          reason: plan.reason,
          adr: adrFile,
          commit,
          stepId: id,
        },
      });
      return await recordChampionChange(ctx, {
        model: plan.model,
        to: plan.target,
        from: plan.current,
        at,
        via: 'rollback',
        reason: plan.reason,
        adr: adrFile,
        commit,
        uri,
        stepId: id,
      });
    },
  });
  return {
    model: plan.model,
    champion: formatRef(plan.target),
    previous: formatRef(plan.current),
    gateRunId: null,
    forced: false,
    adr: adrFile,
    eventSeq: r.result.seq,
    stepId: id,
    commit: r.commit,
    pushed: r.pushed,
    files: r.files,
    outside: r.outside,
  };
}
