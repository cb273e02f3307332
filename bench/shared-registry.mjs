// Shared registry on S3: a read command against an unchanged 50 MB remote registry (1 request,
// ≤ 1.3× the same command on a local registry) and a write (≤ 4 requests plus the upload), against
// a local s3rver behind a request-counting proxy, both measured in the same run.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client, CreateBucketCommand } from '@aws-sdk/client-s3';
import { BIN, ROOT, median, seedRegistry, startS3rver, timed } from './lib.mjs';

const DATA = join(ROOT, 'bench/data/shared');
const VERSIONS = Number(process.env.BENCH_SHARED_VERSIONS ?? 18_000);
const CREDS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };

/** Forward to s3rver, counting requests by method and key. */
function countingProxy(upstream) {
  const log = [];
  const u = new URL(upstream);
  const server = http.createServer((req, res) => {
    log.push({ method: req.method, url: req.url });
    const p = http.request(
      { host: u.hostname, port: u.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    p.on('error', () => res.destroy());
    req.pipe(p);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        endpoint: `http://127.0.0.1:${server.address().port}`,
        log,
        close: () =>
          new Promise((r) => {
            server.closeAllConnections();
            server.close(r);
          }),
      }),
    ),
  );
}

export async function run() {
  const db = await seedRegistry(join(DATA, `registry-${VERSIONS}.db`), VERSIONS, { journal: 'delete' });
  const work = mkdtempSync(join(tmpdir(), 'bench-shared-'));
  const server = await startS3rver(join(work, 's3'));
  const proxy = await countingProxy(server.endpoint);
  try {
    const client = new S3Client({
      endpoint: server.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    await client.send(new CreateBucketCommand({ Bucket: 'bench' }));
    client.destroy();
    const local = join(work, 'local');
    const shared = join(work, 'shared');
    mkdirSync(local);
    mkdirSync(shared);
    copyFileSync(db, join(local, 'registry.db'));
    writeFileSync(join(local, 'mlctl.yaml'), 'registry: registry.db\nartifacts: .mlctl/artifacts\n');
    writeFileSync(
      join(shared, 'mlctl.yaml'),
      `registry: s3://bench/team/registry.db\nartifacts: .mlctl/artifacts\ns3: { endpoint: ${proxy.endpoint}, region: us-east-1, forcePathStyle: true }\n`,
    );
    const env = { ...CREDS, MLCTL_CACHE_DIR: join(work, 'cache'), MLCTL_ACTOR: 'bench@example.com' };
    await timed(process.execPath, [BIN, 'registry', 'push', join(local, 'registry.db')], { cwd: shared, env });
    const size = statSync(db).size;
    // First read downloads into the cache; the measured reads find it unchanged.
    await timed(process.execPath, [BIN, 'show', 'm@latest'], { cwd: shared, env });
    for (let i = 0; i < 2; i++) await timed(process.execPath, [BIN, 'show', 'm@latest'], { cwd: local, env });
    const N = Number(process.env.BENCH_RUNS ?? 11);
    const localMs = await median(N, () => timed(process.execPath, [BIN, 'show', 'm@latest'], { cwd: local, env }));
    let mark = proxy.log.length;
    const sharedMs = await median(N, () => timed(process.execPath, [BIN, 'show', 'm@latest'], { cwd: shared, env }));
    const perRead = (proxy.log.length - mark) / N;
    mark = proxy.log.length;
    const write = await timed(process.execPath, [BIN, 'tag', 'm@1', 'bench=yes'], { cwd: shared, env });
    const writeReqs = proxy.log.slice(mark);
    const uploads = writeReqs.filter(
      (r) => r.method === 'PUT' && new URL(r.url, 'http://x').pathname.endsWith('/registry.db'),
    ).length;
    const others = writeReqs.length - uploads;
    return [
      {
        name: `shared registry: read (show) on an unchanged ${(size / 1e6).toFixed(0)} MB registry, requests`,
        value: `${perRead}`,
        target: '1',
        ok: perRead === 1,
      },
      {
        name: 'shared registry: read (show), unchanged remote',
        value: `${sharedMs.toFixed(1)} ms`,
        baseline: 'same command, local registry',
        ratio: sharedMs / localMs,
        target: '≤ 1.3×',
        ok: sharedMs / localMs <= 1.3,
      },
      { name: 'baseline: show on the local registry (info)', value: `${localMs.toFixed(1)} ms` },
      {
        name: 'shared registry: write (tag), requests besides the upload',
        value: `${others} + ${uploads} upload`,
        target: '≤ 4 + upload',
        ok: others <= 4 && uploads === 1,
      },
      { name: 'shared registry: write (tag) wall, incl. 50 MB upload (info)', value: `${write.ms.toFixed(1)} ms` },
    ];
  } finally {
    await proxy.close();
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
