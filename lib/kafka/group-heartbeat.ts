// How often a consumer group member heartbeats. A rebalance (a worker joining or leaving) reaches
// the other members only in their next heartbeat's answer, and a joining worker waits for all of
// them: at kafkajs's 3 s, two workers started on a backlog ran one core for seconds while the
// second waited for its partitions. A heartbeat is one small request: once a second costs nothing.
// A third of the session timeout at most, so that a missed one or two never expel a live member.
export function groupHeartbeatIntervalMs(sessionTimeoutMs: number): number {
  return Math.min(1_000, Math.floor(sessionTimeoutMs / 3));
}
