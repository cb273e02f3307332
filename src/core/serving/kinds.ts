/**
 * The serving adapters mlctl knows and what each can do, without loading their code: validating
 * mlctl.yaml (every command) needs only this; the adapters themselves load for a stage change.
 */
export const SERVING_ADAPTER_NAMES = ['kserve', 'istio', 'seldon', 'generic', 'tfserving', 'triton'] as const;
export type ServingAdapterName = (typeof SERVING_ADAPTER_NAMES)[number];

/** `shadow`: the adapter can mirror traffic to the candidate on its own (a plan's shadow stage). */
export const SERVING_CAPABILITIES: Record<ServingAdapterName, { shadow: boolean }> = {
  kserve: { shadow: false },
  istio: { shadow: true },
  seldon: { shadow: true },
  generic: { shadow: true },
  // Model servers that do not split traffic: a router adapter (serving.<model>.router) does.
  tfserving: { shadow: false },
  triton: { shadow: false },
};

/** Adapters whose files are text-format protobuf (models.config, config.pbtxt) rather than YAML documents. */
export const TEXTPROTO_ADAPTERS: readonly ServingAdapterName[] = ['tfserving', 'triton'];

/** What `mlctl init` offers: every adapter (a model server gets a generic router file beside it). */
export const INIT_ADAPTERS: readonly ServingAdapterName[] = SERVING_ADAPTER_NAMES;

/** The shipped example of each adapter under templates/serving/. */
export const SERVING_EXAMPLES: Record<ServingAdapterName, string> = {
  kserve: 'kserve.yaml',
  istio: 'istio.yaml',
  seldon: 'seldon.yaml',
  generic: 'generic.yaml',
  tfserving: 'tfserving.models.config',
  triton: 'triton.config.pbtxt',
};
