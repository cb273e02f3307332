import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { StorageError } from '../errors.js';
import { resolveRef } from '../registry/resolve.js';
import { blobKey } from './layout.js';
import { checkManifestPath } from './manifest.js';
import { mapLimit } from '../util/map-limit.js';
import type { BlobStore } from '../../ports/blob-store.js';
import type { Registry } from '../../ports/registry.js';

export const modelFolderKey = (model: string, version: number) => `models/${model}/${version}/`;

export interface MaterializeResult {
  ref: string;
  uri: string;
  files: number;
  copied: number;
}

/**
 * Model servers read a folder of named files, not content-addressed blobs: lay the version out at
 * <prefix>/models/<model>/<version>/<path> by server-side copy (no client upload), then check each
 * copy's size and sha256 before the URI may go into a serving config.
 */
export async function materializeVersion(
  ctx: { registry: Registry; store: BlobStore },
  ref: string,
  opts: { trustExisting?: boolean } = {},
): Promise<MaterializeResult> {
  const v = await resolveRef(ctx.registry, ref);
  const folder = modelFolderKey(v.model, v.version);
  const files = await ctx.registry.artifacts(v.id);
  let copied = 0;
  await mapLimit(files, 8, async (f) => {
    checkManifestPath(f.path);
    const key = `${folder}${f.path}`;
    const have = await ctx.store.stat(key);
    if (have?.size !== f.size) {
      await ctx.store.copy(blobKey(f.sha256), key, f.size);
      copied++;
    } else if (opts.trustExisting) {
      // Already materialized and checked when it entered production; do not re-read every byte.
      return;
    }
    const h = createHash('sha256');
    let size = 0;
    for await (const chunk of (await ctx.store.getStream(key)) as Readable) {
      h.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    if (size !== f.size || h.digest('hex') !== f.sha256) {
      throw new StorageError(
        `${ctx.store.uriOf(key)} does not match ${v.model}@${v.version}'s ${f.path} after copying; run 'mlctl verify ${v.model}@${v.version}'`,
      );
    }
  });
  return { ref: `${v.model}@${v.version}`, uri: ctx.store.uriOf(folder), files: files.length, copied };
}
