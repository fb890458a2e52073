// The admin page's reads of commerce.dead_letters: newest first, keyset-paged by id, searchable
// by reason or by a piece of the raw payload (matched as bytes, so payloads that are not UTF-8
// are searchable too). Previews are decoded leniently and cut, never the whole payload.
// Search is bounded: it needs SEARCH_MIN_CHARS characters, walks the trigram indexes of the
// reason and of the payload's first SEARCHED_BYTES bytes (migration 20261201000000), counts
// matches only up to a small cap, and runs under the web pool's statement_timeout.
import type pg from 'pg';
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
  head: Buffer;
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

export async function listDeadLetters(pool: pg.Pool, q: DeadLetterQuery): Promise<DeadLetterPage> {
  const params: unknown[] = [];
  const bind = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const conditions: string[] = [];
  if (q.q !== undefined) {
    // Each side is an indexed LIKE; the payload side re-checks the bytes, because a match in the
    // escaped text can start inside another byte's `\ooo`.
    const bytes = Buffer.from(q.q, 'utf8');
    conditions.push(
      `(d.reason ILIKE ${bind(likePattern(q.q))}
        OR (encode(substring(d.raw FROM 1 FOR ${SEARCHED_BYTES}), 'escape') LIKE ${bind(likePattern(escapeEncode(bytes)))}
            AND position(${bind(bytes)}::bytea IN substring(d.raw FROM 1 FOR ${SEARCHED_BYTES})) > 0))`,
    );
  }
  if (q.topic !== undefined) conditions.push(`d.topic = ${bind(q.topic)}`);
  const filtered = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  const countParams = [...params];
  if (q.before !== undefined) conditions.push(`d.id < ${bind(q.before)}::bigint`);
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  const limit = bind(q.limit + 1);
  const countCap = q.q === undefined ? COUNT_CAP : SEARCH_COUNT_CAP;

  const [page, total, topics] = await Promise.all([
    pool.query<Record_>(
      `SELECT d.id::text AS id, d.topic, d.partition, d."offset"::text AS "offset", d.reason,
              d.received_at, substring(d.raw FROM 1 FOR ${PREVIEW_BYTES}) AS head,
              octet_length(d.raw) AS size
         FROM commerce.dead_letters d ${where}
        ORDER BY d.id DESC LIMIT ${limit}`,
      params,
    ),
    pool.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM (SELECT 1 FROM commerce.dead_letters d ${filtered} LIMIT ${countCap}) t`,
      countParams,
    ),
    pool.query<{ topic: string }>(
      // Distinct topics without scanning the table: a loose index scan would need an index on
      // topic; the unique (topic, partition, offset) index serves this recursive skip.
      `WITH RECURSIVE t AS (
         (SELECT topic FROM commerce.dead_letters ORDER BY topic LIMIT 1)
         UNION ALL
         SELECT (SELECT d.topic FROM commerce.dead_letters d WHERE d.topic > t.topic ORDER BY d.topic LIMIT 1)
           FROM t WHERE t.topic IS NOT NULL)
       SELECT topic FROM t WHERE topic IS NOT NULL`,
    ),
  ]);
  const more = page.rows.length > q.limit;
  const rows = page.rows.slice(0, q.limit).map((r) => ({
    id: r.id,
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    reason: r.reason,
    receivedAt: r.received_at.toISOString(),
    preview: r.head.toString('utf8'),
    sizeBytes: r.size,
    truncated: r.size > PREVIEW_BYTES,
  }));
  const count = total.rows[0]?.count ?? 0;
  return {
    rows,
    nextBefore: more ? (rows.at(-1)?.id ?? null) : null,
    total: { count, capped: count >= countCap },
    topics: topics.rows.map((t) => t.topic),
  };
}
