import { canonicalJson } from '../canonical-json.js';
import { sha256Hex } from '../hashing/digest.js';
import type { ArtifactEntry } from '../../ports/registry.js';
import { UsageError } from '../errors.js';
import { pathProblem } from './paths.js';

/** The digest of a version's content: its files' paths, sizes and hashes (metadata excluded). */
export function manifestDigest(files: ArtifactEntry[]): string {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return `sha256:${sha256Hex(canonicalJson({ files: sorted.map((f) => ({ path: f.path, sha256: f.sha256, size: f.size })) }))}`;
}

/** Manifest paths come from storage or a registry that may have been tampered with: never let one escape the target folder. */
export function checkManifestPath(p: string): string {
  const why = pathProblem(p);
  if (why)
    throw new UsageError(
      `refusing unsafe path ${JSON.stringify(p)} in the manifest (${why}); the registry entry may have been tampered with`,
    );
  return p;
}
