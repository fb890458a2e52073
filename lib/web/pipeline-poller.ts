// The server-side loop behind the live dashboard: every second it scrapes every worker's /metrics
// and /stats, reads the sink's newest rows (and, every few seconds, its window aggregates), and
// hands one PipelineSnapshot to its listener (server.ts emits it over socket.io). It keeps the
// last few minutes of points so a new browser sees history at once. Ticks never overlap.
import type { Db } from '../db/client.ts';
import { CounterMeter, histogramQuantile, type CounterReadings } from './pipeline-meter.ts';
import type { FeedRow, PipelineSnapshot, SeriesPoint } from './pipeline-snapshot.ts';
import { SERIES, counterReadings, summarizeWorkers } from './pipeline-summary.ts';
import { newestAttributed, windowAggregates, type WindowAggregates } from './sink-queries.ts';
import { scrapeWorker } from './worker-endpoints.ts';

export interface PipelinePollerOptions {
  /** The request-time client (under the web's statement_timeout); made on first use. */
  db: () => Db;
  workerUrls: readonly string[];
  intervalMs?: number;
  /** How often the heavier sink aggregates run. */
  aggregateEveryMs?: number;
  /** Points of history kept for new browsers. */
  historySize?: number;
  /** While false (no browser watching), only the workers are scraped, to keep rates warm. */
  isWatched?: () => boolean;
  onSnapshot?: (snapshot: PipelineSnapshot) => void;
  log?: (message: string) => void;
}

/** Seconds of silence after which the pipeline counts as not flowing. */
const FLOW_QUIET_MS = 15_000;

export class PipelinePoller {
  private readonly meter = new CounterMeter();
  private readonly points: SeriesPoint[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private snapshot: PipelineSnapshot | null = null;
  private aggregates: WindowAggregates | null = null;
  private aggregatesAt = 0;
  private feed: FeedRow[] = [];
  private lastEventsAt = 0;
  private lastSinkError: string | undefined;

  constructor(private o: PipelinePollerOptions) {}

  /** Who hears about snapshots, and whether anyone watches (set by server.ts once socket.io is up). */
  setListener(listener: Pick<PipelinePollerOptions, 'onSnapshot' | 'isWatched'>): void {
    this.o = { ...this.o, ...listener };
  }

  start(): void {
    if (this.timer) return;
    const tick = () => {
      if (this.running) return;
      this.running = this.tick()
        .then(() => undefined)
        .catch((error: unknown) => this.o.log?.(`pipeline poll failed: ${String(error)}`))
        .finally(() => {
          this.running = undefined;
        });
    };
    tick();
    this.timer = setInterval(tick, this.o.intervalMs ?? 1_000);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  latest(): PipelineSnapshot | null {
    return this.snapshot;
  }

  history(): SeriesPoint[] {
    return [...this.points];
  }

  /** One round; exposed so tests can drive the poller without timers. */
  async tick(now = Date.now()): Promise<PipelineSnapshot> {
    const scrapes = await Promise.all(this.o.workerUrls.map((url) => scrapeWorker(url)));
    const readings = new Map<string, CounterReadings>();
    for (const s of scrapes) if (s.up) readings.set(s.url, counterReadings(s));
    this.meter.observe(now, readings);
    const summary = summarizeWorkers(scrapes, now);
    const anyUp = scrapes.some((s) => s.up);

    const watched = this.o.isWatched?.() ?? true;
    if (watched) await this.readSink(now);

    const eventsPerSec = anyUp ? this.meter.rate([SERIES.events], 3_000) : null;
    const checkoutsPerSec = anyUp
      ? this.meter.rate([SERIES.attributed, SERIES.unattributed], 5_000)
      : null;
    const recentEvents = this.meter.rate([SERIES.events], 1_500);
    if ((recentEvents ?? 0) > 0) this.lastEventsAt = now;
    const latency = new Map<number, number>();
    for (const [le, count] of this.meter.deltasByPrefix(SERIES.latencyPrefix, 10_000)) {
      latency.set(le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), count);
    }

    const sink = this.aggregates?.window ?? null;
    const attributionRate = sink && sink.rows > 0 ? sink.attributed / sink.rows : null;
    const lastRowWrittenAt = this.aggregates?.lastRowWrittenAt ?? null;
    const point: SeriesPoint = {
      t: now,
      eventsPerSec,
      checkoutsPerSec,
      consumerLag: summary.consumerLag,
      watermarkDelaySec: summary.watermarkDelaySec,
      attributionRate,
    };
    this.points.push(point);
    const keep = this.o.historySize ?? 300;
    if (this.points.length > keep) this.points.splice(0, this.points.length - keep);

    const snapshot: PipelineSnapshot = {
      at: now,
      workers: summary.workers,
      partitions: summary.partitions,
      lag: summary.lag,
      eventsByTopic: summary.eventsByTopic,
      deadLettersByReason: summary.deadLettersByReason,
      figures: {
        eventsPerSec,
        checkoutsPerSec,
        attributionRate,
        attributedRevenue: sink ? sink.attributedRevenue : null,
        consumerLag: summary.consumerLag,
        watermarkDelaySec: summary.watermarkDelaySec,
        stateKeys: summary.stateKeys,
        stateClicks: summary.stateClicks,
        stateBytes: summary.stateBytes,
        lateEvents: summary.lateEvents,
        deadLetters: summary.deadLetters,
        endToEndP95Sec: histogramQuantile(0.95, latency),
      },
      point,
      feed: this.feed,
      topProducts: this.aggregates?.topProducts ?? [],
      histogram: this.aggregates?.histogram ?? [],
      sink,
      ...(this.lastSinkError !== undefined ? { sinkError: this.lastSinkError } : {}),
      flowing:
        now - this.lastEventsAt < FLOW_QUIET_MS ||
        (lastRowWrittenAt !== null && now - lastRowWrittenAt < FLOW_QUIET_MS),
      lastRowWrittenAt,
    };
    this.snapshot = snapshot;
    this.o.onSnapshot?.(snapshot);
    return snapshot;
  }

  private async readSink(now: number): Promise<void> {
    try {
      this.feed = await newestAttributed(this.o.db());
      if (!this.aggregates || now - this.aggregatesAt >= (this.o.aggregateEveryMs ?? 2_000)) {
        this.aggregates = await windowAggregates(this.o.db(), now);
        this.aggregatesAt = now;
      }
      if (this.lastSinkError !== undefined) this.o.log?.('sink readable again');
      this.lastSinkError = undefined;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (this.lastSinkError !== message) this.o.log?.(`cannot read the sink: ${message}`);
      this.lastSinkError = message;
    }
  }
}
