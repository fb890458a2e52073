// Who claimed a run: "<name> <pid>@<host>", stored in job_runs.claimed_by. The host lets a worker
// on the same machine see at once that a claimer's process is gone; the name tells the jobs
// worker from a CLI.
import { hostname } from 'node:os';

export const workerIdentity = (name: string, pid = process.pid, host = hostname()): string =>
  `${name} ${pid}@${host}`;

/** True while a process with this pid exists on this machine. */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
