// The format of the internal (re-keyed) topics. Only the repartitioner writes it and only the
// attributor reads it, so it can change with both (a reader keeps decoding the previous format,
// so an upgrade never strands records already in the topics).
//
// One Kafka message is a *frame*: the records one source batch sends to one internal partition,
// in order, in binary. Per-message costs dominate a kafkajs hop (record framing, CRC, offsets as
// Long, one object per message): a frame of hundreds of events pays them once. A click carries
// only what the attributor uses (user, product, time, id, and its channel and campaign as one
// tag, lib/domain/click-origin.ts); the lake export reads the source
// topics, which keep the whole event. Measured with `npm run bench -- speed-layer` (figures in
// the README's benchmark section): the JSON-per-event format it replaces spent 7% of the worker's
// CPU in JSON alone, and kafkajs 22%, mostly per message.
//
//   frame   := 0xC5 version:u8 source:str record*          (until the end of the message)
//   record  := 1 userId:f64 time:f64 producedAt:f64 productId:str clickId:str tag:str click
//            | 2 userId:f64 time:f64 producedAt:f64 checkoutId:str productId:str
//                paymentMethod:str totalAmount:str shippingAddress:str billingAddress:str
//                userAgent:str ipAddress:str                                          checkout
//            | 3 maxEventTime:f64 (NaN: none yet) state:u8                            marker
//   state   := 0 more to read | 1 idle (read to the end and quiet) | 2 read to the end (so far)
//   str     := byteLength:u32 utf8        (little-endian throughout: lib/domain/binary-io.ts)
//
// Version 1 was one JSON object per message (`{"k":"c"|"o"|"m",…}`); its first byte is `{`.
import { ByteReader, ByteWriter } from '../../lib/domain/binary-io.ts';
import type { Checkout, Click } from '../../lib/domain/events.ts';
import type { AttributableClick } from '../../lib/domain/partition-types.ts';

/** A source partition, e.g. `clicks/3`: the unit of event-time progress. */
export type SourceId = string;

export interface Marker {
  source: SourceId;
  /** Largest valid event time read from the source partition so far (ms), or null if none yet. */
  maxEventTime: number | null;
  /** Caught up and quiet for the idle timeout: it should not hold the watermark back. */
  idle: boolean;
  /**
   * The records before it reach the source partition's end as the broker last reported it: the
   * source has no backlog (an idle source has none either). What the provisional hold asks.
   */
  readToEnd: boolean;
}

export interface InternalMeta {
  source: SourceId;
  /** The source message's timestamp (producer time), for end-to-end latency. */
  producedAt: number;
}

/** What the attributor needs of a click: its key, its time and its id. */
export type RoutedClick = AttributableClick;

export type InternalRecord =
  | { kind: 'click'; click: RoutedClick; meta: InternalMeta }
  | { kind: 'checkout'; checkout: Checkout; meta: InternalMeta }
  | { kind: 'marker'; marker: Marker };

const FRAME_MAGIC = 0xc5;
const FRAME_VERSION = 2;
const JSON_OPEN_BRACE = 0x7b;
const CLICK = 1;
const CHECKOUT = 2;
const MARKER = 3;
const MARKER_MORE_TO_READ = 0;
const MARKER_IDLE = 1;
const MARKER_READ_TO_END = 2;

/** Builds one frame: the records of one source for one internal partition, in order. */
export class FrameWriter {
  private readonly w: ByteWriter;
  private readonly headerBytes: number;
  private records = 0;

  constructor(source: SourceId, initialBytes = 16 * 1024) {
    this.w = new ByteWriter(initialBytes);
    this.w.u8(FRAME_MAGIC);
    this.w.u8(FRAME_VERSION);
    this.w.str(source);
    this.headerBytes = this.w.length;
  }

  /** Bytes the frame takes so far. */
  get bytes(): number {
    return this.w.length;
  }

  get count(): number {
    return this.records;
  }

  /** `tag` defaults to the click's own (the repartitioner passes it apart: no copy per click). */
  click(click: RoutedClick, producedAt: number, tag = click.tag ?? ''): void {
    const w = this.w;
    w.u8(CLICK);
    w.f64(click.userId);
    w.f64(click.time);
    w.f64(producedAt);
    w.str(click.productId);
    w.str(click.clickId);
    w.str(tag);
    this.records++;
  }

  checkout(c: Checkout, producedAt: number): void {
    const w = this.w;
    w.u8(CHECKOUT);
    w.f64(c.userId);
    w.f64(c.time);
    w.f64(producedAt);
    w.str(c.checkoutId);
    w.str(c.productId);
    w.str(c.paymentMethod);
    w.str(c.totalAmount);
    w.str(c.shippingAddress);
    w.str(c.billingAddress);
    w.str(c.userAgent);
    w.str(c.ipAddress);
    this.records++;
  }

  /** A marker for this frame's source (the source is the frame's). */
  marker(maxEventTime: number | null, idle: boolean, readToEnd = idle): void {
    this.w.u8(MARKER);
    this.w.f64(maxEventTime ?? Number.NaN);
    // A reader from before state 2 reads it as not idle, which is what it is.
    this.w.u8(idle ? MARKER_IDLE : readToEnd ? MARKER_READ_TO_END : MARKER_MORE_TO_READ);
    this.records++;
  }

  /** Takes back the records written after the frame was `bytes` long (one that did not fit). */
  rollback(bytes: number, records: number): void {
    if (bytes < this.headerBytes) throw new RangeError('cannot roll back into the frame header');
    this.w.truncate(bytes);
    this.records = records;
  }

  finish(): Buffer {
    return this.w.finish();
  }
}

/** A frame holding one marker: what the idle stamper sends. */
export function encodeMarker(marker: Marker): Buffer {
  const frame = new FrameWriter(marker.source, 64);
  frame.marker(marker.maxEventTime, marker.idle, marker.readToEnd);
  return frame.finish();
}

/** Decodes one message of an internal topic; these were validated upstream, so a bad one is a bug: throw. */
export function decodeInternal(value: Buffer): InternalRecord[] {
  if (value.length === 0) throw new Error('empty internal record');
  if (value[0] === JSON_OPEN_BRACE) return [decodeJsonRecord(value)];
  if (value[0] !== FRAME_MAGIC) throw new Error(`unknown internal format, first byte ${value[0]}`);
  const r = new ByteReader(value);
  r.u8();
  const version = r.u8();
  if (version !== FRAME_VERSION) throw new Error(`unsupported internal frame version ${version}`);
  const source = r.str();
  const records: InternalRecord[] = [];
  while (r.remaining > 0) {
    const kind = r.u8();
    if (kind === CLICK) {
      const userId = r.f64();
      const time = r.f64();
      const producedAt = r.f64();
      const productId = r.str();
      const clickId = r.str();
      const tag = r.str();
      records.push({
        kind: 'click',
        click: { clickId, userId, productId, time, tag },
        meta: { source, producedAt },
      });
    } else if (kind === CHECKOUT) {
      const userId = r.f64();
      const time = r.f64();
      const producedAt = r.f64();
      const checkout: Checkout = {
        checkoutId: r.str(),
        userId,
        productId: r.str(),
        paymentMethod: r.str(),
        totalAmount: r.str(),
        shippingAddress: r.str(),
        billingAddress: r.str(),
        userAgent: r.str(),
        ipAddress: r.str(),
        time,
      };
      records.push({ kind: 'checkout', checkout, meta: { source, producedAt } });
    } else if (kind === MARKER) {
      const t = r.f64();
      const state = r.u8();
      const idle = state === MARKER_IDLE;
      records.push({
        kind: 'marker',
        marker: {
          source,
          maxEventTime: Number.isNaN(t) ? null : t,
          idle,
          readToEnd: idle || state === MARKER_READ_TO_END,
        },
      });
    } else {
      throw new Error(`unknown internal record kind ${kind}`);
    }
  }
  return records;
}

/** Version 1: one JSON record per message. */
function decodeJsonRecord(value: Buffer): InternalRecord {
  const raw = JSON.parse(value.toString('utf8')) as {
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
        marker: {
          source: raw.s,
          maxEventTime: raw.t ?? null,
          idle: raw.i === true,
          readToEnd: raw.i === true,
        },
      };
    default:
      throw new Error(`unknown internal record kind ${JSON.stringify((raw as { k: unknown }).k)}`);
  }
}
