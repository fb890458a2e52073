// How often a consumer group member heartbeats. A rebalance (a worker joining or leaving) reaches
// the other members only in their next heartbeat's answer, and a joining worker waits for all of
// them: at kafkajs's 3 s, two workers started on a backlog ran one core for seconds while the
// second waited for its partitions. Every 250 ms: at 1 s, the second of two workers started
// together still waited 2.4-3.0 s in its joins (peers bench, 150k events, alternated with 250 ms:
// 1.2-2.2 s). A heartbeat is one small request to the group's coordinator: four a second cost
// nothing. A third of the session timeout at most, so that a missed one or two never expel a
// live member.
export function groupHeartbeatIntervalMs(sessionTimeoutMs: number): number {
  return Math.min(250, Math.floor(sessionTimeoutMs / 3));
}
