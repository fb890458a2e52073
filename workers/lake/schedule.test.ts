import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../lib/config.ts';
import type { runLakeExport } from './export.ts';
import { LakeExportAlreadyRunningError } from './job-runs.ts';
import { startLakeExportSchedule } from './schedule.ts';

afterEach(() => {
  vi.useRealTimers();
});

const deps = (run: typeof runLakeExport, lines: string[]) => ({
  kafka: {} as Kafka,
  pool: {} as pg.Pool,
  log: (l: string) => lines.push(l),
  runExport: run,
});

describe('startLakeExportSchedule', () => {
  it('runs the export at each LAKE_EXPORT_CRON time (UTC) and skips a time when one is running', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-03-01T01:59:30Z') });
    const calls: number[] = [];
    let busy = false;
    const run = vi.fn(async () => {
      calls.push(Date.now());
      if (busy) throw new LakeExportAlreadyRunningError();
      return { runId: 'r', durationMs: 5 } as Awaited<ReturnType<typeof runLakeExport>>;
    });
    const lines: string[] = [];
    const schedule = startLakeExportSchedule(
      parseConfig({ LAKE_EXPORT_CRON: '0 2 * * *' }),
      deps(run, lines),
    );
    expect(schedule.nextRunAt().toISOString()).toBe('2026-03-01T02:00:00.000Z');
    await vi.advanceTimersByTimeAsync(29_000);
    expect(run).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls.map((t) => new Date(t).toISOString())).toEqual(['2026-03-01T02:00:00.000Z']);
    expect(schedule.nextRunAt().toISOString()).toBe('2026-03-02T02:00:00.000Z');
    busy = true;
    await vi.advanceTimersByTimeAsync(86_400_000);
    expect(run).toHaveBeenCalledTimes(2);
    expect(lines.some((l) => /skipped: a lake export is already running/.test(l))).toBe(true);
    await schedule.stop();
    await vi.advanceTimersByTimeAsync(2 * 86_400_000);
    expect(run).toHaveBeenCalledTimes(2);
  });

  it('refuses an invalid LAKE_EXPORT_CRON at start', () => {
    expect(() =>
      startLakeExportSchedule(parseConfig({ LAKE_EXPORT_CRON: '0 25 * * *' }), deps(vi.fn(), [])),
    ).toThrow(/invalid cron expression "0 25 \* \* \*": hour: 25 is outside 0-23/);
  });
});
