// The admin page's reads of commerce.dead_letters: newest first, keyset-paged by id, searchable
// by reason or by a piece of the raw payload (matched as bytes, so payloads that are not UTF-8
// are searchable too). Previews are decoded leniently and cut, never the whole payload.
// Search is bounded: it needs SEARCH_MIN_CHARS characters, walks the trigram indexes of the
// reason and of the payload's first SEARCHED_BYTES bytes (migration 20261201000000), counts
// matches only up to a small cap, and runs under the web pool's statement_timeout.
// Through Prisma Client as raw tagged templates: trigram-indexed LIKEs on expressions and a
// recursive skip scan have no typed-API form.
import type { Db } from '../db/client.ts';
import { Prisma } from '../generated/prisma/client.ts';
import type { DeadLetterQuery } from './schemas.ts';

export const PREVIEW_BYTES = 2_048;

export interface DeadLetterRow {
  id: string;
  topic: string;
  partition: number;
  offset: string;
  reason: string;
  receivedAt: string;
  /** The payload's first bytes as UTF-8 (invalid sequences replaced). */
  preview: string;
  sizeBytes: number;
  truncated: boolean;
}

export interface DeadLetterPage {
  rows: DeadLetterRow[];
  /** Pass as `before` for the next (older) page. */
  nextBefore: string | null;
  /** Dead letters in the store (exact up to the cap, then "at least"). */
  total: { count: number; capped: boolean };
  topics: string[];
}

interface Record_ {
  id: string;
  topic: string;
  partition: number;
  offset: string;
  reason: string;
  received_at: Date;
  head: Uint8Array;
  size: number;
}

const COUNT_CAP = 100_000;
/** A search counts its matches up to this many: enough for "at least N", never a long scan. */
const SEARCH_COUNT_CAP = 1_000;
/** The payload bytes the search index covers (the expression of dead_letters_raw_trgm_idx). */
export const SEARCHED_BYTES = 4_096;
/** Shorter searches have no trigram, so no index could serve them. */
export const SEARCH_MIN_CHARS = 3;

/** `%` and `_` in user input match themselves, not any text. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * PostgreSQL's `encode(bytes, 'escape')`: NUL and bytes with the high bit set become `\ooo`,
 * a backslash becomes two, everything else stays itself. The payload index holds this form.
 */
export function escapeEncode(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    if (b === 0 || b >= 0x80) out += `\\${b.toString(8).padStart(3, '0')}`;
    else if (b === 0x5c) out += '\\\\';
    else out += String.fromCharCode(b);
  }
  return out;
}

const whereAll = (conditions: Prisma.Sql[]): Prisma.Sql =>
  conditions.length > 0 ? Prisma.sql`WHERE ${Prisma.join(conditions, ' AND ')}` : Prisma.empty;

export async function listDeadLetters(db: Db, q: DeadLetterQuery): Promise<DeadLetterPage> {
  const conditions: Prisma.Sql[] = [];
  // Fixed numbers, written into the SQL so the expressions match the index's.
  const searched = Prisma.raw(String(SEARCHED_BYTES));
  if (q.q !== undefined) {
    // Each side is an indexed LIKE; the payload side re-checks the bytes, because a match in the
    // escaped text can start inside another byte's `\ooo`.
    const bytes = Buffer.from(q.q, 'utf8');
    conditions.push(
      Prisma.sql`(d.reason ILIKE ${likePattern(q.q)}
        OR (encode(substring(d.raw FROM 1 FOR ${searched}), 'escape') LIKE ${likePattern(escapeEncode(bytes))}
            AND position(${bytes}::bytea IN substring(d.raw FROM 1 FOR ${searched})) > 0))`,
    );
  }
  if (q.topic !== undefined) conditions.push(Prisma.sql`d.topic = ${q.topic}`);
  const filtered = whereAll(conditions);
  if (q.before !== undefined) conditions.push(Prisma.sql`d.id < ${q.before}::bigint`);
  const countCap = q.q === undefined ? COUNT_CAP : SEARCH_COUNT_CAP;

  const [page, total, topics] = await Promise.all([
    db.$queryRaw<Record_[]>`
      SELECT d.id::text AS id, d.topic, d.partition, d."offset"::text AS "offset", d.reason,
             d.received_at, substring(d.raw FROM 1 FOR ${Prisma.raw(String(PREVIEW_BYTES))}) AS head,
             octet_length(d.raw) AS size
        FROM commerce.dead_letters d ${whereAll(conditions)}
       ORDER BY d.id DESC LIMIT ${q.limit + 1}`,
    db.$queryRaw<{ count: number }[]>`
      SELECT count(*)::int AS count
        FROM (SELECT 1 FROM commerce.dead_letters d ${filtered} LIMIT ${countCap}) t`,
    // Distinct topics without scanning the table: a loose index scan would need an index on
    // topic; the unique (topic, partition, offset) index serves this recursive skip.
    db.$queryRaw<{ topic: string }[]>`
      WITH RECURSIVE t AS (
        (SELECT topic FROM commerce.dead_letters ORDER BY topic LIMIT 1)
        UNION ALL
        SELECT (SELECT d.topic FROM commerce.dead_letters d WHERE d.topic > t.topic ORDER BY d.topic LIMIT 1)
          FROM t WHERE t.topic IS NOT NULL)
      SELECT topic FROM t WHERE topic IS NOT NULL`,
  ]);
  const more = page.length > q.limit;
  const rows = page.slice(0, q.limit).map((r) => ({
    id: r.id,
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    reason: r.reason,
    receivedAt: r.received_at.toISOString(),
    preview: Buffer.from(r.head.buffer, r.head.byteOffset, r.head.byteLength).toString('utf8'),
    sizeBytes: r.size,
    truncated: r.size > PREVIEW_BYTES,
  }));
  const count = total[0]?.count ?? 0;
  return {
    rows,
    nextBefore: more ? (rows.at(-1)?.id ?? null) : null,
    total: { count, capped: count >= countCap },
    topics: topics.map((t) => t.topic),
  };
}
