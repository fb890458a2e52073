// The dead-letter store: malformed source messages with their raw bytes,
// where they came from and why they were refused. Unique on
// (topic, partition, offset), so a replayed batch adds nothing.
// The store must take every letter: a letter it refused would stall the partition it came from
// (its offset is committed only once the letter is stored). So reasons are made storable
// before the insert, and a letter refused all the same is stored with a plain reason.
import type { Db } from '../../lib/db/client.ts';
import { errorKind, sqlStateOf } from '../../lib/faults/error-kinds.ts';

export interface DeadLetter {
  topic: string;
  partition: number;
  offset: string;
  raw: Buffer;
  reason: string;
  /** The reason's stable prefix (a metric label). */
  kind: string;
}

/** Longest reason stored; a reason quoting a huge field is cut (the raw bytes have it all). */
export const MAX_REASON_CHARS = 2_000;

/**
 * A reason PostgreSQL's text type takes: no NUL character (text cannot hold one), no lone
 * UTF-16 surrogate (it would not encode as UTF-8), at most MAX_REASON_CHARS characters.
 */
export function storableReason(reason: string): string {
  const visible = reason.replaceAll('\u0000', '\\u0000');
  const cut =
    visible.length > MAX_REASON_CHARS ? `${visible.slice(0, MAX_REASON_CHARS - 1)}…` : visible;
  // After the cut, which may split a surrogate pair.
  return cut.replace(
    /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    '\uFFFD',
  );
}

/** One `unnest` insert for the letters; a letter already stored (a replay) is skipped. */
export async function insertDeadLetters(db: Db, letters: DeadLetter[]): Promise<void> {
  if (letters.length === 0) return;
  const topics = letters.map((l) => l.topic);
  const partitions = letters.map((l) => l.partition);
  const offsets = letters.map((l) => l.offset);
  const raws = letters.map((l) => l.raw);
  const reasons = letters.map((l) => storableReason(l.reason));
  await db.$executeRaw`
    INSERT INTO commerce.dead_letters (topic, "partition", "offset", raw, reason)
    SELECT * FROM unnest(${topics}::text[], ${partitions}::int[], ${offsets}::bigint[],
                         ${raws}::bytea[], ${reasons}::text[])
    ON CONFLICT (topic, "partition", "offset") DO NOTHING`;
}

/** Runs a database call, retrying it while its errors are transient (see lib/faults/retry.ts). */
export type Retrying = <T>(run: () => Promise<T>) => Promise<T>;

/**
 * Stores `letters`, all of them. Transient failures are retried by `retrying`. If the table
 * refuses the batch for its content (SQLSTATE class 22 or 23: a reason it cannot take, a
 * constraint added by an operator), each letter is stored on its own, and one still refused is
 * stored with the plain reason `<kind>: reason not storable (<SQLSTATE>)`: its raw bytes, topic,
 * partition and offset are what matter, and the partition goes on. Anything else is thrown.
 * Returns the letters whose reason had to be replaced.
 */
export async function storeDeadLetters(
  db: Db,
  letters: DeadLetter[],
  retrying: Retrying = (run) => run(),
): Promise<DeadLetter[]> {
  if (letters.length === 0) return [];
  try {
    await retrying(() => insertDeadLetters(db, letters));
    return [];
  } catch (error) {
    if (errorKind(error) !== 'bad_data') throw error;
  }
  const replaced: DeadLetter[] = [];
  for (const letter of letters) {
    try {
      await retrying(() => insertDeadLetters(db, [letter]));
    } catch (error) {
      if (errorKind(error) !== 'bad_data') throw error;
      const plain = {
        ...letter,
        reason: `${letter.kind}: reason not storable (${sqlStateOf(error) ?? 'refused'})`,
      };
      // Refused even so: the table cannot take a plain letter, a schema problem. Thrown.
      await retrying(() => insertDeadLetters(db, [plain]));
      replaced.push(plain);
    }
  }
  return replaced;
}
