// The models job's publish phase: the attribution credits and the by-channel mart, read from the
// local DuckDB warehouse (attribution_rows.py, in the dbt venv's Python) and written to
// commerce.attribution_credits and commerce.attribution_by_channel in ONE transaction that
// replaces the previous publication, so the web never reads half of one (lib/jobs/models-contract.ts).
// DELETE, not TRUNCATE: readers keep the previous rows until the commit instead of waiting on a lock.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { PrismaClient } from '../../lib/generated/prisma/client.ts';
import type { AttributionPublication, PublishProgress } from '../../lib/jobs/models-contract.ts';

const READER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'attribution_rows.py');

/** Rows per INSERT statement (one JSON text parameter, like the sink's upsert). */
export const PUBLISH_BATCH_ROWS = 5_000;

/** What a line of attribution_rows.py is: a credit, a by-channel row, or an overflowed one. */
export type PublicationLineKind = 'credit' | 'byChannel' | 'overflow';

const KINDS: ReadonlyArray<[prefix: string, kind: PublicationLineKind]> = [
  ['{"k":"c",', 'credit'],
  ['{"k":"b",', 'byChannel'],
  ['{"k":"o",', 'overflow'],
];

/**
 * The kind of an output line, from its first key (DuckDB writes it first); throws on anything
 * else, so a reader bug fails the publication. The line itself goes to PostgreSQL unparsed.
 */
export function publicationLineKind(line: string): PublicationLineKind {
  const found = KINDS.find(([prefix]) => line.startsWith(prefix) && line.endsWith('}'));
  if (!found) throw new Error(`attribution rows: unexpected line ${line.slice(0, 200)}`);
  return found[1];
}

type Tx = Pick<PrismaClient, '$executeRaw'>;

/** The lines (JSON objects) as one JSON array text. */
const jsonArray = (lines: string[]) => `[${lines.join(',')}]`;

function insertCredits(tx: Tx, lines: string[]): Promise<number> {
  return tx.$executeRaw`
INSERT INTO commerce.attribution_credits (
  checkout_id, user_id, click_id, model, weight, credited_amount, click_time, channel, campaign,
  product_id, checkout_date)
SELECT e->>'checkout_id', (e->>'user_id')::bigint, e->>'click_id', e->>'model',
       (e->>'weight')::numeric, (e->>'credited_amount')::numeric,
       (e->>'click_time')::timestamptz(3), e->>'channel', e->>'campaign', e->>'product_id',
       (e->>'checkout_date')::date
FROM jsonb_array_elements(${jsonArray(lines)}::text::jsonb) AS e`;
}

function insertByChannel(tx: Tx, lines: string[]): Promise<number> {
  return tx.$executeRaw`
INSERT INTO commerce.attribution_by_channel (
  model, checkout_date, channel, campaign, credited_amount, conversions, checkouts, clicks)
SELECT e->>'model', (e->>'checkout_date')::date, e->>'channel', e->>'campaign',
       (e->>'credited_amount')::numeric, (e->>'conversions')::numeric, (e->>'checkouts')::int,
       (e->>'clicks')::int
FROM jsonb_array_elements(${jsonArray(lines)}::text::jsonb) AS e`;
}

export interface PublishOptions {
  /** The dbt venv's Python (it has the duckdb package). */
  python: string;
  /** The local warehouse (DuckDB file) the build wrote. */
  warehousePath: string;
  db: PrismaClient;
  signal?: AbortSignal;
  onProgress?: (progress: PublishProgress) => void;
}

/** Replaces the published attribution with the warehouse's, in one transaction. */
export async function publishAttribution(options: PublishOptions): Promise<AttributionPublication> {
  const started = Date.now();
  const child = spawn(options.python, [READER, options.warehousePath], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  createInterface({ input: child.stderr }).on('line', (l) => {
    stderr.push(l);
    if (stderr.length > 20) stderr.shift();
  });
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? (signal ? 2 : 0)));
  });
  const cancel = () => child.kill('SIGTERM');
  options.signal?.addEventListener('abort', cancel, { once: true });

  const counts: PublishProgress = { credits: 0, byChannel: 0 };
  let overflowRows = 0;
  try {
    await options.db.$transaction(
      async (tx) => {
        await tx.$executeRaw`DELETE FROM commerce.attribution_credits`;
        await tx.$executeRaw`DELETE FROM commerce.attribution_by_channel`;
        let credits: string[] = [];
        let byChannel: string[] = [];
        const flush = async () => {
          if (credits.length > 0) counts.credits += await insertCredits(tx, credits);
          if (byChannel.length > 0) counts.byChannel += await insertByChannel(tx, byChannel);
          credits = [];
          byChannel = [];
          options.onProgress?.({ ...counts });
        };
        for await (const line of createInterface({ input: child.stdout })) {
          if (options.signal?.aborted) throw new Error('publication cancelled');
          const kind = publicationLineKind(line);
          if (kind === 'credit') credits.push(line);
          else if (kind === 'byChannel') byChannel.push(line);
          else overflowRows++;
          if (credits.length + byChannel.length >= PUBLISH_BATCH_ROWS) await flush();
        }
        await flush();
        // Commit only what the reader wrote in full.
        const code = await exited;
        if (code !== 0) {
          throw new Error(
            `reading the warehouse failed (exit ${code}): ${stderr.join(' ').slice(-500)}`,
          );
        }
      },
      // A publication of millions of rows takes minutes; the default 5 s would abort it.
      { timeout: 30 * 60_000, maxWait: 30_000 },
    );
  } finally {
    options.signal?.removeEventListener('abort', cancel);
    if (child.exitCode === null) child.kill('SIGTERM');
  }
  return { ...counts, overflowRows, seconds: (Date.now() - started) / 1000 };
}
