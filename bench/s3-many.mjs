// Register of a folder of many small files (default 20,000 × 4 KiB in 20 folders) to a local
// s3rver, against `aws s3 sync` of the same folder to the same server, measured in the same run.
// Target ≤ 1.5× (issue 18). Sizes: BENCH_FILES, BENCH_FILE_KIB.
import { spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { S3Client, CreateBucketCommand } from '@aws-sdk/client-s3';
import { BIN, ROOT, startS3rver, timed } from './lib.mjs';

const FILES = Number(process.env.BENCH_FILES ?? 20_000);
const KIB = Number(process.env.BENCH_FILE_KIB ?? 4);
const DATA = join(ROOT, 'bench/data/s3-many');
const CREDS = {
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
};
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;

/** FILES files of KIB KiB of random bytes, 1,000 to a folder; kept under bench/data between runs. */
function makeFolder() {
  const dir = join(DATA, `files-${FILES}x${KIB}KiB`);
  const folders = Math.ceil(FILES / 1000);
  if (existsSync(dir) && readdirSync(dir).length === folders) return dir;
  rmSync(dir, { recursive: true, force: true });
  const buf = Buffer.alloc(KIB << 10);
  for (let i = 0; i < FILES; i++) {
    const sub = join(dir, `d${Math.floor(i / 1000)}`);
    if (i % 1000 === 0) mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `f${i}.bin`), randomFillSync(buf));
  }
  return dir;
}

export async function run() {
  const folder = makeFolder();
  const hasAws = spawnSync('aws', ['--version'], { stdio: 'ignore' }).status === 0;
  const store = join(DATA, 's3rver');
  rmSync(store, { recursive: true, force: true });
  const server = await startS3rver(store);
  try {
    const client = new S3Client({
      endpoint: server.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    await client.send(new CreateBucketCommand({ Bucket: 'bench' }));
    client.destroy();
    const project = join(DATA, 'project');
    rmSync(project, { recursive: true, force: true });
    mkdirSync(project, { recursive: true });
    writeFileSync(
      join(project, 'mlctl.yaml'),
      `registry: .mlctl/registry.db\nartifacts: s3://bench/team\ns3: { endpoint: ${server.endpoint} }\n`,
    );
    spawnSync('sh', ['-c', `find "${folder}" -type f -exec cat {} + > /dev/null`]); // page cache warm for both
    spawnSync('sync');
    const reg = await timed(process.execPath, [BIN, 'register', 'many', folder, '--json'], {
      cwd: project,
      // First-time register: no hash cache from an earlier run.
      env: { ...CREDS, MLCTL_ACTOR: 'bench', MLCTL_CACHE_DIR: join(project, '.mlctl', 'user-cache') },
      node: true,
    });
    const uploaded = JSON.parse(reg.stdout).data.uploaded;
    spawnSync('sync');
    const sync = hasAws
      ? await timed(
          'aws',
          ['s3', 'sync', folder, 's3://bench/aws-sync/', '--endpoint-url', server.endpoint, '--only-show-errors'],
          {
            env: {
              ...CREDS,
              AWS_REQUEST_CHECKSUM_CALCULATION: 'when_required',
              AWS_RESPONSE_CHECKSUM_VALIDATION: 'when_required',
            },
          },
        )
      : null;
    const label = `${FILES.toLocaleString('en')} × ${KIB} KiB`;
    const rows = [];
    if (sync) rows.push({ name: `aws s3 sync ${label} (baseline)`, value: s(sync.ms) });
    rows.push({
      name: `mlctl register ${label} to S3 (${uploaded.blobs} blobs uploaded)`,
      value: s(reg.ms),
      baseline: sync ? 'aws s3 sync' : 'aws CLI not installed: no baseline',
      ratio: sync ? reg.ms / sync.ms : undefined,
      target: '≤ 1.5×',
      ok: sync ? reg.ms / sync.ms <= 1.5 : undefined,
    });
    rows.push({ name: `mlctl register ${label} peak RSS`, value: `${reg.rssMb?.toFixed(0)} MB` });
    return rows;
  } finally {
    await server.stop();
    rmSync(store, { recursive: true, force: true });
  }
}
