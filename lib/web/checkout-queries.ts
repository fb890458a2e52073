// The checkout browser's reads of commerce.attributed_checkouts: keyset pages ordered by
// (checkout_time, checkout_id) in either direction with optional filters, and one checkout with
// its user and product. Every value is a bound parameter; only fixed SQL fragments are joined.
// Pages walk the (checkout_time DESC, checkout_id DESC) index, or (user_id, checkout_time) /
// (product_id, checkout_time) when a user or product is given, so a page costs about its size
// (bench/checkout-browser.bench.ts measures it on 1 M rows).
// Through Prisma Client as raw tagged templates (Prisma.sql fragments): the SQL is the point
// here (the subquery that keeps LIMIT on the index, the product join's guarded cast).
import type { Db } from '../db/client.ts';
import { Prisma } from '../generated/prisma/client.ts';
import { encodeCursor } from './keyset-cursor.ts';
import { productJoin } from './product-join.ts';
import type { CheckoutQuery } from './schemas.ts';

export interface CheckoutListRow {
  checkoutId: string;
  /** Null when hidden from an anonymous reader (lib/web/privacy.ts). */
  userId: string | null;
  /** Null when hidden from an anonymous reader. */
  userName: string | null;
  isUnknownUser: boolean;
  productId: string;
  productName: string | null;
  totalAmount: string;
  paymentMethod: string;
  checkoutTime: string;
  clickId: string | null;
  clickTime: string | null;
  isFinal: boolean;
  isLate: boolean;
}

export interface CheckoutPage {
  /** Whether the rows carry who bought (signed-in readers only). */
  personal: boolean;
  rows: CheckoutListRow[];
  /** Cursor of the page after this one in display order, if there is one. */
  nextCursor: string | null;
  /** Cursor of the page before this one, if there is one. */
  prevCursor: string | null;
}

interface ListRecord {
  checkout_id: string;
  user_id: string;
  user_name: string;
  is_unknown_user: boolean;
  product_id: string;
  product_name: string | null;
  total_amount: string;
  payment_method: string;
  checkout_time: Date;
  click_id: string | null;
  click_time: Date | null;
  is_final: boolean;
  is_late: boolean;
}

/** Filters with a user given by name resolved to the ids of the users currently called that. */
export type ResolvedQuery = CheckoutQuery & { userIds?: string[] };

/** Digits: a user id. Anything else: a user name. */
export const isUserId = (user: string) => /^\d{1,18}$/.test(user);

/**
 * Resolves a user name to ids (case-insensitive, as commerce.users has it now) in a query of its
 * own: bound as a literal array, the ids let the planner see how few rows match and take the
 * (user_id, checkout_time) index; a subquery hides that and it scans by time instead.
 */
export async function resolveUser(db: Db, q: CheckoutQuery): Promise<ResolvedQuery> {
  if (q.user === undefined || isUserId(q.user)) return q;
  // Raw, not the typed API: Prisma's case-insensitive `equals` is an ILIKE, where a `%` or `_`
  // in the name would match other users.
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT id::text AS id FROM commerce.users WHERE lower(username) = lower(${q.user}) LIMIT 1000`;
  return { ...q, userIds: rows.map((r) => r.id) };
}

/** The WHERE conditions of the filters (not the cursor), values bound. */
export function filterConditions(q: ResolvedQuery): Prisma.Sql[] {
  const conditions: Prisma.Sql[] = [];
  if (q.user !== undefined) {
    if (isUserId(q.user)) conditions.push(Prisma.sql`a.user_id = ${q.user}::bigint`);
    else conditions.push(Prisma.sql`a.user_id = ANY (${q.userIds ?? []}::bigint[])`);
  }
  if (q.product !== undefined) conditions.push(Prisma.sql`a.product_id = ${q.product}`);
  if (q.attributed === 'yes') conditions.push(Prisma.sql`a.click_id IS NOT NULL`);
  if (q.attributed === 'no') conditions.push(Prisma.sql`a.click_id IS NULL`);
  if (q.state === 'final') conditions.push(Prisma.sql`a.is_final`);
  if (q.state === 'provisional') conditions.push(Prisma.sql`NOT a.is_final`);
  if (q.from !== undefined) {
    conditions.push(Prisma.sql`a.checkout_time >= ${new Date(q.from).toISOString()}::timestamptz`);
  }
  if (q.to !== undefined) {
    conditions.push(Prisma.sql`a.checkout_time <= ${new Date(q.to).toISOString()}::timestamptz`);
  }
  return conditions;
}

/** `WHERE a AND b …`, or nothing. */
export const whereAll = (conditions: Prisma.Sql[]): Prisma.Sql =>
  conditions.length > 0 ? Prisma.sql`WHERE ${Prisma.join(conditions, ' AND ')}` : Prisma.empty;

/** One page's query. */
export function checkoutPageQuery(q: ResolvedQuery): Prisma.Sql {
  const conditions = filterConditions(q);
  // Paging backwards reads the opposite direction from the cursor, then flips the rows.
  const backwards = q.before !== undefined;
  const descending = (q.sort === 'desc') !== backwards;
  const cursor = q.after ?? q.before;
  if (cursor) {
    const op = Prisma.raw(descending ? '<' : '>');
    conditions.push(
      Prisma.sql`(a.checkout_time, a.checkout_id) ${op} (${new Date(cursor.t).toISOString()}::timestamptz, ${cursor.id})`,
    );
  }
  const direction = Prisma.raw(descending ? 'DESC' : 'ASC');
  return Prisma.sql`SELECT a.checkout_id, a.user_id::text AS user_id, a.user_name, a.is_unknown_user,
         a.product_id, p.name AS product_name, a.total_amount::text AS total_amount,
         a.payment_method, a.checkout_time, a.click_id, a.click_time, a.is_final, a.is_late
    FROM (SELECT * FROM commerce.attributed_checkouts a
           ${whereAll(conditions)}
           ORDER BY a.checkout_time ${direction}, a.checkout_id ${direction}
           LIMIT ${q.limit + 1}) a
    ${Prisma.raw(productJoin('a'))}
   ORDER BY a.checkout_time ${direction}, a.checkout_id ${direction}`;
}

/** The SQL of one page and its parameters, numbered for PostgreSQL (for EXPLAIN in the benchmark). */
export function checkoutPageSql(q: ResolvedQuery): { sql: string; params: unknown[] } {
  const query = checkoutPageQuery(q);
  return { sql: query.text, params: query.values };
}

function toListRow(r: ListRecord): CheckoutListRow {
  return {
    checkoutId: r.checkout_id,
    userId: r.user_id,
    userName: r.user_name,
    isUnknownUser: r.is_unknown_user,
    productId: r.product_id,
    productName: r.product_name,
    totalAmount: r.total_amount,
    paymentMethod: r.payment_method,
    checkoutTime: r.checkout_time.toISOString(),
    clickId: r.click_id,
    clickTime: r.click_time?.toISOString() ?? null,
    isFinal: r.is_final,
    isLate: r.is_late,
  };
}

const cursorOf = (row: CheckoutListRow) =>
  encodeCursor({ t: Date.parse(row.checkoutTime), id: row.checkoutId });

export async function listCheckouts(db: Db, query: CheckoutQuery): Promise<CheckoutPage> {
  const q = await resolveUser(db, query);
  if (q.userIds?.length === 0)
    return { personal: true, rows: [], nextCursor: null, prevCursor: null };
  const records = await db.$queryRaw<ListRecord[]>(checkoutPageQuery(q));
  const more = records.length > q.limit;
  const rows = records.slice(0, q.limit).map(toListRow);
  if (q.before) rows.reverse();
  const first = rows[0];
  const last = rows.at(-1);
  if (q.before) {
    // Read backwards: "more" means more pages before; the cursor row itself follows this page.
    return {
      personal: true,
      rows,
      prevCursor: more && first ? cursorOf(first) : null,
      nextCursor: last ? cursorOf(last) : null,
    };
  }
  return {
    personal: true,
    rows,
    nextCursor: more && last ? cursorOf(last) : null,
    prevCursor: q.after && first ? cursorOf(first) : null,
  };
}

export interface CheckoutDetail {
  /** Whether the personal fields are included (signed-in readers only); null fields are hidden. */
  personal: boolean;
  checkout: CheckoutListRow & {
    shippingAddress: string | null;
    billingAddress: string | null;
    userAgent: string | null;
    ipAddress: string | null;
    partition: number;
    processedAt: string;
    firstWrittenAt: string;
  };
  /** The user as commerce.users has them now (the row keeps the name at processing time). */
  user: { id: string; username: string; updatedAt: string } | null;
  product: { id: number; name: string; price: string | null } | null;
}

interface DetailRecord extends ListRecord {
  shipping_address: string;
  billing_address: string;
  user_agent: string;
  ip_address: string;
  partition: number;
  processed_at: Date;
  first_written_at: Date;
  product_price: string | null;
  product_pk: number | null;
  current_username: string | null;
  user_updated_at: Date | null;
  user_pk: string | null;
}

export async function getCheckout(db: Db, checkoutId: string): Promise<CheckoutDetail | null> {
  const rows = await db.$queryRaw<DetailRecord[]>`
     SELECT a.checkout_id, a.user_id::text AS user_id, a.user_name, a.is_unknown_user,
            a.product_id, p.name AS product_name, a.total_amount::text AS total_amount,
            a.payment_method, a.checkout_time, a.click_id, a.click_time, a.is_final, a.is_late,
            a.shipping_address, a.billing_address, a.user_agent, a.ip_address, a.partition,
            a.processed_at, a.first_written_at, p.price::text AS product_price, p.id AS product_pk,
            u.username AS current_username, u.updated_at AS user_updated_at, u.id::text AS user_pk
       FROM commerce.attributed_checkouts a
       ${Prisma.raw(productJoin('a'))}
       LEFT JOIN commerce.users u
              ON u.id = CASE WHEN a.user_id BETWEEN -2147483648 AND 2147483647 THEN a.user_id::int END
      WHERE a.checkout_id = ${checkoutId}`;
  const r = rows[0];
  if (!r) return null;
  return {
    personal: true,
    checkout: {
      ...toListRow(r),
      shippingAddress: r.shipping_address,
      billingAddress: r.billing_address,
      userAgent: r.user_agent,
      ipAddress: r.ip_address,
      partition: r.partition,
      processedAt: r.processed_at.toISOString(),
      firstWrittenAt: r.first_written_at.toISOString(),
    },
    user:
      r.user_pk !== null && r.current_username !== null && r.user_updated_at !== null
        ? {
            id: r.user_pk,
            username: r.current_username,
            updatedAt: r.user_updated_at.toISOString(),
          }
        : null,
    product:
      r.product_pk !== null && r.product_name !== null
        ? { id: r.product_pk, name: r.product_name, price: r.product_price }
        : null,
  };
}
