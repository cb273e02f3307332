import { SERVING_ADAPTER_NAMES, type ServingAdapterName } from '../serving/kinds.js';
import type { Shape } from './shape.js';

/** `serving.<model>`: which adapter edits which files of the GitOps repository, under which rollout plan. */
export interface ServingSpec {
  adapter: ServingAdapterName;
  files: string[];
  plan: string;
}

export function readServing(sh: Shape, raw: unknown): Record<string, ServingSpec> {
  const serving: Record<string, ServingSpec> = {};
  for (const [model, v] of Object.entries(sh.record(raw, ['serving']))) {
    const m = sh.map(v, ['serving', model], ['adapter', 'files', 'plan']);
    serving[model] = {
      adapter: sh.oneOf(m.adapter, ['serving', model, 'adapter'], SERVING_ADAPTER_NAMES),
      files: sh.strList(m.files, ['serving', model, 'files'], 1),
      plan: m.plan === undefined ? 'standard' : sh.str(m.plan, ['serving', model, 'plan']),
    };
  }
  return serving;
}
