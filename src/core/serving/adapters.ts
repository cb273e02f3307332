import { UsageError } from '../errors.js';
import { genericAdapter } from './generic.js';
import { istioAdapter } from './istio.js';
import { kserveAdapter } from './kserve.js';
import { seldonAdapter } from './seldon.js';
import { tfservingAdapter } from './tfserving.js';
import { tritonAdapter } from './triton.js';
import type { AnyServingAdapter } from './types.js';

export const ADAPTERS: Record<AnyServingAdapter['name'], AnyServingAdapter> = {
  kserve: kserveAdapter,
  istio: istioAdapter,
  seldon: seldonAdapter,
  generic: genericAdapter,
  tfserving: tfservingAdapter,
  triton: tritonAdapter,
};

export function adapterFor(name: string): AnyServingAdapter {
  const a = ADAPTERS[name as AnyServingAdapter['name']];
  if (!a)
    throw new UsageError(
      `unknown serving adapter ${JSON.stringify(name)}; use kserve, istio, seldon, generic, tfserving or triton`,
    );
  return a;
}
