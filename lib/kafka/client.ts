// The one place kafkajs clients are configured: retries, timeouts, logs through lib/log.ts (at
// LOG_LEVEL, component "kafkajs"), and producers that always name their partitioner (so kafkajs's
// v2 partitioner warning never fires).
// Topics are never auto-created by our clients; ensureTopics (topics.ts) creates them.
import {
  Kafka,
  logLevel,
  Partitioners,
  type ConsumerConfig,
  type LogEntry,
  type logCreator,
  type Consumer,
  type Producer,
  type ProducerConfig,
  type RetryOptions,
} from 'kafkajs';
import { logger, type Logger } from '../log.ts';

export type KafkaLogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface CreateKafkaOptions {
  /** "host:port,host:port" (as in KAFKA_BROKERS) or a list. */
  brokers: string | string[];
  clientId: string;
  /** Where kafkajs's entries go (their level decides what shows); default logger('kafkajs'). */
  log?: Logger;
  /** Drops kafkajs entries less severe than this before they reach `log` (e.g. 'error' in tests). */
  logLevel?: KafkaLogLevel;
  /** Overrides the default backoff (e.g. `{ retries: 0 }` for a quick probe). */
  retry?: RetryOptions;
}

const levels: Record<KafkaLogLevel, logLevel> = {
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
};

/**
 * Our level for a kafkajs level. kafkajs logs every connection, group join and routine retried
 * answer at INFO: that is our debug. Its DEBUG (every request) is trace, which no LOG_LEVEL turns on.
 */
const ourLevels = {
  [logLevel.NOTHING]: 'silent',
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'debug',
  [logLevel.DEBUG]: 'trace',
} as const;

/**
 * Broker answers that kafkajs retries by itself (coordinator moving or loading, leader election,
 * rebalance). kafkajs's Connection logs each at ERROR; they are routine, so they count as INFO.
 * If they persist, the retried operation fails and its caller sees a real error.
 */
const routineResponseErrors = new Set([
  "The coordinator is loading and hence can't process requests for this group",
  'The group coordinator is not available',
  'This is not the correct coordinator for this group',
  'There is no leader for this topic-partition as we are in the middle of a leadership election',
  'This server is not the leader for that topic-partition',
  'This is not the correct controller for this cluster',
  'The group is rebalancing, so a rejoin is needed',
  'There are unstable offsets that need to be cleared',
  'The fetch session ID was not found',
  'The fetch session epoch is invalid',
]);

/** The level an entry is reported at: routine retried broker answers are demoted to INFO. */
export function effectiveLevel({ namespace, level, log }: LogEntry): logLevel {
  const routine =
    namespace === 'Connection' &&
    log.message.startsWith('Response ') &&
    typeof log.error === 'string' &&
    routineResponseErrors.has(log.error);
  return routine ? Math.max(level, logLevel.INFO) : level;
}

/** The kafkajs level to ask for: nothing finer than `log` (or `floor`) would keep. */
function kafkaLevelFor(log: Logger, floor: KafkaLogLevel | undefined): logLevel {
  const wanted = log.isLevelEnabled('trace')
    ? logLevel.DEBUG
    : log.isLevelEnabled('debug')
      ? logLevel.INFO
      : logLevel.WARN;
  return floor === undefined ? wanted : Math.min(wanted, levels[floor]);
}

/**
 * kafkajs's entries as records of `log`: the message, the namespace and kafkajs's fields (broker,
 * groupId, error…), at our level for the entry's effective level; none finer than `floor`.
 */
export function kafkaLogCreator(log: Logger, floor?: KafkaLogLevel): logCreator {
  return () => (entry) => {
    const level = effectiveLevel(entry);
    if (floor !== undefined && level > levels[floor]) return;
    const { timestamp: _timestamp, logger: _logger, message, ...fields } = entry.log;
    const ours = ourLevels[level as keyof typeof ourLevels] ?? 'error';
    if (ours !== 'silent') log[ours]({ namespace: entry.namespace, ...fields }, message);
  };
}

/**
 * A Kafka whose producers default to the Java-compatible murmur2 partitioner (kafkajs's
 * DefaultPartitioner) and whose producers and consumers never ask the broker to auto-create topics.
 */
class ClickstreamKafka extends Kafka {
  override producer(config: ProducerConfig = {}): Producer {
    // An idempotent (or transactional) producer must not give up on retries, or a resend after a
    // gap could reorder or duplicate; kafkajs's own default for it is unlimited retries.
    const exactlyOnce = config.idempotent === true || config.transactionalId !== undefined;
    return super.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
      ...(exactlyOnce ? { retry: { retries: Number.MAX_SAFE_INTEGER } } : {}),
      ...config,
    });
  }

  override consumer(config: ConsumerConfig): Consumer {
    return super.consumer({ allowAutoTopicCreation: false, ...config });
  }
}

export function parseBrokers(brokers: string | string[]): string[] {
  const list = (Array.isArray(brokers) ? brokers : brokers.split(','))
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
  if (list.length === 0) throw new Error('no Kafka brokers given');
  return list;
}

export function createKafka({
  brokers,
  clientId,
  log = logger('kafkajs'),
  logLevel: floor,
  retry,
}: CreateKafkaOptions): Kafka {
  return new ClickstreamKafka({
    brokers: parseBrokers(brokers),
    clientId,
    // A local broker answers in microseconds; 3 s still tolerates a busy 2-core machine.
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    // Roughly 30 s of backoff in total before an operation gives up: long enough to ride out a
    // broker restart or leader election, short enough that a dead broker fails visibly.
    retry: retry ?? {
      initialRetryTime: 300,
      maxRetryTime: 5_000,
      factor: 0.2,
      multiplier: 2,
      retries: 8,
    },
    logLevel: kafkaLevelFor(log, floor),
    logCreator: kafkaLogCreator(log, floor),
  });
}
