import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { StorageError } from '../../core/errors.js';
import { mapLimit } from '../../core/util/map-limit.js';
import { withPayloadSha256 } from './payload-hash.js';

export interface MultipartInput {
  client: S3Client;
  bucket: string;
  key: string;
  file: string;
  size: number;
  sha256: string;
  partSize: number;
  queueSize: number;
  onProgress?: (n: number) => void;
}

/**
 * Multipart upload with a sha256 checksum on every part, `queueSize` parts in flight, each read
 * from the file at its offset (memory ≈ partSize × queueSize). Any failure aborts the upload so
 * no parts stay stored (and billed).
 */
export async function multipartUpload(m: MultipartInput): Promise<void> {
  const count = Math.ceil(m.size / m.partSize);
  const created = await m.client.send(
    new CreateMultipartUploadCommand({
      Bucket: m.bucket,
      Key: m.key,
      ChecksumAlgorithm: 'SHA256',
      Metadata: { sha256: m.sha256 },
    }),
  );
  const uploadId = created.UploadId!;
  const fh = await open(m.file, 'r');
  try {
    const parts = await mapLimit(
      Array.from({ length: count }, (_, i) => i),
      m.queueSize,
      async (i) => {
        const offset = i * m.partSize;
        const len = Math.min(m.partSize, m.size - offset);
        const body = Buffer.allocUnsafe(len);
        let got = 0;
        while (got < len) {
          const { bytesRead } = await fh.read(body, got, len - got, offset + got);
          if (bytesRead === 0)
            throw new StorageError(`${m.file} changed while it was being stored (shorter than hashed); register again`);
          got += bytesRead;
        }
        // Hashed once as the part is sent (~13 ms per 16 MiB): the same digest is the part's
        // checksum and the signature's payload hash.
        const digest = createHash('sha256').update(body).digest();
        const checksum = digest.toString('base64');
        const r = await m.client.send(
          withPayloadSha256(
            new UploadPartCommand({
              Bucket: m.bucket,
              Key: m.key,
              UploadId: uploadId,
              PartNumber: i + 1,
              Body: body,
              ChecksumSHA256: checksum,
            }),
            digest.toString('hex'),
          ),
        );
        m.onProgress?.(len);
        return { PartNumber: i + 1, ETag: r.ETag, ChecksumSHA256: checksum };
      },
    );
    await m.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: m.bucket,
        Key: m.key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
  } catch (err) {
    // Best effort: some servers (s3rver) answer 405; the original error is what the user needs.
    await m.client
      .send(new AbortMultipartUploadCommand({ Bucket: m.bucket, Key: m.key, UploadId: uploadId }))
      .catch(() => undefined);
    throw err;
  } finally {
    await fh.close();
  }
}
