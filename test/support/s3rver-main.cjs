/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS entry run by node directly */
// Runs s3rver in its own process (started with --openssl-legacy-provider, without which its
// ListObjectsV2 pagination answers 500). Prints one line "READY <port>" when listening.
const S3rver = require('s3rver');
const dir = process.argv[2];
const port = Number(process.argv[3] || 0);
const server = new S3rver({
  port,
  address: '127.0.0.1',
  directory: dir,
  silent: true,
  allowMismatchedSignatures: true,
});
server.run().then(
  (addr) => process.stdout.write(`READY ${addr.port}\n`),
  (err) => {
    process.stderr.write(`s3rver failed: ${err && err.stack}\n`);
    process.exit(1);
  },
);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
