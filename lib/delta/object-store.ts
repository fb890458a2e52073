// The storage Delta tables are written to, behind one small interface: a local directory or an S3
// prefix. Keys are '/'-separated and relative to the store's root. The one primitive the Delta
// log needs is putIfAbsent: an atomic create that fails if the key exists, so two writers can
// never both commit the same version.

export interface ObjectInfo {
  key: string;
  size: number;
  /** Epoch ms. */
  lastModified: number;
}

/** A large object written in pieces; nothing is visible under its key before `close`. */
export interface ObjectUpload {
  write(chunk: Uint8Array): Promise<void>;
  /** Makes the object visible and returns its size in bytes. */
  close(): Promise<number>;
  /** Drops what was written (best effort). */
  abort(): Promise<void>;
}

export interface ObjectStore {
  /** The lake root as given (path or s3:// URI), for messages. */
  readonly description: string;
  get(key: string): Promise<Uint8Array | undefined>;
  /** Creates or replaces, atomically for readers. */
  put(key: string, data: Uint8Array | string): Promise<void>;
  /** Creates `key` only if it does not exist; false if it did. Readers never see a partial object. */
  putIfAbsent(key: string, data: Uint8Array | string): Promise<boolean>;
  /** Every object inside the directory `prefix` ('' = the whole store), recursively, any order. */
  list(prefix: string): Promise<ObjectInfo[]>;
  delete(key: string): Promise<void>;
  upload(key: string): Promise<ObjectUpload>;
  /** Absolute URI of a key, as written into symlink manifests (file:///… or s3://…). */
  uriOf(key: string): string;
}

/** A storage failure, with the lake location and what was being done in the message. */
export class LakeStorageError extends Error {
  constructor(
    readonly operation: string,
    readonly location: string,
    override readonly cause: unknown,
  ) {
    super(`lake storage: cannot ${operation} ${location}: ${describeCause(cause)}`);
    this.name = 'LakeStorageError';
  }
}

const ERRNO_HINTS: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'a path component is a file, not a directory',
  EISDIR: 'is a directory',
  ENOENT: 'no such file or directory',
};

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    const hint = code ? ERRNO_HINTS[code] : undefined;
    return hint ? `${code} (${hint}): ${cause.message}` : cause.message;
  }
  return String(cause);
}

export function joinKey(...parts: string[]): string {
  return parts
    .filter((p) => p !== '')
    .join('/')
    .replace(/\/{2,}/g, '/');
}

/** A view of a store under a key prefix (one Delta table of the lake). */
export function subStore(store: ObjectStore, prefix: string): ObjectStore {
  const k = (key: string) => joinKey(prefix, key);
  const strip = (key: string) => key.slice(prefix.length + 1);
  return {
    description: `${store.description.replace(/\/$/, '')}/${prefix}`,
    get: (key) => store.get(k(key)),
    put: (key, data) => store.put(k(key), data),
    putIfAbsent: (key, data) => store.putIfAbsent(k(key), data),
    list: async (p) => (await store.list(k(p))).map((o) => ({ ...o, key: strip(o.key) })),
    delete: (key) => store.delete(k(key)),
    upload: (key) => store.upload(k(key)),
    uriOf: (key) => store.uriOf(k(key)),
  };
}
