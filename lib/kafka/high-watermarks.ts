// An admin client whose fetchTopicOffsets answers each partition's high watermark (the offset
// after the last record appended, committed or not). kafkajs's own admin asks with
// read_committed isolation and so answers the last stable offset, which stops before the first
// record of an open transaction: a reader at that offset looks caught up while records it has
// not seen (and that were appended earlier) are waiting behind the transaction.
import type { Admin, Kafka } from 'kafkajs';

const READ_UNCOMMITTED = 0;
/** kafkajs 2.x keeps its cluster factory under this private symbol; a test pins it. */
const CREATE_CLUSTER = 'private:Kafka:createCluster';

type ClusterFactory = (options: Record<string, unknown>) => unknown;

export function createHighWatermarkAdmin(kafka: Kafka): Admin {
  const holder = kafka as unknown as Record<symbol, unknown>;
  const key = Object.getOwnPropertySymbols(kafka).find((s) => s.description === CREATE_CLUSTER);
  const createCluster = key === undefined ? undefined : holder[key];
  if (key === undefined || typeof createCluster !== 'function') {
    throw new Error(
      `kafkajs internals changed (no ${CREATE_CLUSTER}): cannot ask for high watermarks`,
    );
  }
  // kafka.admin() builds its cluster synchronously: swap the factory for that one call.
  holder[key] = (options: Record<string, unknown>) =>
    (createCluster as ClusterFactory)({ ...options, isolationLevel: READ_UNCOMMITTED });
  try {
    return kafka.admin();
  } finally {
    holder[key] = createCluster;
  }
}
