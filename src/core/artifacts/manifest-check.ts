import { formatBytes } from '../util/text.js';
import { manifestKey } from './layout.js';
import { manifestDigest } from './manifest.js';
import type { BlobStore } from '../../ports/blob-store.js';
import type { ArtifactEntry, Registry, VersionRecord } from '../../ports/registry.js';

/**
 * A version's manifest is recorded three times: the registry's file rows (with the digest on the
 * version row), the manifest object in the store, and the digest in the register event of the
 * hash-chained audit log. Editing one (a row's sha256 or path, the JSON in the bucket) must not pass
 * verify or pull (issue 11.2): recompute the digest from the rows and compare all three.
 */
export interface ManifestProblem {
  problem: 'manifest-missing' | 'manifest-mismatch';
  path: string;
  detail: string;
}

type StoredManifest = { model?: unknown; version?: unknown; manifestDigest?: unknown; files?: unknown };
const short = (d: string) => `sha256:${d.replace(/^sha256:/, '').slice(0, 12)}…`;

export async function checkManifest(
  ctx: { registry: Registry; store: BlobStore },
  v: VersionRecord,
  rows: ArtifactEntry[],
): Promise<ManifestProblem[]> {
  const out: ManifestProblem[] = [];
  const key = manifestKey(v.model, v.version);
  const fromRows = manifestDigest(rows);
  if (fromRows !== v.manifestDigest)
    out.push({
      problem: 'manifest-mismatch',
      path: '(file rows)',
      detail: `the file rows hash to ${short(fromRows)} but the version records ${short(v.manifestDigest)}: a row was edited`,
    });

  const raw = await ctx.store.getBytes(key);
  if (!raw) {
    out.push({ problem: 'manifest-missing', path: key, detail: 'the version manifest is missing from the store' });
  } else {
    let m: StoredManifest | null = null;
    try {
      m = JSON.parse(Buffer.from(raw).toString('utf8')) as StoredManifest | null;
    } catch {
      m = null;
    }
    if (!m || typeof m !== 'object' || !Array.isArray(m.files)) {
      out.push({ problem: 'manifest-mismatch', path: key, detail: `the stored manifest ${key} is not a manifest` });
    } else {
      if (m.model !== v.model || m.version !== v.version)
        out.push({
          problem: 'manifest-mismatch',
          path: key,
          detail: `the stored manifest ${key} names ${String(m.model)}@${String(m.version)}`,
        });
      if (m.manifestDigest !== v.manifestDigest)
        out.push({
          problem: 'manifest-mismatch',
          path: key,
          detail: `the stored manifest ${key} records ${short(String(m.manifestDigest))}, not the version's ${short(v.manifestDigest)}`,
        });
      out.push(...compareFiles(key, m.files as unknown[], rows));
    }
  }

  // The register event is hash-chained (and the chain anchored outside, ADR 19): the hardest to forge.
  const [ev] = await ctx.registry.events({ subject: `${v.model}@${v.version}`, action: 'register', limit: 1 });
  const recorded = (ev?.payload as { manifestDigest?: unknown } | undefined)?.manifestDigest;
  if (ev && recorded !== v.manifestDigest)
    out.push({
      problem: 'manifest-mismatch',
      path: '(audit log)',
      detail: `the register event (seq ${ev.seq}) recorded ${short(String(recorded))}, not the version's ${short(v.manifestDigest)}`,
    });
  return out;
}

function compareFiles(key: string, stored: unknown[], rows: ArtifactEntry[]): ManifestProblem[] {
  const out: ManifestProblem[] = [];
  const mine = new Map(rows.map((r) => [r.path, r]));
  const seen = new Set<string>();
  for (const f of stored) {
    const e = f as Partial<ArtifactEntry> | null;
    if (!e || typeof e.path !== 'string') {
      out.push({ problem: 'manifest-mismatch', path: key, detail: `the stored manifest ${key} has a malformed entry` });
      continue;
    }
    seen.add(e.path);
    const r = mine.get(e.path);
    if (!r)
      out.push({
        problem: 'manifest-mismatch',
        path: e.path,
        detail: `the stored manifest ${key} lists ${e.path}, which the registry does not`,
      });
    else if (r.sha256 !== e.sha256 || r.size !== e.size)
      out.push({
        problem: 'manifest-mismatch',
        path: e.path,
        detail: `the stored manifest ${key} lists ${e.path} as ${short(String(e.sha256))} (${formatBytes(Number(e.size))}); the registry has ${short(r.sha256)} (${formatBytes(r.size)})`,
      });
  }
  for (const r of rows)
    if (!seen.has(r.path))
      out.push({
        problem: 'manifest-mismatch',
        path: r.path,
        detail: `the registry lists ${r.path}, which the stored manifest ${key} does not`,
      });
  return out;
}
