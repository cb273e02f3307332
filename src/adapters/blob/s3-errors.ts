import { AuthError, MlctlError, StorageError } from '../../core/errors.js';

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
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/** Map an AWS SDK error to a typed mlctl error naming the endpoint; never include credentials. */
export function mapS3Error(err: unknown, endpoint: string, what: string): MlctlError {
  if (err instanceof MlctlError) return err;
  const e = err as {
    name?: string;
    code?: string;
    Code?: string;
    $metadata?: { httpStatusCode?: number };
    message?: string;
    cause?: unknown;
  };
  // Errors on HEAD have no body, so the SDK cannot name them ("Unknown", "403"): fall back to the status.
  const rawName = e.name ?? e.Code ?? '';
  const name = rawName === 'Unknown' || /^\d+$/.test(rawName) ? '' : rawName;
  const code = e.code ?? (e.cause as { code?: string } | undefined)?.code ?? '';
  const status = e.$metadata?.httpStatusCode;
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
  if (NETWORK_CODES.has(code) || NETWORK_CODES.has(name) || name === 'TimeoutError' || name === 'RequestTimeout') {
    return new StorageError(
      `cannot reach S3 endpoint ${endpoint} (${code || name}) during ${what}; check s3.endpoint and that the server is up`,
      { cause: err },
    );
  }
  if (name === 'NoSuchBucket')
    return new StorageError(`bucket does not exist at ${endpoint} (${what}); create it or fix the artifacts URI`, {
      cause: err,
    });
  const msg = (e.message ?? String(err)).split('\n')[0];
  return new StorageError(`S3 ${what} failed at ${endpoint}: ${name ? `${name}: ` : ''}${msg}`, { cause: err });
}
