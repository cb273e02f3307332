/**
 * The serving adapters mlctl knows and what each can do, without loading their code: validating
 * mlctl.yaml (every command) needs only this; the adapters themselves load for a stage change.
 */
export const SERVING_ADAPTER_NAMES = ['kserve', 'istio', 'seldon', 'generic'] as const;
export type ServingAdapterName = (typeof SERVING_ADAPTER_NAMES)[number];

/** `shadow`: the adapter can mirror traffic to the candidate on its own (a plan's shadow stage). */
export const SERVING_CAPABILITIES: Record<ServingAdapterName, { shadow: boolean }> = {
  kserve: { shadow: false },
  istio: { shadow: true },
  seldon: { shadow: true },
  generic: { shadow: true },
};
