import type { RolloutRecord, RolloutStage } from '../../ports/registry.js';
import type { TrafficTarget } from '../serving/types.js';
import type { StageSpec } from '../config/index.js';

/** "shadow (mirror 100%)", "canary 5%", "ramp 25%", "full". */
export function describeStage(s: RolloutStage): string {
  if (s.stage === 'shadow') return `shadow (mirror ${s.mirror}%)`;
  if (s.stage === 'full') return 'full';
  return `${s.stage} ${s.weight}%`;
}

/** For the Mlctl-Stage trailer: "shadow-100", "canary-5", "full". */
export function stageSlug(s: RolloutStage): string {
  if (s.stage === 'shadow') return `shadow-${s.mirror}`;
  if (s.stage === 'full') return 'full';
  return `${s.stage}-${s.weight}`;
}

/** A plan as configured, frozen into the rollout's row when it starts (later config edits do not change it). */
export function freezePlan(stages: StageSpec[]): RolloutStage[] {
  return stages.map((s) => ({
    stage: s.stage,
    ...(s.weight !== undefined ? { weight: s.weight } : {}),
    ...(s.mirror !== undefined ? { mirror: s.mirror } : {}),
    minDurationMs: s.minDurationMs,
    checks: [...s.checks],
    auto: s.auto,
    ...(s.maxDurationMs !== undefined ? { maxDurationMs: s.maxDurationMs, onTimeout: s.onTimeout ?? 'hold' } : {}),
  }));
}

/** All traffic to one version, no candidate, no mirror: a direct promotion, a rollback, an abort. */
export function allTrafficTo(model: string, champion: { version: number; uri: string }): TrafficTarget {
  return { model, champion };
}

/** What the serving config says at step `i` of a rollout (the one place a stage becomes a traffic target). */
export function targetAt(
  r: Pick<RolloutRecord, 'model' | 'plan' | 'candidateUri' | 'championUri'>,
  versions: { candidate: number; champion: number },
  i: number,
): TrafficTarget {
  const s = r.plan[i]!;
  const champion = { version: versions.champion, uri: r.championUri ?? r.candidateUri };
  const candidate = { version: versions.candidate, uri: r.candidateUri };
  // Replica counts frozen into the plan when the rollout started (serving.<model>.capacity).
  const replicas = s.replicas ? { replicas: { ...s.replicas } } : {};
  if (s.stage === 'full') return { model: r.model, champion, candidate, weight: 100, ...replicas };
  if (s.stage === 'shadow') return { model: r.model, champion, candidate, weight: 0, mirror: s.mirror, ...replicas };
  return { model: r.model, champion, candidate, weight: s.weight, ...replicas };
}

export function formatDuration(ms: number): string {
  if (ms <= 0) return '0s';
  const units: Array<[string, number]> = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  const parts: string[] = [];
  let rest = Math.ceil(ms / 1000) * 1000;
  for (const [u, n] of units) {
    if (rest >= n) {
      parts.push(`${Math.floor(rest / n)}${u}`);
      rest %= n;
    }
    if (parts.length === 2) break;
  }
  return parts.join('');
}
