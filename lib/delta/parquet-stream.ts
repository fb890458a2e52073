// Streaming Parquet encoding with parquet-wasm (arrow-rs compiled to WebAssembly): Arrow record
// batches go in, Parquet bytes come out row group by row group, so a file of hundreds of MB never
// sits in memory whole. Column statistics (min/max/null count per row group and page) are written
// by arrow-rs; the Delta-level file statistics are kept separately by the column buffers.
import * as arrow from 'apache-arrow';
import * as parquet from 'parquet-wasm';

export type ParquetCodec = 'zstd' | 'snappy';

export interface ParquetOptions {
  codec: ParquetCodec;
  /** Rows per row group (arrow-rs buffers one row group in memory). */
  rowGroupRows: number;
}

export const defaultParquetOptions: ParquetOptions = { codec: 'zstd', rowGroupRows: 1_048_576 };

/** The writer properties of a file; `plainColumns` are written without a dictionary. */
function writerProperties(
  options: ParquetOptions,
  plainColumns: readonly string[] = [],
): parquet.WriterProperties {
  let builder = new parquet.WriterPropertiesBuilder();
  for (const column of plainColumns) builder = builder.setColumnDictionaryEnabled(column, false);
  return builder
    .setCompression(
      options.codec === 'zstd' ? parquet.Compression.ZSTD : parquet.Compression.SNAPPY,
    )
    .setMaxRowGroupSize(options.rowGroupRows)
    .setStatisticsEnabled(parquet.EnabledStatistics.Page)
    .setCreatedBy('clickstream lib/delta (parquet-wasm / arrow-rs)')
    .build();
}

/** Arrow JS record batch → record batches in WebAssembly memory (through Arrow IPC). */
function toWasmBatches(batch: arrow.RecordBatch): parquet.RecordBatch[] {
  const table = parquet.Table.fromIPCStream(arrow.tableToIPC(new arrow.Table(batch), 'stream'));
  try {
    return table.recordBatches();
  } finally {
    table.free();
  }
}

/** Encodes a whole (small) table at once: checkpoints and reference tables. */
export function encodeParquet(
  batches: arrow.RecordBatch[],
  options: ParquetOptions = defaultParquetOptions,
): Uint8Array {
  const table = parquet.Table.fromIPCStream(arrow.tableToIPC(new arrow.Table(batches), 'stream'));
  return parquet.writeParquet(table, writerProperties(options));
}

/** Decodes a Parquet file into an Arrow JS table (used to read checkpoints and the users table). */
export function decodeParquet(bytes: Uint8Array): arrow.Table {
  const table = parquet.readParquet(bytes);
  return arrow.tableFromIPC(table.intoIPCStream());
}

/**
 * One Parquet file being written: `write` batches, then `close`. Output bytes are passed to
 * `sink` in order as row groups complete. `write` waits when the encoder is behind.
 */
export class ParquetStreamWriter {
  private controller!: ReadableStreamDefaultController<parquet.RecordBatch>;
  private waiters: (() => void)[] = [];
  private failure: unknown;
  private draining: Promise<void> = Promise.resolve();
  private closed = false;
  rows = 0;
  bytes = 0;

  private constructor() {}

  private sink!: (chunk: Uint8Array) => Promise<void>;
  private options!: ParquetOptions;
  private plainColumns: readonly string[] = [];
  private started = false;

  static async open(
    sink: (chunk: Uint8Array) => Promise<void>,
    options: ParquetOptions = defaultParquetOptions,
    plainColumns: readonly string[] = [],
  ): Promise<ParquetStreamWriter> {
    const writer = new ParquetStreamWriter();
    writer.sink = sink;
    writer.options = options;
    writer.plainColumns = plainColumns;
    return writer;
  }

  /** Starts the encoder; it reads the schema from the first batch, so call after enqueueing it. */
  private async start(): Promise<void> {
    this.started = true;
    const output = (await parquet.transformParquetStream(
      this.input,
      writerProperties(this.options, this.plainColumns),
    )) as ReadableStream<Uint8Array>;
    this.draining = (async () => {
      for await (const chunk of output as unknown as AsyncIterable<Uint8Array>) {
        await this.sink(chunk);
        this.bytes += chunk.length;
      }
    })().catch((error: unknown) => {
      this.failure = error;
      this.wake();
    });
  }

  private readonly input = new ReadableStream<parquet.RecordBatch>(
    {
      start: (controller) => {
        this.controller = controller;
      },
      pull: () => this.wake(),
    },
    { highWaterMark: 2 },
  );

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private check(): void {
    if (this.failure !== undefined) {
      throw this.failure instanceof Error
        ? this.failure
        : new Error(`parquet encoding failed: ${String(this.failure)}`);
    }
  }

  async write(batch: arrow.RecordBatch): Promise<void> {
    this.check();
    if (this.closed) throw new Error('parquet writer is closed');
    for (const b of toWasmBatches(batch)) this.controller.enqueue(b);
    this.rows += batch.numRows;
    if (!this.started) await this.start();
    while ((this.controller.desiredSize ?? 1) <= 0 && this.failure === undefined) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    this.check();
  }

  /** Finishes the file (footer included); resolves when every byte reached the sink. */
  async close(): Promise<void> {
    this.check();
    if (!this.started) throw new Error('parquet writer closed before any row was written');
    this.closed = true;
    this.controller.close();
    await this.draining;
    this.check();
  }

  /** Stops encoding; the sink gets nothing more. */
  async abort(reason: unknown): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.controller.error(reason);
    }
    if (this.started) await this.draining.catch(() => undefined);
  }
}
