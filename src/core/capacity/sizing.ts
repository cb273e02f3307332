import { UsageError } from '../errors.js';
import { ceil, div, exact, mul, sub, type Exact } from './exact.js';

/** Daily users and their habits: the inputs of the peak-load estimate. */
export interface Traffic {
  dau: number;
  requestsPerUser: number;
  /** Peak over average request rate (≥ 1). */
  peakRatio: number;
}

/** How one version is sized. */
export interface Sizing {
  /** What one replica sustains at the latency target. */
  qpsPerReplica: number;
  /** Share of each replica's capacity kept free, 0 ≤ headroom < 1. */
  headroom: number;
  /** The redundancy floor: never fewer replicas than this. */
  minReplicas: number;
}

const SECONDS_PER_DAY = exact(86_400);

/** peak QPS = DAU × requests per user ÷ 86,400 × peak ratio, exactly (5,000,000 × 30, ratio 4 → 6,944.4̅). */
export function peakFromTraffic(t: Traffic): Exact {
  return mul(div(mul(exact(t.dau), exact(t.requestsPerUser)), SECONDS_PER_DAY), exact(t.peakRatio));
}

/** replicas = ceil(load ÷ (QPS per replica × (1 − headroom))), never below minReplicas. */
export function replicasFor(load: Exact | number, s: Sizing): number {
  const perReplica = mul(exact(s.qpsPerReplica), sub(exact(1), exact(s.headroom)));
  const needed = Number(ceil(div(typeof load === 'number' ? exact(load) : load, perReplica)));
  // 1e308 QPS over 1e-10 per replica is no replica count: refused rather than printed as Infinity.
  if (!Number.isSafeInteger(needed))
    throw new UsageError(
      `the peak load and the QPS per replica (${s.qpsPerReplica}) give more replicas than can be counted; check the peak, the traffic figures and the QPS per replica`,
    );
  return Math.max(s.minReplicas, needed);
}

/** `share` percent (a mirror or a weight) of `load`. */
export function shareOf(load: Exact | number, percent: number): Exact {
  return div(mul(typeof load === 'number' ? exact(load) : load, exact(percent)), exact(100));
}
