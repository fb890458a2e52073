// What the fault tests check once the load has drained: the sink against the rule, row by row
// and field by field (nothing missing, extra, wrong, provisional or late), and the dead-letter
// store against the bad messages sent (each one there, with its reason; nothing valid there).
import type pg from 'pg';
import { attributeBruteForce } from '../../domain/oracle.ts';
import type { SentCheckout, SteadyLoad } from './load.ts';

export interface ExpectedRow {
  checkoutId: string;
  userId: string;
  productId: string;
  checkoutTime: number;
  clickId: string | null;
  clickTime: number | null;
  totalAmount: string;
  userName: string;
  isUnknownUser: boolean;
}

export interface SinkRow {
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
}

/** The rule's rows for everything valid the load sent; `userName` knows the seeded users. */
export function expectedRows(
  load: Pick<SteadyLoad, 'clicks' | 'checkouts'>,
  userName: (userId: number) => string | undefined,
): Map<string, ExpectedRow> {
  const first = new Map<string, SentCheckout>();
  for (const c of load.checkouts) if (!first.has(c.checkoutId)) first.set(c.checkoutId, c);
  const rows = new Map<string, ExpectedRow>();
  for (const a of attributeBruteForce(load.clicks, [...first.values()])) {
    const c = first.get(a.checkoutId)!;
    const name = userName(c.userId);
    rows.set(a.checkoutId, {
      checkoutId: a.checkoutId,
      userId: String(c.userId),
      productId: c.productId,
      checkoutTime: c.time,
      clickId: a.clickId,
      clickTime: a.clickTime,
      totalAmount: c.amount,
      userName: name ?? '',
      isUnknownUser: name === undefined,
    });
  }
  return rows;
}

export async function readSink(pool: pg.Pool): Promise<Map<string, SinkRow>> {
  const { rows } = await pool.query<SinkRow>(
    `SELECT checkout_id, user_id::text, user_name, click_id, product_id, total_amount::text,
            (extract(epoch FROM checkout_time) * 1000)::bigint::text AS checkout_ms,
            (extract(epoch FROM click_time) * 1000)::bigint::text AS click_ms,
            is_final, is_unknown_user, is_late
       FROM commerce.attributed_checkouts`,
  );
  return new Map(rows.map((r) => [r.checkout_id, r]));
}

/** True once every expected checkout has a final row (extra rows do not hold the wait up). */
export function settled(expected: Map<string, ExpectedRow>, rows: Map<string, SinkRow>): boolean {
  for (const id of expected.keys()) if (!rows.get(id)?.is_final) return false;
  return true;
}

/** Every way the sink differs from the rule, one line each ("<checkout>: <field> <got> ≠ <want>"). */
export function compareSink(
  expected: Map<string, ExpectedRow>,
  rows: Map<string, SinkRow>,
): string[] {
  const problems: string[] = [];
  for (const [id, want] of expected) {
    const got = rows.get(id);
    if (!got) {
      problems.push(`${id}: missing`);
      continue;
    }
    const fields: [string, unknown, unknown][] = [
      ['click_id', got.click_id, want.clickId],
      ['click_time', got.click_ms === null ? null : Number(got.click_ms), want.clickTime],
      ['user_id', got.user_id, want.userId],
      ['product_id', got.product_id, want.productId],
      ['checkout_time', Number(got.checkout_ms), want.checkoutTime],
      ['total_amount', got.total_amount, want.totalAmount],
      ['user_name', got.user_name, want.userName],
      ['is_unknown_user', got.is_unknown_user, want.isUnknownUser],
      ['is_final', got.is_final, true],
      ['is_late', got.is_late, false],
    ];
    for (const [field, actual, wanted] of fields) {
      if (actual !== wanted) {
        problems.push(`${id}: ${field} ${JSON.stringify(actual)} ≠ ${JSON.stringify(wanted)}`);
      }
    }
  }
  for (const id of rows.keys()) if (!expected.has(id)) problems.push(`${id}: unexpected row`);
  return problems;
}

/** "412 problems: 300 click_id, 112 missing" and the first `sample` lines. */
export function summarize(problems: string[], sample = 15): string {
  if (problems.length === 0) return 'none';
  const kinds = new Map<string, number>();
  for (const p of problems) {
    const kind = p.slice(p.indexOf(': ') + 2).split(' ')[0]!;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  const counts = [...kinds].map(([k, n]) => `${n} ${k}`).join(', ');
  return `${problems.length} problems (${counts}):\n  ${problems.slice(0, sample).join('\n  ')}`;
}

interface DeadLetterRow {
  topic: string;
  partition: number;
  offset: string;
  raw: Buffer | null;
  reason: string;
}

/** Every way the dead-letter store differs from the bad messages the load sent. */
export async function compareDeadLetters(
  pool: pg.Pool,
  load: Pick<SteadyLoad, 'bad' | 'malformed' | 'failedSends' | 'duplicatesPossible'>,
): Promise<string[]> {
  const { rows } = await pool.query<DeadLetterRow>(
    `SELECT topic, "partition", "offset"::text AS "offset", raw, reason FROM commerce.dead_letters`,
  );
  const at = (topic: string, partition: number, offset: string) =>
    `${topic}/${partition}@${offset}`;
  const byPlace = new Map(rows.map((r) => [at(r.topic, r.partition, r.offset), r]));
  const problems: string[] = [];
  for (const bad of load.bad) {
    const place = at(bad.topic, bad.partition, bad.offset);
    const row = byPlace.get(place);
    if (!row) {
      problems.push(`${bad.label} (${place}): not-dead-lettered`);
      continue;
    }
    if (!bad.reason.test(row.reason)) {
      problems.push(`${bad.label} (${place}): wrong-reason "${row.reason}", wanted ${bad.reason}`);
    }
    const raw = row.raw ?? Buffer.alloc(0);
    if (!raw.equals(Buffer.from(bad.value ?? ''))) {
      problems.push(`${bad.label} (${place}): raw-differs from the message sent`);
    }
  }
  const rawOf = (r: DeadLetterRow) => (r.raw ?? Buffer.alloc(0)).toString('utf8');
  const deadRaws = new Set(rows.map(rawOf));
  for (const m of load.malformed) {
    if (!deadRaws.has(m.value))
      problems.push(`malformed ${JSON.stringify(m.value)}: not-dead-lettered`);
  }
  const craftedPlaces = new Set(load.bad.map((b) => at(b.topic, b.partition, b.offset)));
  const badValues = new Set([
    ...load.malformed.map((m) => m.value),
    ...load.bad.map((b) => b.value ?? ''),
  ]);
  for (const r of rows) {
    if (!craftedPlaces.has(at(r.topic, r.partition, r.offset)) && !badValues.has(rawOf(r))) {
      problems.push(
        `${at(r.topic, r.partition, r.offset)}: valid-dead-lettered "${r.reason}": ${rawOf(r).slice(0, 120)}`,
      );
    }
  }
  // A retried send may have landed twice (then the store holds both copies); otherwise exactly one each.
  const sent = load.bad.length + load.malformed.length;
  if (load.failedSends === 0 && !load.duplicatesPossible && rows.length !== sent) {
    problems.push(`store: count of ${rows.length} dead letters for ${sent} bad messages sent`);
  }
  return problems;
}
