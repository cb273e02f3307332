import { InconclusiveError, StorageError } from '../errors.js';
import { parseDuration } from '../util/duration.js';

/**
 * One instant query (GET /api/v1/query), as rollout checks make them, for a peak QPS such as
 * `max_over_time(sum(rate(requests_total{model="fraud"}[5m]))[7d:5m])`. Unreachable or failing
 * server: exit 3; no single finite value: exit 5 (nothing to size on). Returns the sample as text,
 * so the sizing reads the decimal Prometheus printed.
 */
export async function instantValue(
  fetchFn: typeof fetch,
  spec: { url: string; query: string; timeout: string },
): Promise<string> {
  const url = `${spec.url.replace(/\/+$/, '')}/api/v1/query?query=${encodeURIComponent(spec.query)}`;
  const timeoutMs = parseDuration(spec.timeout, 'peak_qps.prometheus.timeout');
  let body: { status?: string; error?: string; data?: { resultType?: string; result?: unknown } };
  try {
    const res = await fetchFn(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
    const text = await res.text();
    try {
      body = JSON.parse(text);
    } catch {
      throw new StorageError(`peak QPS: ${spec.url} answered HTTP ${res.status} with no JSON`);
    }
    if (!res.ok || body.status !== 'success')
      throw new StorageError(
        `peak QPS: ${spec.url} answered HTTP ${res.status}: ${body.error ?? body.status ?? 'error'}`,
      );
  } catch (err) {
    if (err instanceof StorageError) throw err;
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why =
      e.name === 'TimeoutError' ? `no answer within ${spec.timeout}` : (e.cause?.code ?? e.cause?.message ?? e.message);
    throw new StorageError(`peak QPS: cannot query ${spec.url}: ${why}`);
  }
  const { resultType, result } = body.data ?? {};
  let raw: string | undefined;
  if (resultType === 'scalar') raw = (result as [number, string])[1];
  else if (resultType === 'vector') {
    const series = result as Array<{ value: [number, string] }>;
    if (series.length !== 1)
      throw new InconclusiveError(
        series.length === 0
          ? `peak QPS: the query returned no series (no traffic recorded, or a wrong label?): ${spec.query}`
          : `peak QPS: the query returned ${series.length} series; aggregate it to one (sum, max): ${spec.query}`,
      );
    raw = series[0]!.value[1];
  } else
    throw new InconclusiveError(
      `peak QPS: the query returned a ${resultType ?? 'unknown'} result; use an instant vector or scalar expression`,
    );
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0)
    throw new InconclusiveError(`peak QPS: the query returned ${raw}, not a request rate: ${spec.query}`);
  return raw!;
}
