// Classic V1 Delta checkpoints (`NNN.checkpoint.parquet`, PROTOCOL.md "Checkpoints" and
// "Checkpoint Schema"): one row per action of the reconciled snapshot (protocol, metaData, txn,
// add, unexpired remove), each action kind a struct column, the others null in that row.
import * as arrow from 'apache-arrow';
import type {
  Action,
  AddAction,
  LogAction,
  MetadataAction,
  ProtocolAction,
  RemoveAction,
  TxnAction,
} from './delta-log.ts';
import { liveTombstones, type DeltaSnapshot } from './delta-snapshot.ts';
import { decodeParquet, encodeParquet } from './parquet-stream.ts';

const utf8 = () => new arrow.Utf8();
const int64 = () => new arrow.Int64();
const f = (name: string, type: arrow.DataType) => new arrow.Field(name, type, true);
const stringMap = () =>
  new arrow.Map_(
    new arrow.Field(
      'key_value',
      new arrow.Struct([
        new arrow.Field('key', utf8(), false),
        new arrow.Field('value', utf8(), true),
      ]),
      false,
    ) as arrow.Field<never>,
  );
const stringList = () => new arrow.List(new arrow.Field('element', utf8(), true));

const protocolType = new arrow.Struct([
  f('minReaderVersion', new arrow.Int32()),
  f('minWriterVersion', new arrow.Int32()),
]);
const metadataType = new arrow.Struct([
  f('id', utf8()),
  f('name', utf8()),
  f('description', utf8()),
  f('format', new arrow.Struct([f('provider', utf8()), f('options', stringMap())])),
  f('schemaString', utf8()),
  f('partitionColumns', stringList()),
  f('createdTime', int64()),
  f('configuration', stringMap()),
]);
const txnType = new arrow.Struct([
  f('appId', utf8()),
  f('version', int64()),
  f('lastUpdated', int64()),
]);
const addType = new arrow.Struct([
  f('path', utf8()),
  f('partitionValues', stringMap()),
  f('size', int64()),
  f('modificationTime', int64()),
  f('dataChange', new arrow.Bool()),
  f('stats', utf8()),
  f('tags', stringMap()),
]);
const removeType = new arrow.Struct([
  f('path', utf8()),
  f('deletionTimestamp', int64()),
  f('dataChange', new arrow.Bool()),
  f('extendedFileMetadata', new arrow.Bool()),
  f('partitionValues', stringMap()),
  f('size', int64()),
]);

const big = (n: number | null | undefined) => (n === null || n === undefined ? null : BigInt(n));
const map = (o: Record<string, string | null> | null | undefined) =>
  o === null || o === undefined ? null : new Map(Object.entries(o));

/** Delta's default tombstone retention (delta.deletedFileRetentionDuration = 1 week). */
export const TOMBSTONE_RETENTION_MS = 7 * 86_400_000;

/** The checkpoint rows of a snapshot, in the order Spark writes them. */
export function checkpointActions(s: DeltaSnapshot, now: number): Action[] {
  if (!s.protocol || !s.metadata)
    throw new Error('cannot checkpoint a table without protocol and metadata');
  return [
    { protocol: s.protocol },
    { metaData: s.metadata },
    ...[...s.txns.values()].map((txn) => ({ txn })),
    ...[...s.files.values()].map((add) => ({ add })),
    ...liveTombstones(s, now, TOMBSTONE_RETENTION_MS).map((remove) => ({ remove })),
  ];
}

/** Encodes checkpoint rows as Parquet. */
export function encodeCheckpoint(actions: Action[]): Uint8Array {
  const pick = <T>(kind: string, convert: (a: T) => unknown) =>
    actions.map((a) => (kind in a ? convert((a as unknown as Record<string, T>)[kind]!) : null));
  const columns = {
    protocol: arrow.vectorFromArray(
      pick<ProtocolAction>('protocol', (p) => ({
        minReaderVersion: p.minReaderVersion,
        minWriterVersion: p.minWriterVersion,
      })),
      protocolType,
    ),
    metaData: arrow.vectorFromArray(
      pick<MetadataAction>('metaData', (m) => ({
        id: m.id,
        name: m.name ?? null,
        description: m.description ?? null,
        format: { provider: m.format.provider, options: map(m.format.options) },
        schemaString: m.schemaString,
        partitionColumns: m.partitionColumns,
        createdTime: big(m.createdTime),
        configuration: map(m.configuration),
      })),
      metadataType,
    ),
    txn: arrow.vectorFromArray(
      pick<TxnAction>('txn', (t) => ({
        appId: t.appId,
        version: big(t.version),
        lastUpdated: big(t.lastUpdated),
      })),
      txnType,
    ),
    add: arrow.vectorFromArray(
      pick<AddAction>('add', (a) => ({
        path: a.path,
        partitionValues: map(a.partitionValues),
        size: big(a.size),
        modificationTime: big(a.modificationTime),
        dataChange: a.dataChange,
        stats: a.stats ?? null,
        tags: map(a.tags),
      })),
      addType,
    ),
    remove: arrow.vectorFromArray(
      pick<RemoveAction>('remove', (r) => ({
        path: r.path,
        deletionTimestamp: big(r.deletionTimestamp),
        dataChange: r.dataChange,
        extendedFileMetadata: r.extendedFileMetadata ?? null,
        partitionValues: map(r.partitionValues),
        size: big(r.size),
      })),
      removeType,
    ),
  };
  const table = new arrow.Table(columns);
  return encodeParquet(table.batches, { codec: 'snappy', rowGroupRows: 1_048_576 });
}

/** Arrow values → plain JSON-like values: bigint → number, maps and structs → objects, lists → arrays. */
function plain(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof arrow.Vector) return value.toArray().map(plain);
  if (value instanceof arrow.MapRow || value instanceof arrow.StructRow)
    return plain(value.toJSON());
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, plain(v)]),
    );
  }
  return value;
}

/** Drops null fields, as the JSON log leaves optional fields out. */
function withoutNulls<T>(o: Record<string, unknown>): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null)) as T;
}

/** Decodes a V1 checkpoint (ours or another writer's) into actions. */
export function decodeCheckpoint(bytes: Uint8Array): LogAction[] {
  const table = decodeParquet(bytes);
  const kinds = ['protocol', 'metaData', 'txn', 'add', 'remove'] as const;
  const out: LogAction[] = [];
  for (let i = 0; i < table.numRows; i++) {
    for (const kind of kinds) {
      const value = table.getChild(kind)?.get(i);
      if (value === null || value === undefined) continue;
      const action = withoutNulls<Record<string, unknown>>(plain(value) as Record<string, unknown>);
      if (kind === 'add' || kind === 'remove') {
        action.partitionValues ??= {};
      }
      if (kind === 'metaData') {
        action.configuration ??= {};
        action.partitionColumns ??= [];
        const format = (action.format ?? { provider: 'parquet' }) as Record<string, unknown>;
        action.format = { provider: format.provider ?? 'parquet', options: format.options ?? {} };
      }
      if ((kind === 'add' || kind === 'remove') && typeof action.path !== 'string') continue;
      out.push({ [kind]: action } as unknown as LogAction);
    }
  }
  return out;
}
