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

/** One line of attribution_rows.py: a credit, a by-channel row, or an overflowed by-channel row. */
export type PublicationLine =
  | { kind: 'credit'; values: unknown[] }
  | { kind: 'byChannel'; values: unknown[] }
  | { kind: 'overflow' };

const WIDTH = { c: 11, b: 8, o: 4 } as const;

/** Parses one output line; throws on anything else (a reader bug must fail the publication). */
export function parsePublicationLine(line: string): PublicationLine {
  const parsed: unknown = JSON.parse(line);
  if (!Array.isArray(parsed) || typeof parsed[0] !== 'string' || !(parsed[0] in WIDTH)) {
    throw new Error(`attribution rows: unexpected line ${line.slice(0, 200)}`);
  }
  const tag = parsed[0] as keyof typeof WIDTH;
  const values = parsed.slice(1);
  if (values.length !== WIDTH[tag]) {
    throw new Error(
      `attribution rows: ${values.length} values where ${WIDTH[tag]} belong: ${line.slice(0, 200)}`,
    );
  }
  if (tag === 'o') return { kind: 'overflow' };
  return { kind: tag === 'c' ? 'credit' : 'byChannel', values };
}

type Tx = Pick<PrismaClient, '$executeRaw'>;

function insertCredits(tx: Tx, rows: unknown[][]): Promise<number> {
  return tx.$executeRaw`
INSERT INTO commerce.attribution_credits (
  checkout_id, user_id, click_id, model, weight, credited_amount, click_time, channel, campaign,
  product_id, checkout_date)
SELECT e->>0, (e->>1)::bigint, e->>2, e->>3, (e->>4)::numeric, (e->>5)::numeric,
       (e->>6)::timestamptz(3), e->>7, e->>8, e->>9, (e->>10)::date
FROM jsonb_array_elements(${JSON.stringify(rows)}::text::jsonb) AS e`;
}

function insertByChannel(tx: Tx, rows: unknown[][]): Promise<number> {
  return tx.$executeRaw`
INSERT INTO commerce.attribution_by_channel (
  model, checkout_date, channel, campaign, credited_amount, conversions, checkouts, clicks)
SELECT e->>0, (e->>1)::date, e->>2, e->>3, (e->>4)::numeric, (e->>5)::numeric, (e->>6)::int,
       (e->>7)::int
FROM jsonb_array_elements(${JSON.stringify(rows)}::text::jsonb) AS e`;
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
        let credits: unknown[][] = [];
        let byChannel: unknown[][] = [];
        const flush = async () => {
          if (credits.length > 0) counts.credits += await insertCredits(tx, credits);
          if (byChannel.length > 0) counts.byChannel += await insertByChannel(tx, byChannel);
          credits = [];
          byChannel = [];
          options.onProgress?.({ ...counts });
        };
        for await (const line of createInterface({ input: child.stdout })) {
          if (options.signal?.aborted) throw new Error('publication cancelled');
          const parsed = parsePublicationLine(line);
          if (parsed.kind === 'credit') credits.push(parsed.values);
          else if (parsed.kind === 'byChannel') byChannel.push(parsed.values);
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
