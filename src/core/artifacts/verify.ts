import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { UsageError } from '../errors.js';
import { resolveRef } from '../registry/resolve.js';
import { blobKey } from './layout.js';
import { checkManifest } from './manifest-check.js';
import { mapLimit } from '../util/map-limit.js';
import { pathProblem } from './paths.js';
import type { BlobStore } from '../../ports/blob-store.js';
import type { ArtifactEntry, Registry, VersionRecord } from '../../ports/registry.js';
import { noProgress, type Progress } from '../../ports/progress.js';

export interface VerifyProblem {
  ref: string;
  path: string;
  sha256: string;
  problem: 'missing' | 'corrupt' | 'manifest-missing' | 'manifest-mismatch' | 'unsafe-path';
  detail: string;
}
export interface VerifyResult {
  versions: string[];
  blobsChecked: number;
  bytesChecked: number;
  problems: VerifyProblem[];
  ok: boolean;
  /** With --all: leftovers of interrupted uploads (not a problem for any version; gc removes them). */
  partialUploads?: { count: number; bytes: number };
}

async function hashStream(
  s: NodeJS.ReadableStream,
  onBytes: (n: number) => void,
): Promise<{ sha256: string; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const chunk of s as Readable) {
    h.update(chunk as Buffer);
    size += (chunk as Buffer).length;
    onBytes((chunk as Buffer).length);
  }
  return { sha256: h.digest('hex'), size };
}

/**
 * Re-hash every stored blob the given versions reference (each distinct blob read once), and check
 * each version's manifest: rows against the recorded digest, the stored object and the register event.
 */
export async function verifyVersions(
  ctx: { registry: Registry; store: BlobStore; progress?: Progress },
  opts: { refs: string[]; all?: boolean },
): Promise<VerifyResult> {
  if (!opts.all && opts.refs.length === 0)
    throw new UsageError('name the versions to verify (e.g. mlctl verify fraud@3) or pass --all');
  const versions: VersionRecord[] = [];
  if (opts.all) {
    for (const m of await ctx.registry.listModels())
      versions.push(...(await ctx.registry.listVersions(m.name, {})).reverse());
  } else for (const r of opts.refs) versions.push(await resolveRef(ctx.registry, r, { allowBare: true }));

  const problems: VerifyProblem[] = [];
  const users = new Map<string, { size: number; uses: Array<{ ref: string; path: string }> }>();
  const rowsOf = new Map<number, ArtifactEntry[]>();
  for (const v of versions) {
    const rows = await ctx.registry.artifacts(v.id);
    rowsOf.set(v.id, rows);
    for (const a of rows) {
      const why = pathProblem(a.path);
      if (why)
        problems.push({
          ref: `${v.model}@${v.version}`,
          path: a.path,
          sha256: a.sha256,
          problem: 'unsafe-path',
          detail: `the path cannot be pulled safely: ${why}`,
        });
      const u = users.get(a.sha256) ?? { size: a.size, uses: [] };
      u.uses.push({ ref: `${v.model}@${v.version}`, path: a.path });
      users.set(a.sha256, u);
    }
  }
  const progress = ctx.progress ?? noProgress;
  const total = [...users.values()].reduce((s, u) => s + u.size, 0);
  progress.start('verifying', total, 'bytes');
  await mapLimit([...users.entries()], 4, async ([sha, u]) => {
    const st = await ctx.store.stat(blobKey(sha));
    if (!st) {
      for (const use of u.uses)
        problems.push({
          ...use,
          sha256: sha,
          problem: 'missing',
          detail: `blob sha256:${sha} is missing from the store`,
        });
      progress.tick(u.size);
      return;
    }
    const got = await hashStream(await ctx.store.getStream(blobKey(sha)), (n) => progress.tick(n));
    if (got.sha256 !== sha || got.size !== u.size) {
      for (const use of u.uses) {
        problems.push({
          ...use,
          sha256: sha,
          problem: 'corrupt',
          detail: `stored bytes hash to sha256:${got.sha256.slice(0, 12)}… (${got.size} bytes), expected sha256:${sha.slice(0, 12)}… (${u.size} bytes)`,
        });
      }
    }
  });
  await mapLimit(versions, 8, async (v) => {
    for (const m of await checkManifest(ctx, v, rowsOf.get(v.id)!))
      problems.push({ ref: `${v.model}@${v.version}`, sha256: '', ...m });
  });
  let partialUploads: VerifyResult['partialUploads'];
  if (opts.all) {
    partialUploads = { count: 0, bytes: 0 };
    for await (const p of ctx.store.listPartial()) {
      partialUploads.count++;
      partialUploads.bytes += p.size ?? 0;
    }
  }
  progress.stop();
  problems.sort((a, b) => (a.ref + a.path < b.ref + b.path ? -1 : 1));
  return {
    versions: versions.map((v) => `${v.model}@${v.version}`),
    blobsChecked: users.size,
    bytesChecked: total,
    problems,
    ok: problems.length === 0,
    ...(partialUploads ? { partialUploads } : {}),
  };
}
