import { findAdr, listAdrs } from '../adr/files.js';
import { NotFoundError, StorageError, UsageError, VerdictError } from '../errors.js';
import { appendEvent } from '../audit/chain.js';
import { resolveRef } from '../registry/resolve.js';
import { diffVersions } from '../registry/diff.js';
import { newAdr, type AdrContext } from '../adr/adr-ops.js';
import { checkModelName } from '../refs.js';
import type { LoadedPolicy } from '../gates/policy.js';
import type { GateRunRecord, Registry, VersionRecord } from '../../ports/registry.js';
import type { Clock } from '../../ports/clock.js';
import type { BlobStore } from '../../ports/blob-store.js';
import type { CheckContext } from '../rollout/checks.js';
import type { RolloutConfig } from '../rollout/plan.js';
import { runStep, type StepContext } from '../rollout/step.js';
import { materializeVersion } from '../artifacts/materialize.js';

export interface PromoteContext {
  registry: Registry;
  clock: Clock;
  actor: string;
  /** Where to record the decision; null with --no-adr. */
  adr: AdrContext | null;
  /** The gate policy in force now (a passing run must have used it); null when there is none. Loaded on first use. */
  policy(): LoadedPolicy | null;
  /** Project root, git settings and how to open the GitOps repository. */
  step: Omit<StepContext, 'registry'>;
  /** serving:, rollout.plans and rollout.checks from mlctl.yaml. */
  rollout: RolloutConfig;
  store(): Promise<BlobStore>;
  checks: CheckContext;
}

export const refOf = (v: { model: string; version: number }) => `${v.model}@${v.version}`;

/** The Context section of a promotion's ADR: who the candidate is and whom it replaces. */
export function promotionContext(plan: Pick<PromotionPlan, 'candidate' | 'champion' | 'reason'>): string {
  const cand = plan.candidate;
  const code = cand.code.commit?.slice(0, 10) ?? 'unknown';
  const data = cand.dataHash?.slice(0, 19) ?? 'unknown';
  const replaces = plan.champion ? refOf(plan.champion) : 'nobody';
  return `${refOf(cand)} (registered ${cand.createdAt} by ${cand.createdBy}; code ${code}; data ${data}) is to replace ${replaces} as the production champion of ${cand.model}.${plan.reason ? `\n\nReason: ${plan.reason}` : ''}`;
}

/** The serving folder URI of a version, materialized (server-side copy) if needed. */
export async function servingUri(ctx: PromoteContext, v: VersionRecord, trustExisting = false): Promise<string> {
  return (await materializeVersion({ registry: ctx.registry, store: await ctx.store() }, refOf(v), { trustExisting }))
    .uri;
}

/** The champion changed under us (another promote/rollback): exit 3, nothing written. */
export async function championMoved(
  ctx: PromoteContext,
  model: string,
  expected: number | null,
  doing: string,
): Promise<void> {
  const now = (await ctx.registry.resolveAlias(model, 'champion')) ?? null;
  if (now !== expected)
    throw new StorageError(
      `the champion of ${model} changed while ${doing} (now ${now === null ? 'none' : `${model}@${now}`}); check mlctl show ${model}@champion and run the command again`,
    );
}

export interface PromotionPlan {
  candidate: VersionRecord;
  champion: VersionRecord | null;
  gateRun: GateRunRecord | null;
  forced: boolean;
  reason: string | null;
}

/** A passing gate run of the candidate against the champion whose bindings still hold. */
export async function findPassingGate(
  registry: Registry,
  cand: VersionRecord,
  champ: VersionRecord,
  policy: LoadedPolicy | null,
): Promise<GateRunRecord | null> {
  return (
    (await registry.gateRuns(cand.id)).find(
      (g) =>
        g.verdict === 'pass' &&
        g.baselineId === champ.id &&
        g.candidateManifest === cand.manifestDigest &&
        g.baselineManifest === champ.manifestDigest &&
        policy !== null &&
        g.policyDigest === policy.digest,
    ) ?? null
  );
}

/** What a promotion would do, or why it may not; nothing is written. */
export async function planPromotion(
  ctx: PromoteContext,
  input: { ref: string; force?: boolean; reason?: string },
): Promise<PromotionPlan> {
  const cand = await resolveRef(ctx.registry, input.ref);
  if (input.force && !input.reason?.trim())
    throw new UsageError('--force needs --reason: an override is recorded with why it was made');
  if (cand.status === 'archived' && !input.force)
    throw new UsageError(
      `${refOf(cand)} is archived; use mlctl rollback ${cand.model} --to ${refOf(cand)} to bring it back`,
    );
  let champ: VersionRecord | null = null;
  try {
    champ = await resolveRef(ctx.registry, `${cand.model}@champion`);
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
  if (champ && champ.id === cand.id) throw new UsageError(`${refOf(cand)} is already the champion`);
  if (!champ) return { candidate: cand, champion: null, gateRun: null, forced: false, reason: input.reason ?? null };
  const loaded = ctx.policy();
  const gateRun = await findPassingGate(ctx.registry, cand, champ, loaded);
  if (!gateRun && !input.force) {
    const policy = loaded
      ? `${loaded.file} (${loaded.digest.slice(0, 19)}…)`
      : 'a gate policy (none found: create gates.yaml)';
    throw new VerdictError(
      `${refOf(cand)} has no passing gate run against the champion ${refOf(champ)} under ${policy}; run: mlctl gate ${refOf(cand)} — or override with --force --reason "…"`,
    );
  }
  return { candidate: cand, champion: champ, gateRun, forced: !gateRun, reason: input.reason ?? null };
}

export async function evidence(
  ctx: PromoteContext,
  plan: Pick<PromotionPlan, 'candidate' | 'champion' | 'gateRun' | 'reason'>,
): Promise<string> {
  const lines: string[] = [];
  const g = plan.gateRun;
  if (g) {
    const report = g.report as { checks?: Array<{ id: string; verdict: string; inequality: string }> };
    lines.push(
      `Gate run #${g.id}: **${g.verdict}** (policy ${g.policyDigest.slice(0, 19)}…, dataset ${g.datasetDigest?.slice(0, 19) ?? 'n/a'}…, ${g.at} by ${g.actor}).`,
      '',
      '| check | verdict | evaluated |',
      '|---|---|---|',
    );
    for (const c of report.checks ?? [])
      lines.push(`| ${c.id} | ${c.verdict} | ${c.inequality.replace(/\|/g, '\\|')} |`);
  } else if (plan.champion)
    lines.push(
      `No passing gate run: the gate requirement was **overridden** with --force by ${ctx.actor}: ${plan.reason}.`,
    );
  else lines.push('First production version of this model: no champion to compare with.');
  if (plan.champion) {
    const d = await diffVersions(ctx.registry, refOf(plan.champion), refOf(plan.candidate));
    const rows = d.metrics.filter((m) => m.delta !== null);
    if (rows.length) {
      lines.push(
        '',
        `Metric deltas (${refOf(plan.champion)} → ${refOf(plan.candidate)}):`,
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

export interface PromotionResult {
  model: string;
  champion: string;
  previous: string | null;
  gateRunId: number | null;
  forced: boolean;
  adr: string | null;
  eventSeq: number;
  /** The GitOps commit of the serving change, when the model has a serving target. */
  commit: string | null;
  pushed: boolean;
  files: string[];
  outside: string[];
}

/**
 * Make the candidate champion now: models served elsewhere, or the first version of a model (whose
 * serving config, when it has one, is written for it at 100%).
 */
export async function applyPromotion(ctx: PromoteContext, plan: PromotionPlan): Promise<PromotionResult> {
  const cand = plan.candidate;
  const champ = plan.champion;
  const spec = ctx.rollout.serving[cand.model];
  const uri = spec ? await servingUri(ctx, cand) : null;
  let adrFile: string | null = null;
  const r = await runStep(
    { ...ctx.step, registry: ctx.registry },
    {
      verify: async () => {
        await championMoved(ctx, cand.model, champ?.version ?? null, 'promoting');
        const open = await ctx.registry.openRollout(cand.model);
        if (open)
          throw new StorageError(
            `${cand.model} has a rollout in progress (rollout ${open.id}); see mlctl rollout status ${cand.model}`,
          );
      },
      serving:
        spec && uri
          ? { model: cand.model, spec, target: { model: cand.model, champion: { version: cand.version, uri } } }
          : null,
      adr: async (journal) => {
        if (!ctx.adr) return;
        const a = await newAdr(ctx.adr, {
          title: `Promote ${refOf(cand)} to production`,
          status: 'accepted',
          sections: {
            context: promotionContext(plan),
            decision: `Make ${refOf(cand)} the champion of ${cand.model} (direct promotion, by ${ctx.actor}${uri ? `; served from ${uri}` : ''}).\n\n${await evidence(ctx, plan)}`,
            consequences: champ
              ? `${refOf(champ)} is archived and stays available: \`mlctl rollback ${cand.model}\` restores it.`
              : `${cand.model} has a champion from now on; later candidates are gated against it${spec ? ' and rolled out in stages' : ''}.`,
          },
        });
        journal.created(a.path);
        adrFile = a.file;
      },
      scope: `model:${cand.model}`,
      message: `mlctl: ${refOf(cand)} full (${champ ? 'direct promotion' : 'first version'})`,
      trailers: { 'Mlctl-Model': cand.model, 'Mlctl-Version': String(cand.version), 'Mlctl-Stage': 'full' },
      record: async (commit) => {
        const at = ctx.clock.now().toISOString();
        await ctx.registry.setAlias(cand.model, 'champion', cand.id, at, ctx.actor);
        await ctx.registry.setStatus(cand.id, 'production', at);
        if (champ) await ctx.registry.setStatus(champ.id, 'archived', at);
        if (plan.forced) {
          await appendEvent(ctx.registry, {
            at,
            actor: ctx.actor,
            action: 'override',
            model: cand.model,
            subject: refOf(cand),
            payload: { what: 'promote without a passing gate run', reason: plan.reason },
          });
        }
        if (adrFile)
          await appendEvent(ctx.registry, {
            at,
            actor: ctx.actor,
            action: 'adr.recorded',
            model: cand.model,
            subject: refOf(cand),
            payload: { adr: adrFile, for: 'promote' },
          });
        return await appendEvent(ctx.registry, {
          at,
          actor: ctx.actor,
          action: 'champion.set',
          model: cand.model,
          subject: refOf(cand),
          payload: {
            version: cand.version,
            previous: champ?.version ?? null,
            via: 'promote',
            reason: plan.reason,
            adr: adrFile,
            gateRunId: plan.gateRun?.id ?? null,
            forced: plan.forced,
            commit,
            uri,
          },
        });
      },
    },
  );
  return {
    model: cand.model,
    champion: refOf(cand),
    previous: champ ? refOf(champ) : null,
    gateRunId: plan.gateRun?.id ?? null,
    forced: plan.forced,
    adr: adrFile,
    eventSeq: r.result.seq,
    commit: r.commit,
    pushed: r.pushed,
    files: r.files,
    outside: r.outside,
  };
}

export interface RollbackPlan {
  model: string;
  current: VersionRecord;
  target: VersionRecord;
  supersedes: string | null;
  reason: string | null;
}

/** Back to the previous champion (from the audit log) or to --to. */
export async function planRollback(
  ctx: PromoteContext,
  input: { model: string; to?: string; reason?: string },
): Promise<RollbackPlan> {
  checkModelName(input.model);
  const current = await resolveRef(ctx.registry, `${input.model}@champion`);
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
  if (target.id === current.id) throw new UsageError(`${refOf(target)} is already the champion`);
  return {
    model: input.model,
    current,
    target,
    supersedes: (last?.payload as { adr?: string | null } | undefined)?.adr ?? null,
    reason: input.reason ?? null,
  };
}

export async function applyRollback(ctx: PromoteContext, plan: RollbackPlan): Promise<PromotionResult> {
  const spec = ctx.rollout.serving[plan.model];
  const uri = spec ? await servingUri(ctx, plan.target) : null;
  let adrFile: string | null = null;
  const r = await runStep(
    { ...ctx.step, registry: ctx.registry },
    {
      verify: async () => {
        await championMoved(ctx, plan.model, plan.current.version, 'rolling back');
        const open = await ctx.registry.openRollout(plan.model);
        if (open)
          throw new StorageError(
            `${plan.model} has a rollout in progress (rollout ${open.id}); run mlctl rollback ${plan.model} again to abort it`,
          );
      },
      serving:
        spec && uri
          ? { model: plan.model, spec, target: { model: plan.model, champion: { version: plan.target.version, uri } } }
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
          title: `Roll back ${plan.model} to ${refOf(plan.target)}`,
          status: 'accepted',
          supersedes: plan.supersedes ? [plan.supersedes] : [],
          sections: {
            context: `${refOf(plan.current)} is the production champion of ${plan.model}.${plan.reason ? `\n\nReason for rolling back: ${plan.reason}` : ''}`,
            decision: `Make ${refOf(plan.target)} the champion again (rollback by ${ctx.actor}${uri ? `; served from ${uri}` : ''}); ${refOf(plan.current)} is archived.`,
            consequences: `${refOf(plan.current)} stays in the registry for analysis; promoting it again requires a new passing gate run.`,
          },
        });
        journal.created(a.path);
        adrFile = a.file;
      },
      scope: `model:${plan.model}`,
      message: `mlctl: roll back ${plan.model} to ${refOf(plan.target)}`,
      trailers: { 'Mlctl-Model': plan.model, 'Mlctl-Version': String(plan.target.version), 'Mlctl-Stage': 'rollback' },
      record: async (commit) => {
        const at = ctx.clock.now().toISOString();
        await ctx.registry.setAlias(plan.model, 'champion', plan.target.id, at, ctx.actor);
        await ctx.registry.setStatus(plan.target.id, 'production', at);
        await ctx.registry.setStatus(plan.current.id, 'archived', at);
        if (adrFile)
          await appendEvent(ctx.registry, {
            at,
            actor: ctx.actor,
            action: 'adr.recorded',
            model: plan.model,
            subject: refOf(plan.target),
            payload: { adr: adrFile, for: 'rollback' },
          });
        await appendEvent(ctx.registry, {
          at,
          actor: ctx.actor,
          action: 'rollback',
          model: plan.model,
          subject: refOf(plan.target),
          payload: { from: plan.current.version, to: plan.target.version, reason: plan.reason, adr: adrFile, commit },
        });
        return await appendEvent(ctx.registry, {
          at,
          actor: ctx.actor,
          action: 'champion.set',
          model: plan.model,
          subject: refOf(plan.target),
          payload: {
            version: plan.target.version,
            previous: plan.current.version,
            via: 'rollback',
            reason: plan.reason,
            adr: adrFile,
            commit,
            uri,
          },
        });
      },
    },
  );
  return {
    model: plan.model,
    champion: refOf(plan.target),
    previous: refOf(plan.current),
    gateRunId: null,
    forced: false,
    adr: adrFile,
    eventSeq: r.result.seq,
    commit: r.commit,
    pushed: r.pushed,
    files: r.files,
    outside: r.outside,
  };
}
