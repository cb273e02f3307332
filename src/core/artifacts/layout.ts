/** Keys inside the artifact store, relative to its prefix (DESIGN.md "Artifact store"). */
export function blobKey(sha256: string): string {
  return `blobs/sha256/${sha256.slice(0, 2)}/${sha256}`;
}

export function manifestKey(model: string, version: number): string {
  return `manifests/${model}/${version}.json`;
}

export const BLOB_PREFIX = 'blobs/sha256/';

export function digestFromBlobKey(key: string): string | undefined {
  const m = /^blobs\/sha256\/[0-9a-f]{2}\/([0-9a-f]{64})$/.exec(key);
  return m?.[1];
}

/** The registry lock scope under which register records blob references and gc deletes blobs (ADR 20). */
export const BLOBS_SCOPE = 'blobs';
