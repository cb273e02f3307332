// Register / re-register / pull of a 1 GiB file against a local s3rver, with baselines measured in
// the same run: a plain lib-storage upload, `aws s3 cp` (when the aws CLI is installed) and
// `openssl dgst -sha256`. Size: BENCH_SIZE_MIB (default 1024).
import { spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { S3Client, CreateBucketCommand } from '@aws-sdk/client-s3';
import { BIN, ROOT, startS3rver, timed } from './lib.mjs';

const SIZE_MIB = Number(process.env.BENCH_SIZE_MIB ?? 1024);
const DATA = join(ROOT, 'bench/data/s3');
const CREDS = {
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
};

function makeFile() {
  mkdirSync(DATA, { recursive: true });
  const file = join(DATA, `model-${SIZE_MIB}MiB.bin`);
  if (existsSync(file) && statSync(file).size === SIZE_MIB << 20) return file;
  const fd = openSync(file, 'w');
  const buf = Buffer.alloc(16 << 20);
  for (let i = 0; i < SIZE_MIB / 16; i++) writeSync(fd, randomFillSync(buf));
  closeSync(fd);
  return file;
}

const hasAws = spawnSync('aws', ['--version'], { stdio: 'ignore' }).status === 0;
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;

export async function run() {
  const file = makeFile();
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
    // An empty user cache folder: the first register hashes every byte, as on a fresh machine.
    const env = { ...CREDS, MLCTL_ACTOR: 'bench', MLCTL_CACHE_DIR: join(project, '.mlctl', 'user-cache') };
    const awsEnv = {
      ...CREDS,
      AWS_REQUEST_CHECKSUM_CALCULATION: 'when_required',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'when_required',
    };
    spawnSync('cat', [file], { stdio: ['ignore', 'ignore', 'ignore'] }); // page cache warm for everyone

    // Flush the previous step's writes so each measurement starts from a quiet disk.
    const settle = () => spawnSync('sync');
    settle();
    const plain = await timed(
      process.execPath,
      [join(ROOT, 'bench/plain-upload.mjs'), server.endpoint, 'bench', 'plain/model.bin', file],
      { env: CREDS, node: true },
    );
    settle();
    const reg = await timed(process.execPath, [BIN, 'register', 'm', file, '--json'], {
      cwd: project,
      env,
      node: true,
    });
    settle();
    const aws = hasAws
      ? await timed(
          'aws',
          ['s3', 'cp', file, 's3://bench/aws/model.bin', '--endpoint-url', server.endpoint, '--only-show-errors'],
          { env: awsEnv },
        )
      : null;
    settle();
    const rereg = await timed(
      process.execPath,
      [BIN, 'register', 'm', file, '--allow-duplicate', '--no-hash-cache', '--json'],
      {
        cwd: project,
        env,
        node: true,
      },
    );
    const uploaded = JSON.parse(rereg.stdout).data.uploaded.bytes;
    settle();
    const openssl = await timed('openssl', ['dgst', '-sha256', file]);
    rmSync(join(DATA, 'pulled'), { recursive: true, force: true });
    settle();
    const pull = await timed(process.execPath, [BIN, 'pull', 'm@1', '--to', join(DATA, 'pulled')], {
      cwd: project,
      env,
      node: true,
    });
    settle();
    const awsGet = hasAws
      ? await timed(
          'aws',
          [
            's3',
            'cp',
            's3://bench/aws/model.bin',
            join(DATA, 'aws-download.bin'),
            '--endpoint-url',
            server.endpoint,
            '--only-show-errors',
          ],
          { env: awsEnv },
        )
      : null;
    rmSync(join(DATA, 'pulled'), { recursive: true, force: true });
    rmSync(join(DATA, 'aws-download.bin'), { force: true });

    const label = `${SIZE_MIB} MiB`;
    const rows = [
      { name: `plain lib-storage upload ${label} (baseline)`, value: s(plain.ms), baseline: '-' },
      {
        name: `mlctl register ${label} to S3 (hash + upload)`,
        value: s(reg.ms),
        baseline: 'lib-storage',
        ratio: reg.ms / plain.ms,
        target: '≤ 1.15×',
        ok: reg.ms / plain.ms <= 1.15,
      },
    ];
    if (aws) {
      rows.push({ name: `aws s3 cp upload ${label} (baseline)`, value: s(aws.ms) });
      rows.push({
        name: 'mlctl register vs aws s3 cp',
        value: s(reg.ms),
        baseline: 'aws s3 cp',
        ratio: reg.ms / aws.ms,
        target: '≤ 1.0×',
        ok: reg.ms / aws.ms <= 1.0,
      });
    } else {
      rows.push({
        name: 'mlctl register vs aws s3 cp',
        value: 'aws CLI not installed',
        baseline: 'see the lib-storage row',
      });
    }
    rows.push({
      name: 'mlctl register peak RSS',
      value: `${reg.rssMb?.toFixed(0)} MB`,
      baseline: `lib-storage ${plain.rssMb?.toFixed(0)} MB`,
      target: '≤ 300 MB',
      ok: reg.rssMb <= 300,
    });
    rows.push({ name: `openssl dgst -sha256 ${label} (baseline)`, value: s(openssl.ms) });
    rows.push({
      name: `mlctl re-register ${label}, --no-hash-cache (${uploaded} bytes uploaded)`,
      value: s(rereg.ms),
      baseline: 'openssl dgst',
      ratio: rereg.ms / openssl.ms,
      target: '≤ 1.5×, 0 B',
      ok: rereg.ms / openssl.ms <= 1.5 && uploaded === 0,
    });
    if (awsGet) rows.push({ name: `aws s3 cp download ${label} (baseline)`, value: s(awsGet.ms) });
    rows.push({
      name: `mlctl pull ${label} (verified)`,
      value: s(pull.ms),
      baseline: awsGet ? 'aws s3 cp' : '-',
      ratio: awsGet ? pull.ms / awsGet.ms : undefined,
      target: '≤ 1.1×',
      ok: awsGet ? pull.ms / awsGet.ms <= 1.1 : undefined,
    });
    rows.push({ name: 'mlctl pull peak RSS', value: `${pull.rssMb?.toFixed(0)} MB` });
    return rows;
  } finally {
    await server.stop();
    rmSync(store, { recursive: true, force: true });
  }
}
