import { StorageError } from '../errors.js';
import { formatDuration } from './stages.js';
import type { PendingLabel } from './pending.js';
import type { ServingSpec } from '../config/index.js';

/** Whether the versions a pending label waits for are loaded, and why not (for status and tick). */
export interface LabelReadiness {
  ready: boolean;
  detail: string;
}

const STATUS_TIMEOUT_MS = 10_000;

/** The versions a pending label step waits for. */
export const awaitedVersions = (p: PendingLabel): number[] =>
  [...new Set(Object.values(p.labels))].sort((a, b) => a - b);

/**
 * Is every version the pending labels name loaded? Asked of TF Serving's model status API when
 * `serving.<model>.status_url` is set (GET /v1/models/<model>/versions/<v>: state AVAILABLE);
 * otherwise assumed once `label_delay` (default 2m) has passed since the load commit.
 */
export async function labelReadiness(
  env: { now: Date; fetch: typeof fetch },
  model: string,
  spec: ServingSpec,
  p: PendingLabel,
): Promise<LabelReadiness> {
  const versions = awaitedVersions(p);
  if (spec.statusUrl) {
    const waiting: string[] = [];
    for (const v of versions) {
      const state = await versionState(env.fetch, spec.statusUrl, model, v);
      if (state !== 'AVAILABLE') waiting.push(`version ${v} is ${state}`);
    }
    return waiting.length
      ? { ready: false, detail: `${spec.statusUrl} says ${waiting.join(', ')}` }
      : {
          ready: true,
          detail: `${spec.statusUrl} says version${versions.length > 1 ? 's' : ''} ${versions.join(', ')} AVAILABLE`,
        };
  }
  const delay = spec.labelDelayMs ?? 120_000;
  const left = Date.parse(p.since) + delay - env.now.getTime();
  return left > 0
    ? {
        ready: false,
        detail: `waiting for version ${versions.join(', ')} to load: label_delay ${formatDuration(delay)} since ${p.since}, ${formatDuration(left)} left`,
      }
    : { ready: true, detail: `label_delay ${formatDuration(delay)} has passed since the load commit` };
}

/**
 * One version's state from TF Serving's REST model status API. The response is
 * `{"model_version_status": [{"version": "2", "state": "AVAILABLE", "status": {"error_code": "OK", …}}]}`;
 * a version the server does not know yet answers 404 (reported as NOT_LOADED). Anything else that
 * is not an answer is an infrastructure error (exit 3).
 */
async function versionState(fetchFn: typeof fetch, base: string, model: string, v: number): Promise<string> {
  const url = `${base.replace(/\/+$/, '')}/v1/models/${encodeURIComponent(model)}/versions/${v}`;
  let res: Response;
  try {
    res = await fetchFn(url, { signal: AbortSignal.timeout(STATUS_TIMEOUT_MS) });
  } catch (err) {
    throw new StorageError(
      `serving.${model}.status_url: cannot ask ${url} whether version ${v} is loaded (${(err as Error).message}); check the address, or remove status_url to wait label_delay instead`,
      { cause: err },
    );
  }
  const text = await res.text();
  if (res.status === 404) return 'NOT_LOADED';
  if (!res.ok)
    throw new StorageError(`serving.${model}.status_url: ${url} answered HTTP ${res.status}: ${text.slice(0, 200)}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new StorageError(`serving.${model}.status_url: ${url} did not answer JSON: ${text.slice(0, 200)}`);
  }
  const list = (body as { model_version_status?: unknown }).model_version_status;
  if (!Array.isArray(list))
    throw new StorageError(
      `serving.${model}.status_url: ${url} answered without model_version_status; is it TF Serving's REST port (8501)?`,
    );
  const entry = list.find((e) => String((e as { version?: unknown }).version) === String(v)) as
    { state?: unknown; status?: { error_message?: unknown } } | undefined;
  if (!entry) return 'NOT_LOADED';
  const state = String(entry.state ?? 'UNKNOWN');
  const msg = entry.status?.error_message;
  return typeof msg === 'string' && msg && state !== 'AVAILABLE' ? `${state} (${msg})` : state;
}
