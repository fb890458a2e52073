// The export's commits: lib/delta's append and replace, signed as the lake export (commitInfo
// `engineInfo` and `queryId`), so every table's history names the export as its writer.
import {
  commitAppend as deltaCommitAppend,
  commitReplace as deltaCommitReplace,
  type AppendCommit,
  type ReplaceCommit,
} from '../../lib/delta/table-commit.ts';
import type { CommitResult } from '../../lib/delta/delta-table.ts';
import { LAKE_EXPORT_WRITER } from '../../lib/lake/lake-tables.ts';

export { planSchema, type SchemaPlan } from '../../lib/delta/table-commit.ts';

export function commitAppend(c: Omit<AppendCommit, 'writer'>): Promise<CommitResult> {
  return deltaCommitAppend({ ...c, writer: LAKE_EXPORT_WRITER });
}

export function commitReplace(c: Omit<ReplaceCommit, 'writer'>): Promise<CommitResult> {
  return deltaCommitReplace({ ...c, writer: LAKE_EXPORT_WRITER });
}
