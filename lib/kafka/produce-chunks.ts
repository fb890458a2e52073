// Splits one ordered produce into requests the broker accepts. kafkajs puts all the messages a
// request has for one partition into one record batch, and the broker refuses a batch larger
// than the topic's max.message.bytes with a non-retriable MESSAGE_TOO_LARGE, whatever the size
// of each record. So a hot partition's share of a large fetch must be cut into several requests.
// Chunks are contiguous slices: sent one after the other, they keep every partition's order.
import type { Message } from 'kafkajs';

/**
 * Fixed part of a v2 record batch: base offset, length, leader epoch, magic, CRC, attributes,
 * last offset delta, first and max timestamps, producer id and epoch, base sequence, record count.
 */
export const RECORD_BATCH_OVERHEAD_BYTES = 8 + 4 + 4 + 1 + 4 + 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4;

/** Varint (5 bytes) and varlong (10 bytes) at their widest: a bound, never an underestimate. */
const MAX_VARINT = 5;
const MAX_VARLONG = 10;

const byteLength = (v: Buffer | string | null | undefined): number =>
  v == null ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length;

/**
 * Bytes one message takes in an uncompressed v2 record batch, at most: length, attributes,
 * timestamp and offset deltas, key, value and headers (Kafka's DefaultRecord layout).
 */
export function recordSizeUpperBound(message: Pick<Message, 'key' | 'value' | 'headers'>): number {
  let headers = MAX_VARINT;
  for (const [key, value] of Object.entries(message.headers ?? {})) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) headers += MAX_VARINT + byteLength(key) + MAX_VARINT + byteLength(v);
  }
  const body =
    1 +
    MAX_VARLONG +
    MAX_VARINT +
    MAX_VARINT +
    byteLength(message.key) +
    MAX_VARINT +
    byteLength(message.value) +
    headers;
  return MAX_VARINT + body;
}

/** The size of a record batch holding only this message, at most. */
export function singleRecordBatchSize(message: Pick<Message, 'key' | 'value' | 'headers'>): number {
  return RECORD_BATCH_OVERHEAD_BYTES + recordSizeUpperBound(message);
}

export interface ChunkLimits {
  /** Largest record batch a chunk may build for one partition (keep it below max.message.bytes). */
  maxBatchBytes: number;
  /** Largest request (all partitions together), below the broker's socket.request.max.bytes. */
  maxRequestBytes: number;
}

/**
 * Cuts `messages` (each with an explicit partition) into contiguous chunks such that, in every
 * chunk, each partition's record batch stays within maxBatchBytes and all of them together
 * within maxRequestBytes. A message too large for any batch gets a chunk of its own (the caller
 * decides what to do with it; see singleRecordBatchSize). Order is kept: concatenating the
 * chunks gives back `messages`.
 */
export function splitByRecordBatchSize<M extends Message & { partition: number }>(
  messages: readonly M[],
  { maxBatchBytes, maxRequestBytes }: ChunkLimits,
): M[][] {
  const chunks: M[][] = [];
  let current: M[] = [];
  let batchBytes = new Map<number, number>();
  let requestBytes = 0;
  for (const message of messages) {
    const size = recordSizeUpperBound(message);
    const batch = batchBytes.get(message.partition);
    const added = batch === undefined ? RECORD_BATCH_OVERHEAD_BYTES + size : size;
    const tooBig = (batch ?? 0) + added > maxBatchBytes || requestBytes + added > maxRequestBytes;
    if (tooBig && current.length > 0) {
      chunks.push(current);
      current = [];
      batchBytes = new Map();
      requestBytes = 0;
    }
    const fresh = batchBytes.get(message.partition);
    const cost = fresh === undefined ? RECORD_BATCH_OVERHEAD_BYTES + size : size;
    batchBytes.set(message.partition, (fresh ?? 0) + cost);
    requestBytes += cost;
    current.push(message);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
