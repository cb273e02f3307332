import { UsageError } from '../errors.js';
import { genericAdapter } from './generic.js';
import { istioAdapter } from './istio.js';
import { kserveAdapter } from './kserve.js';
import { seldonAdapter } from './seldon.js';
import type { ServingAdapter } from './types.js';

export const ADAPTERS: Record<ServingAdapter['name'], ServingAdapter> = {
  kserve: kserveAdapter,
  istio: istioAdapter,
  seldon: seldonAdapter,
  generic: genericAdapter,
};

export function adapterFor(name: string): ServingAdapter {
  const a = ADAPTERS[name as ServingAdapter['name']];
  if (!a) throw new UsageError(`unknown serving adapter ${JSON.stringify(name)}; use kserve, istio, seldon or generic`);
  return a;
}
