// A multi-megabyte backlog whose events pile onto one internal partition (one partition in
// all, or a few hot users) must reach the internal topic whole and in order: a catch-up fetch
// (4 MiB per source partition) re-produced as one record batch per partition would be
// refused by the broker (MESSAGE_TOO_LARGE, over max.message.bytes) and stop the repartitioner.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  produceKeyless,
  createSpeedTestEnv,
  type SpeedTestEnv,
} from '../../test/speed/test-harness.ts';
import { InternalReader } from '../../test/speed/internal-reader.ts';
import {
  rawClick,
  startRepartitioner,
  type RepartitionerRun,
} from '../../test/speed/repartitioner-run.ts';

const CLICKS = 12_000;
const T0 = Date.now() - 2 * 86_400_000;

describe.each([
  { partitions: 1, hotShare: 0 },
  { partitions: 3, hotShare: 0.95 },
])(
  'a backlog on $partitions internal partition(s), hot share $hotShare',
  ({ partitions, hotShare }) => {
    let env: SpeedTestEnv;
    let run: RepartitionerRun;
    let reader: InternalReader;
    let backlogBytes = 0;

    beforeAll(async () => {
      env = await createSpeedTestEnv({ TOPIC_PARTITIONS: String(partitions) });
      const messages = Array.from({ length: CLICKS }, (_, i) => {
        // One hot user (a bot, a load test) and a few cold ones.
        const userId = i / CLICKS < hotShare || i % 10 === 0 ? 7 : 1 + (i % 50);
        const value = rawClick(`c${String(i).padStart(6, '0')}`, userId, T0 + i, 400);
        backlogBytes += Buffer.byteLength(value);
        return { topic: env.topics.clicks, value };
      });
      await produceKeyless(env.kafka, messages);
      reader = await new InternalReader(env.kafka, env.topics.clicksByUser).start();
      run = await startRepartitioner(env);
    }, 120_000);

    afterAll(async () => {
      await run?.stop();
      await reader?.stop();
      await env?.cleanup();
    });

    it('delivers every event, in source order per internal partition, markers after them', async () => {
      expect(backlogBytes).toBeGreaterThan(5 * 1024 * 1024);
      await expect
        .poll(() => reader.records.filter((r) => r.kind === 'click').length, { timeout: 90_000 })
        .toBeGreaterThanOrEqual(CLICKS);
      expect(run.fatal).toEqual([]);

      const ids = new Set<string>();
      for (let p = 0; p < partitions; p++) {
        const records = reader.partition(p);
        const clicks = records.flatMap((r) => (r.kind === 'click' ? [r.click] : []));
        for (const c of clicks) ids.add(c.clickId);
        // The source partitions were read in order; one user's events stay in that order.
        const sources = new Map<string, string[]>();
        for (const r of records) {
          if (r.kind !== 'click') continue;
          const list = sources.get(r.meta.source) ?? [];
          list.push(r.click.clickId);
          sources.set(r.meta.source, list);
        }
        for (const list of sources.values()) expect(list).toEqual([...list].sort());
        // Every record is followed, in its partition, by a marker of its source that covers it.
        let lastMarkerIndex = -1;
        records.forEach((r, i) => {
          if (r.kind === 'marker') lastMarkerIndex = i;
        });
        const afterLastMarker = records
          .slice(lastMarkerIndex + 1)
          .filter((r) => r.kind === 'click');
        expect(afterLastMarker).toEqual([]);
        const covered = (i: number, time: number, source: string) =>
          records
            .slice(i + 1)
            .some(
              (m) =>
                m.kind === 'marker' &&
                m.marker.source === source &&
                (m.marker.maxEventTime ?? -Infinity) >= time,
            );
        records.forEach((r, i) => {
          if (r.kind === 'click') expect(covered(i, r.click.time, r.meta.source)).toBe(true);
        });
      }
      expect(ids.size).toBe(CLICKS);
    });
  },
);
