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
    return super.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
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
    logCreator: () => (entry) => writeLine(formatKafkaLogEntry(entry)),
  });
}
