// Explicit topic creation (the broker's auto-creation is off): create what is missing, wait for
// every partition to have a leader, and refuse an existing topic with fewer partitions than
// configured, since user partitioning (userPartition(user_id, P)) would address partitions it lacks.
import kafkajs, { type Admin, type Kafka } from 'kafkajs';
import type { Config } from '../config.ts';

export interface TopicSpec {
  name: string;
  partitions: number;
  /** Default: the broker's default.replication.factor. */
  replicationFactor?: number;
  /** Topic-level configs, e.g. { 'retention.ms': '604800000' }. Applied on creation only. */
  configs?: Record<string, string>;
}

export interface EnsureTopicsResult {
  created: string[];
  existing: string[];
}

/** An existing topic has fewer partitions than the configuration asks for. */
export class TopicPartitionsError extends Error {
  constructor(readonly shortfalls: { topic: string; actual: number; configured: number }[]) {
    super(
      shortfalls
        .map(
          ({ topic, actual, configured }) =>
            `Topic "${topic}" exists with ${actual} partition(s) but ${configured} are configured. ` +
            'Refusing to use it: records would be routed to partitions it does not have. ' +
            `Delete the topic, add partitions (kafka-topics --alter --topic ${topic} --partitions ${configured}), ` +
            'or set TOPIC_PARTITIONS to match.',
        )
        .join('\n'),
    );
    this.name = 'TopicPartitionsError';
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Makes every topic in `topics` exist with at least its configured partition count, each partition
 * led by a broker. Idempotent; safe to race with another process doing the same.
 */
export async function ensureTopics(
  kafka: Kafka,
  topics: TopicSpec[],
  { timeoutMs = 30_000 }: { timeoutMs?: number } = {},
): Promise<EnsureTopicsResult> {
  const names = topics.map((t) => t.name);
  if (new Set(names).size !== names.length) {
    throw new Error(`ensureTopics: a topic is listed twice in [${names.join(', ')}]`);
  }
  if (topics.length === 0) return { created: [], existing: [] };

  const admin = kafka.admin();
  await admin.connect();
  try {
    const present = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !present.has(t.name));
    if (missing.length > 0) {
      // Returns false instead of throwing when another process created them first. kafkajs's own
      // wait for leaders gives up when the broker does not know the new topic yet (see
      // waitForTopics), so the loop below waits instead.
      await admin.createTopics({
        waitForLeaders: false,
        timeout: timeoutMs,
        topics: missing.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          ...(t.replicationFactor !== undefined ? { replicationFactor: t.replicationFactor } : {}),
          configEntries: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
        })),
      });
    }

    // Check what is really there: also catches a topic someone else created with fewer partitions.
    const metadata = await waitForTopics(admin, names, { timeoutMs });
    const byName = new Map(metadata.map((m) => [m.name, m.partitions]));
    const shortfalls = topics
      .map((t) => ({
        topic: t.name,
        actual: byName.get(t.name)?.length ?? 0,
        configured: t.partitions,
      }))
      .filter(({ actual, configured }) => actual < configured);
    if (shortfalls.length > 0) throw new TopicPartitionsError(shortfalls);

    const createdNames = new Set(missing.map((t) => t.name));
    return {
      created: names.filter((n) => createdNames.has(n)),
      existing: names.filter((n) => !createdNames.has(n)),
    };
  } finally {
    await admin.disconnect();
  }
}

/** Broker answers that mean "not there yet" right after a topic is created. */
const NOT_YET = new Set([
  'UNKNOWN_TOPIC_OR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
]);

/**
 * The metadata of `names`, once the broker knows every one of them and each partition's leader
 * serves it. The controller acknowledges a new topic before the brokers have applied it (KRaft
 * publishes it a moment later): until then a broker answers UNKNOWN_TOPIC_OR_PARTITION ("This
 * server does not host this topic-partition"), which kafkajs treats as final; and for a moment
 * after its metadata names a leader, that leader still refuses requests for the partition with
 * NOT_LEADER_FOR_PARTITION (a produce then is retried whole by kafkajs, duplicating what the
 * other partitions had accepted). So: ask for the metadata, then for every partition's offsets
 * (answered only by a leader that serves the partition), and ask again until `timeoutMs`.
 */
export async function waitForTopics(
  admin: Admin,
  names: string[],
  { timeoutMs = 30_000 }: { timeoutMs?: number } = {},
): Promise<{ name: string; partitions: { partitionId: number; leader: number }[] }[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let waitingFor: string;
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: names });
      const known = new Set(topics.map((t) => t.name));
      const missing = names.filter((n) => !known.has(n));
      const leaderless = topics.filter(
        (t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0),
      );
      if (missing.length === 0 && leaderless.length === 0) {
        for (const name of names) await admin.fetchTopicOffsets(name);
        return topics;
      }
      waitingFor = `topics unknown: [${missing.join(', ')}], without a partition leader: [${leaderless.map((t) => t.name).join(', ')}]`;
    } catch (error) {
      const type = (error as { type?: unknown }).type;
      if (typeof type !== 'string' || !NOT_YET.has(type)) throw error;
      waitingFor = `${type} (${(error as Error).message})`;
    }
    if (Date.now() > deadline) {
      throw new Error(`Topics not ready after ${timeoutMs} ms: ${waitingFor}`);
    }
    await sleep(100);
  }
}

/** Kafka's default max.message.bytes (message.max.bytes of the broker): 1 MiB plus 12 bytes. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

/**
 * Each topic's max.message.bytes as the broker applies it (the topic's own setting, or else the
 * broker's message.max.bytes): the largest record batch a producer may send to it.
 */
export async function maxMessageBytes(
  admin: Admin,
  topics: string[],
): Promise<Map<string, number>> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({
      // A value, not a named import: Node's ESM loader cannot see this export of kafkajs (CJS).
      type: kafkajs.ConfigResourceTypes.TOPIC,
      name,
      configNames: ['max.message.bytes'],
    })),
  });
  const limits = new Map<string, number>();
  for (const name of topics) {
    const entry = resources
      .find((r) => r.resourceName === name)
      ?.configEntries.find((e) => e.configName === 'max.message.bytes');
    const value = Number(entry?.configValue);
    limits.set(name, Number.isSafeInteger(value) && value > 0 ? value : DEFAULT_MAX_MESSAGE_BYTES);
  }
  return limits;
}

export interface TopicNames {
  clicks: string;
  checkouts: string;
  /** Internal: clicks keyed and partitioned by user_id. */
  clicksByUser: string;
  /** Internal: checkouts keyed and partitioned by user_id. */
  checkoutsByUser: string;
}

/** The four topics of the speed layer; internal names derive from the source names. */
export function topicNames(config: Pick<Config, 'CLICKS_TOPIC' | 'CHECKOUTS_TOPIC'>): TopicNames {
  return {
    clicks: config.CLICKS_TOPIC,
    checkouts: config.CHECKOUTS_TOPIC,
    clicksByUser: `${config.CLICKS_TOPIC}-by-user`,
    checkoutsByUser: `${config.CHECKOUTS_TOPIC}-by-user`,
  };
}

/** Specs for ensureTopics: all four topics with TOPIC_PARTITIONS partitions. */
export function clickstreamTopicSpecs(
  config: Pick<
    Config,
    'CLICKS_TOPIC' | 'CHECKOUTS_TOPIC' | 'TOPIC_PARTITIONS' | 'TOPIC_REPLICATION_FACTOR'
  >,
): TopicSpec[] {
  const { clicks, checkouts, clicksByUser, checkoutsByUser } = topicNames(config);
  return [clicks, checkouts, clicksByUser, checkoutsByUser].map((name) => ({
    name,
    partitions: config.TOPIC_PARTITIONS,
    replicationFactor: config.TOPIC_REPLICATION_FACTOR,
  }));
}
