// The steady load the fault tests run: the simulator's seeded generator (clicks, checkouts,
// out-of-order events within the lateness, duplicates, a few malformed messages) produced keyless
// at a fixed pace, plus hand-written messages. It records what it sent, valid and bad apart,
// from the generator's own values, so the expectation never goes through the parser under test.
// A send that fails (the broker is down) is retried until it succeeds.
import type { Kafka, Message, Producer } from 'kafkajs';
import type { RuleClick } from '../../domain/oracle.ts';
import {
  StreamGenerator,
  type GeneratorSettings,
} from '../../../lib/simulator/stream-generator.ts';

export interface LoadTopics {
  clicks: string;
  checkouts: string;
}

export interface SentCheckout {
  checkoutId: string;
  userId: number;
  productId: string;
  time: number;
  /** DECIMAL(38,2) text the sink must hold, e.g. "12.30". */
  amount: string;
}

/** A hand-written message: valid (with what it means) or bad (with the reason it must get). */
export type CraftedMessage =
  | { topic: 'clicks'; value: string; click: RuleClick }
  | { topic: 'checkouts'; value: string; checkout: SentCheckout }
  | { topic: 'clicks' | 'checkouts'; value: string | null; bad: { label: string; reason: RegExp } };

/** A bad hand-written message and where it landed. */
export interface SentBad {
  label: string;
  reason: RegExp;
  topic: string;
  partition: number;
  offset: string;
  value: string | null;
}

export interface SteadyLoadOptions {
  kafka: Kafka;
  topics: LoadTopics;
  settings: GeneratorSettings;
  seed: number;
  /** Event time of the first tick. */
  startTime: number;
  /** Event time between ticks. */
  eventStepMs: number;
  /** Generator clicks per tick. */
  clicksPerTick: number;
  /** Wall time between ticks. */
  intervalMs: number;
  log: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A send failing for longer than this (broker down for minutes) fails the test. */
const SEND_DEADLINE_MS = 120_000;

/** "12.3" → "12.30", "7" → "7.00": the generator's amounts have at most two decimals. */
export function twoDecimals(amount: number): string {
  return amount.toFixed(2);
}

export class SteadyLoad {
  /** Every valid click sent, duplicates included (the rule counts an id once). */
  readonly clicks: RuleClick[] = [];
  readonly checkouts: SentCheckout[] = [];
  /** Bad hand-written messages, with their offsets. */
  readonly bad: SentBad[] = [];
  /** The generator's malformed messages (sent in batches: offsets unknown). */
  readonly malformed: { topic: string; value: string }[] = [];
  /** Sends that failed and were retried: a retried batch may have landed twice. */
  failedSends = 0;
  /**
   * Set when the broker may have appended a batch whose acknowledgement it never sent (it was
   * killed): the producer's own retry then lands it twice, unseen by `failedSends`.
   */
  duplicatesPossible = false;
  ticks = 0;
  private readonly generator: StreamGenerator;
  private readonly producer: Producer;
  private nextTime: number;
  private maxTime = Number.NEGATIVE_INFINITY;

  constructor(private readonly o: SteadyLoadOptions) {
    this.generator = new StreamGenerator(o.settings, o.seed);
    this.producer = o.kafka.producer();
    this.nextTime = o.startTime;
  }

  async connect(): Promise<void> {
    await this.producer.connect();
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }

  /** The largest event time sent so far: hand-written events placed at or just before it are on time. */
  get maxEventTime(): number {
    return this.maxTime;
  }

  /** Produces `ticks` ticks of generator traffic, one every `intervalMs` of wall time. */
  async run(ticks: number): Promise<void> {
    for (let i = 0; i < ticks; i++) {
      const started = Date.now();
      const batch = this.generator.emit(this.nextTime, this.o.clicksPerTick);
      this.nextTime += this.o.eventStepMs;
      const byTopic: Record<'clicks' | 'checkouts', Message[]> = { clicks: [], checkouts: [] };
      for (const m of batch) {
        byTopic[m.topic].push({ value: m.value });
        const topic = this.o.topics[m.topic];
        if (m.kind === 'malformed') {
          this.malformed.push({ topic, value: m.value });
          continue;
        }
        if (m.kind === 'late') throw new Error('the fault tests send no late events');
        this.record(m.topic, JSON.parse(m.value) as Record<string, unknown>, m.eventTime!);
      }
      await this.sendBatch(
        (['clicks', 'checkouts'] as const)
          .filter((t) => byTopic[t].length > 0)
          .map((t) => ({ topic: this.o.topics[t], messages: byTopic[t] })),
      );
      this.ticks += 1;
      await sleep(Math.max(0, this.o.intervalMs - (Date.now() - started)));
    }
  }

  /** Sends hand-written messages one by one, in order, recording where the bad ones landed. */
  async sendCrafted(messages: CraftedMessage[]): Promise<void> {
    for (const m of messages) {
      const topic = this.o.topics[m.topic];
      const [meta] = await this.sendBatch([{ topic, messages: [{ value: m.value }] }]);
      if ('bad' in m) {
        this.bad.push({
          ...m.bad,
          topic,
          partition: meta!.partition,
          offset: meta!.baseOffset ?? '',
          value: m.value,
        });
      } else if ('click' in m) {
        this.clicks.push(m.click);
        this.maxTime = Math.max(this.maxTime, m.click.time);
      } else {
        this.checkouts.push(m.checkout);
        this.maxTime = Math.max(this.maxTime, m.checkout.time);
      }
    }
  }

  private record(topic: 'clicks' | 'checkouts', wire: Record<string, unknown>, time: number): void {
    this.maxTime = Math.max(this.maxTime, time);
    if (topic === 'clicks') {
      this.clicks.push({
        clickId: String(wire.click_id),
        userId: Number(wire.user_id),
        productId: String(wire.product_id),
        time,
      });
    } else {
      this.checkouts.push({
        checkoutId: String(wire.checkout_id),
        userId: Number(wire.user_id),
        productId: String(wire.product_id),
        time,
        amount: twoDecimals(Number(wire.total_amount)),
      });
    }
  }

  private async sendBatch(topicMessages: { topic: string; messages: Message[] }[]) {
    const deadline = Date.now() + SEND_DEADLINE_MS;
    for (;;) {
      try {
        return await this.producer.sendBatch({ topicMessages, acks: -1 });
      } catch (error) {
        this.failedSends += 1;
        if (Date.now() > deadline) throw error;
        this.o.log(`[load] send failed, retrying: ${(error as Error).message}`);
        await sleep(500);
      }
    }
  }
}
