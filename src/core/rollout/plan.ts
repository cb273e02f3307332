import { z } from 'zod';
import { UsageError } from '../errors.js';
import { parseDuration } from '../util/duration.js';
import { adapterFor } from '../serving/adapters.js';

const Stage = z
  .object({
    stage: z.enum(['shadow', 'canary', 'ramp', 'full']),
    mirror: z.number().gt(0).max(100).optional(),
    weight: z.number().int().min(1).max(99).optional(),
    minDuration: z.string().optional(),
    checks: z.array(z.string().min(1)).default([]),
    auto: z.boolean().default(false),
  })
  .strict();

const Check = z.union([
  z.object({ prometheus: z.object({ url: z.url(), query: z.string().min(1), min: z.number().optional(), max: z.number().optional(), timeout: z.string().default('10s') }).strict() }).strict(),
  z.object({ command: z.string().min(1), min: z.number().optional(), max: z.number().optional(), timeout: z.string().default('5m') }).strict(),
]);

const Serving = z.object({ adapter: z.enum(['kserve', 'istio', 'seldon', 'generic']), files: z.array(z.string().min(1)).min(1), plan: z.string().default('standard') }).strict();

const Rollout = z
  .object({
    plans: z.record(z.string(), z.array(Stage).min(1)).default({}),
    checks: z.record(z.string(), Check).default({}),
  })
  .strict();

export type StageSpec = z.infer<typeof Stage> & { minDurationMs: number };
export type CheckSpec = z.infer<typeof Check>;
export type ServingSpec = z.infer<typeof Serving>;

/** Works without configuration: shadow → canary 5% → ramp 25% → ramp 50% → full. */
export const STANDARD_PLAN = [
  { stage: 'shadow', mirror: 100, minDuration: '1h', checks: [] },
  { stage: 'canary', weight: 5, minDuration: '30m', checks: [] },
  { stage: 'ramp', weight: 25, minDuration: '30m', checks: [] },
  { stage: 'ramp', weight: 50, minDuration: '30m', checks: [] },
  { stage: 'full' },
] as const;

export interface RolloutConfig {
  serving: Record<string, ServingSpec>;
  plans: Record<string, StageSpec[]>;
  checks: Record<string, CheckSpec>;
}

function issue(file: string, section: string, err: z.ZodError): UsageError {
  const i = err.issues[0]!;
  const key = i.code === 'unrecognized_keys' ? `unknown key ${JSON.stringify(i.keys[0])}` : i.message;
  return new UsageError(`${file}: ${[section, ...i.path.map(String)].join('.')}: ${key}`);
}

/**
 * `serving:` and `rollout:` from mlctl.yaml, validated together: every plan must end at `full`,
 * name only defined checks, and suit each model's adapter (KServe cannot shadow).
 */
export function readRolloutConfig(raw: { serving?: unknown; rollout?: unknown }, file: string): RolloutConfig {
  const serving = z.record(z.string(), Serving).default({}).safeParse(raw.serving ?? {});
  if (!serving.success) throw issue(file, 'serving', serving.error);
  const rollout = Rollout.safeParse(raw.rollout ?? {});
  if (!rollout.success) throw issue(file, 'rollout', rollout.error);
  const plans: Record<string, StageSpec[]> = {};
  const all = { standard: STANDARD_PLAN as unknown as Array<z.infer<typeof Stage>>, ...rollout.data.plans };
  for (const [name, stages] of Object.entries(all)) {
    const parsed = stages.map((s, i) => {
      const st = Stage.parse(s);
      const where = `${file}: rollout.plans.${name}[${i}]`;
      if (st.stage === 'shadow' && st.mirror === undefined) throw new UsageError(`${where}: a shadow stage needs mirror: <percent>`);
      if ((st.stage === 'canary' || st.stage === 'ramp') && st.weight === undefined) throw new UsageError(`${where}: a ${st.stage} stage needs weight: <percent>`);
      if (st.stage === 'full' && (st.weight !== undefined || st.mirror !== undefined)) throw new UsageError(`${where}: full sends all traffic to the candidate; remove weight/mirror`);
      for (const c of st.checks) if (!(c in rollout.data.checks)) throw new UsageError(`${where}: unknown check ${JSON.stringify(c)}; define it under rollout.checks`);
      return { ...st, minDurationMs: st.minDuration ? parseDuration(st.minDuration, `${where}.minDuration`) : 0 };
    });
    if (parsed[parsed.length - 1]!.stage !== 'full') throw new UsageError(`${file}: rollout.plans.${name}: the last stage must be full`);
    if (parsed.slice(0, -1).some((s) => s.stage === 'full')) throw new UsageError(`${file}: rollout.plans.${name}: full must be the last stage`);
    let last = 0;
    for (const [i, s] of parsed.entries()) {
      if (s.weight !== undefined && s.weight < last) throw new UsageError(`${file}: rollout.plans.${name}[${i}]: weights must not decrease (${s.weight} after ${last})`);
      last = s.weight ?? last;
    }
    plans[name] = parsed;
  }
  for (const [model, s] of Object.entries(serving.data)) {
    const plan = plans[s.plan];
    if (!plan) throw new UsageError(`${file}: serving.${model}.plan: unknown plan ${JSON.stringify(s.plan)}; define it under rollout.plans (or use standard)`);
    if (!adapterFor(s.adapter).supportsShadow && plan.some((st) => st.stage === 'shadow')) {
      throw new UsageError(`${file}: serving.${model}: plan ${s.plan} has a shadow stage, which ${s.adapter} cannot do on its own; use the istio adapter, or drop the shadow stage`);
    }
  }
  return { serving: serving.data, plans, checks: rollout.data.checks };
}

const Git = z.object({ commit: z.boolean().default(true), push: z.boolean().default(false), remote: z.string().min(1).default('origin') }).strict();
export type GitConfig = z.infer<typeof Git>;

/** `git:` from mlctl.yaml: commit each step (default), push it (off by default), to which remote. */
export function readGitConfig(raw: unknown, file: string): GitConfig {
  const r = Git.safeParse(raw ?? {});
  if (!r.success) throw issue(file, 'git', r.error);
  return r.data;
}
