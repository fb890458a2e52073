// How one source record becomes one row of each lake table: the row types, their partition keys
// and the appenders that fill a RowBuffer's columns. Pure. Appenders look columns up by name once
// per buffer, then push values positionally for every row.
import type { Checkout, Click } from '../domain/events.ts';
import type {
  BinaryColumn,
  BooleanColumn,
  DecimalColumn,
  NumericColumn,
  StringColumn,
} from '../delta/column-buffers.ts';
import { epochDay, isoDate, unscaledDecimal } from '../delta/delta-values.ts';
import type { RowBuffer } from '../delta/row-buffer.ts';
import type { UserVersion } from './users-history.ts';

/** Where a record came from: kept as columns so every row traces back to its Kafka offset. */
export interface SourcePosition {
  topic: string;
  partition: number;
  offset: number;
  /** The Kafka record timestamp (epoch ms): when the event entered Kafka. */
  ingestedAt: number;
}

export interface ClickRow extends SourcePosition {
  event: Click;
}

export interface CheckoutRow extends SourcePosition {
  event: Checkout;
}

export interface DeadLetterRow extends SourcePosition {
  raw: Uint8Array;
  reason: string;
}

export interface SpeedCheckoutRow {
  checkoutId: string;
  userId: number;
  userName: string;
  clickId: string | null;
  productId: string;
  /** Exact decimal text, e.g. "19.90". */
  totalAmount: string;
  checkoutTime: number;
  clickTime: number | null;
  isFinal: boolean;
  isUnknownUser: boolean;
  isLate: boolean;
  snapshotAt: number;
}

function columns<T extends unknown[]>(rows: RowBuffer, names: string[]): T {
  if (rows.columns.length !== names.length) {
    throw new Error(
      `row buffer has columns [${rows.columns.map((c) => c.field.name).join(', ')}], appender fills [${names.join(', ')}]`,
    );
  }
  return names.map((n) => rows.column(n)) as T;
}

type S = StringColumn;
type N = NumericColumn;
type B = BooleanColumn;

export function appendClick(rows: RowBuffer): (row: ClickRow) => void {
  const [
    clickId,
    userId,
    productId,
    product,
    price,
    url,
    userAgent,
    ip,
    eventTime,
    topic,
    partition,
    offset,
    ingested,
  ] = columns<[S, N, S, S, N, S, S, S, N, S, N, N, N]>(rows, [
    'click_id',
    'user_id',
    'product_id',
    'product',
    'price',
    'url',
    'user_agent',
    'ip_address',
    'event_time',
    'kafka_topic',
    'kafka_partition',
    'kafka_offset',
    'ingested_at',
  ]);
  return (r) => {
    const e = r.event;
    clickId.push(e.clickId);
    userId.push(e.userId);
    productId.push(e.productId);
    product.push(e.product);
    price.push(e.price);
    url.push(e.url);
    userAgent.push(e.userAgent);
    ip.push(e.ipAddress);
    eventTime.push(e.time);
    topic.push(r.topic);
    partition.push(r.partition);
    offset.push(r.offset);
    ingested.push(r.ingestedAt);
  };
}

export function appendCheckout(rows: RowBuffer): (row: CheckoutRow) => void {
  const [
    checkoutId,
    userId,
    productId,
    payment,
    amount,
    shipping,
    billing,
    userAgent,
    ip,
    eventTime,
    topic,
    partition,
    offset,
    ingested,
  ] = columns<[S, N, S, S, DecimalColumn, S, S, S, S, N, S, N, N, N]>(rows, [
    'checkout_id',
    'user_id',
    'product_id',
    'payment_method',
    'total_amount',
    'shipping_address',
    'billing_address',
    'user_agent',
    'ip_address',
    'event_time',
    'kafka_topic',
    'kafka_partition',
    'kafka_offset',
    'ingested_at',
  ]);
  const scale = amount.scale;
  return (r) => {
    const e = r.event;
    checkoutId.push(e.checkoutId);
    userId.push(e.userId);
    productId.push(e.productId);
    payment.push(e.paymentMethod);
    amount.push(unscaledDecimal(e.totalAmount, scale));
    shipping.push(e.shippingAddress);
    billing.push(e.billingAddress);
    userAgent.push(e.userAgent);
    ip.push(e.ipAddress);
    eventTime.push(e.time);
    topic.push(r.topic);
    partition.push(r.partition);
    offset.push(r.offset);
    ingested.push(r.ingestedAt);
  };
}

export function appendDeadLetter(rows: RowBuffer): (row: DeadLetterRow) => void {
  const [topic, partition, offset, raw, reason, ingested] = columns<[S, N, N, BinaryColumn, S, N]>(
    rows,
    ['topic', 'partition', 'offset', 'raw', 'reason', 'ingested_at'],
  );
  return (r) => {
    topic.push(r.topic);
    partition.push(r.partition);
    offset.push(r.offset);
    raw.push(r.raw);
    reason.push(r.reason);
    ingested.push(r.ingestedAt);
  };
}

export function appendUserVersion(rows: RowBuffer): (row: UserVersion) => void {
  const [userId, username, validFrom, validTo, isCurrent] = columns<[N, S, N, N, B]>(rows, [
    'user_id',
    'username',
    'valid_from',
    'valid_to',
    'is_current',
  ]);
  return (r) => {
    userId.push(r.userId);
    username.push(r.username);
    validFrom.push(r.validFrom);
    validTo.push(r.validTo);
    isCurrent.push(r.isCurrent);
  };
}

export function appendSpeedCheckout(rows: RowBuffer): (row: SpeedCheckoutRow) => void {
  const [
    checkoutId,
    userId,
    userName,
    clickId,
    productId,
    amount,
    checkoutTime,
    clickTime,
    isFinal,
    isUnknown,
    isLate,
    snapshotAt,
  ] = columns<[S, N, S, S, S, DecimalColumn, N, N, B, B, B, N]>(rows, [
    'checkout_id',
    'user_id',
    'user_name',
    'click_id',
    'product_id',
    'total_amount',
    'checkout_time',
    'click_time',
    'is_final',
    'is_unknown_user',
    'is_late',
    'snapshot_at',
  ]);
  const scale = amount.scale;
  return (r) => {
    checkoutId.push(r.checkoutId);
    userId.push(r.userId);
    userName.push(r.userName);
    clickId.push(r.clickId);
    productId.push(r.productId);
    amount.push(unscaledDecimal(r.totalAmount, scale));
    checkoutTime.push(r.checkoutTime);
    clickTime.push(r.clickTime);
    isFinal.push(r.isFinal);
    isUnknown.push(r.isUnknownUser);
    isLate.push(r.isLate);
    snapshotAt.push(r.snapshotAt);
  };
}

/** Partitioning by a date column: the key is the epoch day, the value its ISO date. */
export const byEventDate = {
  partitionKey: (row: { event: { time: number } }) => epochDay(row.event.time),
  partitionValues: (day: number) => ({ event_date: isoDate(day * 86_400_000) }),
};

export const byIngestDate = {
  partitionKey: (row: SourcePosition) => epochDay(row.ingestedAt),
  partitionValues: (day: number) => ({ ingest_date: isoDate(day * 86_400_000) }),
};

export const unpartitioned = {
  partitionKey: () => 0,
  partitionValues: () => ({}),
};
