import { UsageError } from '../errors.js';
import { materializeVersion } from '../artifacts/materialize.js';
import { formatRef } from '../refs.js';
import type { AdrContext } from '../adr/adr-ops.js';
import type { LoadedPolicy } from '../gates/policy.js';
import type { RolloutConfig, ServingSpec } from '../config/index.js';
import type { HealthCheckContext } from './health-checks.js';
import type { PullRequestContext } from './pr-mode.js';
import type { StepContext } from './step.js';
import type { GateRunRecord, Registry, RolloutRecord, VersionRecord } from '../../ports/registry.js';
import type { Clock } from '../../ports/clock.js';
import type { BlobStore } from '../../ports/blob-store.js';

/**
 * Everything a change of what serves production needs — a direct promotion, a rollback, every
 * rollout step, status and tick: the registry, who and when, where decisions are recorded, the
 * serving and rollout configuration, git, the artifact store and the health checks.
 */
export interface RolloutContext {
  registry: Registry;
  clock: Clock;
  actor: string;
  /** Where to record the decision; null with --no-adr. */
  adr: AdrContext | null;
  /** The gate policy in force (a passing run must have used it); null when there is none. Loaded on first use. */
  policy(): Promise<LoadedPolicy | null>;
  /** Project root, git settings and how to open the GitOps repository. */
  step: Omit<StepContext, 'registry' | 'actor' | 'clock'>;
  /** serving:, rollout.plans and rollout.checks from mlctl.yaml. */
  rollout: RolloutConfig;
  store(): Promise<BlobStore>;
  checks: HealthCheckContext;
  /** Say something the user must see but that does not stop the command (stderr, --json warnings). */
  warn(message: string): void;
  /** Steps as pull requests (ADR 25) and the host that takes them; absent: commits only, no host. */
  pullRequests?: PullRequestContext;
}

/** A candidate about to replace the champion, and the evidence that it may (or the override that it may anyway). */
export interface CandidateChange {
  candidate: VersionRecord;
  champion: VersionRecord | null;
  gateRun: GateRunRecord | null;
  forced: boolean;
  reason: string | null;
}

/** What runStep needs, from the rollout context. */
export const stepContext = (ctx: RolloutContext): StepContext => ({
  ...ctx.step,
  registry: ctx.registry,
  actor: ctx.actor,
  clock: ctx.clock,
});

export async function versionsOf(
  ctx: RolloutContext,
  r: RolloutRecord,
): Promise<{ cand: VersionRecord; champ: VersionRecord | null }> {
  const cand = (await ctx.registry.getVersionById(r.candidateId))!;
  const champ = r.championId === null ? null : (await ctx.registry.getVersionById(r.championId))!;
  return { cand, champ };
}

export function servingSpecOf(ctx: RolloutContext, model: string): ServingSpec {
  const spec = ctx.rollout.serving[model];
  if (!spec)
    throw new UsageError(
      `${model} has no serving target (serving.${model} in mlctl.yaml); without one, mlctl promote makes a candidate champion directly`,
    );
  return spec;
}

/** The serving folder URI of a version, materialized (server-side copy) if needed. */
export async function servingUri(ctx: RolloutContext, v: VersionRecord, trustExisting = false): Promise<string> {
  return (
    await materializeVersion({ registry: ctx.registry, store: await ctx.store() }, formatRef(v), { trustExisting })
  ).uri;
}

/** The clock as the ADR log writes it: whole seconds. */
export const stamp = (ctx: RolloutContext): string =>
  ctx.clock
    .now()
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z');
