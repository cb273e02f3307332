import { isRetryableS3Error } from './s3-errors.js';

/** Tries per request (the first one included) for requests that are safe to repeat. */
export const S3_ATTEMPTS = 4;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Exponential backoff with jitter: 100, 200, 400… ms, at most 2 s. */
export const backoff = (failures: number) => sleep(Math.min(2_000, 100 * 2 ** (failures - 1)) + Math.random() * 50);

export class RetriesExhausted extends Error {
  constructor(
    readonly last: unknown,
    readonly attempts: number,
  ) {
    super('retries exhausted', { cause: last });
  }
}

/**
 * Run `op` until it succeeds, retrying only what is safe to send again (idempotent requests, or
 * conditional writes whose condition makes a repeat harmless) on server errors and cut connections.
 * A non-retryable error is thrown as is; the last retryable one is thrown as RetriesExhausted
 * (`attempts` says how many were made) so the caller can name the count.
 */
export async function withRetries<T>(
  op: (attempt: number) => Promise<T>,
  o: {
    attempts?: number;
    retryable?: (err: unknown) => boolean;
    onRetry?: (err: unknown, attempt: number) => void;
  } = {},
): Promise<T> {
  const attempts = o.attempts ?? S3_ATTEMPTS;
  const retryable = o.retryable ?? isRetryableS3Error;
  for (let attempt = 1; ; attempt++) {
    try {
      return await op(attempt);
    } catch (err) {
      if (!retryable(err)) throw err;
      if (attempt >= attempts) throw new RetriesExhausted(err, attempt);
      o.onRetry?.(err, attempt);
      await backoff(attempt);
    }
  }
}
