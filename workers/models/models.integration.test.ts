// The dbt project against a real lake (Delta tables written by delta-rs) and a real PostgreSQL:
// `dbt build` on a generated stream gives, row by row, the attribution the rule gives
// (test/domain/oracle.ts); an incremental run after a second export with late clicks
// recomputes exactly the dates they change, across midnight; a full refresh gives the same
// rows; reconciliation reports 100% agreement when the speed layer saw the same on-time events;
// the run is recorded as a JobRun. The lake is written by the real lake export from messages
// produced to real Kafka topics (test/models/lake-fixture/export-through-kafka.ts).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, projectRoot } from '../../lib/config.ts';
import { createPrisma, type PrismaClient } from '../../lib/db/client.ts';
import { createTestDatabase, type TestDatabase } from '../../test/db/test-database.ts';
import { attributeBruteForce, type Attribution } from '../../test/domain/oracle.ts';
import type { Checkout, Click } from '../../lib/domain/events.ts';
import {
  naiveTimestamp,
  userName,
  type GeneratedMessage,
} from '../../lib/simulator/stream-generator.ts';
import { ensurePythonEnv, venvBin } from '../../scripts/python-env.ts';
import type { SpeedRow } from '../../test/models/lake-fixture/build-lake-fixture.ts';
import {
  createKafkaLakeEnv,
  exportThroughKafka,
  type KafkaLakeEnv,
  type LakeMessage,
} from '../../test/models/lake-fixture/export-through-kafka.ts';
import { backfillStream, parseStream } from '../../test/models/lake-fixture/generated-stream.ts';
import { campaignOf, channelOf } from '../../lib/domain/channel.ts';
import { ATTRIBUTION_MODELS } from '../../lib/jobs/models-contract.ts';
import { JobAlreadyActiveError } from '../../lib/jobs/job-run.ts';
import { JobRunStore } from '../../lib/jobs/job-run-store.ts';
import {
  runModels,
  type ModelsRunProgress,
  type ModelsRunResult,
  type RunModelsOptions,
} from './run-models.ts';

const run = promisify(execFile);
const HOUR = 3_600_000;
const USERS = 20; // users 0..19 exist; the stream uses ids 1..20, so user 20 is unknown (case 13)
const DAY1 = Date.UTC(2024, 2, 1);
const DAY2 = Date.UTC(2024, 2, 2);
const DAY3 = Date.UTC(2024, 2, 3);

/** The rule, applied per (user, product): the same answer as on the whole input, far cheaper. */
function ruleAttribution(
  clicks: readonly Click[],
  checkouts: readonly Checkout[],
): Map<string, Attribution> {
  const groups = new Map<string, { clicks: Click[]; checkouts: Checkout[] }>();
  const group = (userId: number, productId: string) => {
    const key = `${userId}/${productId}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { clicks: [], checkouts: [] }));
    return g;
  };
  // Ids are unique across keys in a generated stream; dedupe globally first anyway, as the rule says.
  const seen = new Set<string>();
  for (const k of clicks)
    if (!seen.has(k.clickId) && seen.add(k.clickId)) group(k.userId, k.productId).clicks.push(k);
  const out = new Map<string, Attribution>();
  for (const c of checkouts)
    if (!out.has(c.checkoutId))
      out.set(c.checkoutId, { checkoutId: c.checkoutId, clickId: null, clickTime: null });
  for (const c of checkouts) group(c.userId, c.productId).checkouts.push(c);
  for (const g of groups.values()) {
    const rows = attributeBruteForce(
      g.clicks.map((k) => ({
        clickId: k.clickId,
        userId: k.userId,
        productId: k.productId,
        time: k.time,
      })),
      g.checkouts.map((c) => ({
        checkoutId: c.checkoutId,
        userId: c.userId,
        productId: c.productId,
        time: c.time,
      })),
    );
    for (const r of rows) out.set(r.checkoutId, r);
  }
  return out;
}

function speedRows(checkouts: readonly Checkout[], rule: Map<string, Attribution>): SpeedRow[] {
  const seen = new Set<string>();
  return checkouts
    .filter((c) => !seen.has(c.checkoutId) && seen.add(c.checkoutId))
    .map((c) => {
      const a = rule.get(c.checkoutId)!;
      const known = c.userId < USERS;
      return {
        checkoutId: c.checkoutId,
        userId: c.userId,
        userName: known ? userName(c.userId) : '',
        clickId: a.clickId,
        productId: c.productId,
        totalAmount: c.totalAmount,
        checkoutTime: c.time,
        clickTime: a.clickTime,
        isFinal: true,
        isUnknownUser: !known,
        isLate: false,
      };
    });
}

/** A click message in the wire format, as a late producer would send it. */
function lateClick(clickId: string, c: Checkout, time: number): GeneratedMessage {
  const value = JSON.stringify({
    click_id: clickId,
    user_id: c.userId,
    product_id: c.productId,
    product: 'Late Product',
    price: 1.5,
    // A campaign click (email): the first click of its checkout, so the published channel shows.
    url: 'https://shop.example.com/late?utm_source=newsletter&utm_medium=email&utm_campaign=Late',
    user_agent: 'late-agent',
    ip_address: '10.0.0.1',
    datetime_occured: naiveTimestamp(time),
  });
  return { topic: 'clicks', value, eventTime: time, kind: 'late' };
}

/** A checkout of `click`'s user and product at `time`, in the wire format. */
function lateCheckout(checkoutId: string, click: Click, time: number): GeneratedMessage {
  const value = JSON.stringify({
    checkout_id: checkoutId,
    user_id: click.userId,
    product_id: click.productId,
    payment_method: 'card',
    total_amount: 12.5,
    shipping_address: 'a',
    billing_address: 'b',
    user_agent: 'late-agent',
    ip_address: '10.0.0.1',
    datetime_occured: naiveTimestamp(time),
  });
  return { topic: 'checkouts', value, eventTime: time, kind: 'late' };
}

interface FctRow {
  checkout_id: string;
  checkout_date: string;
  click_id: string | null;
  click_ms: number | null;
  is_attributed: boolean;
  time_to_purchase_ms: number | null;
  lake_ingested_through_ms: number;
}

describe('dbt models over the lake', () => {
  let workDir: string;
  let python: string;
  let db: TestDatabase;
  let prisma: PrismaClient;
  let lakeEnv: KafkaLakeEnv;
  let options: RunModelsOptions;
  const messages = [
    ...backfillStream({
      end: DAY3 + 2 * HOUR,
      hours: 50,
      clicksPerSecond: 1,
      seed: 3,
      settings: { users: USERS, products: 10, duplicateShare: 0.02, malformedShare: 0.002 },
    }),
  ];
  const cut = messages.findIndex((m) => m.eventTime !== null && m.eventTime >= DAY3 + HOUR);
  const export1 = messages.slice(0, cut);
  const stream1 = parseStream(export1);
  const rule1 = ruleAttribution(stream1.clicks, stream1.checkouts);

  // Late clicks of the second export: one for a midday checkout of day 2, one at 23:30-ish on
  // day 2 for a checkout in the first hour of day 3 (its window crosses midnight). Each is the
  // earliest candidate of its checkout, so the right answer changes.
  // A checkout in [from, to) with no click of its own in the first second of its window, so a
  // click there is its earliest candidate.
  const pick = (from: number, to: number) =>
    stream1.checkouts.find(
      (c) =>
        c.time >= from &&
        c.time < to &&
        !stream1.clicks.some(
          (k) =>
            k.userId === c.userId &&
            k.productId === c.productId &&
            k.time >= c.time - HOUR &&
            k.time <= c.time - HOUR + 1000,
        ),
    )!;
  const midday = pick(DAY2 + 12 * HOUR, DAY2 + 13 * HOUR);
  const afterMidnight = pick(DAY3 + 20 * 60_000, DAY3 + 40 * 60_000);
  const lateMessages = [
    lateClick('late-midday', midday, midday.time - HOUR + 1000),
    lateClick('late-midnight', afterMidnight, afterMidnight.time - HOUR + 1000),
  ];
  // A checkout of day 1 that its producer stamped in 1970 (a clock behind): produced after the
  // first run, it is older than everything that run read, and still needs its row.
  const stampedLate = stream1.clicks.find(
    (k) => k.time >= DAY1 + 14 * HOUR && k.time < DAY1 + 15 * HOUR,
  )!;
  const oldStamped: LakeMessage = {
    ...lateCheckout('old-stamped', stampedLate, stampedLate.time + 60_000),
    kafkaTimestamp: '1000',
  };
  const export2 = [...messages.slice(cut), ...lateMessages, oldStamped];
  const streamAll = parseStream([...export1, ...export2]);
  const ruleAll = ruleAttribution(streamAll.clicks, streamAll.checkouts);
  const users = Array.from({ length: USERS }, (_, id) => ({ id, username: userName(id) }));

  async function query<T>(sql: string): Promise<T[]> {
    const code = [
      'import duckdb, json, sys',
      'con = duckdb.connect(sys.argv[1], read_only=True)',
      // A query over a second or two draws a progress bar on standard output.
      "con.execute('set enable_progress_bar = false')",
      'cur = con.execute(sys.argv[2])',
      'names = [d[0] for d in cur.description]',
      'print(json.dumps([dict(zip(names, r)) for r in cur.fetchall()], default=str))',
    ].join('\n');
    const { stdout } = await run(python, ['-c', code, options.warehousePath!, sql], {
      maxBuffer: 1 << 28,
    });
    return JSON.parse(stdout) as T[];
  }

  const fctRows = () =>
    query<FctRow>(`
      select checkout_id, cast(checkout_date as varchar) as checkout_date, click_id,
             epoch_ms(click_time) as click_ms, is_attributed, time_to_purchase_ms,
             epoch_ms(lake_ingested_through) as lake_ingested_through_ms
      from marts.fct_checkout_attribution`);

  function expectRule(rows: FctRow[], rule: Map<string, Attribution>): void {
    expect(rows.length).toBe(rule.size);
    const mismatches = rows.filter((r) => {
      const want = rule.get(r.checkout_id);
      return !want || want.clickId !== r.click_id || want.clickTime !== r.click_ms;
    });
    expect(mismatches.slice(0, 5)).toEqual([]);
  }

  async function build(
    extra: Partial<RunModelsOptions> = {},
  ): Promise<{ result: ModelsRunResult; progress: ModelsRunProgress[] }> {
    const progress: ModelsRunProgress[] = [];
    const result = await runModels({ ...options, ...extra }, (p) => progress.push(p));
    if (!result.ok)
      throw new Error(
        `dbt build failed: ${JSON.stringify({ failures: result.failures, errors: result.errors })}`,
      );
    return { result, progress };
  }

  beforeAll(async () => {
    python = await ensurePythonEnv();
    workDir = mkdtempSync(path.join(tmpdir(), 'models-it-'));
    const config = loadConfig();
    db = await createTestDatabase(config.DATABASE_URL);
    prisma = createPrisma(db.url);
    // The publication replaces millions of rows: an autovacuum worker on them (not this role's
    // process) would make the final DROP DATABASE … WITH (FORCE) fail to terminate it.
    await prisma.$executeRaw`ALTER TABLE commerce.attribution_credits SET (autovacuum_enabled = false)`;
    await prisma.$executeRaw`ALTER TABLE commerce.attribution_by_channel SET (autovacuum_enabled = false)`;
    lakeEnv = await createKafkaLakeEnv({
      brokers: config.KAFKA_BROKERS,
      databaseUrl: db.url,
      lakeUri: path.join(workDir, 'lake'),
    });
    options = {
      dbt: venvBin('dbt'),
      baseDir: projectRoot,
      target: 'local',
      lakeUri: path.join(workDir, 'lake'),
      warehousePath: path.join(workDir, 'warehouse.duckdb'),
      generateDocs: false,
      prisma,
      // Publishing ~3 M credit rows (this dense stream: ~19 candidates a checkout) takes minutes:
      // only the publication test does it.
      publishAttribution: false,
    };
  }, 900_000);

  afterAll(async () => {
    await lakeEnv?.cleanup();
    await prisma?.$disconnect();
    await db?.drop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  /** lake_ingested_through of the rows the first build wrote. */
  let firstRunIngestedThrough = 0;

  it('sanity: the stream crosses midnight twice, has duplicates, ties, an unknown user and bad messages', () => {
    expect(
      stream1.checkouts.some((c) => c.time >= DAY1 && c.time < DAY2) &&
        stream1.checkouts.some((c) => c.time >= DAY3),
    ).toBe(true);
    expect(new Set(stream1.clicks.map((k) => k.clickId)).size).toBeLessThan(stream1.clicks.length);
    expect(stream1.checkouts.some((c) => c.userId === USERS)).toBe(true);
    expect(export1.some((m) => m.kind === 'malformed')).toBe(true);
    // The late clicks change the answer for their checkouts.
    expect(rule1.get(midday.checkoutId)!.clickId).not.toBe('late-midday');
    expect(ruleAll.get(midday.checkoutId)!.clickId).toBe('late-midday');
    expect(ruleAll.get(afterMidnight.checkoutId)!.clickId).toBe('late-midnight');
    expect(new Date(afterMidnight.time - HOUR + 1000).getUTCDate()).toBe(2);
  });

  it('builds every model and test, attributes every checkout as the rule does, and records the run', async () => {
    const exported = await exportThroughKafka(lakeEnv, {
      messages: export1,
      users,
      speedRows: speedRows(stream1.checkouts, rule1),
    });
    expect(exported.tables.dead_letters.rowsAdded).toBeGreaterThan(0);
    expect(exported.tables.clicks.rowsAdded).toBe(stream1.clicks.length);

    const { result, progress } = await build();
    expect(result.jobId).toEqual(expect.any(String));
    expect(result.counts.error + result.counts.fail + result.counts.skipped).toBe(0);
    expect(result.counts.success).toBeGreaterThanOrEqual(15);
    expect(
      result.nodes.filter((n) => n.resourceType === 'unit_test').length,
    ).toBeGreaterThanOrEqual(13);
    // Live progress reported every node on its way to the end.
    expect(progress.some((p) => p.nodes.some((n) => n.status === 'running'))).toBe(true);
    expect(progress.at(-1)).toMatchObject({ phase: 'done', done: progress.at(-1)!.total });

    const rows = await fctRows();
    expectRule(rows, rule1);
    firstRunIngestedThrough = rows[0]!.lake_ingested_through_ms;

    const days = result.reconciliation!.days;
    expect(days.map((d) => d.checkoutDate)).toEqual(['2024-03-01', '2024-03-02', '2024-03-03']);
    for (const d of days)
      expect(d).toMatchObject({
        agreementPct: 100,
        differingCheckouts: 0,
        allCheckouts: d.batchCheckouts,
      });
    expect(result.reconciliation!.differences).toEqual([]);

    const job = await prisma.jobRun.findUniqueOrThrow({ where: { id: result.jobId! } });
    expect(job).toMatchObject({ kind: 'models', status: 'succeeded', error: null });
    expect(job.finishedAt).not.toBeNull();
    expect((job.result as { ok: boolean }).ok).toBe(true);
    expect((job.progress as { nodes: unknown[] }).nodes.length).toBe(result.nodes.length);
  }, 600_000);

  it('keeps unknown users with an empty name, and names known users as of the checkout', async () => {
    const rows = await query<{
      user_id: number;
      user_name: string;
      is_unknown_user: boolean;
      n: number;
    }>(`
      select user_id, user_name, is_unknown_user, count(*) as n from marts.obt_checkouts
      group by 1, 2, 3 order by 1`);
    const unknown = rows.filter((r) => r.is_unknown_user);
    expect(unknown).toEqual([
      { user_id: USERS, user_name: '', is_unknown_user: true, n: expect.any(Number) },
    ]);
    expect(unknown[0]!.n).toBe(
      new Set(stream1.checkouts.filter((c) => c.userId === USERS).map((c) => c.checkoutId)).size,
    );
    for (const r of rows.filter((x) => !x.is_unknown_user))
      expect(r.user_name).toBe(userName(r.user_id));
  });

  it('recomputes, incrementally, exactly the dates a later export changes, late clicks across midnight included', async () => {
    await exportThroughKafka(lakeEnv, {
      messages: export2,
      users,
      speedRows: speedRows(streamAll.checkouts, ruleAll),
    });
    const { result } = await build();
    const rows = await fctRows();
    expectRule(rows, ruleAll);
    expect(rows.find((r) => r.checkout_id === midday.checkoutId)?.click_id).toBe('late-midday');
    expect(rows.find((r) => r.checkout_id === afterMidnight.checkoutId)?.click_id).toBe(
      'late-midnight',
    );

    // The checkout stamped in 1970 has its row, attributed as the rule says (expectRule above).
    expect(rows.find((r) => r.checkout_id === 'old-stamped')?.click_id).toBe(
      ruleAll.get('old-stamped')!.clickId,
    );
    // Days 2 and 3 were recomputed for their late clicks, day 1 for that checkout alone.
    const writtenBy = (date: string) => [
      ...new Set(
        rows.filter((r) => r.checkout_date === date).map((r) => r.lake_ingested_through_ms),
      ),
    ];
    const secondRun = writtenBy('2024-03-02');
    expect(secondRun).toHaveLength(1);
    expect(secondRun[0]).toBeGreaterThan(firstRunIngestedThrough);
    expect(writtenBy('2024-03-03')).toEqual(secondRun);
    expect(writtenBy('2024-03-01')).toEqual(secondRun);

    for (const d of result.reconciliation!.days) expect(d.agreementPct).toBe(100);
  }, 600_000);

  // The attribution models' credits (~3 M rows here) as a count and an order-free sum of row
  // hashes: two builds with equal figures wrote the same rows.
  const creditRows = () =>
    query<Record<string, unknown>>(`
      select model, count(*) as credits,
             cast(sum(cast(hash(checkout_id, click_id, click_position, candidate_count, weight,
                                credited_amount, channel, campaign) as hugeint)) as varchar) as row_hashes
      from marts.fct_attribution_credits
      group by model order by model`);

  it('gives the same rows on a full refresh', async () => {
    const strip = (rows: FctRow[]) =>
      rows
        .map(({ lake_ingested_through_ms: _ignored, ...rest }) => rest)
        .sort((a, b) => (a.checkout_id < b.checkout_id ? -1 : 1));
    const incremental = strip(await fctRows());
    const incrementalCredits = await creditRows();
    expect(incrementalCredits).toHaveLength(5);
    await build({ fullRefresh: true });
    expect(strip(await fctRows())).toEqual(incremental);
    expect(await creditRows()).toEqual(incrementalCredits);
  }, 600_000);

  it('publishes the attribution models to PostgreSQL: cent-exact credits, first click as the rule, revenue by channel', async () => {
    const { result, progress } = await build({ publishAttribution: true });
    expect(progress.some((p) => p.phase === 'publish')).toBe(true);
    expect(progress.at(-1)!.publish).toEqual({
      credits: result.attribution!.credits,
      byChannel: result.attribution!.byChannel,
    });
    const amounts = new Map<string, string>();
    for (const c of streamAll.checkouts)
      if (!amounts.has(c.checkoutId)) amounts.set(c.checkoutId, c.totalAmount);
    const urls = new Map(streamAll.clicks.map((k) => [k.clickId, k.url]));

    const [published] = await prisma.$queryRaw<{ credits: bigint; by_channel: bigint }[]>`
      SELECT (SELECT count(*) FROM commerce.attribution_credits) AS credits,
             (SELECT count(*) FROM commerce.attribution_by_channel) AS by_channel`;
    expect(result.attribution).toMatchObject({
      credits: Number(published!.credits),
      byChannel: Number(published!.by_channel),
      overflowRows: 0,
    });

    // Per attributed checkout and model, the credits sum to its amount exactly.
    const sums = await prisma.$queryRaw<{ checkout_id: string; model: string; total: string }[]>`
      SELECT checkout_id, model, sum(credited_amount)::text AS total
      FROM commerce.attribution_credits GROUP BY checkout_id, model`;
    const attributed = [...ruleAll.values()].filter((a) => a.clickId !== null);
    expect(sums.length).toBe(attributed.length * ATTRIBUTION_MODELS.length);
    const wrongSums = sums.filter((s) => amounts.get(s.checkout_id) !== s.total);
    expect(wrongSums.slice(0, 5)).toEqual([]);

    // First click is the rule's click, checkout by checkout, with the click's channel and
    // campaign as lib/domain/channel.ts reads its URL.
    const firstClicks = await prisma.attributionCredit.findMany({
      where: { model: 'first_click' },
    });
    expect(firstClicks.length).toBe(attributed.length);
    const notTheRule = firstClicks.filter(
      (r) =>
        ruleAll.get(r.checkoutId)?.clickId !== r.clickId ||
        r.channel !== channelOf(urls.get(r.clickId)!) ||
        r.campaign !== campaignOf(urls.get(r.clickId)!),
    );
    expect(notTheRule.slice(0, 5)).toEqual([]);
    expect(firstClicks.find((r) => r.checkoutId === midday.checkoutId)).toMatchObject({
      clickId: 'late-midday',
      channel: 'email',
      campaign: 'Late',
    });

    // Under every model, revenue by channel (unattributed included) adds up to all revenue.
    const cents = (text: string) => BigInt(text.replace('.', ''));
    const revenue = [...amounts.values()].reduce((sum, a) => sum + cents(a), 0n);
    const byModel = await prisma.$queryRaw<{ model: string; total: string }[]>`
      SELECT model, sum(credited_amount)::text AS total
      FROM commerce.attribution_by_channel GROUP BY model ORDER BY model`;
    expect(byModel.map((m) => m.model)).toEqual([...ATTRIBUTION_MODELS].sort());
    for (const m of byModel) expect(cents(m.total)).toBe(revenue);
    const [unattributed] = await prisma.$queryRaw<{ checkouts: bigint }[]>`
      SELECT sum(checkouts) AS checkouts FROM commerce.attribution_by_channel
      WHERE model = 'linear' AND channel = 'unattributed'`;
    expect(Number(unattributed!.checkouts)).toBe(ruleAll.size - attributed.length);
  }, 600_000);

  it('reports the disagreements: a speed layer missing a checkout and one that attributed another click', async () => {
    const speed = speedRows(streamAll.checkouts, ruleAll);
    const changed = speed.find((r) => r.clickId !== null)!;
    const dropped = speed.find((r) => r !== changed)!;
    const altered = speed
      .filter((r) => r !== dropped)
      .map((r) => (r === changed ? { ...r, clickId: 'some-other-click' } : r));
    await exportThroughKafka(lakeEnv, { messages: [], users, speedRows: altered });
    const { result } = await build({ select: 'int_layer_comparison+' });
    const r = result.reconciliation!;
    expect(r.days.reduce((s, d) => s + d.differingCheckouts, 0)).toBe(2);
    expect(r.differences.map((d) => [d.checkoutId, d.reason]).sort()).toEqual(
      [
        [dropped.checkoutId, 'missing_in_speed'],
        [changed.checkoutId, 'other_click'],
      ].sort(),
    );
    const job = await prisma.jobRun.findUniqueOrThrow({ where: { id: result.jobId! } });
    expect(job.status).toBe('succeeded');
  }, 600_000);

  it('refuses to start while another models run is going', async () => {
    // Another worker's run, heartbeating (its lease is fresh): this one must not start.
    const running = await new JobRunStore(prisma).start('models', 'jobs 1@elsewhere');
    await expect(runModels(options)).rejects.toBeInstanceOf(JobAlreadyActiveError);
    await prisma.jobRun.update({
      where: { id: running.id },
      data: { status: 'failed', finishedAt: new Date() },
    });
  });
});
