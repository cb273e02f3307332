import { Readable } from 'node:stream';
import { isRetryableS3Error } from './s3-errors.js';
import { S3_ATTEMPTS, backoff } from './s3-retry.js';

/** One GET answer: the body from `from` on, the object's ETag, and its whole size. */
export interface GetPart {
  body: Readable;
  etag: string;
  /** The object's size (from Content-Range on a ranged answer). */
  total: number;
  /** Where the body starts: `from` for a 206 answer, 0 when the server ignored the Range. */
  start: number;
  metadata: Record<string, string>;
}

/** GET the object from byte `from` (Range), only if it still has ETag `ifMatch` when given. */
export type RangedGet = (from: number, ifMatch?: string) => Promise<GetPart>;

/** A connection cut before the promised bytes arrived: retried like a reset. */
const truncated = (got: number, total: number) =>
  Object.assign(new Error(`the answer ended after ${got} of ${total} bytes`), { code: 'ETRUNCATED' });

/** At most this many resumptions of one download, however much progress each makes (bounded loop). */
const MAX_RESUMES = 100;

/**
 * Download with resumption: the first GET is retried by the S3 client itself; when the body
 * is cut (reset, premature end), the download continues from the last byte received with a
 * ranged GET pinned to the first answer's ETag (If-Match), so the bytes cannot come from two
 * versions of the object. It gives up after `attempts` requests in a row without progress, or
 * MAX_RESUMES in all. `fail` turns the final error into the user's message (`attempts`: the
 * requests made for this download; 0 for the first one, whose retries the client counts).
 */
export async function openResumable(
  get: RangedGet,
  fail: (err: unknown, attempts: number) => Error,
  o: { attempts?: number; onResume?: (from: number, err: unknown) => void } = {},
): Promise<{ body: Readable; etag: string; size: number; metadata: Record<string, string> }> {
  const attempts = o.attempts ?? S3_ATTEMPTS;
  let first: GetPart;
  try {
    first = await get(0);
  } catch (err) {
    throw fail(err, 0);
  }
  const { etag, total } = first;

  async function* bytes(): AsyncGenerator<Buffer> {
    let part: GetPart | undefined = first;
    let got = 0;
    let failures = 0;
    try {
      for (let resumes = 0; ; resumes++) {
        const before = got;
        try {
          part ??= await get(got, etag);
          // A server that ignored the Range sends the object from its start: skip what we have.
          let skip = got - part.start;
          for await (const chunk of part.body as AsyncIterable<Buffer>) {
            let c = chunk;
            if (skip > 0) {
              const n = Math.min(skip, c.length);
              skip -= n;
              c = c.subarray(n);
              if (c.length === 0) continue;
            }
            got += c.length;
            yield c;
          }
          if (got >= total) return;
          throw truncated(got, total);
        } catch (err) {
          part?.body.destroy();
          part = undefined;
          if (got > before) failures = 0;
          failures++;
          // Every request of this download counts in the message, the first one included.
          if (!isRetryableS3Error(err)) throw fail(err, resumes + 1);
          if (failures >= attempts || resumes >= MAX_RESUMES) throw fail(err, resumes + 1);
          o.onResume?.(got, err);
          await backoff(failures);
        }
      }
    } finally {
      // The reader stopped early (an error downstream, or it had enough): close the connection.
      part?.body.destroy();
    }
  }
  return { body: Readable.from(bytes(), { objectMode: false }), etag, size: total, metadata: first.metadata };
}

/** The object's size from a Content-Range header ("bytes 6-10/11"), else the answer's length plus its start. */
export function totalSize(contentRange: string | undefined, contentLength: number | undefined, start: number): number {
  const m = contentRange ? /\/(\d+)\s*$/.exec(contentRange) : null;
  return m ? Number(m[1]) : start + (contentLength ?? 0);
}
