// The reference data the models need, exported from PostgreSQL each run so they never reach into
// the application database: `users` (SCD2 history of commerce.users, merged with the table's
// current rows) and `speed_attributed_checkouts` (the speed layer's sink, replaced each run with
// one consistent snapshot read in a REPEATABLE READ transaction).
import type pg from 'pg';
import type { DeltaSnapshot } from '../../lib/delta/delta-snapshot.ts';
import { decodeDataPath } from '../../lib/delta/delta-log.ts';
import { speedAttributedCheckoutsTable, usersTable } from '../../lib/lake/lake-tables.ts';
import {
  appendSpeedCheckout,
  appendUserVersion,
  unpartitioned,
  type SpeedCheckoutRow,
} from '../../lib/lake/table-rows.ts';
import { mergeUserHistory, type UserVersion } from '../../lib/lake/users-history.ts';
import type { DeltaTable } from '../../lib/delta/delta-table.ts';
import { decodeParquet } from '../../lib/delta/parquet-stream.ts';
import {
  PartitionedTableWriter,
  type TableWriterOptions,
  type WrittenFile,
} from '../../lib/delta/table-writer.ts';

const ms = (v: unknown): number | null =>
  v === null || v === undefined ? null : typeof v === 'bigint' ? Number(v / 1000n) : Number(v);

/** Reads the users table's current content (every file of the snapshot). */
export async function readUserHistory(
  table: DeltaTable,
  snapshot: DeltaSnapshot,
): Promise<UserVersion[]> {
  const rows: UserVersion[] = [];
  for (const add of snapshot.files.values()) {
    const bytes = await table.store.get(decodeDataPath(add.path));
    if (!bytes) throw new Error(`users table: data file ${add.path} is missing`);
    const data = decodeParquet(bytes);
    const col = (name: string) => {
      const c = data.getChild(name);
      if (!c) throw new Error(`users table file ${add.path} has no column ${name}`);
      return c;
    };
    const [userId, username, validFrom, validTo, isCurrent] = [
      col('user_id'),
      col('username'),
      col('valid_from'),
      col('valid_to'),
      col('is_current'),
    ];
    for (let i = 0; i < data.numRows; i++) {
      rows.push({
        userId: Number(userId.get(i)),
        username: String(username.get(i)),
        validFrom: ms(validFrom.get(i)) ?? 0,
        validTo: ms(validTo.get(i)),
        isCurrent: isCurrent.get(i) === true,
      });
    }
  }
  return rows;
}

export interface UsersExport {
  files: WrittenFile[];
  changed: boolean;
  opened: number;
  closed: number;
}

/** Merges commerce.users into the history; writes a new file only if something changed. */
export async function writeUsers(
  pool: pg.Pool,
  table: DeltaTable,
  snapshot: DeltaSnapshot,
  now: number,
  options: Partial<TableWriterOptions>,
): Promise<UsersExport> {
  const history = await readUserHistory(table, snapshot);
  const { rows } = await pool.query<{ id: number; username: string }>(
    'SELECT id, username FROM commerce.users ORDER BY id',
  );
  const merged = mergeUserHistory(history, rows, now);
  const isNew = snapshot.version < 0;
  if (!merged.changed && !isNew) return { files: [], changed: false, opened: 0, closed: 0 };
  const writer = new PartitionedTableWriter(
    usersTable,
    table.store,
    { appender: appendUserVersion, ...unpartitioned },
    options,
  );
  try {
    await writer.appendAll(merged.rows);
    return {
      files: await writer.finish(),
      changed: true,
      opened: merged.opened,
      closed: merged.closed,
    };
  } catch (error) {
    await writer.abort(error);
    throw error;
  }
}

const PAGE_ROWS = 20_000;

/** Writes the speed layer's attributed checkouts as of one database snapshot. */
export async function writeSpeedSnapshot(
  pool: pg.Pool,
  table: DeltaTable,
  options: Partial<TableWriterOptions>,
  onRows?: (rows: number) => void,
): Promise<{ files: WrittenFile[]; snapshotAt: number }> {
  const writer = new PartitionedTableWriter(
    speedAttributedCheckoutsTable,
    table.store,
    { appender: appendSpeedCheckout, ...unpartitioned },
    options,
  );
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const stamp = await client.query<{ ms: string }>(
      'SELECT floor(extract(epoch FROM transaction_timestamp()) * 1000)::bigint AS ms',
    );
    const snapshotAt = Number(stamp.rows[0]!.ms);
    let after = '';
    let total = 0;
    for (;;) {
      const { rows } = await client.query<{
        checkout_id: string;
        user_id: string;
        user_name: string;
        click_id: string | null;
        product_id: string;
        total_amount: string;
        checkout_ms: string;
        click_ms: string | null;
        is_final: boolean;
        is_unknown_user: boolean;
        is_late: boolean;
      }>(
        `SELECT checkout_id, user_id::text, user_name, click_id, product_id, total_amount::text,
                floor(extract(epoch FROM checkout_time) * 1000)::bigint AS checkout_ms,
                floor(extract(epoch FROM click_time) * 1000)::bigint AS click_ms,
                is_final, is_unknown_user, is_late
           FROM commerce.attributed_checkouts
          WHERE checkout_id > $1
          ORDER BY checkout_id
          LIMIT ${PAGE_ROWS}`,
        [after],
      );
      if (rows.length === 0) break;
      const page: SpeedCheckoutRow[] = rows.map((r) => ({
        checkoutId: r.checkout_id,
        userId: Number(r.user_id),
        userName: r.user_name,
        clickId: r.click_id,
        productId: r.product_id,
        totalAmount: r.total_amount,
        checkoutTime: Number(r.checkout_ms),
        clickTime: r.click_ms === null ? null : Number(r.click_ms),
        isFinal: r.is_final,
        isUnknownUser: r.is_unknown_user,
        isLate: r.is_late,
        snapshotAt,
      }));
      await writer.appendAll(page);
      total += rows.length;
      onRows?.(total);
      after = rows[rows.length - 1]!.checkout_id;
      if (rows.length < PAGE_ROWS) break;
    }
    await client.query('COMMIT');
    return { files: await writer.finish(), snapshotAt };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    await writer.abort(error);
    throw error;
  } finally {
    client.release();
  }
}
