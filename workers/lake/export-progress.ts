// A lake export's live progress: the phase, each topic's read counts and files, each table's
// commit, refreshed from the topic sink every interval and at each phase change, and handed to
// the listener (the CLI's progress line, the job's row) as a copy.
import type { ExportPhase, LakeExportProgress } from '../../lib/jobs/lake-export-contract.ts';
import type { LakeTableName } from '../../lib/lake/lake-tables.ts';
import type { TopicSink } from './topic-sink.ts';

export class ExportProgress {
  readonly value: LakeExportProgress;
  private sink: TopicSink | undefined;
  private ticker: NodeJS.Timeout | undefined;

  constructor(
    runId: string,
    private readonly startedMs: number,
    private readonly topics: { clicks: string; checkouts: string },
    private readonly onProgress: ((progress: LakeExportProgress) => void) | undefined,
    private readonly log: (line: string) => void,
  ) {
    this.value = {
      runId,
      phase: 'starting',
      startedAt: new Date(startedMs).toISOString(),
      elapsedMs: 0,
      topics: {},
      tables: {},
    };
  }

  /** Reports every `intervalMs` until stop(). */
  start(intervalMs: number): void {
    this.ticker = setInterval(() => this.refresh(), intervalMs);
  }

  stop(): void {
    clearInterval(this.ticker);
  }

  /** The sink whose counts the topics and the topic tables show from now on. */
  follow(sink: TopicSink): void {
    this.sink = sink;
  }

  /** A table starts at nothing written and no version. */
  addTable(name: LakeTableName): void {
    this.value.tables[name] = { rows: 0, files: 0, bytes: 0, version: null };
  }

  /** A topic starts at nothing read of `total` messages to read. */
  addTopic(topic: string, total: number): void {
    this.value.topics[topic] = {
      read: 0,
      total,
      valid: 0,
      invalid: 0,
      filesWritten: 0,
      bytesWritten: 0,
    };
  }

  setTable(
    name: LakeTableName,
    table: { rows: number; files: number; bytes: number; version: number | null },
  ): void {
    this.value.tables[name] = table;
  }

  setPhase(phase: ExportPhase): void {
    this.value.phase = phase;
    this.log(`phase: ${phase}`);
    this.refresh();
  }

  /** The failed phase, reported once more (the job's row keeps it). */
  fail(): void {
    this.stop();
    this.value.phase = 'failed';
    this.value.elapsedMs = Date.now() - this.startedMs;
    this.onProgress?.(structuredClone(this.value));
  }

  refresh(): void {
    const progress = this.value;
    progress.elapsedMs = Date.now() - this.startedMs;
    if (this.sink) {
      const { counts, tables } = this.sink.progress();
      for (const [topic, c] of Object.entries(counts)) {
        const t = progress.topics[topic];
        if (!t) continue;
        const own = topic === this.topics.clicks ? tables.clicks : tables.checkouts;
        Object.assign(t, {
          read: c.read,
          valid: c.valid,
          invalid: c.invalid,
          filesWritten: own.files,
          bytesWritten: own.bytes,
        });
      }
      for (const name of ['clicks', 'checkouts', 'dead_letters'] as const) {
        const entry = progress.tables[name];
        if (entry?.version === null) Object.assign(entry, tables[name]);
      }
    }
    this.onProgress?.(structuredClone(progress));
  }
}
