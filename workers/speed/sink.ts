// Writes attributed checkout rows in bulk: one INSERT … SELECT per round, never a round trip per
// row. A row is never overwritten once final (the WHERE on the conflict update), which is what
// makes replays after a crash or a rebalance harmless.
//
// One checkout_id under two user ids (two producers disagreeing, or a forged message) lands on
// two partitions. The first row written for a checkout_id owns it: a copy under another user id
// never replaces it (the same WHERE), and is handed back as `conflicting_duplicate` for the
// dead-letter store (docs/design.md, "Conflicting duplicates"). A row the database refuses for its
// content (SQLSTATE 22/23: the parser should have refused its event) is found by halving the
// batch and handed back as `sink_refused`; the other rows are written. Anything else throws: a
// transient error for the caller to retry, or a bug.
//
// Through Prisma Client, the rows as ONE text parameter: a JSON array of row arrays, taken apart
// by jsonb_array_elements and `->>` with an explicit cast per column. Prisma's raw queries cost
// client CPU per parameter element (a JSON round trip, then per-element mapping in the client,
// the query interpreter and the adapter), so 17 array parameters of 2,000 elements each cost
// twice pg's; one string costs one JSON.stringify. Every value travels as JSON text and is cast
// on the server: amounts are exact decimal strings (never a JS number), times ISO strings cast to
// timestamptz(3), nulls JSON null (`->>` gives SQL NULL). jsonb refuses `\u0000` (22P05, so the
// row would be sink_refused), but the parser refuses NUL and lone surrogates first
// (lib/domain/events.ts); `->>` decodes every other escape, so any text round-trips.
// Measured on this machine (bench/sink-statement.bench.ts, 2,000 rows per statement, variants
// interleaved run by run), client CPU / wall per statement, medians: inserting, 6×20 runs,
// pg pool with 17 unnest arrays 14.2 / 79.6 ms, this 12.6 / 79.3 ms; updating provisional rows,
// 16.4 / 81.2 vs 14.4 / 80.7 ms. All variants, 4×15 runs: Prisma with the 17 unnest arrays
// 32.9 / 98.4 ms; row objects with jsonb_to_recordset 25.5 / 101.9, json_to_recordset
// 25.6 / 89.5 (the keys cost on both sides); json instead of jsonb 12.4 / 124.0 (each `->>`
// rescans the row's text). The same JSON statement on the bare pool would cost 6.8 ms of CPU:
// Prisma's own share is what is left, still below pg's array encoding.
// Errors are Prisma's wrapping pg's, classified alike (lib/faults/error-kinds.ts).
import type { Db } from '../../lib/db/client.ts';
import type { CheckoutRow as DomainCheckoutRow } from '../../lib/domain/partition-types.ts';
import { parseOriginTag } from '../../lib/domain/click-origin.ts';
import { formatIsoTimestamp } from '../../lib/domain/timestamp.ts';
import { describeError, errorKind } from '../../lib/faults/error-kinds.ts';

/** A domain row as written: the engine's row plus the partition that produced it. */
export type CheckoutRow = Omit<DomainCheckoutRow, 'triggerMessageTime'> & { partition: number };

export interface RefusedRow {
  row: CheckoutRow;
  kind: 'conflicting_duplicate' | 'sink_refused';
  reason: string;
}

export interface SinkWriteResult {
  /** Rows sent to the database (after keeping the last row per checkout and user). */
  sent: number;
  refused: RefusedRow[];
}

const iso = (ms: number | null) => (ms === null ? null : formatIsoTimestamp(ms));

/** The rows as one JSON text: an array of row arrays, in the order of the upsert's `->>` indexes. */
function rowsAsJson(rows: CheckoutRow[]): string {
  return JSON.stringify(
    rows.map((r) => [
      r.checkoutId,
      r.userId,
      r.userName,
      r.clickId,
      r.productId,
      r.paymentMethod,
      r.totalAmount,
      r.shippingAddress,
      r.billingAddress,
      r.userAgent,
      r.ipAddress,
      iso(r.checkoutTime),
      iso(r.clickTime),
      r.isFinal,
      r.isUnknownUser,
      r.isLate,
      r.partition,
      parseOriginTag(r.clickTag).channel,
      parseOriginTag(r.clickTag).campaign,
    ]),
  );
}

/**
 * One INSERT … SELECT for the rows. A conflicting row is updated only while it is provisional and
 * only by its owner (the WHERE); RETURNING names the rows applied. The update can be HOT (no index
 * written; the table keeps room on its pages for it) because PostgreSQL compares values and the
 * table indexes only columns fixed per checkout (migration 20261204000000_sink_hot_updates): an
 * index on a column this rewrites (is_final, click_id, click_channel…) makes every update write
 * every index.
 */
function upsertStatement(db: Db, rows: CheckoutRow[]): Promise<{ checkout_id: string }[]> {
  return db.$queryRaw<{ checkout_id: string }[]>`
INSERT INTO commerce.attributed_checkouts AS a (
  checkout_id, user_id, user_name, click_id, product_id, payment_method, total_amount,
  shipping_address, billing_address, user_agent, ip_address, checkout_time, click_time,
  is_final, is_unknown_user, is_late, partition, click_channel, click_campaign,
  processed_at, first_written_at)
SELECT e->>0, (e->>1)::bigint, e->>2, e->>3, e->>4, e->>5, (e->>6)::numeric, e->>7, e->>8,
       e->>9, e->>10, (e->>11)::timestamptz(3), (e->>12)::timestamptz(3), (e->>13)::boolean,
       (e->>14)::boolean, (e->>15)::boolean, (e->>16)::int, e->>17, e->>18, now(), now()
FROM jsonb_array_elements(${rowsAsJson(rows)}::text::jsonb) AS e
ON CONFLICT (checkout_id) DO UPDATE SET
  user_name = EXCLUDED.user_name, click_id = EXCLUDED.click_id,
  product_id = EXCLUDED.product_id, payment_method = EXCLUDED.payment_method,
  total_amount = EXCLUDED.total_amount, shipping_address = EXCLUDED.shipping_address,
  billing_address = EXCLUDED.billing_address, user_agent = EXCLUDED.user_agent,
  ip_address = EXCLUDED.ip_address, checkout_time = EXCLUDED.checkout_time,
  click_time = EXCLUDED.click_time, is_final = EXCLUDED.is_final,
  is_unknown_user = EXCLUDED.is_unknown_user, is_late = EXCLUDED.is_late,
  partition = EXCLUDED.partition, click_channel = EXCLUDED.click_channel,
  click_campaign = EXCLUDED.click_campaign, processed_at = now()
WHERE NOT a.is_final AND a.user_id = EXCLUDED.user_id
RETURNING checkout_id`;
}

/**
 * Upserts one round (checkout ids unique within it). Returns the ids the statement applied and
 * the rows refused for their content, halving the round to find them.
 */
async function upsertRound(
  db: Db,
  rows: CheckoutRow[],
  refused: RefusedRow[],
): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  try {
    const applied = await upsertStatement(db, rows);
    return new Set(applied.map((r) => r.checkout_id));
  } catch (error) {
    if (errorKind(error) !== 'bad_data') throw error;
    if (rows.length === 1) {
      refused.push({
        row: rows[0]!,
        kind: 'sink_refused',
        reason: `sink_refused: ${describeError(error)}`,
      });
      return new Set();
    }
    const half = rows.length >> 1;
    const first = await upsertRound(db, rows.slice(0, half), refused);
    const second = await upsertRound(db, rows.slice(half), refused);
    for (const id of second) first.add(id);
    return first;
  }
}

/**
 * Writes the rows: the last row per (checkout, user) wins; a checkout id that came under two
 * users in this batch is written for the user seen first, in a first round, and the others
 * follow in later rounds, where the owner check refuses them.
 */
export async function writeCheckoutRows(
  db: Db,
  rows: Iterable<CheckoutRow>,
): Promise<SinkWriteResult> {
  const latest = new Map<string, CheckoutRow>();
  for (const r of rows) latest.set(`${r.checkoutId}\u0000${r.userId}`, r);
  const rounds: CheckoutRow[][] = [];
  const roundOf = new Map<string, number>();
  for (const r of latest.values()) {
    const round = roundOf.get(r.checkoutId) ?? 0;
    roundOf.set(r.checkoutId, round + 1);
    (rounds[round] ??= []).push(r);
  }
  const refused: RefusedRow[] = [];
  for (const round of rounds) {
    const applied = await upsertRound(db, round, refused);
    const refusedIds = new Set(refused.map((r) => r.row.checkoutId));
    const notApplied = round.filter(
      (r) => !applied.has(r.checkoutId) && !refusedIds.has(r.checkoutId),
    );
    if (notApplied.length === 0) continue;
    // Not applied: the row is final already (a replay: fine), or it belongs to another user.
    // One array parameter (`= ANY`), not the typed API's IN list of up to a round's rows.
    const owners = await db.$queryRaw<{ checkout_id: string; user_id: string }[]>`
      SELECT checkout_id, user_id::text FROM commerce.attributed_checkouts
      WHERE checkout_id = ANY(${notApplied.map((r) => r.checkoutId)}::text[])`;
    const ownerOf = new Map(owners.map((o) => [o.checkout_id, o.user_id]));
    for (const r of notApplied) {
      const owner = ownerOf.get(r.checkoutId);
      if (owner === undefined || owner === String(r.userId)) continue;
      refused.push(conflictingDuplicate(r, owner));
    }
  }
  return { sent: latest.size, refused };
}

/** The dead letter of a copy of a checkout id that `owner`'s row keeps. */
export function conflictingDuplicate(row: CheckoutRow, owner: number | string): RefusedRow {
  return {
    row,
    kind: 'conflicting_duplicate',
    reason: `conflicting_duplicate: checkout_id ${JSON.stringify(row.checkoutId)} is already written for user_id ${owner}; this copy has user_id ${row.userId}`,
  };
}

/** Upserts rows and returns how many were sent; refused rows are the caller's to dead-letter. */
export async function upsertCheckoutRows(db: Db, rows: Iterable<CheckoutRow>): Promise<number> {
  return (await writeCheckoutRows(db, rows)).sent;
}
