// The Delta transaction log's actions (PROTOCOL.md, delta-io/delta) that this writer produces and
// reads, their newline-delimited JSON encoding, and the log's file names. Pure: no I/O.
// Invariant: a commit holds at most one protocol, one metaData, one txn per appId, and one add
// or remove per path (the protocol's rule for a single log entry).

export interface ProtocolAction {
  minReaderVersion: number;
  minWriterVersion: number;
  readerFeatures?: string[];
  writerFeatures?: string[];
}

export interface MetadataAction {
  id: string;
  name?: string | null;
  description?: string | null;
  format: { provider: string; options: Record<string, string> };
  schemaString: string;
  partitionColumns: string[];
  createdTime?: number | null;
  configuration: Record<string, string>;
}

export interface AddAction {
  /** Relative to the table root, URI-encoded (RFC 2396). */
  path: string;
  partitionValues: Record<string, string | null>;
  size: number;
  modificationTime: number;
  dataChange: boolean;
  /** JSON text of the per-file statistics. */
  stats?: string;
  tags?: Record<string, string> | null;
}

export interface RemoveAction {
  path: string;
  deletionTimestamp?: number;
  dataChange: boolean;
  extendedFileMetadata?: boolean;
  partitionValues?: Record<string, string | null>;
  size?: number;
}

export interface TxnAction {
  appId: string;
  version: number;
  lastUpdated?: number;
}

export interface CommitInfoAction {
  timestamp: number;
  operation: string;
  operationParameters?: Record<string, string>;
  operationMetrics?: Record<string, string>;
  engineInfo?: string;
  [key: string]: unknown;
}

export type Action =
  | { protocol: ProtocolAction }
  | { metaData: MetadataAction }
  | { add: AddAction }
  | { remove: RemoveAction }
  | { txn: TxnAction }
  | { commitInfo: CommitInfoAction };

/** An action kind this writer does not interpret (cdc, domainMetadata, ...): kept as read. */
export interface UnknownAction {
  unknown: string;
  value: unknown;
}

export type LogAction = Action | UnknownAction;

/** The highest protocol versions this writer implements; a table asking for more is refused. */
export const SUPPORTED_READER_VERSION = 1;
export const SUPPORTED_WRITER_VERSION = 2;

export const LOG_DIR = '_delta_log';

export function formatVersion(version: number): string {
  if (!Number.isSafeInteger(version) || version < 0)
    throw new Error(`invalid Delta version ${version}`);
  return String(version).padStart(20, '0');
}

export const commitFileName = (version: number) => `${formatVersion(version)}.json`;
export const checkpointFileName = (version: number) =>
  `${formatVersion(version)}.checkpoint.parquet`;
export const LAST_CHECKPOINT_FILE = '_last_checkpoint';

export type LogFile =
  { kind: 'commit'; version: number } | { kind: 'checkpoint'; version: number } | { kind: 'other' };

/** Classifies a file name inside `_delta_log/` (multi-part and UUID checkpoints count as other). */
export function classifyLogFile(name: string): LogFile {
  const commit = /^(\d{20})\.json$/.exec(name);
  if (commit) return { kind: 'commit', version: Number(commit[1]) };
  const checkpoint = /^(\d{20})\.checkpoint\.parquet$/.exec(name);
  if (checkpoint) return { kind: 'checkpoint', version: Number(checkpoint[1]) };
  return { kind: 'other' };
}

const KNOWN = ['protocol', 'metaData', 'add', 'remove', 'txn', 'commitInfo'] as const;

/** One action per line, in the given order, ending with a newline. */
export function encodeCommit(actions: Action[]): string {
  checkCommitIsValid(actions);
  return actions.map((a) => JSON.stringify(a)).join('\n') + '\n';
}

/** Parses a commit file. Unknown action kinds are kept as UnknownAction; blank lines are skipped. */
export function decodeCommit(text: string, fileName = 'commit'): LogAction[] {
  const out: LogAction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new Error(`${fileName} line ${i + 1} is not JSON: ${(error as Error).message}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new Error(`${fileName} line ${i + 1} is not an action object`);
    }
    const keys = Object.keys(value);
    const kind = keys[0];
    if (keys.length !== 1 || kind === undefined) {
      throw new Error(
        `${fileName} line ${i + 1} must have exactly one action key, has [${keys.join(', ')}]`,
      );
    }
    if ((KNOWN as readonly string[]).includes(kind)) out.push(value as Action);
    else out.push({ unknown: kind, value: (value as Record<string, unknown>)[kind] });
  }
  return out;
}

/** Throws if the actions break the protocol's per-commit rules. */
export function checkCommitIsValid(actions: Action[]): void {
  let protocols = 0;
  let metadata = 0;
  const appIds = new Set<string>();
  const adds = new Set<string>();
  const removes = new Set<string>();
  for (const a of actions) {
    if ('protocol' in a) protocols++;
    else if ('metaData' in a) metadata++;
    else if ('txn' in a) {
      if (appIds.has(a.txn.appId))
        throw new Error(`commit has two txn actions for appId ${a.txn.appId}`);
      appIds.add(a.txn.appId);
    } else if ('add' in a) {
      if (adds.has(a.add.path)) throw new Error(`commit adds ${a.add.path} twice`);
      adds.add(a.add.path);
    } else if ('remove' in a) {
      if (removes.has(a.remove.path)) throw new Error(`commit removes ${a.remove.path} twice`);
      removes.add(a.remove.path);
    }
  }
  if (protocols > 1) throw new Error('commit has more than one protocol action');
  if (metadata > 1) throw new Error('commit has more than one metaData action');
}

/**
 * Encodes a relative data-file path the way Delta expects in `add.path` (an RFC 2396 URI): each
 * segment percent-encoded except unreserved characters and `=` (kept for Hive-style partitions).
 */
export function encodeDataPath(relativePath: string): string {
  return relativePath
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/%3D/g, '='))
    .join('/');
}

/** Inverse of encodeDataPath: the storage key of a data file, relative to the table root. */
export function decodeDataPath(path: string): string {
  return decodeURIComponent(path);
}
