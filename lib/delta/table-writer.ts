// Writes the rows of one Delta table into Parquet data files, one open file per partition value,
// each rolled over at a target size. Returns the `add` actions of the finished files; until the
// caller commits them, the files are invisible to every reader (and vacuum's to remove).
import { randomUUID } from 'node:crypto';
import { encodeDataPath, type AddAction } from './delta-log.ts';
import type { TableDefinition } from './delta-schema.ts';
import { RowBuffer } from './row-buffer.ts';
import { dataFileName, partitionDirectory } from './table-layout.ts';
import { toRecordBatch } from './arrow-batch.ts';
import type { ObjectStore, ObjectUpload } from './object-store.ts';
import {
  ParquetStreamWriter,
  defaultParquetOptions,
  type ParquetOptions,
} from './parquet-stream.ts';

export interface TableWriterOptions {
  /** Roll over to a new file once a file reaches this many bytes. */
  targetFileBytes: number;
  /** Rows buffered in JS before they are handed to the encoder. */
  chunkRows: number;
  /** Partitions with an open file at once; the least recently used is finished beyond this. */
  maxOpenFiles: number;
  parquet: ParquetOptions;
}

export const defaultTableWriterOptions: TableWriterOptions = {
  targetFileBytes: 128 * 1024 * 1024,
  chunkRows: 65_536,
  maxOpenFiles: 16,
  parquet: defaultParquetOptions,
};

/** Fills one row's columns; built once per buffer so columns are resolved once, not per row. */
export type RowAppender<T> = (rows: RowBuffer) => (row: T) => void;

export interface TableRowsSpec<T, K extends string | number> {
  appender: RowAppender<T>;
  /** The partition of a row, as a cheap key (e.g. an epoch day). */
  partitionKey: (row: T) => K;
  /** Partition values of a key, as Delta stores them (strings). */
  partitionValues: (key: K) => Record<string, string | null>;
}

export interface WrittenFile {
  add: AddAction;
  rows: number;
}

interface OpenFile {
  rows: RowBuffer;
  append: (row: unknown) => void;
  values: Record<string, string | null>;
  relativePath: string;
  upload: ObjectUpload;
  parquet: ParquetStreamWriter;
  lastUsed: number;
}

export class PartitionedTableWriter<T, K extends string | number> {
  private readonly open = new Map<K, OpenFile>();
  private readonly finished: WrittenFile[] = [];
  private fileIndex = 0;
  private tick = 0;
  /** Parquet bytes of finished files plus bytes already flushed by open ones. */
  private closedBytes = 0;
  readonly options: TableWriterOptions;

  constructor(
    readonly table: TableDefinition,
    private readonly store: ObjectStore,
    private readonly spec: TableRowsSpec<T, K>,
    options: Partial<TableWriterOptions> = {},
  ) {
    this.options = { ...defaultTableWriterOptions, ...options };
  }

  get filesWritten(): number {
    return this.finished.length;
  }

  get bytesWritten(): number {
    let open = 0;
    for (const f of this.open.values()) open += f.parquet.bytes;
    return this.closedBytes + open;
  }

  /** Rows appended but not committed yet, in finished and open files. */
  rowsWritten(): number {
    let n = 0;
    for (const f of this.finished) n += f.rows;
    for (const f of this.open.values()) n += f.rows.fileRows;
    return n;
  }

  /** Appends rows, opening partition files as needed. */
  async appendAll(rows: Iterable<T>): Promise<void> {
    this.tick++;
    for (const row of rows) {
      const key = this.spec.partitionKey(row);
      let file = this.open.get(key);
      if (!file) file = await this.openFile(key);
      file.append(row);
      file.lastUsed = this.tick;
    }
    await this.flush();
  }

  /** Hands full chunks to the encoders and rolls over files that reached the target size. */
  async flush(): Promise<void> {
    for (const [key, file] of this.open) {
      if (file.rows.length >= this.options.chunkRows) await this.writeChunk(file);
      if (file.parquet.bytes >= this.options.targetFileBytes) await this.closeFile(key, file);
    }
  }

  /** Finishes every open file and returns all files written by this writer. */
  async finish(): Promise<WrittenFile[]> {
    for (const [key, file] of [...this.open]) await this.closeFile(key, file);
    return [...this.finished];
  }

  /** Stops all encoders and drops open uploads. Finished files stay (unreferenced until committed). */
  async abort(reason: unknown): Promise<void> {
    for (const file of this.open.values()) {
      await file.parquet.abort(reason);
      await file.upload.abort();
    }
    this.open.clear();
  }

  private async openFile(key: K): Promise<OpenFile> {
    if (this.open.size >= this.options.maxOpenFiles) {
      let oldest: [K, OpenFile] | undefined;
      for (const entry of this.open)
        if (!oldest || entry[1].lastUsed < oldest[1].lastUsed) oldest = entry;
      if (oldest) await this.closeFile(oldest[0], oldest[1]);
    }
    const values = this.spec.partitionValues(key);
    const dir = partitionDirectory(this.table.partitionColumns, values);
    const name = dataFileName(this.fileIndex++, randomUUID(), this.options.parquet.codec);
    const relativePath = dir === '' ? name : `${dir}/${name}`;
    const rows = RowBuffer.forSchema(this.table.schema, this.table.partitionColumns);
    const upload = await this.store.upload(relativePath);
    const parquet = await ParquetStreamWriter.open(
      (chunk) => upload.write(chunk),
      this.options.parquet,
      this.table.plainColumns,
    );
    const file: OpenFile = {
      rows,
      append: this.spec.appender(rows) as (row: unknown) => void,
      values,
      relativePath,
      upload,
      parquet,
      lastUsed: this.tick,
    };
    this.open.set(key, file);
    return file;
  }

  private async writeChunk(file: OpenFile): Promise<void> {
    if (file.rows.length === 0) return;
    await file.parquet.write(toRecordBatch(file.rows));
    file.rows.resetChunk();
  }

  private async closeFile(key: K, file: OpenFile): Promise<void> {
    this.open.delete(key);
    try {
      await this.writeChunk(file);
      await file.parquet.close();
      const size = await file.upload.close();
      this.closedBytes += size;
      this.finished.push({
        rows: file.rows.fileRows,
        add: {
          path: encodeDataPath(file.relativePath),
          partitionValues: file.values,
          size,
          modificationTime: Date.now(),
          dataChange: true,
          stats: file.rows.statsJson(),
        },
      });
    } catch (error) {
      await file.parquet.abort(error);
      await file.upload.abort();
      throw error;
    }
  }
}
