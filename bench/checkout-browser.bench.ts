// Benchmark of the checkout browser's queries on 1 M sink rows: creates a throw-away test
// database, bulk-inserts synthetic rows with generate_series (10,000 users, 1,000 products, 30
// days, ~85% attributed, ~97% final), then runs the browser's page query (lib/web/
// checkout-queries.ts, the same SQL the app runs) 200 times with random filters, sorts and page
// depths, plus the detail lookup and the dashboard's per-second sink reads. Prints p50/p95/max,
// writes bench/results/checkout-browser.json, and drops the database.
// Run: npx tsx bench/checkout-browser.bench.ts [--rows 1000000] [--queries 200]
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, projectRoot } from '../lib/config.ts';
import { createPgPool, createPrisma } from '../lib/db/client.ts';
import { createTestDatabase } from '../test/db/test-database.ts';
import {
  checkoutPageSql,
  getCheckout,
  listCheckouts,
  resolveUser,
} from '../lib/web/checkout-queries.ts';
import { checkoutQuerySchema, type CheckoutQuery } from '../lib/web/schemas.ts';
import { newestAttributed, windowAggregates } from '../lib/web/sink-queries.ts';
import { latencySummary } from './bench-support.ts';

function argument(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`--${name} must be a positive integer`);
  return value;
}

const ROWS = argument('rows', 1_000_000);
const QUERIES = argument('queries', 200);
const USERS = 10_000;
const PRODUCTS = 1_000;
const DAYS = 30;
const log = (message: string) => console.log(`[bench] ${message}`);

/** mulberry32, so a run's filter mix is reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case {
  label: string;
  query: CheckoutQuery;
  depth: number;
}

function randomCase(r: () => number, end: number): Case {
  const params: Record<string, string> = {};
  const parts: string[] = [];
  if (r() < 0.3) {
    const user = 1 + Math.floor(r() * USERS);
    params.user = r() < 0.15 ? `user_${user}` : String(user);
    parts.push(params.user.startsWith('user_') ? 'user name' : 'user id');
  }
  if (r() < 0.3) {
    params.product = String(Math.floor(r() * PRODUCTS));
    parts.push('product');
  }
  const a = r();
  if (a < 0.25) params.attributed = 'yes';
  else if (a < 0.4) params.attributed = 'no';
  if (params.attributed) parts.push(`attributed=${params.attributed}`);
  const s = r();
  if (s < 0.2) params.state = 'final';
  else if (s < 0.3) params.state = 'provisional';
  if (params.state) parts.push(params.state);
  if (r() < 0.3) {
    const span = (1 + r() * 167) * 3_600_000;
    const from = end - r() * DAYS * 86_400_000;
    params.from = new Date(from).toISOString();
    params.to = new Date(Math.min(end, from + span)).toISOString();
    parts.push('time range');
  }
  if (r() < 0.2) {
    params.sort = 'asc';
    parts.push('oldest first');
  }
  params.limit = String([10, 25, 50, 50, 100, 200][Math.floor(r() * 6)]);
  return {
    label: parts.length > 0 ? parts.join(' + ') : 'no filter',
    query: checkoutQuerySchema.parse(params),
    depth: Math.floor(r() * 4),
  };
}

async function main(): Promise<void> {
  const config = loadConfig();
  log(`creating a test database and ${ROWS.toLocaleString('en-US')} rows…`);
  const db = await createTestDatabase(config.DATABASE_URL);
  const pool = createPgPool(db.url, { max: 2, applicationName: 'clickstream-bench' });
  const prisma = createPrisma(db.url, { pool });
  try {
    const end = Date.now();
    const loadStarted = performance.now();
    await pool.query(
      `INSERT INTO commerce.users (id, username) SELECT g, 'user_' || g FROM generate_series(0, $1::int) g`,
      [USERS],
    );
    await pool.query(
      `INSERT INTO commerce.products (id, name, price)
       SELECT g, 'Product ' || g, 5 + (g % 500) FROM generate_series(0, $1::int - 1) g`,
      [PRODUCTS],
    );
    // One statement: random() per row, seeded for reproducible data.
    await pool.query('SELECT setseed(0.42)');
    await pool.query(
      `INSERT INTO commerce.attributed_checkouts (checkout_id, user_id, user_name, click_id,
         product_id, payment_method, total_amount, shipping_address, billing_address, user_agent,
         ip_address, checkout_time, click_time, is_final, is_unknown_user, is_late, partition,
         processed_at, first_written_at)
       SELECT 'chk-' || lpad(g::text, 9, '0'), u, 'user_' || u,
              CASE WHEN attributed THEN 'clk-' || lpad(g::text, 9, '0') END,
              p::text, 'credit_card', round((5 + random() * 995)::numeric, 2),
              '1 Main St', '1 Main St', 'Mozilla/5.0', '10.0.0.1', t,
              CASE WHEN attributed THEN t - random() * interval '1 hour' END,
              random() < 0.97, false, random() < 0.01, (u % 6), t, t
         FROM (SELECT g, 1 + floor(random() * $2::int)::int AS u, floor(random() * $3::int)::int AS p,
                      to_timestamp($4::float8 / 1000) - random() * ($5::int * interval '1 day') AS t,
                      random() < 0.85 AS attributed
                 FROM generate_series(1, $1::int) g) s`,
      [ROWS, USERS, PRODUCTS, end, DAYS],
    );
    await pool.query('VACUUM ANALYZE commerce.attributed_checkouts');
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    log(`loaded in ${loadSeconds.toFixed(1)} s`);

    const r = seeded(7);
    const cases = Array.from({ length: QUERIES }, () => randomCase(r, end));
    const timed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
      const started = performance.now();
      const result = await fn();
      return [result, performance.now() - started];
    };

    // Warm the cache as a running app would be (the same mix, unmeasured).
    for (const c of cases.slice(0, 20)) await listCheckouts(prisma, c.query);

    const page: number[] = [];
    const firstPage: number[] = [];
    const deeperPage: number[] = [];
    const byLabel = new Map<string, number[]>();
    let slowest = { ms: 0, label: '', query: cases[0]!.query };
    const detailIds: string[] = [];
    for (const c of cases) {
      let [result, ms] = await timed(() => listCheckouts(prisma, c.query));
      page.push(ms);
      firstPage.push(ms);
      byLabel.set(c.label, [...(byLabel.get(c.label) ?? []), ms]);
      if (ms > slowest.ms) slowest = { ms, label: c.label, query: c.query };
      if (result.rows[0]) detailIds.push(result.rows[0].checkoutId);
      for (let d = 0; d < c.depth && result.nextCursor; d++) {
        const next = {
          ...c.query,
          after: checkoutQuerySchema.parse({ after: result.nextCursor }).after,
        };
        [result, ms] = await timed(() => listCheckouts(prisma, next));
        page.push(ms);
        deeperPage.push(ms);
        if (ms > slowest.ms) slowest = { ms, label: `${c.label} (page ${d + 2})`, query: next };
      }
    }

    const detail: number[] = [];
    for (const id of detailIds.slice(0, 100))
      detail.push((await timed(() => getCheckout(prisma, id)))[1]);
    const dashboardFeed: number[] = [];
    const dashboardWindow: number[] = [];
    for (let i = 0; i < 30; i++) {
      dashboardFeed.push((await timed(() => newestAttributed(prisma)))[1]);
      dashboardWindow.push((await timed(() => windowAggregates(prisma, end)))[1]);
    }

    const { sql, params } = checkoutPageSql(await resolveUser(prisma, slowest.query));
    const plan = await pool.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (ANALYZE, BUFFERS) ${sql}`,
      params,
    );
    const version = await pool.query<{ server_version: string }>('SHOW server_version');

    const results = {
      benchmark: 'checkout-browser',
      at: new Date().toISOString(),
      rows: ROWS,
      users: USERS,
      products: PRODUCTS,
      days: DAYS,
      queries: QUERIES,
      loadSeconds: Math.round(loadSeconds * 10) / 10,
      machine: {
        cpus: os.cpus().length,
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        node: process.version,
        postgres: version.rows[0]?.server_version,
      },
      pageQuery: latencySummary(page, 2),
      firstPage: latencySummary(firstPage, 2),
      deeperPages: latencySummary(deeperPage, 2),
      detail: latencySummary(detail, 2),
      dashboardFeed: latencySummary(dashboardFeed, 2),
      dashboardWindowAggregates: latencySummary(dashboardWindow, 2),
      byFilter: Object.fromEntries(
        [...byLabel.entries()]
          .sort((a, b) => b[1].length - a[1].length)
          .map(([k, v]) => [k, latencySummary(v, 2)]),
      ),
      slowest: {
        label: slowest.label,
        ms: Math.round(slowest.ms * 100) / 100,
        plan: plan.rows.map((p) => p['QUERY PLAN']),
      },
    };

    console.log('');
    console.log(
      `checkout browser on ${ROWS.toLocaleString('en-US')} rows, ${QUERIES} random filter mixes`,
    );
    const line = (name: string, s: ReturnType<typeof latencySummary>) =>
      console.log(
        `  ${name.padEnd(30)} n=${String(s.count).padStart(4)}  p50 ${s.p50Ms.toFixed(2).padStart(8)} ms  p95 ${s.p95Ms.toFixed(2).padStart(8)} ms  max ${s.maxMs.toFixed(2).padStart(8)} ms`,
      );
    line('page query (all pages)', results.pageQuery);
    line('  first pages', results.firstPage);
    line('  deeper pages (cursor)', results.deeperPages);
    line('detail lookup', results.detail);
    line('dashboard feed (per second)', results.dashboardFeed);
    line('dashboard window aggregates', results.dashboardWindowAggregates);
    console.log(`  slowest: ${results.slowest.label} (${results.slowest.ms} ms)`);

    const dir = path.join(projectRoot, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'checkout-browser.json');
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    log(`wrote ${path.relative(projectRoot, file)}`);
  } finally {
    await prisma.$disconnect();
    await pool.end();
    await db.drop();
    log(`dropped ${db.name}`);
  }
}

main().catch((error: unknown) => {
  console.error(
    `[bench] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  process.exit(1);
});
