// The one traffic simulator of the web process: seeds reference data, runs live traffic and a
// backfill (at most one of each at a time) through lib/simulator/traffic.ts, and reports its
// status. Topics are created on first use (the broker does not auto-create them). Everything it
// counts is what it sent, not what the pipeline did.
import type { Kafka } from 'kafkajs';
import type { Db } from '../db/client.ts';
import { clickstreamTopicSpecs, ensureTopics } from '../kafka/topics.ts';
import type { Config } from '../config.ts';
import { defaultGeneratorSettings, type GeneratorSettings } from '../simulator/stream-generator.ts';
import {
  backfill,
  seedReferenceData,
  startLiveTraffic,
  type LiveTraffic,
  type TrafficProgress,
} from '../simulator/traffic.ts';
import type { BackfillSettings, LiveTrafficSettings } from './schemas.ts';
import type {
  BackfillStatus,
  LiveStatus,
  SentCounts,
  SimulatorStatus,
} from './simulator-status.ts';

/** The request conflicts with what runs now (HTTP 409). */
export class SimulatorConflict extends Error {}

type StreamSettings = Pick<
  LiveTrafficSettings,
  | 'users'
  | 'products'
  | 'checkoutProbability'
  | 'clickToCheckoutSec'
  | 'outOfOrderShare'
  | 'lateShare'
  | 'duplicateShare'
  | 'malformedShare'
  | 'channelMix'
>;

/** The generator's settings for a validated stream shape. */
export function generatorSettings(s: StreamSettings, allowedLatenessMs: number): GeneratorSettings {
  return {
    ...defaultGeneratorSettings,
    users: s.users,
    products: s.products,
    checkoutProbability: s.checkoutProbability,
    clickToCheckoutMs: {
      min: Math.round(s.clickToCheckoutSec.min * 1000),
      max: Math.round(s.clickToCheckoutSec.max * 1000),
    },
    outOfOrderShare: s.outOfOrderShare,
    lateShare: s.lateShare,
    duplicateShare: s.duplicateShare,
    malformedShare: s.malformedShare,
    allowedLatenessMs,
    channelMix: s.channelMix.weights,
  };
}

/** Clicks per second that give `eventsPerSec` events, each click bringing p checkouts. */
export function clicksPerSecond(eventsPerSec: number, checkoutProbability: number): number {
  return eventsPerSec / (1 + checkoutProbability);
}

const noCounts = (): SentCounts => ({
  sent: 0,
  clicks: 0,
  checkouts: 0,
  malformed: 0,
  duplicates: 0,
  late: 0,
  renames: 0,
  channels: {},
});

const countsOf = (p: TrafficProgress): SentCounts => ({
  sent: p.sent,
  clicks: p.clicks,
  checkouts: p.checkouts,
  malformed: p.malformed,
  duplicates: p.duplicates,
  late: p.late,
  renames: p.renames,
  channels: { ...p.channels },
});

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export interface SimulatorControllerOptions {
  config: Pick<
    Config,
    | 'CLICKS_TOPIC'
    | 'CHECKOUTS_TOPIC'
    | 'TOPIC_PARTITIONS'
    | 'TOPIC_REPLICATION_FACTOR'
    | 'ALLOWED_LATENESS_MS'
  >;
  /** The simulator's own connection (seeding 100k users outlasts a request's timeout). */
  db: Db;
  kafka: () => Kafka;
  log?: (message: string) => void;
}

export class SimulatorController {
  private live: LiveStatus = {
    state: 'stopped',
    settings: null,
    startedAt: null,
    stoppedAt: null,
    counts: noCounts(),
    sendRate: 0,
    error: null,
  };
  private backfillStatus: BackfillStatus = {
    state: 'idle',
    settings: null,
    startedAt: null,
    finishedAt: null,
    fraction: 0,
    counts: noCounts(),
    etaSec: null,
    error: null,
  };
  private seeded: SimulatorStatus['seeded'] = null;
  private traffic: LiveTraffic | undefined;
  private backfillAbort: AbortController | undefined;
  private backfillRun: Promise<void> | undefined;
  private topicsReady: Promise<void> | undefined;
  private rateSamples: { at: number; sent: number }[] = [];

  constructor(private readonly o: SimulatorControllerOptions) {}

  private get topics() {
    return { clicks: this.o.config.CLICKS_TOPIC, checkouts: this.o.config.CHECKOUTS_TOPIC };
  }

  status(): SimulatorStatus {
    return {
      live: { ...this.live, counts: { ...this.live.counts }, sendRate: this.measuredRate() },
      backfill: { ...this.backfillStatus, counts: { ...this.backfillStatus.counts } },
      seeded: this.seeded,
      topics: this.topics,
    };
  }

  async seed(settings: { users: number; products: number }): Promise<SimulatorStatus> {
    const added = await seedReferenceData(this.o.db, settings);
    this.seeded = { users: settings.users, products: settings.products, at: Date.now() };
    this.o.log?.(
      `seeded ${added.usersAdded} new users and ${added.productsAdded} new products (of ${settings.users} and ${settings.products})`,
    );
    return this.status();
  }

  async startLive(settings: LiveTrafficSettings): Promise<SimulatorStatus> {
    if (
      this.live.state === 'starting' ||
      this.live.state === 'running' ||
      this.live.state === 'stopping'
    ) {
      throw new SimulatorConflict('Live traffic is already running: stop it first.');
    }
    this.live = {
      state: 'starting',
      settings,
      startedAt: Date.now(),
      stoppedAt: null,
      counts: noCounts(),
      sendRate: 0,
      error: null,
    };
    this.rateSamples = [];
    try {
      await this.ensureTopics();
      // Traffic for users that do not exist would only show unknown users: seed what it uses.
      await this.seed({ users: settings.users, products: settings.products });
      this.traffic = await startLiveTraffic({
        kafka: this.o.kafka(),
        db: this.o.db,
        topics: this.topics,
        settings: generatorSettings(settings, this.o.config.ALLOWED_LATENESS_MS),
        clicksPerSecond: clicksPerSecond(settings.rate, settings.checkoutProbability),
        renameEveryMs: Math.round(settings.renameEverySec * 1000),
        onProgress: (p) => {
          this.live.counts = countsOf(p);
          this.sampleRate(p.sent);
        },
        onError: (error) => {
          this.o.log?.(`live traffic failed: ${messageOf(error)}`);
          this.live = {
            ...this.live,
            state: 'failed',
            stoppedAt: Date.now(),
            error: messageOf(error),
          };
          this.traffic = undefined;
        },
      });
      this.live.state = 'running';
      this.o.log?.(
        `live traffic started: ${settings.rate} events/s, channel mix ${settings.channelMix.preset}`,
      );
    } catch (error) {
      this.live = { ...this.live, state: 'failed', stoppedAt: Date.now(), error: messageOf(error) };
      throw error;
    }
    return this.status();
  }

  async stopLive(): Promise<void> {
    const traffic = this.traffic;
    if (!traffic) return;
    this.traffic = undefined;
    this.live.state = 'stopping';
    try {
      this.live.counts = countsOf(await traffic.stop());
      this.live = { ...this.live, state: 'stopped', stoppedAt: Date.now() };
      this.o.log?.('live traffic stopped');
    } catch (error) {
      this.live = { ...this.live, state: 'failed', stoppedAt: Date.now(), error: messageOf(error) };
    }
  }

  startBackfill(settings: BackfillSettings): SimulatorStatus {
    if (this.backfillStatus.state === 'running') {
      throw new SimulatorConflict('A backfill is already running: wait for it or cancel it.');
    }
    const startedAt = Date.now();
    this.backfillStatus = {
      state: 'running',
      settings,
      startedAt,
      finishedAt: null,
      fraction: 0,
      counts: noCounts(),
      etaSec: null,
      error: null,
    };
    const abort = new AbortController();
    this.backfillAbort = abort;
    this.backfillRun = (async () => {
      await this.ensureTopics();
      await seedReferenceData(this.o.db, settings);
      const progress = await backfill({
        kafka: this.o.kafka(),
        topics: this.topics,
        settings: generatorSettings(settings, this.o.config.ALLOWED_LATENESS_MS),
        hours: settings.hours,
        clicksPerSecond: clicksPerSecond(settings.rate, settings.checkoutProbability),
        seed: startedAt % 2 ** 31,
        now: startedAt,
        signal: abort.signal,
        onProgress: (p) => {
          const fraction = p.fraction ?? 0;
          const elapsed = (Date.now() - startedAt) / 1000;
          this.backfillStatus = {
            ...this.backfillStatus,
            fraction,
            counts: countsOf(p),
            etaSec: fraction > 0.01 ? (elapsed * (1 - fraction)) / fraction : null,
          };
        },
      });
      this.backfillStatus = {
        ...this.backfillStatus,
        state: abort.signal.aborted ? 'cancelled' : 'done',
        counts: countsOf(progress),
        finishedAt: Date.now(),
        etaSec: null,
      };
      this.o.log?.(`backfill ${this.backfillStatus.state}: ${progress.sent} messages`);
    })().catch((error: unknown) => {
      this.o.log?.(`backfill failed: ${messageOf(error)}`);
      this.backfillStatus = {
        ...this.backfillStatus,
        state: 'failed',
        finishedAt: Date.now(),
        etaSec: null,
        error: messageOf(error),
      };
    });
    return this.status();
  }

  async cancelBackfill(): Promise<void> {
    this.backfillAbort?.abort();
    await this.backfillRun;
  }

  /** Stops everything (server shutdown). */
  async close(): Promise<void> {
    await Promise.all([this.stopLive(), this.cancelBackfill()]);
  }

  private ensureTopics(): Promise<void> {
    this.topicsReady ??= ensureTopics(this.o.kafka(), clickstreamTopicSpecs(this.o.config)).then(
      () => undefined,
      (error: unknown) => {
        this.topicsReady = undefined;
        throw error;
      },
    );
    return this.topicsReady;
  }

  private sampleRate(sent: number): void {
    const now = Date.now();
    this.rateSamples.push({ at: now, sent });
    while (this.rateSamples.length > 2 && this.rateSamples[0]!.at < now - 3_000)
      this.rateSamples.shift();
  }

  private measuredRate(): number {
    if (this.live.state !== 'running') return 0;
    const first = this.rateSamples[0];
    const last = this.rateSamples.at(-1);
    if (!first || !last || last.at <= first.at) return 0;
    // A stalled producer reports no samples: the rate falls to 0 after the window.
    if (Date.now() - last.at > 2_000) return 0;
    return ((last.sent - first.sent) * 1000) / (last.at - first.at);
  }
}
