/** Where artifact bytes live: a local folder or an S3-compatible bucket. Keys are relative to the store's prefix. */
export interface PutProgress {
  (bytesDone: number): void;
}

export interface BlobInfo {
  key: string;
  size: number;
  lastModified?: Date;
}

/** What an upload that never finished left behind (a killed register): a temp file, or an S3 multipart upload. */
export interface PartialUpload {
  /** The key the upload was for. */
  key: string;
  /** The store's handle for it: the temp file's key (folder store), the multipart UploadId (S3). */
  id: string;
  /** Bytes it holds, when the store knows that cheaply (S3 would need a ListParts per upload). */
  size?: number;
  startedAt?: Date;
}

export interface BlobStore {
  /** Human-readable location, e.g. `s3://bucket/prefix` or `/abs/path/.mlctl/artifacts`. */
  readonly location: string;
  /** Size of the object, or undefined when it does not exist. */
  stat(key: string): Promise<BlobInfo | undefined>;
  /**
   * stat() of many keys at once, in input order: the store picks the cheapest way (one LIST page
   * answers for up to 1,000 keys where a HEAD answers for one).
   */
  statMany(keys: readonly string[]): Promise<(BlobInfo | undefined)[]>;
  /** Files larger than this go up in parts of this size (S3); undefined for stores without multipart. */
  readonly multipartPartSize?: number;
  /**
   * Store a local file under key. `sha256` (hex) is the digest the caller computed; the store
   * attaches checksums that servers able to verify them do (whole object, or each multipart part),
   * and itself hashes the bytes it sends: when they are not `sha256` (the file changed, a stale
   * hash-cache entry) it stores nothing and throws ContentChangedError.
   */
  putFile(key: string, file: string, size: number, sha256: string, opts?: { onProgress?: PutProgress }): Promise<void>;
  putBytes(key: string, body: Uint8Array, contentType?: string): Promise<void>;
  /** A readable stream of the object; throws NotFoundError-like StorageError when missing. */
  getStream(key: string): Promise<NodeJS.ReadableStream>;
  getBytes(key: string): Promise<Uint8Array | undefined>;
  delete(key: string): Promise<void>;
  /** Copy an object inside the store without moving bytes through the client (CopyObject, hard link). */
  copy(fromKey: string, toKey: string, size: number): Promise<void>;
  /** The URI a model server reads `key` from (s3://bucket/prefix/key or an absolute path). */
  uriOf(key: string): string;
  /** Every object under a key prefix (never the temp files of uploads in progress). */
  list(prefix: string): AsyncIterable<BlobInfo>;
  /** Every partial upload under the store's prefix, oldest or newest in any order. */
  listPartial(): AsyncIterable<PartialUpload>;
  /** Remove a partial upload (delete the temp file, abort the multipart upload); one already gone is no error. */
  removePartial(p: PartialUpload): Promise<void>;
}
