import { describe, expect, it } from 'vitest';
import { groupHeartbeatIntervalMs } from './group-heartbeat.ts';

describe('groupHeartbeatIntervalMs', () => {
  it('heartbeats every second, and at least three times per session timeout', () => {
    expect(groupHeartbeatIntervalMs(30_000)).toBe(1_000);
    expect(groupHeartbeatIntervalMs(6_000)).toBe(1_000);
    expect(groupHeartbeatIntervalMs(2_400)).toBe(800);
  });
});
