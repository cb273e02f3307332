import { AuthError, MlctlError, StorageError } from '../../core/errors.js';
import { describeFsError, isFsError } from '../../core/util/fs-errors.js';

const AUTH_CODES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'CredentialsProviderError',
  'AuthorizationHeaderMalformed',
]);
/** The endpoint cannot be reached at all: nothing was sent. */
const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};
/** The connection broke during the exchange: the request may or may not have reached the server. */
const CUT: Record<string, string> = {
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed while sending',
  ECONNABORTED: 'connection aborted',
  ETIMEDOUT: 'timed out',
  ERR_STREAM_PREMATURE_CLOSE: 'the answer ended early',
  ETRUNCATED: 'the answer ended early',
  TimeoutError: 'timed out',
  RequestTimeout: 'timed out',
};
const RETRYABLE_STATUS = new Set([500, 502, 503, 504, 429]);
const RETRYABLE_NAMES = new Set(['InternalError', 'SlowDown', 'ServiceUnavailable', 'RequestTimeout', 'TimeoutError']);

interface SdkLike {
  name?: string;
  code?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
  message?: string;
  cause?: unknown;
}

/** The S3 error code (SlowDown, NoSuchKey…) when the server named one; the SDK's placeholders are not names. */
function s3Name(e: SdkLike): string {
  const raw = e.name ?? e.Code ?? '';
  if (!/^[A-Z][A-Za-z]+$/.test(raw)) return '';
  if (['Unknown', 'UnknownError', 'Error', 'TypeError', 'RangeError'].includes(raw)) return '';
  return raw;
}

/** A Node system error code (ECONNRESET…) anywhere in the error or its causes. */
function sysCode(err: unknown): string {
  for (let e = err as SdkLike | undefined, i = 0; e && i < 5; e = e.cause as SdkLike | undefined, i++) {
    if (e.code && /^(E[A-Z]+|ERR_[A-Z_]+)$/.test(e.code)) return e.code;
    if (e.message === 'aborted' || e.message === 'socket hang up') return 'ECONNRESET';
  }
  return '';
}

const statusOf = (err: unknown) => (err as SdkLike).$metadata?.httpStatusCode;

/** Safe to send again: a server error, throttling, or a connection cut (only for idempotent requests). */
export function isRetryableS3Error(err: unknown): boolean {
  if (err instanceof MlctlError) return false;
  const status = statusOf(err);
  if (status !== undefined && RETRYABLE_STATUS.has(status)) return true;
  const code = sysCode(err);
  if (code in CUT) return true;
  return RETRYABLE_NAMES.has(s3Name(err as SdkLike)) || (err as SdkLike).name === 'TimeoutError';
}

/** The cause in a few words, never the SDK's own text: "HTTP 503 (SlowDown)", "connection reset (ECONNRESET)". */
export function describeS3Cause(err: unknown): string {
  const e = err as SdkLike;
  const code = sysCode(err) || (e.name && e.name in CUT ? e.name : '');
  if (code) return `${UNREACHABLE[code] ?? CUT[code] ?? 'network error'} (${code})`;
  const status = statusOf(err);
  const name = s3Name(e);
  if (status) return `HTTP ${status}${name ? ` (${name})` : ''}`;
  return name || 'an answer that could not be read';
}

/**
 * Map an AWS SDK (or raw HTTP) error to a typed mlctl error naming the endpoint, the request and
 * the cause; never the SDK's message, never credentials. More than one attempt is said.
 */
export function mapS3Error(err: unknown, endpoint: string, what: string, o: { attempts?: number } = {}): MlctlError {
  if (err instanceof MlctlError) return err;
  // A local file that could not be written (a download to a full disk) is not S3's fault.
  if (isFsError(err)) return new StorageError(describeFsError(err, `during ${what}`), { cause: err });
  const e = err as SdkLike;
  const name = s3Name(e);
  const code = sysCode(err);
  const status = statusOf(err);
  // The S3 client counts its own retries; a caller that retried itself says how often.
  const attempts = o.attempts || e.$metadata?.attempts || 1;
  const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
  if (AUTH_CODES.has(name) || status === 403 || status === 401) {
    if (name === 'CredentialsProviderError') {
      return new AuthError(
        `no AWS credentials found for ${endpoint}; set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE`,
        { cause: err },
      );
    }
    return new AuthError(
      `${endpoint} refused ${what} (${name || `HTTP ${status}`}); check the AWS credentials and the bucket policy`,
      { cause: err },
    );
  }
  if (code in UNREACHABLE) {
    return new StorageError(
      `cannot reach S3 endpoint ${endpoint} (${code}) during ${what}${tries}; check s3.endpoint and that the server is up`,
      { cause: err },
    );
  }
  if (code in CUT || name in CUT || e.name === 'TimeoutError') {
    return new StorageError(
      `S3 ${what} at ${endpoint} failed${tries}: ${describeS3Cause(err)}; the network or the server dropped the connection — run the command again`,
      { cause: err },
    );
  }
  if (name === 'NoSuchBucket')
    return new StorageError(`bucket does not exist at ${endpoint} (${what}); create it or fix the artifacts URI`, {
      cause: err,
    });
  return new StorageError(`S3 ${what} failed at ${endpoint}${tries}: ${describeS3Cause(err)}`, { cause: err });
}
