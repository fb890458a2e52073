// The dead-letter store: malformed source messages with their raw bytes,
// where they came from and why they were refused. Unique on
// (topic, partition, offset), so a replayed batch adds nothing.
import type pg from 'pg';

export interface DeadLetter {
  topic: string;
  partition: number;
  offset: string;
  raw: Buffer;
  reason: string;
  /** The reason's stable prefix (a metric label). */
  kind: string;
}

export async function insertDeadLetters(pool: pg.Pool, letters: DeadLetter[]): Promise<void> {
  if (letters.length === 0) return;
  await pool.query(
    `INSERT INTO commerce.dead_letters (topic, "partition", "offset", raw, reason)
     SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[], $4::bytea[], $5::text[])
     ON CONFLICT (topic, "partition", "offset") DO NOTHING`,
    [
      letters.map((l) => l.topic),
      letters.map((l) => l.partition),
      letters.map((l) => l.offset),
      letters.map((l) => l.raw),
      letters.map((l) => l.reason),
    ],
  );
}
