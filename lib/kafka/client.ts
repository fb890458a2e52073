// The one place kafkajs clients are configured: retries, timeouts, one-line logs, and producers
// that always name their partitioner (so kafkajs's v2 partitioner warning never fires).
// Topics are never auto-created by our clients; ensureTopics (topics.ts) creates them.
import {
  Kafka,
  logLevel,
  Partitioners,
  type ConsumerConfig,
  type LogEntry,
  type Consumer,
  type Producer,
  type ProducerConfig,
  type RetryOptions,
} from 'kafkajs';

export type KafkaLogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface CreateKafkaOptions {
  /** "host:port,host:port" (as in KAFKA_BROKERS) or a list. */
  brokers: string | string[];
  clientId: string;
  /** Default 'warn': kafkajs logs every connection and group join at INFO. */
  logLevel?: KafkaLogLevel;
  /** Where log lines go; default stderr. */
  writeLine?: (line: string) => void;
  /** Overrides the default backoff (e.g. `{ retries: 0 }` for a quick probe). */
  retry?: RetryOptions;
}

const levels: Record<KafkaLogLevel, logLevel> = {
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
};

const levelNames: Partial<Record<logLevel, string>> = {
  [logLevel.ERROR]: 'ERROR',
  [logLevel.WARN]: 'WARN',
  [logLevel.INFO]: 'INFO',
  [logLevel.DEBUG]: 'DEBUG',
};

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

/** One line per entry: `time LEVEL kafkajs[namespace] message {extra fields as JSON}`. */
export function formatKafkaLogEntry({ namespace, level, log }: LogEntry): string {
  const { timestamp, message, ...extra } = log;
  const fields = Object.keys(extra).length > 0 ? ` ${JSON.stringify(extra)}` : '';
  return `${timestamp} ${levelNames[level] ?? level} kafkajs[${namespace}] ${message}${fields}`;
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
  logLevel: level = 'warn',
  writeLine = (line) => process.stderr.write(`${line}\n`),
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
    logLevel: levels[level],
    logCreator: () => (entry) => {
      const entryLevel = effectiveLevel(entry);
      if (entryLevel > levels[level]) return;
      writeLine(formatKafkaLogEntry({ ...entry, level: entryLevel }));
    },
  });
}
