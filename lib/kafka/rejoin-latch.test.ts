import { describe, expect, it } from 'vitest';
import { RejoinLatch } from './rejoin-latch.ts';

// What kafkajs throws from a heartbeat during a rebalance (a KafkaJSProtocolError).
const rebalancing = () =>
  Object.assign(new Error('The group is rebalancing, so a rejoin is needed'), {
    name: 'KafkaJSProtocolError',
    type: 'REBALANCE_IN_PROGRESS',
    code: 27,
  });

describe('RejoinLatch', () => {
  it('fails every batch with the rejoin error once a heartbeat reported one, until joined', async () => {
    const latch = new RejoinLatch();
    const error = rebalancing();
    const heartbeat = latch.heartbeat(() => Promise.reject(error));
    await expect(heartbeat()).rejects.toBe(error);
    expect(latch.rejoining).toBe(true);
    expect(() => latch.check()).toThrow(error);
    expect(() => latch.check()).toThrow(error);
    latch.joined();
    expect(latch.rejoining).toBe(false);
    expect(() => latch.check()).not.toThrow();
  });

  it('lets other errors pass without latching', async () => {
    const latch = new RejoinLatch();
    latch.note(new Error('connection reset'));
    await expect(latch.heartbeat(() => Promise.reject(new TypeError('bug')))()).rejects.toThrow(
      'bug',
    );
    expect(latch.rejoining).toBe(false);
    expect(() => latch.check()).not.toThrow();
  });

  it('keeps the first rejoin error, and a successful heartbeat changes nothing', async () => {
    const latch = new RejoinLatch();
    await latch.heartbeat(() => Promise.resolve())();
    expect(latch.rejoining).toBe(false);
    const first = rebalancing();
    latch.note(first);
    latch.note(rebalancing());
    expect(() => latch.check()).toThrow(first);
  });
});
