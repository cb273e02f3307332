// Baseline: a plain @aws-sdk/lib-storage upload of one file, configured as mlctl's uploads are
// (16 MiB parts, 4 in flight), without hashing. Usage: node plain-upload.mjs <endpoint> <bucket> <key> <file>
import { createReadStream } from 'node:fs';
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

const [endpoint, Bucket, Key, file] = process.argv.slice(2);
const client = new S3Client({
  endpoint,
  region: 'us-east-1',
  forcePathStyle: true,
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
});
await new Upload({
  client,
  params: { Bucket, Key, Body: createReadStream(file, { highWaterMark: 1 << 20 }) },
  partSize: 16 << 20,
  queueSize: 4,
}).done();
client.destroy();
