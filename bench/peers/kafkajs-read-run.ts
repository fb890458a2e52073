// The read ceiling of our Kafka client on this machine: one process that only consumes both
// source topics from the earliest offset with kafkajs (a consumer group, eachBatch, no parsing,
// no produce), until it has read `expected` messages. Our workers read every event twice (source
// and internal topic) and parse it once, so this is a floor under their time, not a contender.
// Prints one JSON line. usage: node --import tsx bench/peers/kafkajs-read-run.ts BROKERS CLICKS CHECKOUTS GROUP EXPECTED
import { createKafka } from '../../lib/kafka/client.ts';

async function main(): Promise<void> {
  const [brokers, clicks, checkouts, group, expectedText] = process.argv.slice(2);
  const expected = Number(expectedText);
  if (!brokers || !clicks || !checkouts || !group || !Number.isFinite(expected)) {
    throw new Error('usage: kafkajs-read-run.ts BROKERS CLICKS CHECKOUTS GROUP EXPECTED');
  }
  const started = Date.now();
  const kafka = createKafka({ brokers, clientId: group, logLevel: 'error' });
  const consumer = kafka.consumer({
    groupId: group,
    maxBytesPerPartition: 4 * 1024 * 1024,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [clicks, checkouts], fromBeginning: true });
  let read = 0;
  let bytes = 0;
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        read += batch.messages.length;
        for (const m of batch.messages) bytes += m.value?.length ?? 0;
        if (read >= expected) resolve();
      },
    });
  });
  await done;
  const seconds = (Date.now() - started) / 1000;
  await consumer.disconnect();
  console.log(JSON.stringify({ seconds, read, bytes }));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
