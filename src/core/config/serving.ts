import { SERVING_ADAPTER_NAMES, TEXTPROTO_ADAPTERS, type ServingAdapterName } from '../serving/kinds.js';
import { readCapacity, readDeployments, type CapacitySpec } from './capacity.js';
import type { Shape } from './shape.js';

const ROUTERS = ['istio', 'generic'] as const;

/** `serving.<model>`: which adapter edits which files of the GitOps repository, under which rollout plan. */
export interface ServingSpec {
  adapter: ServingAdapterName;
  files: string[];
  plan: string;
  /** tfserving, triton: the server's REST address, asked whether a loaded version is available. */
  statusUrl?: string;
  /** tfserving, triton: without statusUrl, how long after a load commit the version counts as loaded. */
  labelDelayMs?: number;
  /** tfserving, triton: how long after full the old version stays loaded (a rollback in it is instant); default 1h. */
  unloadAfterMs?: number;
  /** tfserving: the server allows labels on versions it has not loaded yet (new labels only). */
  allowUnavailableLabels?: boolean;
  /** tfserving, triton: the adapter that writes the traffic split (model servers split nothing themselves). */
  router?: { adapter: (typeof ROUTERS)[number]; files: string[] };
  /** Replicas per stage (issue 14); absent: mlctl writes no replica counts. */
  capacity?: CapacitySpec;
  /** istio: the Deployments whose replicas mlctl sets (see config/capacity.ts). */
  deployments?: string[];
}

const MODEL_SERVER_KEYS = ['status_url', 'label_delay', 'unload_after', 'allow_unavailable_labels', 'router'];

export function readServing(sh: Shape, raw: unknown): Record<string, ServingSpec> {
  const serving: Record<string, ServingSpec> = {};
  for (const [model, v] of Object.entries(sh.record(raw, ['serving']))) {
    const m = sh.map(
      v,
      ['serving', model],
      ['adapter', 'files', 'plan', 'capacity', 'deployments', ...MODEL_SERVER_KEYS],
    );
    const adapter = sh.oneOf(m.adapter, ['serving', model, 'adapter'], SERVING_ADAPTER_NAMES);
    const files = sh.strList(m.files, ['serving', model, 'files'], 1);
    serving[model] = {
      adapter,
      files,
      plan: m.plan === undefined ? 'standard' : sh.str(m.plan, ['serving', model, 'plan']),
      ...readModelServerKeys(sh, m, model, adapter, files),
      ...(m.capacity !== undefined ? { capacity: readCapacity(sh, m.capacity, model) } : {}),
      ...(m.deployments !== undefined ? { deployments: readDeployments(sh, m.deployments, model, adapter) } : {}),
    };
  }
  return serving;
}

/** The keys only text-proto model servers (tfserving, triton) take: readiness, labels, the router companion. */
function readModelServerKeys(
  sh: Shape,
  m: Record<string, unknown>,
  model: string,
  adapter: ServingAdapterName,
  files: string[],
): Partial<ServingSpec> {
  const path = ['serving', model];
  const given = MODEL_SERVER_KEYS.filter((k) => m[k] !== undefined);
  if (!TEXTPROTO_ADAPTERS.includes(adapter)) {
    if (given.length) sh.fail([...path, given[0]!], `only the tfserving and triton adapters take ${given[0]}`);
    return {};
  }
  if (adapter === 'triton' && m.allow_unavailable_labels !== undefined)
    sh.fail([...path, 'allow_unavailable_labels'], 'Triton has no version labels; remove it');
  const out: Partial<ServingSpec> = {
    labelDelayMs: m.label_delay === undefined ? 2 * 60_000 : sh.duration(m.label_delay, [...path, 'label_delay']),
    unloadAfterMs: m.unload_after === undefined ? 3_600_000 : sh.duration(m.unload_after, [...path, 'unload_after']),
  };
  if (m.status_url !== undefined)
    out.statusUrl = sh.url(m.status_url, [...path, 'status_url'], 'http://tfserving:8501');
  if (adapter === 'tfserving')
    out.allowUnavailableLabels = sh.bool(m.allow_unavailable_labels, [...path, 'allow_unavailable_labels'], false);
  if (m.router !== undefined) {
    const r = sh.map(m.router, [...path, 'router'], ['adapter', 'files']);
    const routerFiles = sh.strList(r.files, [...path, 'router', 'files'], 1);
    const shared = routerFiles.find((f) => files.includes(f));
    if (shared)
      sh.fail(
        [...path, 'router', 'files'],
        `${shared} is also in serving.${model}.files; the router edits its own files`,
      );
    out.router = { adapter: sh.oneOf(r.adapter, [...path, 'router', 'adapter'], ROUTERS), files: routerFiles };
  }
  return out;
}
