import { UsageError } from '../errors.js';
import { redactUrl } from '../util/redact-url.js';

/** S3's bucket-name rule (lowercase letters, digits, dots, hyphens; 3–63 characters), the one copy of it. */
const S3_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/;

export const S3_URI_HINT =
  'expected s3://bucket/prefix, the bucket named with 3–63 lowercase letters, digits, dots or hyphens';

export function isS3Uri(uri: string): boolean {
  return S3_URI.test(uri);
}

export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const m = S3_URI.exec(uri);
  if (!m) throw new UsageError(`invalid S3 URI ${JSON.stringify(redactUrl(uri))}: ${S3_URI_HINT}`);
  const prefix = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  return { bucket: m[1]!, prefix };
}

/** A shared registry is one database object: s3://bucket/some/key.db, not a folder. */
export function isS3ObjectUri(uri: string): boolean {
  const m = S3_URI.exec(uri);
  return !!m && !!m[2] && !uri.endsWith('/');
}
