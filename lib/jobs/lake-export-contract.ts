// What a lake export reports (workers/lake/export.ts): its live progress, written to the run's
// job_runs row about once a second, and its result. The admin page reads both.
import type { LakeTableName } from '../lake/lake-tables.ts';

export type ExportPhase =
  'starting' | 'reading' | 'committing' | 'reference data' | 'done' | 'failed';

export interface TopicProgress {
  /** Messages read so far / to read in this run. */
  read: number;
  total: number;
  valid: number;
  invalid: number;
  /** Data files finished and Parquet bytes written for the topic's own table. */
  filesWritten: number;
  bytesWritten: number;
}

export interface TableOutcome {
  /** The Delta version this run committed, or null if it committed nothing. */
  version: number | null;
  rowsAdded: number;
  filesAdded: number;
  bytesAdded: number;
  filesRemoved: number;
}

export interface LakeExportProgress {
  runId: string;
  phase: ExportPhase;
  startedAt: string;
  elapsedMs: number;
  topics: Record<string, TopicProgress>;
  tables: Partial<
    Record<LakeTableName, { rows: number; files: number; bytes: number; version: number | null }>
  >;
}

export interface LakeExportResult {
  runId: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  lake: string;
  tables: Record<LakeTableName, TableOutcome>;
  topics: Record<string, { read: number; valid: number; invalid: number }>;
  warnings: string[];
}
