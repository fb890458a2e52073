import { createRequire } from 'node:module';
import fc from 'fast-check';
import type { Message } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import {
  RECORD_BATCH_OVERHEAD_BYTES,
  recordSizeUpperBound,
  splitByRecordBatchSize,
} from './produce-chunks.ts';

// kafkajs's own encoders, to measure what really goes on the wire (not part of its public API,
// hence the test only: a kafkajs upgrade that moves them fails here, not in production).
const require = createRequire(import.meta.url);
const encodeRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as (r: {
  offsetDelta: number;
  timestampDelta: number;
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, string>;
}) => unknown;
const { RecordBatch: encodeRecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as {
  RecordBatch: (b: { records: unknown[] }) => Promise<{ buffer: Buffer }>;
};

async function encodedBatchBytes(messages: Message[]): Promise<number> {
  const records = messages.map((m, i) =>
    encodeRecord({
      key: m.key,
      value: m.value,
      headers: m.headers as Record<string, string> | undefined,
      offsetDelta: i,
      timestampDelta: i * 1_000_000,
    }),
  );
  return (await encodeRecordBatch({ records })).buffer.length;
}

const messageArb = fc.record({
  key: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
  value: fc.string({ maxLength: 3000 }),
  headers: fc.option(fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 20 })), {
    nil: undefined,
  }),
});

describe('recordSizeUpperBound', () => {
  it('is never below the size kafkajs encodes, and close to it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(messageArb, { minLength: 1, maxLength: 40 }), async (messages) => {
        const actual = await encodedBatchBytes(messages);
        const bound =
          RECORD_BATCH_OVERHEAD_BYTES + messages.reduce((s, m) => s + recordSizeUpperBound(m), 0);
        expect(bound).toBeGreaterThanOrEqual(actual);
        // Widest varints: at most 30 bytes too many per record and 8 per header.
        const headers = messages.reduce((s, m) => s + Object.keys(m.headers ?? {}).length, 0);
        expect(bound - actual).toBeLessThanOrEqual(messages.length * 30 + headers * 8);
      }),
      { numRuns: 60 },
    );
  });

  it('counts bytes, not characters', () => {
    expect(recordSizeUpperBound({ value: 'é'.repeat(100) })).toBeGreaterThan(200);
  });
});

describe('splitByRecordBatchSize', () => {
  const limits = { maxBatchBytes: 10_000, maxRequestBytes: 25_000 };

  it('keeps order and every partition batch within the limit, whatever the skew', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            partition: fc.oneof(fc.constant(0), fc.nat(5)),
            value: fc.string({ maxLength: 2_000 }),
          }),
          { maxLength: 200 },
        ),
        (messages) => {
          const chunks = splitByRecordBatchSize(messages, limits);
          expect(chunks.flat()).toEqual(messages);
          for (const chunk of chunks) {
            expect(chunk.length).toBeGreaterThan(0);
            const perPartition = new Map<number, number>();
            for (const m of chunk) {
              perPartition.set(
                m.partition,
                (perPartition.get(m.partition) ?? RECORD_BATCH_OVERHEAD_BYTES) +
                  recordSizeUpperBound(m),
              );
            }
            for (const bytes of perPartition.values())
              expect(bytes).toBeLessThanOrEqual(limits.maxBatchBytes);
            const total = [...perPartition.values()].reduce((a, b) => a + b, 0);
            expect(total).toBeLessThanOrEqual(limits.maxRequestBytes);
          }
        },
      ),
    );
  });

  it('cuts a hot partition into several requests and packs cold ones together', () => {
    const hot = Array.from({ length: 100 }, (_, i) => ({
      partition: 0,
      value: 'x'.repeat(900 + i),
    }));
    const cold = Array.from({ length: 6 }, (_, p) => ({ partition: p, value: 'marker' }));
    const chunks = splitByRecordBatchSize([...hot, ...cold], limits);
    expect(chunks.length).toBeGreaterThanOrEqual(10);
    // The markers come after every record of their partition, in the last chunk.
    expect(chunks.at(-1)!.slice(-6)).toEqual(cold);
  });

  it('gives a message larger than any batch a chunk of its own', () => {
    const big = { partition: 1, value: 'y'.repeat(20_000) };
    const chunks = splitByRecordBatchSize(
      [{ partition: 1, value: 'a' }, big, { partition: 1, value: 'b' }],
      limits,
    );
    expect(chunks).toEqual([[{ partition: 1, value: 'a' }], [big], [{ partition: 1, value: 'b' }]]);
  });
});
