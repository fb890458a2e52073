// When the supervisor (supervisor.ts) restarts a process that exited: exponential backoff, as
// systemd's RestartSec steps or Kubernetes' CrashLoopBackOff do, reset once a run has lasted long
// enough to count as healthy. Pure: times come in as arguments.

export interface RestartPolicy {
  /** Wait before the first restart of a streak of failures. */
  initialDelayMs: number;
  /** Each further restart of the streak waits this many times longer… */
  factor: number;
  /** …up to this. */
  maxDelayMs: number;
  /** A run that lasted at least this long was healthy: the next restart waits initialDelayMs again. */
  healthyAfterMs: number;
}

/** 1 s, 2 s, 4 s … 30 s; a worker that ran a minute starts a new streak. */
export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 1_000,
  factor: 2,
  maxDelayMs: 30_000,
  healthyAfterMs: 60_000,
};

/** The wait before restart number `streak` (1-based) of an unbroken streak of short runs. */
export function backoffDelayMs(policy: RestartPolicy, streak: number): number {
  const exponent = Math.max(0, streak - 1);
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** exponent);
}

export interface RestartDecision {
  delayMs: number;
  /** Restarts so far, this one included (never reset: it is what an operator wants to see). */
  restart: number;
}

/** The backoff state of one supervised process. */
export class RestartBackoff {
  private streak = 0;
  private total = 0;

  constructor(private readonly policy: RestartPolicy = DEFAULT_RESTART_POLICY) {}

  /** Records an exit after a run of `ranMs` and says how long to wait before starting again. */
  next(ranMs: number): RestartDecision {
    if (ranMs >= this.policy.healthyAfterMs) this.streak = 0;
    this.streak += 1;
    this.total += 1;
    return { delayMs: backoffDelayMs(this.policy, this.streak), restart: this.total };
  }

  get restarts(): number {
    return this.total;
  }
}

/** "350 ms", "12 s", "2 min 5 s": short, for log lines. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  const seconds = Math.round(ms / 1_000);
  if (seconds < 60) return `${seconds} s`;
  const rest = seconds % 60;
  return `${Math.floor(seconds / 60)} min${rest > 0 ? ` ${rest} s` : ''}`;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** "exited with code 1", "was killed by SIGKILL", or (neither: the spawn failed) "failed to start". */
export function describeExit({ code, signal }: ExitStatus): string {
  if (signal !== null) return `was killed by ${signal}`;
  return code === null ? 'failed to start' : `exited with code ${code}`;
}

/** "worker exited with code 1 after 12 s; restarting in 2 s (restart 3)". */
export function restartMessage(
  name: string,
  exit: ExitStatus,
  ranMs: number,
  decision: RestartDecision,
): string {
  return (
    `${name} ${describeExit(exit)} after ${formatDuration(ranMs)}; ` +
    `restarting in ${formatDuration(decision.delayMs)} (restart ${decision.restart})`
  );
}
