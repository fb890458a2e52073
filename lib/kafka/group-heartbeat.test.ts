import { describe, expect, it } from 'vitest';
import { groupHeartbeatIntervalMs } from './group-heartbeat.ts';

describe('groupHeartbeatIntervalMs', () => {
  it('heartbeats every 250 ms, and at least three times per session timeout', () => {
    expect(groupHeartbeatIntervalMs(30_000)).toBe(250);
    expect(groupHeartbeatIntervalMs(6_000)).toBe(250);
    expect(groupHeartbeatIntervalMs(600)).toBe(200);
  });
});
