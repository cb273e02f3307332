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

/** What `mlctl init` offers: the adapters with a shipped YAML example (model servers need a router too). */
export const INIT_ADAPTERS = SERVING_ADAPTER_NAMES.filter((a) => !TEXTPROTO_ADAPTERS.includes(a));
