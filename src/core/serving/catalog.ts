import { UsageError } from '../errors.js';
import { genericAdapter } from './generic.js';
import { istioAdapter } from './istio.js';
import { kserveAdapter } from './kserve.js';
import { seldonAdapter } from './seldon.js';
import { tfservingAdapter } from './tfserving.js';
import { tritonAdapter } from './triton.js';
import { SERVING_ADAPTER_NAMES, type ServingAdapterName } from './kinds.js';
import type { AnyServingAdapter } from './types.js';

/** Serving adapters by name (add a new one here and in kinds.ts). */
export const ADAPTERS: Record<ServingAdapterName, AnyServingAdapter> = {
  kserve: kserveAdapter,
  istio: istioAdapter,
  seldon: seldonAdapter,
  generic: genericAdapter,
  tfserving: tfservingAdapter,
  triton: tritonAdapter,
};

export function adapterFor(name: string): AnyServingAdapter {
  const a = ADAPTERS[name as ServingAdapterName];
  if (!a)
    throw new UsageError(
      `unknown serving adapter ${JSON.stringify(name)}; use ${SERVING_ADAPTER_NAMES.join(', ').replace(/, (\w+)$/, ' or $1')}`,
    );
  return a;
}
