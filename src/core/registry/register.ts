import { BLOBS_SCOPE } from '../artifacts/layout.js';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ContentChangedError, StorageError, UsageError } from '../errors.js';
import { checkModelName, formatRef } from '../refs.js';
import { appendEvent } from '../audit/chain.js';
import { committedHead } from '../audit/anchors.js';
import { collectFiles, type Excluded, type LocalFile, type ProtectedPath } from '../artifacts/collect.js';
import { blobKey, manifestKey } from '../artifacts/layout.js';
import { manifestDigest } from '../artifacts/manifest.js';
import { normalizeDigest, sha256Hex } from '../hashing/digest.js';
import { forgetChanged, newHashStats, sha256Local, type HashStats } from '../hashing/local-hash.js';
import type { HashCache } from '../../ports/hash-cache.js';
import { canonicalJson } from '../canonical-json.js';
import { readMetricsFileAsync, type MetricsInput } from '../inputs/metrics-file.js';
import { parseFeatureSchema, type FeatureSchema } from '../inputs/feature-schema.js';
import { parseYamlDoc } from '../inputs/located-doc.js';
import { readInputText } from '../inputs/read-input.js';
import { mapLimit } from '../util/map-limit.js';
import { redactUrl } from '../util/redact-url.js';
import { missingBlobs } from '../artifacts/blob-check.js';
import { pinBlobs } from '../artifacts/pins.js';
import { parseTags } from './tags.js';
import { withMlflowModel, type MlflowSummary } from './mlflow-folder.js';
import { resolveRef } from './resolve.js';
import { notRecorded, type DroppedKind } from './duplicate.js';
import type { ArtifactEntry, CodeInfo, Registry, VersionRecord } from '../../ports/registry.js';
import type { BlobStore } from '../../ports/blob-store.js';
import type { Clock } from '../../ports/clock.js';
import type { CodeGit } from '../../ports/git.js';
import { noProgress, type Progress } from '../../ports/progress.js';

export interface RegisterInput {
  model: string;
  paths: string[];
  metricsFile?: string;
  schemaFile?: string;
  dataPath?: string;
  dataHash?: string;
  configFile?: string;
  requirementsFile?: string;
  parent?: string;
  tags?: string[];
  description?: string;
  allowDuplicate?: boolean;
  /** Store what links leaving a registered folder point to (refused otherwise). */
  followLinks?: boolean;
}

export interface RegisterContext {
  registry: Registry;
  /** May still be loading (the S3 SDK): it is first needed after hashing, so both overlap. */
  store: BlobStore | Promise<BlobStore>;
  clock: Clock;
  actor: string;
  cwd: string;
  git?: CodeGit;
  progress?: Progress;
  /** mlctl's own data (registry file, local artifact store, cache): never stored. */
  protect?: ProtectedPath[];
  /** Remembered digests of unchanged local files (absent: hash every byte, `--no-hash-cache`). */
  hashCache?: HashCache;
}

export interface RegisterResult {
  ref: string;
  model: string;
  version: number;
  created: boolean;
  manifestDigest: string;
  files: number;
  totalSize: number;
  uploaded: { blobs: number; bytes: number };
  skipped: { blobs: number; bytes: number };
  code: CodeInfo | null;
  /** Paths left out of the version (git metadata, mlctl's data, .mlctlignore, links), and why. */
  excluded: Excluded[];
  /** Files hashed for the artifacts and --data, and how many digests the hash cache supplied. */
  hashing: HashStats;
  /** Set when the version is an MLflow model folder (MLmodel at its root). */
  mlflow: MlflowSummary | null;
  /** For content already registered: what this call brought that the existing version does not hold. */
  dropped: DroppedKind[];
  warnings: string[];
}

const MAX_REQUIREMENTS = 1 << 20;
/** Above this (or the store's multipart part size) a blob is uploaded alone: it has its own parallelism. */
const LARGE_BLOB = 64 << 20;

/**
 * Everything that can be wrong with the inputs is found before a byte is hashed or uploaded. Files
 * are read without blocking the event loop: a pipe waiting for its writer stays interruptible.
 */
async function readInputs(input: RegisterInput, cwd: string) {
  const at = (f: string) => resolve(cwd, f);
  checkModelName(input.model);
  if (input.dataPath && input.dataHash) throw new UsageError('give either --data or --data-hash, not both');
  const tags = parseTags(input.tags ?? []);
  const dataHash = input.dataHash !== undefined ? normalizeDigest(input.dataHash, '--data-hash') : null;
  const metrics: MetricsInput | null = input.metricsFile
    ? await readMetricsFileAsync(at(input.metricsFile), input.metricsFile)
    : null;
  const schema: FeatureSchema | null = input.schemaFile
    ? parseFeatureSchema(await readInputText(at(input.schemaFile), input.schemaFile), input.schemaFile)
    : null;
  let config: unknown = null;
  if (input.configFile) {
    config = parseYamlDoc(await readInputText(at(input.configFile), input.configFile), input.configFile).value;
    if (config === null || typeof config !== 'object')
      throw new UsageError(`${input.configFile}: expected a JSON or YAML object of settings`);
  }
  let requirements: string | null = null;
  if (input.requirementsFile) {
    requirements = await readInputText(at(input.requirementsFile), input.requirementsFile);
    if (requirements.length > MAX_REQUIREMENTS)
      throw new UsageError(`${input.requirementsFile}: larger than 1 MiB; is this really a requirements file?`);
  }
  return { tags, dataHash, metrics, schema, config, requirements };
}

/** A dataset's digest: sha256 of a file, or of the canonical listing (path, size, sha256) of a folder. */
export async function hashDataset(
  path: string,
  cwd: string,
  o: { cache?: HashCache; stats?: HashStats } = {},
): Promise<string> {
  const { files } = await collectFiles([path], cwd, { raw: true }).catch((err) => {
    throw err instanceof UsageError ? new UsageError(`--data ${err.message}`) : err;
  });
  const entries = await mapLimit(files, 4, async (f) => ({
    path: f.path,
    ...(await sha256Local(f.abs, { ...o, sizeHint: f.size })),
  }));
  const isFolder = (await stat(resolve(cwd, path))).isDirectory();
  if (!isFolder && entries.length === 1) return `sha256:${entries[0]!.sha256}`;
  return `sha256:${sha256Hex(canonicalJson(entries.map((e) => ({ path: e.path, sha256: e.sha256, size: e.size }))))}`;
}

export async function registerVersion(ctx: RegisterContext, input: RegisterInput): Promise<RegisterResult> {
  const progress = ctx.progress ?? noProgress;
  // Observed now, awaited after hashing: a failed load must not surface as an unhandled rejection.
  Promise.resolve(ctx.store).catch(() => undefined);
  const inp = await readInputs(input, ctx.cwd);
  const parent = input.parent ? await resolveRef(ctx.registry, input.parent) : null;
  const { files, excluded } = await collectFiles(input.paths, ctx.cwd, {
    protect: ctx.protect,
    followLinks: input.followLinks,
  });
  const ml = withMlflowModel(files, ctx.cwd, { schema: inp.schema, config: inp.config });
  const hashing = newHashStats();
  const cache = ctx.hashCache;
  const dataHash =
    inp.dataHash ?? (input.dataPath ? await hashDataset(input.dataPath, ctx.cwd, { cache, stats: hashing }) : null);
  // Git inspection runs while the files are hashed.
  const codeP = ctx.git ? ctx.git.codeInfo(ctx.cwd) : Promise.resolve(null);
  codeP.catch(() => undefined);

  const totalSize = files.reduce((s, f) => s + f.size, 0);
  progress.start('hashing', totalSize, 'bytes');
  const entries: Array<ArtifactEntry & { abs: string }> = await mapLimit(files, 4, async (f: LocalFile) => {
    const h = await sha256Local(f.abs, { cache, stats: hashing, onBytes: (n) => progress.tick(n), sizeHint: f.size });
    return { path: f.path, size: h.size, sha256: h.sha256, abs: f.abs };
  });
  progress.stop();
  cache?.flush();
  const code = withoutCredentials(await codeP);
  const store = await ctx.store;
  const digest = manifestDigest(entries);
  const base = {
    manifestDigest: digest,
    files: entries.length,
    totalSize,
    code,
    excluded,
    hashing,
    mlflow: ml.mlflow,
    warnings: ml.warnings,
  };

  if (!input.allowDuplicate) {
    const dup = await ctx.registry.findDuplicate(input.model, digest, code?.commit ?? null);
    if (dup) {
      const lost = await notRecorded(ctx.registry, dup, {
        ...inp,
        dataHash,
        parent,
        description: input.description,
        metricsFile: input.metricsFile,
        schemaFile: input.schemaFile,
        configFile: input.configFile,
        requirementsFile: input.requirementsFile,
      });
      return {
        ...base,
        ...refOf(dup),
        created: false,
        uploaded: { blobs: 0, bytes: 0 },
        skipped: { blobs: 0, bytes: 0 },
        dropped: lost.dropped,
        warnings: lost.warning ? [...base.warnings, lost.warning] : base.warnings,
      };
    }
  }

  // Content addressing: one upload per distinct blob, and only for blobs the store lacks.
  const unique = new Map<string, (typeof entries)[number]>();
  for (const e of entries) if (!unique.has(e.sha256)) unique.set(e.sha256, e);
  const blobs = [...unique.values()];
  const threshold = store.multipartPartSize ?? LARGE_BLOB;
  const upload = async (todo: typeof blobs) => {
    progress.start(
      'uploading',
      todo.reduce((s, b) => s + b.size, 0),
      'bytes',
    );
    const put = (b: (typeof blobs)[number]) =>
      store
        .putFile(blobKey(b.sha256), b.abs, b.size, b.sha256, { onProgress: (n) => progress.tick(n) })
        .catch(async (err: unknown) => {
          if (!(err instanceof ContentChangedError)) throw err;
          throw new ContentChangedError(`${err.message}; ${await forgetChanged(err.file, cache)}`, err.file);
        });
    await mapLimit(
      todo.filter((b) => b.size <= threshold),
      8,
      put,
    );
    // Large blobs go one at a time: each is already a multipart upload with several parts in flight.
    await mapLimit(
      todo.filter((b) => b.size > threshold),
      1,
      put,
    );
    progress.stop();
  };

  // ADR 20: pin the blobs before looking at them, so a concurrent gc leaves them alone, and check
  // again under the write lock (where no gc can be deleting) that every one is still there.
  const pin = await pinBlobs(
    { store, clock: ctx.clock, actor: ctx.actor },
    [...unique.keys()],
    `register ${input.model}`,
  );
  let missing: typeof blobs;
  let result: { v: VersionRecord; created: boolean } | undefined;
  let reuploaded = 0;
  try {
    missing = await missingBlobs(store, blobs);
    await upload(missing);
    for (let attempt = 1; !result; attempt++) {
      const gone: typeof blobs = [];
      try {
        result = await ctx.registry.write(async () => {
          // gc deletes under the same lock, so the blobs checked here stay until the version is recorded
          // (a database server's writes are not exclusive by themselves).
          await ctx.registry.exclusive(BLOBS_SCOPE);
          // Checked again under the write lock: two CI retries racing must not both create a version.
          if (!input.allowDuplicate) {
            const dup = await ctx.registry.findDuplicate(input.model, digest, code?.commit ?? null);
            if (dup) return { v: dup, created: false };
          }
          gone.push(...(await missingBlobs(store, blobs)));
          if (gone.length) throw new BlobsGone();
          return { v: await record(), created: true };
        });
      } catch (err) {
        if (!(err instanceof BlobsGone)) throw err;
        if (attempt >= MAX_RECHECKS)
          throw new StorageError(
            `${gone.length} blob(s) kept disappearing from ${store.location} while this version was being recorded (a gc ignoring pins?); nothing was registered — run the command again`,
          );
        reuploaded += gone.length;
        await upload(gone);
      }
    }
  } finally {
    await pin.release();
  }
  const upBytes = missing.reduce((s, b) => s + b.size, 0);

  async function record(): Promise<VersionRecord> {
    const now = ctx.clock.now().toISOString();
    const artifacts = entries.map(({ path, size, sha256 }) => ({ path, size, sha256 }));
    const v = await ctx.registry.insertVersion({
      model: input.model,
      status: 'registered',
      manifestDigest: digest,
      artifacts,
      metrics: inp.metrics?.rows ?? [],
      dataset: { digest: inp.metrics?.dataset?.digest ?? null, name: inp.metrics?.dataset?.name ?? null },
      dataHash,
      code,
      config: ml.config,
      featureSchema: ml.schema,
      requirements: inp.requirements,
      parentId: parent?.id ?? null,
      tags: inp.tags,
      description: input.description ?? null,
      createdAt: now,
      createdBy: ctx.actor,
    });
    const manifest = {
      schema: 'mlctl.manifest/v1',
      model: v.model,
      version: v.version,
      manifestDigest: digest,
      files: artifacts,
      dataHash,
      code,
      parent: parent ? formatRef(parent.model, parent.version) : null,
      createdAt: now,
      createdBy: ctx.actor,
      // ADR 19: the audit chain's head as committed before this register, kept outside the database.
      auditHead: await committedHead(ctx.registry),
    };
    // Written while the row is uncommitted: if this fails the row rolls back; a crash after it
    // leaves a manifest the next register of this version number overwrites.
    await store.putBytes(
      manifestKey(v.model, v.version),
      Buffer.from(JSON.stringify(manifest, null, 2)),
      'application/json',
    );
    await appendEvent(ctx.registry, {
      at: now,
      actor: ctx.actor,
      action: 'register',
      model: v.model,
      subject: formatRef(v.model, v.version),
      payload: {
        manifestDigest: digest,
        files: artifacts.length,
        totalSize,
        dataHash,
        codeCommit: code?.commit ?? null,
        parent: manifest.parent,
      },
    });
    return v;
  }

  return {
    ...base,
    ...refOf(result.v),
    created: result.created,
    uploaded: { blobs: missing.length + reuploaded, bytes: upBytes },
    skipped: { blobs: blobs.length - missing.length, bytes: blobs.reduce((s, b) => s + b.size, 0) - upBytes },
    dropped: [],
  };
}

/** Thrown inside write() to roll it back when blobs vanished before the version could be recorded. */
class BlobsGone extends Error {}
const MAX_RECHECKS = 3;

function refOf(v: VersionRecord) {
  return { ref: formatRef(v.model, v.version), model: v.model, version: v.version };
}

/** Whatever CodeGit reported, the remote is stored without credentials (issue 11.11). */
function withoutCredentials(code: CodeInfo | null): CodeInfo | null {
  return code?.remote ? { ...code, remote: redactUrl(code.remote) } : code;
}
