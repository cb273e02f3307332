import type { ServerResponse } from 'node:http';

/**
 * The multipart bookkeeping s3rver lacks (test code, part of the strict layer): it answers
 * AbortMultipartUpload with 405 and has no ListMultipartUploads. AWS, MinIO and R2 have both, and
 * gc relies on them to find and remove uploads that a killed register left behind. The layer
 * remembers every upload it saw created and not yet completed or aborted:
 * - GET /<bucket>?uploads[&prefix=] → ListMultipartUploadsResult (one page; no markers needed here);
 * - DELETE /<bucket>/<key>?uploadId=<id> → 204, and later parts or completion of it → 404 NoSuchUpload.
 * s3rver keeps the aborted upload's part files on its disk; the test server's folder is temporary.
 */
interface Upload {
  bucket: string;
  key: string;
  uploadId: string;
  initiated: Date;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export class MultipartBook {
  private readonly open = new Map<string, Upload>();
  private readonly aborted = new Set<string>();

  /** Split "/bucket/some/key" into bucket and key. */
  private static split(path: string): { bucket: string; key: string } {
    const p = path.replace(/^\//, '');
    const i = p.indexOf('/');
    return i < 0 ? { bucket: p, key: '' } : { bucket: p.slice(0, i), key: p.slice(i + 1) };
  }

  /** Answer the requests s3rver cannot; true when answered here. */
  answer(method: string, path: string, query: string, res: ServerResponse): boolean {
    const q = new URLSearchParams(query);
    const { bucket, key } = MultipartBook.split(path);
    if (method === 'GET' && key === '' && q.has('uploads')) {
      const prefix = q.get('prefix') ?? '';
      const ups = [...this.open.values()]
        .filter((u) => u.bucket === bucket && u.key.startsWith(prefix))
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      const body =
        `<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
        `<Bucket>${esc(bucket)}</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker>` +
        `<Prefix>${esc(prefix)}</Prefix><MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated>` +
        ups
          .map(
            (u) =>
              `<Upload><Key>${esc(u.key)}</Key><UploadId>${esc(u.uploadId)}</UploadId><Initiated>${u.initiated.toISOString()}</Initiated><StorageClass>STANDARD</StorageClass></Upload>`,
          )
          .join('') +
        `</ListMultipartUploadsResult>`;
      res.writeHead(200, { 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)) });
      res.end(body);
      return true;
    }
    const id = q.get('uploadId');
    if (id !== null && key !== '') {
      if (this.aborted.has(id) || (!this.open.has(id) && method === 'DELETE')) {
        const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message></Error>`;
        res.writeHead(404, { 'content-type': 'application/xml' });
        res.end(body);
        return true;
      }
      if (method === 'DELETE') {
        this.open.delete(id);
        this.aborted.add(id);
        res.writeHead(204);
        res.end();
        return true;
      }
    }
    return false;
  }

  /** Learn from what s3rver answered: uploads created and completed. */
  observe(method: string, path: string, query: string, status: number, body: Buffer): void {
    if (method !== 'POST' || status !== 200) return;
    const q = new URLSearchParams(query);
    const { bucket, key } = MultipartBook.split(path);
    if (q.has('uploads')) {
      const id = /<UploadId>([^<]+)<\/UploadId>/.exec(body.toString('utf8'))?.[1];
      if (id) this.open.set(id, { bucket, key, uploadId: id, initiated: new Date() });
    } else if (q.has('uploadId')) this.open.delete(q.get('uploadId')!);
  }
}
