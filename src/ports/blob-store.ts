/** Where artifact bytes live: a local folder or an S3-compatible bucket. Keys are relative to the store's prefix. */
export interface PutProgress {
  (bytesDone: number): void;
}

export interface BlobInfo {
  key: string;
  size: number;
  lastModified?: Date;
}

export interface BlobStore {
  /** Human-readable location, e.g. `s3://bucket/prefix` or `/abs/path/.mlctl/artifacts`. */
  readonly location: string;
  /** Size of the object, or undefined when it does not exist. */
  stat(key: string): Promise<BlobInfo | undefined>;
  /** Files larger than this go up in parts of this size (S3); undefined for stores without multipart. */
  readonly multipartPartSize?: number;
  /**
   * Store a local file under key. `sha256` (hex) is the digest the caller computed; the store
   * attaches checksums that servers able to verify them do (whole object, or each multipart part).
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
  /** Every object under a key prefix. */
  list(prefix: string): AsyncIterable<BlobInfo>;
}
