// Started first by Playwright (a webServer entry, so it is stopped last): recreates the e2e
// database with every migration, moves the e2e consumer groups past whatever earlier runs left
// in the e2e topics (a fresh database has no snapshots, so the attributor would otherwise start
// from its group's last commit and replay old rows), answers on a port when ready, and drops the
// database when stopped.
import http from 'node:http';
import type { Kafka } from 'kafkajs';
import pg from 'pg';
import { loadConfig } from '../../lib/config.ts';
import { migrateDatabase } from '../../lib/db/migrate.ts';
import { provisionWebRole } from '../../lib/db/web-role.ts';
import { assertTestDatabaseName, dropTestDatabase } from '../../test/db/test-database.ts';
import { createKafka } from '../../lib/kafka/client.ts';
import { topicNames } from '../../lib/kafka/topics.ts';
import { E2E, e2eDatabaseUrl } from './e2e-stack.ts';

const log = (message: string) => console.log(`[e2e-database] ${message}`);

async function recreateDatabase(baseUrl: string, webUrl: string | undefined): Promise<void> {
  assertTestDatabaseName(E2E.databaseName);
  await dropTestDatabase(baseUrl, E2E.databaseName);
  const client = new pg.Client({ connectionString: baseUrl, application_name: 'clickstream-e2e' });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(E2E.databaseName)}`);
  } finally {
    await client.end();
  }
  await migrateDatabase(e2eDatabaseUrl(baseUrl));
  if (webUrl) await provisionWebRole(e2eDatabaseUrl(baseUrl), e2eDatabaseUrl(webUrl), log);
}

/**
 * Commits the end offsets of `topics` for `groupId`: one short-lived member joins the group
 * (paused, never processing, no auto-commit) and commits them. Admin setOffsets would join once
 * per topic, and resetOffsets commits -1, which a consumer subscribed fromBeginning reads as
 * "from the beginning".
 */
async function moveGroupToEnd(kafka: Kafka, groupId: string, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = (
    await Promise.all(
      topics.map(async (topic) =>
        (await admin.fetchTopicOffsets(topic)).map((p) => ({
          topic,
          partition: p.partition,
          offset: p.high,
        })),
      ),
    )
  ).flat();
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  try {
    const joined = new Promise<void>((resolve) =>
      consumer.on(consumer.events.GROUP_JOIN, () => resolve()),
    );
    await consumer.subscribe({ topics });
    await consumer.run({ autoCommit: false, eachBatch: async () => undefined });
    consumer.pause(topics.map((topic) => ({ topic })));
    await joined;
    await consumer.commitOffsets(ends);
  } finally {
    await consumer.disconnect();
  }
}

/** Moves the e2e consumer groups to the end of their topics, so old e2e events are not replayed. */
async function skipOldEvents(brokers: string): Promise<void> {
  const kafka = createKafka({ brokers, clientId: 'clickstream-e2e-setup', retry: { retries: 2 } });
  const admin = kafka.admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  await admin.disconnect();
  const names = topicNames({ CLICKS_TOPIC: E2E.clicksTopic, CHECKOUTS_TOPIC: E2E.checkoutsTopic });
  const groups: [string, string[]][] = [
    [`${E2E.groupPrefix}-repartitioner`, [names.clicks, names.checkouts]],
    [`${E2E.groupPrefix}-attributor`, [names.clicksByUser, names.checkoutsByUser]],
  ];
  await Promise.all(
    groups
      .map(([groupId, topics]) => [groupId, topics.filter((t) => existing.has(t))] as const)
      .filter(([, topics]) => topics.length > 0)
      .map(([groupId, topics]) => moveGroupToEnd(kafka, groupId, topics)),
  );
}

async function main(): Promise<void> {
  const config = loadConfig();
  // Created now, listening once ready: Playwright waits for the port.
  const server = http.createServer((_req, res) => res.writeHead(200).end('ready\n'));
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    if (server.listening) server.close();
    dropTestDatabase(config.DATABASE_URL, E2E.databaseName).then(
      () => {
        log(`database ${E2E.databaseName} dropped`);
        process.exit(0);
      },
      (error: unknown) => {
        log(`could not drop ${E2E.databaseName}: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  // Installed first: stopped during setup, it still drops what it made.
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);

  await recreateDatabase(config.DATABASE_URL, config.WEB_DATABASE_URL);
  log(`database ${E2E.databaseName} migrated`);
  await skipOldEvents(config.KAFKA_BROKERS).catch((error: unknown) =>
    log(`could not move the e2e groups to the end of their topics: ${String(error)}`),
  );
  await new Promise<void>((resolve) => server.listen(E2E.databaseReadyPort, '127.0.0.1', resolve));
  log('ready');
}

main().catch((error: unknown) => {
  console.error(
    `[e2e-database] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  process.exit(1);
});
