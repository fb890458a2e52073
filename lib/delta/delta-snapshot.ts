// Action reconciliation (PROTOCOL.md "Action Reconciliation"): the state of a Delta table at a
// version, built by replaying commits in order. Pure. Latest protocol and metaData win, the latest
// txn per appId wins, and per path the newest add or remove wins (no deletion vectors here).
import {
  SUPPORTED_READER_VERSION,
  SUPPORTED_WRITER_VERSION,
  type AddAction,
  type CommitInfoAction,
  type LogAction,
  type MetadataAction,
  type ProtocolAction,
  type RemoveAction,
  type TxnAction,
} from './delta-log.ts';
import { parseSchemaString, type DeltaSchema } from './delta-schema.ts';

export interface DeltaSnapshot {
  /** -1 for a table that does not exist yet. */
  version: number;
  protocol?: ProtocolAction;
  metadata?: MetadataAction;
  files: Map<string, AddAction>;
  tombstones: Map<string, RemoveAction>;
  txns: Map<string, TxnAction>;
  /** commitInfo of the snapshot's own version, when it was replayed from JSON. */
  commitInfo?: CommitInfoAction;
}

export function emptySnapshot(): DeltaSnapshot {
  return { version: -1, files: new Map(), tombstones: new Map(), txns: new Map() };
}

export function cloneSnapshot(s: DeltaSnapshot): DeltaSnapshot {
  return {
    ...s,
    files: new Map(s.files),
    tombstones: new Map(s.tombstones),
    txns: new Map(s.txns),
  };
}

/**
 * Applies the actions of commit `version` to `snapshot` in place and returns it. The version must
 * follow the snapshot's version: a gap means a missing log entry, which is corruption.
 */
export function applyCommit(
  snapshot: DeltaSnapshot,
  version: number,
  actions: LogAction[],
): DeltaSnapshot {
  if (version !== snapshot.version + 1) {
    throw new Error(
      `Delta log is not contiguous: version ${version} follows ${snapshot.version} (a commit file is missing)`,
    );
  }
  applyActions(snapshot, actions);
  snapshot.version = version;
  return snapshot;
}

/** Applies actions (of one commit or one checkpoint) without checking versions. */
export function applyActions(snapshot: DeltaSnapshot, actions: LogAction[]): void {
  snapshot.commitInfo = undefined;
  for (const a of actions) {
    if ('protocol' in a) snapshot.protocol = a.protocol;
    else if ('metaData' in a) snapshot.metadata = a.metaData;
    else if ('txn' in a) snapshot.txns.set(a.txn.appId, a.txn);
    else if ('add' in a) {
      snapshot.files.set(a.add.path, a.add);
      snapshot.tombstones.delete(a.add.path);
    } else if ('remove' in a) {
      snapshot.files.delete(a.remove.path);
      snapshot.tombstones.set(a.remove.path, a.remove);
    } else if ('commitInfo' in a) snapshot.commitInfo = a.commitInfo;
  }
}

/** The table's schema, or undefined before the first metaData action. */
export function snapshotSchema(s: DeltaSnapshot): DeltaSchema | undefined {
  return s.metadata ? parseSchemaString(s.metadata.schemaString) : undefined;
}

/** A table needs a protocol this module does not implement: refused, never misread or damaged. */
export class UnsupportedProtocolError extends Error {
  constructor(table: string, p: ProtocolAction, what: 'read' | 'write') {
    super(
      `Delta table "${table}" requires reader version ${p.minReaderVersion} / writer version ${p.minWriterVersion}` +
        ` (features: ${[...(p.readerFeatures ?? []), ...(p.writerFeatures ?? [])].join(', ') || 'none'});` +
        (what === 'read'
          ? ` this module reads reader version ${SUPPORTED_READER_VERSION} tables only.`
          : ` this module writes reader ${SUPPORTED_READER_VERSION} / writer ${SUPPORTED_WRITER_VERSION} tables only.`) +
        ' Was the table upgraded by another tool?',
    );
    this.name = 'UnsupportedProtocolError';
  }
}

/**
 * Throws unless this module can read the table: reader version 1. Anything higher (column mapping,
 * deletion vectors, any reader feature) changes what the files mean, so counting or replaying
 * them as plain Parquet would be wrong.
 */
export function assertReadable(s: DeltaSnapshot, table: string): void {
  const p = s.protocol;
  if (p && p.minReaderVersion > SUPPORTED_READER_VERSION)
    throw new UnsupportedProtocolError(table, p, 'read');
}

/** Throws unless this writer implements the protocol versions the table requires. */
export function assertWritable(s: DeltaSnapshot, table: string): void {
  const p = s.protocol;
  if (!p) return;
  if (
    p.minReaderVersion > SUPPORTED_READER_VERSION ||
    p.minWriterVersion > SUPPORTED_WRITER_VERSION
  ) {
    throw new UnsupportedProtocolError(table, p, 'write');
  }
}

/** Tombstones still inside the retention window: the ones a checkpoint must keep. */
export function liveTombstones(s: DeltaSnapshot, now: number, retentionMs: number): RemoveAction[] {
  return [...s.tombstones.values()].filter((r) => (r.deletionTimestamp ?? now) > now - retentionMs);
}

/** Sum of `numRecords` over the snapshot's files; undefined if any file lacks stats. */
export function snapshotRowCount(s: DeltaSnapshot): number | undefined {
  let total = 0;
  for (const add of s.files.values()) {
    if (!add.stats) return undefined;
    const n = (JSON.parse(add.stats) as { numRecords?: unknown }).numRecords;
    if (typeof n !== 'number') return undefined;
    total += n;
  }
  return total;
}
