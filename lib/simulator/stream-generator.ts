// A seeded generator of realistic click and checkout messages in the spec's
// wire format (the original project's data generator's format: keyless JSON,
// naive UTC timestamps `YYYY-MM-DD HH:MM:SS.fff`). Pure: time comes in as an
// argument, randomness from a seed, so the simulator, the benchmark and the
// tests share it and can reproduce a stream.
import { MinHeap } from '../domain/min-heap.ts';
import { CampaignUrls, plainProductUrl } from './campaign-urls.ts';
import { MIX_PRESETS, isPlain, type ChannelWeights, type MixChannel } from './channel-mix.ts';
import { seededRandom } from './seeded-random.ts';

export interface GeneratorSettings {
  /** Users 0..users-1 exist; events use ids 1..users, so id `users` is unknown (as in the original). */
  users: number;
  products: number;
  /** Probability that a click is followed by a checkout of the same product. */
  checkoutProbability: number;
  /** Event-time delay from a click to its checkout, uniform in [min, max] ms. */
  clickToCheckoutMs: { min: number; max: number };
  /** Share of events whose event time is pulled back by up to 80% of the lateness (on time, out of order). */
  outOfOrderShare: number;
  /** Share of events that are late: more than the lateness behind. */
  lateShare: number;
  /** Share of messages sent twice. */
  duplicateShare: number;
  /** Share of messages that are malformed (go to the dead-letter store). */
  malformedShare: number;
  allowedLatenessMs: number;
  /**
   * Weights of the channels clicks come from (lib/simulator/channel-mix.ts). Absent or direct
   * only: the original generator's plain URLs, and the same stream as before channels existed.
   */
  channelMix?: ChannelWeights;
}

export const defaultGeneratorSettings: GeneratorSettings = {
  users: 100,
  products: 50,
  checkoutProbability: 0.3,
  clickToCheckoutMs: { min: 5_000, max: 20 * 60_000 },
  outOfOrderShare: 0.05,
  lateShare: 0,
  duplicateShare: 0.01,
  malformedShare: 0,
  allowedLatenessMs: 15_000,
  // The original generator's plain URLs, so streams made before campaign traffic stay the same;
  // the simulator's page and API default to a realistic mix (lib/web/schemas.ts).
  channelMix: MIX_PRESETS.plain,
};

export type SourceTopic = 'clicks' | 'checkouts';

export interface GeneratedMessage {
  topic: SourceTopic;
  value: string;
  /** Event time (ms) written into the message, or null for a malformed one without it. */
  eventTime: number | null;
  kind: 'valid' | 'duplicate' | 'malformed' | 'late';
  /** A click's channel as generated (a malformed click's too); absent for checkouts. */
  channel?: MixChannel;
}

/** `YYYY-MM-DD HH:MM:SS.fff`, UTC, no zone: the original generator's format. */
export function naiveTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

const FIRST = [
  'ada',
  'alan',
  'grace',
  'linus',
  'margaret',
  'dennis',
  'barbara',
  'ken',
  'frances',
  'edsger',
];
const LAST = [
  'lovelace',
  'turing',
  'hopper',
  'torvalds',
  'hamilton',
  'ritchie',
  'liskov',
  'thompson',
  'allen',
];
const ADJECTIVES = [
  'Ergonomic',
  'Rustic',
  'Sleek',
  'Handmade',
  'Practical',
  'Refined',
  'Intelligent',
  'Generic',
];
const NOUNS = [
  'Chair',
  'Keyboard',
  'Lamp',
  'Backpack',
  'Mug',
  'Sneakers',
  'Headphones',
  'Notebook',
  'Desk',
];
const PAYMENT = ['credit_card', 'debit_card', 'paypal', 'apple_pay', 'bank_transfer'];
const AGENTS = [
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148',
];
const STREETS = ['Main St', 'Oak Ave', 'Pine Rd', 'Maple Dr', 'Cedar Ln'];
const CITIES = ['Springfield', 'Riverton', 'Lakeside', 'Fairview', 'Greenville'];

export function userName(id: number): string {
  return `${FIRST[id % FIRST.length]}_${LAST[Math.floor(id / FIRST.length) % LAST.length]}${id}`;
}

export function productName(id: number): string {
  return `${ADJECTIVES[id % ADJECTIVES.length]} ${NOUNS[Math.floor(id / ADJECTIVES.length) % NOUNS.length]}`;
}

export function productPrice(id: number): number {
  return Math.round((5 + ((id * 7919) % 49500) / 100) * 100) / 100;
}

interface PendingCheckout {
  at: number;
  userId: number;
  productId: number;
}

/**
 * Produces messages for a span of event time. `emit(now, count)` returns about
 * `count` clicks at event time `now` (plus jitter) and the checkouts that fall
 * due by `now`.
 */
export class StreamGenerator {
  private readonly random: () => number;
  // Checkouts waiting for their event time, earliest first: a heap, not a sorted array, since a
  // high rate with long click-to-checkout times keeps millions pending.
  private readonly pending = new MinHeap<PendingCheckout>((a, b) => a.at - b.at);
  private sequence = 0;
  private readonly runId: string;
  /** Null for plain URLs: no randomness spent, the original generator's stream exactly. */
  private readonly campaigns: CampaignUrls | null;

  constructor(
    private readonly settings: GeneratorSettings,
    seed = 1,
  ) {
    this.random = seededRandom(seed);
    this.runId = seed.toString(36);
    const mix = settings.channelMix;
    this.campaigns = mix === undefined || isPlain(mix) ? null : new CampaignUrls(mix, seed);
  }

  emit(now: number, clicks: number): GeneratedMessage[] {
    const out: GeneratedMessage[] = [];
    for (let i = 0; i < clicks; i++) {
      const userId = 1 + Math.floor(this.random() * this.settings.users);
      const productId = Math.floor(this.random() * this.settings.products);
      const [clickTime, late] = this.jitter(now);
      const landing = this.campaigns?.click(userId, productId, clickTime) ?? {
        url: plainProductUrl(productId),
        channel: 'direct' as const,
      };
      this.push(
        out,
        'clicks',
        this.click(userId, productId, clickTime, landing.url),
        clickTime,
        late,
        landing.channel,
      );
      if (this.random() < this.settings.checkoutProbability) {
        const { min, max } = this.settings.clickToCheckoutMs;
        this.pending.push({
          at: clickTime + min + Math.floor(this.random() * (max - min)),
          userId,
          productId,
        });
      }
    }
    while (this.pending.size > 0 && this.pending.peek()!.at <= now) {
      const c = this.pending.pop()!;
      const [jittered, late] = this.jitter(c.at);
      const t = Math.min(now, jittered);
      this.push(out, 'checkouts', this.checkout(c.userId, c.productId, t), t, late);
    }
    return out;
  }

  /** Checkouts still waiting for their event time. */
  get pendingCheckouts(): number {
    return this.pending.size;
  }

  /** The event time to write, and whether it is deliberately late. */
  private jitter(t: number): [number, boolean] {
    const r = this.random();
    const { outOfOrderShare, lateShare, allowedLatenessMs } = this.settings;
    if (r < lateShare)
      return [t - allowedLatenessMs - 1 - Math.floor(this.random() * 60_000), true];
    if (r < lateShare + outOfOrderShare) {
      return [t - Math.floor(this.random() * allowedLatenessMs * 0.8), false];
    }
    return [t, false];
  }

  private push(
    out: GeneratedMessage[],
    topic: SourceTopic,
    event: Record<string, unknown>,
    t: number,
    late: boolean,
    channel?: MixChannel,
  ): void {
    const r = this.random();
    const { malformedShare, duplicateShare } = this.settings;
    const tag = channel ? { channel } : {};
    if (r < malformedShare) {
      out.push({ topic, value: this.malform(event), eventTime: null, kind: 'malformed', ...tag });
      return;
    }
    const value = JSON.stringify(event);
    out.push({ topic, value, eventTime: t, kind: late ? 'late' : 'valid', ...tag });
    if (r < malformedShare + duplicateShare)
      out.push({ topic, value, eventTime: t, kind: 'duplicate', ...tag });
  }

  private malform(event: Record<string, unknown>): string {
    const choice = Math.floor(this.random() * 4);
    if (choice === 0) return JSON.stringify(event).slice(0, 20);
    if (choice === 1) return JSON.stringify({ ...event, user_id: undefined });
    if (choice === 2) return JSON.stringify({ ...event, datetime_occured: 'yesterday at noon' });
    return JSON.stringify({ ...event, user_id: 'not-a-number' });
  }

  private nextId(prefix: string): string {
    this.sequence += 1;
    return `${prefix}-${this.runId}-${this.sequence.toString(36).padStart(8, '0')}`;
  }

  private click(
    userId: number,
    productId: number,
    t: number,
    url: string,
  ): Record<string, unknown> {
    return {
      click_id: this.nextId('clk'),
      user_id: userId,
      product_id: String(productId),
      product: productName(productId),
      price: productPrice(productId),
      url,
      user_agent: AGENTS[userId % AGENTS.length],
      ip_address: `10.${userId % 256}.${(userId >> 8) % 256}.${productId % 256}`,
      datetime_occured: naiveTimestamp(t),
    };
  }

  private checkout(userId: number, productId: number, t: number): Record<string, unknown> {
    const quantity = 1 + Math.floor(this.random() * 3);
    const address = `${1 + (userId % 999)} ${STREETS[userId % STREETS.length]}, ${CITIES[userId % CITIES.length]}`;
    return {
      checkout_id: this.nextId('chk'),
      user_id: userId,
      product_id: String(productId),
      payment_method: PAYMENT[Math.floor(this.random() * PAYMENT.length)],
      total_amount: Math.round(productPrice(productId) * quantity * 100) / 100,
      shipping_address: address,
      billing_address: address,
      user_agent: AGENTS[userId % AGENTS.length],
      ip_address: `10.${userId % 256}.${(userId >> 8) % 256}.${productId % 256}`,
      datetime_occured: naiveTimestamp(t),
    };
  }
}
