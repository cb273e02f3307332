import { UsageError } from '../errors.js';
import { parseRef } from '../refs.js';
import { resolveRef } from '../registry/resolve.js';
import { STANDARD_PLAN, type RolloutConfig } from '../config/rollout.js';
import type { Registry } from '../../ports/registry.js';
import type { CapacitySpec } from '../config/capacity.js';
import { toNumber } from './exact.js';
import { candidateFullSize, capacityPerStage, championFullSize, overMaxReplicas, type PlanStage } from './per-stage.js';
import {
  resolveCapacity,
  resolvePeak,
  type EffectiveCapacity,
  type PeakSpec,
  type ResolvedCapacity,
} from './resolve.js';

/** The calculator's inputs, named after its flags (a flag beats the model's configuration). */
export interface CapacityRequest {
  /** Size this version (and the model's champion) with the model's configuration. */
  ref?: string;
  peakQps?: number;
  dau?: number;
  requestsPerUser?: number;
  peakRatio?: number;
  qpsPerReplica?: number;
  assumeQpsPerReplica?: number;
  headroom?: number;
  minReplicas?: number;
  maxReplicas?: number;
}

export interface CapacityContext {
  registry(): Promise<Registry>;
  /** serving and rollout sections of mlctl.yaml; read only for `capacity <ref>`. */
  rollout(): Promise<RolloutConfig>;
  fetch: typeof fetch;
}

export interface CapacityStageRow {
  stage: string;
  candidate_replicas: number;
  champion_replicas: number;
  total_replicas: number;
  /** The stage change would be refused: more replicas in total than max_replicas. */
  over_max: boolean;
}

export interface CapacityReport {
  model: string | null;
  /** The version sized as the candidate (null: the calculator on flags alone). */
  version: number | null;
  champion: number | null;
  plan: string;
  /** The peak as computed (unrounded); replicas are computed from its exact value. */
  peak_qps: number;
  peak_source: 'number' | 'prometheus' | 'traffic';
  traffic: { dau: number; requests_per_user: number; peak_ratio: number } | null;
  qps_per_replica: number;
  champion_qps_per_replica: number | null;
  headroom: number;
  min_replicas: number;
  max_replicas: number | null;
  /** The candidate at full size. */
  replicas: number;
  /** The champion at full size (null: no champion). */
  champion_replicas: number | null;
  scale_down_after: string;
  stages: CapacityStageRow[];
  assumed: Array<{ version: number; qps_per_replica: number }>;
  warnings: string[];
}

const TRAFFIC_FLAGS = ['--dau', '--requests-per-user', '--peak-ratio'] as const;

function checkFlags(r: CapacityRequest): void {
  const bad = (flag: string, want: string, v: number) => {
    throw new UsageError(`${flag} must be ${want}, got ${v}`);
  };
  const above0 = (flag: string, v: number | undefined) => {
    if (v !== undefined && !(Number.isFinite(v) && v > 0)) bad(flag, 'a number above 0', v);
  };
  const atLeast0 = (flag: string, v: number | undefined) => {
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) bad(flag, 'a number of 0 or more', v);
  };
  const whole = (flag: string, v: number | undefined) => {
    if (v !== undefined && !(Number.isInteger(v) && v >= 1 && v <= 100_000))
      bad(flag, 'a whole number from 1 to 100000', v);
  };
  atLeast0('--peak-qps', r.peakQps);
  atLeast0('--dau', r.dau);
  atLeast0('--requests-per-user', r.requestsPerUser);
  if (r.peakRatio !== undefined && !(Number.isFinite(r.peakRatio) && r.peakRatio >= 1))
    bad('--peak-ratio', 'at least 1 (the peak over the average request rate)', r.peakRatio);
  above0('--qps-per-replica', r.qpsPerReplica);
  above0('--assume-qps-per-replica', r.assumeQpsPerReplica);
  if (r.headroom !== undefined && !(Number.isFinite(r.headroom) && r.headroom >= 0 && r.headroom < 1))
    bad('--headroom', 'a share from 0 up to (not including) 1, such as 0.5', r.headroom);
  whole('--min-replicas', r.minReplicas);
  whole('--max-replicas', r.maxReplicas);
  if (r.minReplicas !== undefined && r.maxReplicas !== undefined && r.maxReplicas < r.minReplicas)
    throw new UsageError(`--max-replicas (${r.maxReplicas}) must be at least --min-replicas (${r.minReplicas})`);
  const given = TRAFFIC_FLAGS.filter((_, i) => [r.dau, r.requestsPerUser, r.peakRatio][i] !== undefined);
  if (r.peakQps !== undefined && given.length)
    throw new UsageError(
      `pass either --peak-qps or --dau, --requests-per-user and --peak-ratio, not both (got --peak-qps and ${given.join(', ')})`,
    );
  if (given.length && given.length < 3)
    throw new UsageError(
      `${given.join(' and ')} also need${given.length === 1 ? 's' : ''} ${TRAFFIC_FLAGS.filter((f) => !given.includes(f)).join(' and ')}`,
    );
}

function peakFromFlags(r: CapacityRequest): PeakSpec | undefined {
  if (r.peakQps !== undefined) return { qps: r.peakQps };
  if (r.dau !== undefined)
    return { traffic: { dau: r.dau, requestsPerUser: r.requestsPerUser!, peakRatio: r.peakRatio! } };
  return undefined;
}

/** Flags over the model's configuration; a missing piece names both places it can come from. */
function effectiveSpec(r: CapacityRequest, cfg: CapacitySpec | undefined, model: string | null): EffectiveCapacity {
  const missing = (flag: string, key: string, what: string): never => {
    throw new UsageError(
      model
        ? `${model}: no ${what}: set serving.${model}.capacity.${key} in mlctl.yaml, or pass ${flag}`
        : `missing ${flag}: ${what}${model === null ? ' (or size a registered version: mlctl capacity <model>@<version>)' : ''}`,
    );
  };
  const peakQps =
    peakFromFlags(r) ??
    cfg?.peakQps ??
    missing('--peak-qps (or --dau, --requests-per-user and --peak-ratio)', 'peak_qps', 'peak QPS');
  const qpsPerReplica =
    (r.qpsPerReplica !== undefined ? { qps: r.qpsPerReplica } : undefined) ??
    cfg?.qpsPerReplica ??
    missing('--qps-per-replica', 'qps_per_replica', 'the QPS one replica sustains at the latency target');
  const headroom = r.headroom ?? cfg?.headroom ?? missing('--headroom', 'headroom', 'headroom (such as 0.5)');
  const minReplicas = r.minReplicas ?? cfg?.minReplicas ?? 1;
  const maxReplicas = r.maxReplicas ?? cfg?.maxReplicas;
  if (maxReplicas !== undefined && maxReplicas < minReplicas)
    throw new UsageError(`max replicas (${maxReplicas}) must be at least min replicas (${minReplicas})`);
  return {
    peakQps,
    qpsPerReplica,
    headroom,
    minReplicas,
    ...(maxReplicas !== undefined ? { maxReplicas } : {}),
    scaleDownAfter: cfg?.scaleDownAfter ?? '1h',
    scaleDownAfterMs: cfg?.scaleDownAfterMs ?? 3_600_000,
  };
}

/**
 * `mlctl capacity`: peak QPS, replicas at full size, and per stage of the plan the candidate's and
 * the champion's replicas. On flags alone it sizes a hypothetical rollout of the standard plan
 * (both sides with the same throughput); with a ref, the version against the model's champion,
 * each with its own throughput, on the model's plan.
 */
export async function capacityReport(r: CapacityRequest, ctx: CapacityContext): Promise<CapacityReport> {
  checkFlags(r);
  const warnings: string[] = [];
  let sized: ResolvedCapacity;
  let planName = 'standard';
  let plan: readonly PlanStage[] = STANDARD_PLAN;
  let model: string | null = null;
  let version: number | null = null;
  let champion: number | null = null;
  let scaleDownAfter = '1h';
  if (r.ref === undefined) {
    if (r.assumeQpsPerReplica !== undefined)
      throw new UsageError(
        '--assume-qps-per-replica stands in for a version without its throughput metric: use it with capacity <ref>, or pass --qps-per-replica',
      );
    const spec = effectiveSpec(r, undefined, null);
    const { peak, source } = await resolvePeak(spec.peakQps, '', ctx.fetch);
    const qps = (spec.qpsPerReplica as { qps: number }).qps;
    scaleDownAfter = spec.scaleDownAfter;
    sized = {
      peak,
      peakQps: toNumber(peak),
      peakSource: source,
      headroom: spec.headroom,
      minReplicas: spec.minReplicas,
      ...(spec.maxReplicas !== undefined ? { maxReplicas: spec.maxReplicas } : {}),
      scaleDownAfterMs: spec.scaleDownAfterMs,
      // A like-for-like rollout: the champion sustains what the candidate does.
      qpsPerReplica: { candidate: qps, champion: qps },
      assumed: [],
    };
  } else {
    model = parseRef(r.ref, { allowBare: true }).model;
    const rollout = await ctx.rollout();
    const serving = rollout.serving[model];
    planName = serving?.plan ?? 'standard';
    plan = rollout.plans[planName] ?? STANDARD_PLAN;
    const spec = effectiveSpec(r, serving?.capacity, model);
    scaleDownAfter = spec.scaleDownAfter;
    if (r.assumeQpsPerReplica !== undefined && !('metric' in spec.qpsPerReplica))
      warnings.push('--assume-qps-per-replica ignored: the throughput is a number, not a per-version metric');
    const registry = await ctx.registry();
    const v = await resolveRef(registry, r.ref, { allowBare: true });
    version = v.version;
    const championNo = await registry.resolveAlias(model, 'champion');
    const champ =
      championNo !== undefined && championNo !== v.version ? await registry.getVersion(model, championNo) : undefined;
    if (championNo === v.version) warnings.push(`${model}@${v.version} is the champion: sized on its own`);
    champion = champ ? champ.version : null;
    sized = await resolveCapacity(spec, {
      model,
      registry,
      candidate: v,
      champion: champ ?? null,
      fetch: ctx.fetch,
      assumeQpsPerReplica: r.assumeQpsPerReplica,
    });
    for (const a of sized.assumed)
      warnings.push(
        `${model}@${a.version} has no registered throughput: sized with the assumed ${a.qpsPerReplica} QPS per replica`,
      );
  }
  const rows = capacityPerStage(plan, sized).map((s) => ({
    stage: s.stage,
    candidate_replicas: s.candidate,
    champion_replicas: s.champion,
    total_replicas: s.total,
    over_max: overMaxReplicas(s, sized.maxReplicas) !== null,
  }));
  for (const s of rows.filter((x) => x.over_max))
    warnings.push(
      `${s.stage} needs ${s.total_replicas} replicas (${s.candidate_replicas} candidate + ${s.champion_replicas} champion), above max_replicas ${sized.maxReplicas}: a rollout would refuse this stage`,
    );
  const traffic =
    r.dau !== undefined ? { dau: r.dau, requests_per_user: r.requestsPerUser!, peak_ratio: r.peakRatio! } : null;
  return {
    model,
    version,
    champion,
    plan: planName,
    peak_qps: sized.peakQps,
    peak_source: sized.peakSource,
    traffic,
    qps_per_replica: sized.qpsPerReplica.candidate,
    champion_qps_per_replica: r.ref === undefined ? null : sized.qpsPerReplica.champion,
    headroom: sized.headroom,
    min_replicas: sized.minReplicas,
    max_replicas: sized.maxReplicas ?? null,
    replicas: candidateFullSize(sized),
    champion_replicas: sized.qpsPerReplica.champion === null ? null : championFullSize(sized),
    scale_down_after: scaleDownAfter,
    stages: rows,
    assumed: sized.assumed.map((a) => ({ version: a.version, qps_per_replica: a.qpsPerReplica })),
    warnings,
  };
}
