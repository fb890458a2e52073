// The simulator's backfill stepping without Kafka: the same StreamGenerator, one-second steps of
// event time, so tests and the benchmark get the stream `npm run` backfill would produce.
import {
  StreamGenerator,
  defaultGeneratorSettings,
  type GeneratedMessage,
  type GeneratorSettings,
} from '../../../lib/simulator/stream-generator.ts';
import {
  DEFAULT_MAX_FUTURE_SKEW_MS,
  parseCheckout,
  parseClick,
  type Checkout,
  type Click,
  type ParseOptions,
} from '../../../lib/domain/events.ts';

export interface BackfillStreamOptions {
  /** Event time where the stream ends (ms); it starts `hours` before. */
  end: number;
  hours: number;
  /** Clicks per second of event time. */
  clicksPerSecond: number;
  seed?: number;
  settings?: Partial<GeneratorSettings>;
}

/** Yields the backfill's messages in produce order. */
export function* backfillStream(o: BackfillStreamOptions): Generator<GeneratedMessage> {
  const generator = new StreamGenerator(
    { ...defaultGeneratorSettings, ...o.settings },
    o.seed ?? 7,
  );
  const start = o.end - o.hours * 3_600_000;
  const stepMs = 1000;
  let carry = 0;
  for (let t = start; t <= o.end; t += stepMs) {
    carry += (o.clicksPerSecond * stepMs) / 1000;
    const n = Math.floor(carry);
    carry -= n;
    yield* generator.emit(t, n);
  }
}

/** The valid events of a stream, duplicates kept, in produce order. */
export function parseStream(
  messages: Iterable<GeneratedMessage>,
  read: ParseOptions = { now: Date.now(), maxFutureSkewMs: DEFAULT_MAX_FUTURE_SKEW_MS },
): {
  clicks: Click[];
  checkouts: Checkout[];
} {
  const clicks: Click[] = [];
  const checkouts: Checkout[] = [];
  for (const m of messages) {
    if (m.topic === 'clicks') {
      const parsed = parseClick(m.value, read);
      if (parsed.ok) clicks.push(parsed.event);
    } else {
      const parsed = parseCheckout(m.value, read);
      if (parsed.ok) checkouts.push(parsed.event);
    }
  }
  return { clicks, checkouts };
}
