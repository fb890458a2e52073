// The floor under our speed layer's design with our Kafka client: one process that moves every
// event through the two hops the workers make, and nothing else. It reads both source topics
// from the earliest offset (kafkajs, a consumer group, eachBatch), packs each batch's message
// values into frames of at most 256 KB (a length before each value, as the repartitioner frames
// its records), produces them to an internal topic (acks=-1, as the repartitioner), and reads
// that topic back with a second consumer, counting the values in each frame, until it has
// counted `expected`. No parsing, no state, no PostgreSQL: the time and CPU of the hops alone.
// Prints one JSON line. usage: node --import tsx bench/peers/kafkajs-relay-run.ts BROKERS CLICKS CHECKOUTS INTERNAL GROUP EXPECTED
import { createKafka } from '../../lib/kafka/client.ts';

const FRAME_BYTES = 256 * 1024;

/** Packs values into frames: [u32 length, bytes]… each frame at most FRAME_BYTES (or one value). */
function frames(values: (Buffer | null)[]): Buffer[] {
  const out: Buffer[] = [];
  let parts: Buffer[] = [];
  let size = 0;
  for (const v of values) {
    const value = v ?? Buffer.alloc(0);
    if (size > 0 && size + 4 + value.length > FRAME_BYTES) {
      out.push(Buffer.concat(parts, size));
      parts = [];
      size = 0;
    }
    const length = Buffer.allocUnsafe(4);
    length.writeUInt32LE(value.length);
    parts.push(length, value);
    size += 4 + value.length;
  }
  if (size > 0) out.push(Buffer.concat(parts, size));
  return out;
}

function countValues(frame: Buffer): number {
  let n = 0;
  for (let at = 0; at < frame.length; at += 4 + frame.readUInt32LE(at)) n++;
  return n;
}

async function main(): Promise<void> {
  const [brokers, clicks, checkouts, internal, group, expectedText] = process.argv.slice(2);
  const expected = Number(expectedText);
  if (!brokers || !clicks || !checkouts || !internal || !group || !Number.isFinite(expected)) {
    throw new Error('usage: kafkajs-relay-run.ts BROKERS CLICKS CHECKOUTS INTERNAL GROUP EXPECTED');
  }
  const started = Date.now();
  const kafka = createKafka({ brokers, clientId: group, logLevel: 'error' });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const source = kafka.consumer({
    groupId: `${group}-source`,
    maxBytesPerPartition: 4 * 1024 * 1024,
    maxWaitTimeInMs: 100,
  });
  const relayed = kafka.consumer({
    groupId: `${group}-internal`,
    maxBytesPerPartition: 4 * 1024 * 1024,
    maxWaitTimeInMs: 50,
  });
  await Promise.all([producer.connect(), source.connect(), relayed.connect()]);
  await source.subscribe({ topics: [clicks, checkouts], fromBeginning: true });
  await relayed.subscribe({ topics: [internal], fromBeginning: true });
  let read = 0;
  let counted = 0;
  const done = new Promise<void>((resolve) => {
    void relayed.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) if (m.value) counted += countValues(m.value);
        if (counted >= expected) resolve();
      },
    });
  });
  await source.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      read += batch.messages.length;
      const messages = frames(batch.messages.map((m) => m.value)).map((value) => ({
        value,
        partition: batch.partition,
      }));
      await producer.send({ topic: internal, messages, acks: -1 });
    },
  });
  await done;
  const seconds = (Date.now() - started) / 1000;
  await Promise.all([source.disconnect(), relayed.disconnect(), producer.disconnect()]);
  console.log(JSON.stringify({ seconds, read, counted }));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
