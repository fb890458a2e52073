// The format of the internal (re-keyed) topics: validated events in a compact
// JSON form, and watermark markers. Only the repartitioner writes it and only
// the attributor reads it, so it can change with both.
import type { Checkout, Click } from '../../lib/domain/events.ts';

/** A source partition, e.g. `clicks/3`: the unit of event-time progress. */
export type SourceId = string;

export interface Marker {
  source: SourceId;
  /** Largest valid event time read from the source partition so far (ms), or null if none yet. */
  maxEventTime: number | null;
  /** Caught up and quiet for the idle timeout: it should not hold the watermark back. */
  idle: boolean;
}

export interface InternalMeta {
  source: SourceId;
  /** The source message's timestamp (producer time), for end-to-end latency. */
  producedAt: number;
}

export type InternalRecord =
  | { kind: 'click'; click: Click; meta: InternalMeta }
  | { kind: 'checkout'; checkout: Checkout; meta: InternalMeta }
  | { kind: 'marker'; marker: Marker };

export function encodeClick(click: Click, meta: InternalMeta): string {
  return JSON.stringify({ k: 'c', e: click, s: meta.source, p: meta.producedAt });
}

export function encodeCheckout(checkout: Checkout, meta: InternalMeta): string {
  return JSON.stringify({ k: 'o', e: checkout, s: meta.source, p: meta.producedAt });
}

export function encodeMarker(marker: Marker): string {
  return JSON.stringify({ k: 'm', s: marker.source, t: marker.maxEventTime, i: marker.idle });
}

/** Decodes an internal record; these were validated upstream, so a bad one is a bug: throw. */
export function decodeInternal(value: Buffer | string): InternalRecord {
  const raw = JSON.parse(typeof value === 'string' ? value : value.toString('utf8')) as {
    k: 'c' | 'o' | 'm';
    e?: unknown;
    s: string;
    p?: number;
    t?: number | null;
    i?: boolean;
  };
  switch (raw.k) {
    case 'c':
      return {
        kind: 'click',
        click: raw.e as Click,
        meta: { source: raw.s, producedAt: raw.p ?? 0 },
      };
    case 'o':
      return {
        kind: 'checkout',
        checkout: raw.e as Checkout,
        meta: { source: raw.s, producedAt: raw.p ?? 0 },
      };
    case 'm':
      return {
        kind: 'marker',
        marker: { source: raw.s, maxEventTime: raw.t ?? null, idle: raw.i === true },
      };
    default:
      throw new Error(`unknown internal record kind ${JSON.stringify((raw as { k: unknown }).k)}`);
  }
}
