// The one daily schedule: at each LAKE_EXPORT_CRON time (UTC, croner) the leader among the jobs
// workers (leader.ts) enqueues a lake export; a jobs worker then claims and runs it like any
// other run. Followers do nothing. The run is enqueued with its schedule time, which the database
// takes once (unique per kind and time), so even two leaders could not enqueue one time twice;
// a time that finds an export queued or running is skipped, as a start from the admin page is.
import { Cron } from 'croner';
import type { EnqueueOutcome } from '../../lib/jobs/job-run-store.ts';
import type { Leadership } from './leader.ts';

export interface LakeExportSchedule {
  /** The next time the schedule fires. */
  nextRunAt(): Date | null;
  stop(): void;
}

export interface ScheduleOptions {
  /** LAKE_EXPORT_CRON (validated with the config). */
  pattern: string;
  leader: Pick<Leadership, 'confirm'>;
  enqueue: (scheduledFor: Date) => Promise<EnqueueOutcome>;
  log?: (line: string) => void;
  /** Called after each time the schedule fired on this worker (tests). */
  onFired?: (outcome: EnqueueOutcome) => void;
}

export function startLakeExportSchedule(options: ScheduleOptions): LakeExportSchedule {
  const log = options.log ?? (() => undefined);
  const cron = new Cron(options.pattern, { timezone: 'UTC', protect: true }, async () => {
    // The schedule time that fired (not the moment this callback ran, which may be late).
    const scheduledFor = cron.previousRuns(1, new Date(Date.now() + 1))[0] ?? new Date();
    try {
      if (!(await options.leader.confirm())) return;
      const outcome = await options.enqueue(scheduledFor);
      if (outcome.queued) {
        log(
          `scheduled lake export for ${scheduledFor.toISOString()} queued (run ${outcome.run.id})`,
        );
      } else if (outcome.active) {
        log(`skipped ${scheduledFor.toISOString()}: an export is already ${outcome.active.status}`);
      } else {
        log(`skipped ${scheduledFor.toISOString()}: already enqueued by another worker`);
      }
      options.onFired?.(outcome);
    } catch (error) {
      log(`could not enqueue the scheduled export: ${(error as Error).message}`);
    }
  });
  log(
    `lake export scheduled "${options.pattern}" (UTC); next at ${cron.nextRun()?.toISOString() ?? 'never'}`,
  );
  return {
    nextRunAt: () => cron.nextRun(),
    stop: () => cron.stop(),
  };
}
