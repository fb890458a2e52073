// The reference data the models need, exported from PostgreSQL each run so they never reach into
// the application database: `users` (SCD2 history of commerce.users, merged with the table's
// current rows) and `speed_attributed_checkouts` (the speed layer's sink, replaced each run with
// one consistent snapshot read in a REPEATABLE READ transaction). Through Prisma Client on the
// caller's pool: the users through the typed API, the sink's pages as raw tagged templates in an
// interactive transaction.
import type pg from 'pg';
import { withPrismaOn, type Db } from '../../lib/db/client.ts';
import { Prisma } from '../../lib/generated/prisma/client.ts';
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
  const rows = await withPrismaOn(pool, (db) =>
    db.user.findMany({ select: { id: true, username: true }, orderBy: { id: 'asc' } }),
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
/**
 * How long the snapshot read may hold its transaction (Prisma's interactive transactions end
 * after 5 s by default): a sink of millions of rows takes minutes to page through.
 */
const SNAPSHOT_READ_TIMEOUT_MS = 60 * 60_000;

interface SinkPageRow {
  checkout_id: string;
  user_id: string;
  user_name: string;
  click_id: string | null;
  product_id: string;
  total_amount: string;
  checkout_ms: bigint;
  click_ms: bigint | null;
  is_final: boolean;
  is_unknown_user: boolean;
  is_late: boolean;
}

/** The sink's rows after `after` (by checkout id), one page. */
function sinkPage(tx: Db, after: string): Promise<SinkPageRow[]> {
  return tx.$queryRaw<SinkPageRow[]>`
    SELECT checkout_id, user_id::text AS user_id, user_name, click_id, product_id,
           total_amount::text AS total_amount,
           floor(extract(epoch FROM checkout_time) * 1000)::bigint AS checkout_ms,
           floor(extract(epoch FROM click_time) * 1000)::bigint AS click_ms,
           is_final, is_unknown_user, is_late
      FROM commerce.attributed_checkouts
     WHERE checkout_id > ${after}
     ORDER BY checkout_id
     LIMIT ${PAGE_ROWS}`;
}

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
  try {
    const snapshotAt = await withPrismaOn(pool, (db) =>
      db.$transaction(
        async (tx) => {
          // Before the first query, so the whole read sees one snapshot and writes nothing.
          await tx.$executeRaw`SET TRANSACTION READ ONLY`;
          const [stamp] = await tx.$queryRaw<{ ms: bigint }[]>`
            SELECT floor(extract(epoch FROM transaction_timestamp()) * 1000)::bigint AS ms`;
          const at = Number(stamp!.ms);
          let after = '';
          let total = 0;
          for (;;) {
            const rows = await sinkPage(tx, after);
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
              snapshotAt: at,
            }));
            await writer.appendAll(page);
            total += rows.length;
            onRows?.(total);
            after = rows[rows.length - 1]!.checkout_id;
            if (rows.length < PAGE_ROWS) break;
          }
          return at;
        },
        {
          isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead,
          // As long as pool.connect() waits (pool.ts), not Prisma's 2 s.
          maxWait: 10_000,
          timeout: SNAPSHOT_READ_TIMEOUT_MS,
        },
      ),
    );
    return { files: await writer.finish(), snapshotAt };
  } catch (error) {
    await writer.abort(error);
    throw error;
  }
}
