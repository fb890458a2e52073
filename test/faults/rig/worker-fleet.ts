// The workers under test: real `workers/main.ts` processes, each under the supervisor of
// `npm run workers` (scripts/stack/supervisor.ts), so a worker that exits is restarted as in
// production, and the test can count how often that happened. Output is kept for the report.
import { projectRoot } from '../../../lib/config.ts';
import type { RestartPolicy } from '../../../scripts/stack/restart-policy.ts';
import { waitUntil } from '../../../scripts/stack/process.ts';
import { Supervisor, type ChildRun } from '../../../scripts/stack/supervisor.ts';

/** Quicker than the default, so a crash costs the test seconds, not half a minute. */
const TEST_POLICY: RestartPolicy = {
  initialDelayMs: 500,
  factor: 2,
  maxDelayMs: 4_000,
  healthyAfterMs: 30_000,
};
const KEPT_LINES = 400;
/** Lines kept from before each crash (library stack frames left out; the project's stay). */
const CRASH_CONTEXT = 30;
const STACK_FRAME = /^\S+\|\s+at .*(node_modules|node:internal|<anonymous>)/;
/** Worker log lines that show a fault reaching the worker (counted over the whole run). */
const TROUBLE = /error|fail|retry|transient|terminat|ECONN|disconnect/i;

interface Member {
  name: string;
  supervisor: Supervisor;
  lines: string[];
}

export class WorkerFleet {
  /** Worker output lines about errors or retries, and the first distinct ones (timestamps cut). */
  readonly trouble = { lines: 0, samples: new Set<string>() };
  /** For each worker exit that led to a restart: the worker's last lines before it. */
  readonly crashes: string[] = [];
  private readonly members: Member[];

  constructor(
    env: Record<string, string>,
    count: number,
    private readonly log: (line: string) => void,
  ) {
    this.members = Array.from({ length: count }, (_, i) => {
      const name = `worker-${i + 1}`;
      const lines: string[] = [];
      const keep = (text: string) => {
        for (const line of text.split('\n')) {
          if (!line.trim()) continue;
          lines.push(`${name}| ${line}`);
          if (!TROUBLE.test(line)) continue;
          this.trouble.lines += 1;
          if (this.trouble.samples.size < 12) {
            this.trouble.samples.add(line.replace(/^\S+Z /, '').slice(0, 160));
          }
        }
        if (lines.length > KEPT_LINES) lines.splice(0, lines.length - KEPT_LINES);
      };
      const supervisor = new Supervisor({
        name,
        // One node process (tsx as an --import hook), so signals reach the worker itself.
        command: process.execPath,
        args: ['--import', 'tsx', 'workers/main.ts'],
        cwd: projectRoot,
        env: { ...process.env, ...env },
        policy: TEST_POLICY,
        stopGraceMs: 35_000,
        output: keep,
        log: (line) => {
          if (line.includes('; restarting in')) {
            // A moment later: 'exit' can come before the last output has been read from the pipe.
            setTimeout(() => {
              const context = lines.slice(-4 * CRASH_CONTEXT).filter((l) => !STACK_FRAME.test(l));
              this.crashes.push(context.slice(-CRASH_CONTEXT).join('\n'));
            }, 300);
          }
          keep(`[supervisor] ${line}`);
          this.log(`[supervisor] ${line}`);
        },
      });
      return { name, supervisor, lines };
    });
  }

  start(): void {
    for (const m of this.members) m.supervisor.start();
  }

  /** Waits until every worker has said it runs (consumers joined, metrics up). */
  async waitUntilRunning(timeoutMs = 90_000): Promise<void> {
    await waitUntil(
      'every worker running',
      () => this.members.every((m) => m.lines.some((l) => l.includes('running; metrics on'))),
      { timeoutMs, intervalMs: 200 },
    );
  }

  /** Restarts per worker, in order. */
  get restarts(): number[] {
    return this.members.map((m) => m.supervisor.restarts);
  }

  /** How each run that ended did (exit code or signal, how long it ran). */
  get exits(): { name: string; runs: ChildRun[] }[] {
    return this.members.map((m) => ({ name: m.name, runs: [...m.supervisor.runs] }));
  }

  /** The last `lines` lines of every worker's output, for a failure report. */
  tail(lines = 60): string {
    return this.members.map((m) => m.lines.slice(-lines).join('\n')).join('\n');
  }

  /** SIGTERM through the supervisors: a clean stop, nothing restarted. */
  async stop(): Promise<void> {
    await Promise.all(this.members.map((m) => m.supervisor.stop('SIGTERM')));
  }
}
