// LAKE_EXPORT_CRON through croner: checked when the config is parsed (a bad pattern stops the
// start with its name), evaluated in UTC by the jobs worker's schedule.
import { Cron } from 'croner';

/** Why `pattern` is not a cron expression croner accepts (croner's words), or null when it is. */
export function cronProblem(pattern: string): string | null {
  try {
    new Cron(pattern, { timezone: 'UTC', paused: true }).stop();
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}
