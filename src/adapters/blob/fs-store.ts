import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, link, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { MlctlError, StorageError } from '../../core/errors.js';
import { checkWhole } from './content-check.js';
import { mapLimit } from '../../core/util/map-limit.js';
import type { BlobInfo, BlobStore, PartialUpload, PutProgress } from '../../ports/blob-store.js';
import { trackTemp, untrackTemp } from '../../core/util/temp-files.js';

/** Temp files of writes in progress (`<dest>.tmp-<12 hex>`), renamed into place when complete. */
const TEMP = /\.tmp-[0-9a-f]{12}$/;
const tempName = (dest: string) => `${dest}.tmp-${randomBytes(6).toString('hex')}`;

/** Artifact store in a local folder (the embedded default). Writes go to a temp file that is renamed into place. */
export class FsBlobStore implements BlobStore {
  readonly location: string;
  constructor(private readonly root: string) {
    this.location = root;
  }

  private path(key: string): string {
    return join(this.root, ...key.split('/'));
  }

  async stat(key: string): Promise<BlobInfo | undefined> {
    try {
      const s = await stat(this.path(key));
      return { key, size: s.size, lastModified: s.mtime };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StorageError(`cannot read ${this.path(key)}: ${(err as Error).message}`, { cause: err });
    }
  }

  statMany(keys: readonly string[]): Promise<(BlobInfo | undefined)[]> {
    return mapLimit(keys, 32, (k) => this.stat(k));
  }

  async putFile(
    key: string,
    file: string,
    _size: number,
    sha256: string,
    opts: { onProgress?: PutProgress } = {},
  ): Promise<void> {
    const onProgress = opts.onProgress;
    const dest = this.path(key);
    const tmp = tempName(dest);
    trackTemp(tmp);
    try {
      await mkdir(dirname(dest), { recursive: true });
      const hash = createHash('sha256');
      const tap = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          hash.update(chunk);
          onProgress?.(chunk.length);
          cb(null, chunk);
        },
      });
      await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), tap, createWriteStream(tmp));
      checkWhole(file, hash, sha256);
      await rename(tmp, dest);
    } catch (err) {
      await rm(tmp, { force: true });
      if (err instanceof MlctlError) throw err;
      throw new StorageError(`cannot write ${dest}: ${(err as Error).message}`, { cause: err });
    } finally {
      untrackTemp(tmp);
    }
  }

  async putBytes(key: string, body: Uint8Array): Promise<void> {
    const dest = this.path(key);
    const tmp = tempName(dest);
    try {
      await mkdir(dirname(dest), { recursive: true });
      await writeFile(tmp, body);
      await rename(tmp, dest);
    } catch (err) {
      await rm(tmp, { force: true });
      throw new StorageError(`cannot write ${dest}: ${(err as Error).message}`, { cause: err });
    }
  }

  async getStream(key: string): Promise<NodeJS.ReadableStream> {
    const p = this.path(key);
    if (!(await this.stat(key))) throw new StorageError(`${p} is missing from the artifact store`);
    return createReadStream(p, { highWaterMark: 1 << 20 });
  }

  async getBytes(key: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(this.path(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StorageError(`cannot read ${this.path(key)}: ${(err as Error).message}`, { cause: err });
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  async copy(fromKey: string, toKey: string): Promise<void> {
    const from = this.path(fromKey);
    const to = this.path(toKey);
    try {
      await mkdir(dirname(to), { recursive: true });
      await rm(to, { force: true });
      // A hard link costs nothing and the blob is immutable; across devices, copy.
      await link(from, to).catch(async () => copyFile(from, to));
    } catch (err) {
      throw new StorageError(`cannot materialize ${to}: ${(err as Error).message}`, { cause: err });
    }
  }

  uriOf(key: string): string {
    // Keep the trailing slash of a folder key: serving configs point at folders.
    return key.endsWith('/') ? `${this.path(key)}/` : this.path(key);
  }

  async *list(prefix: string): AsyncIterable<BlobInfo> {
    for await (const f of walkFiles(this.path(prefix.replace(/\/$/, '')), this.root))
      if (!TEMP.test(f.key)) yield { key: f.key, size: f.size, lastModified: f.mtime };
  }

  async *listPartial(): AsyncIterable<PartialUpload> {
    // Serving folders are made by hard links and copies, never through temp files: skip them.
    for (const top of ['blobs', 'manifests', 'pins'])
      for await (const f of walkFiles(join(this.root, top), this.root))
        if (TEMP.test(f.key)) yield { key: f.key.replace(TEMP, ''), id: f.key, size: f.size, startedAt: f.mtime };
  }

  async removePartial(p: PartialUpload): Promise<void> {
    if (!TEMP.test(p.id)) throw new StorageError(`${p.id} is not a temp file of this store`);
    await rm(this.path(p.id), { force: true });
  }
}

/** Every file under `dir` (none when it does not exist), keyed by its '/'-path from `root`. */
async function* walkFiles(dir: string, root: string): AsyncIterable<{ key: string; size: number; mtime: Date }> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walkFiles(p, root);
    else if (e.isFile()) {
      const s = await stat(p).catch(() => undefined);
      if (!s) continue; // renamed or removed meanwhile
      yield { key: relative(root, p).split(sep).join('/'), size: s.size, mtime: s.mtime };
    }
  }
}
