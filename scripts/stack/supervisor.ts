// Keeps one child process running on the local stack, as systemd or Kubernetes do in production:
// a child that exits is started again after the backoff of restart-policy.ts, and the log says
// why and when. Invariant: after stop() (the CLI: SIGINT or SIGTERM), the signal is forwarded to
// the child and nothing is restarted any more.
//
//   tsx scripts/stack/supervisor.ts [--name worker] [--nice 10] -- <command> [args…]
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { logger } from '../../lib/log.ts';
import {
  DEFAULT_RESTART_POLICY,
  RestartBackoff,
  describeExit,
  formatDuration,
  restartMessage,
  type ExitStatus,
  type RestartPolicy,
} from './restart-policy.ts';

export interface SupervisorOptions {
  /** How the log names the child: "worker". */
  name: string;
  command: string;
  args?: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  policy?: RestartPolicy;
  log?: (line: string) => void;
  /** Where the child's stdout and stderr go: this terminal (default), or a function per chunk. */
  output?: 'inherit' | ((text: string) => void);
  /** How long stop() waits after its signal before SIGKILL. Default 40 s (a worker takes up to 30 s). */
  stopGraceMs?: number;
  /**
   * The child's niceness (`nice -n`, 1–19): a lower CPU priority, so that on a machine it shares
   * with the web the dashboard is served first, while the child still gets every cycle no one
   * else wants. Set before the child's first instruction, so all its threads (GC, libuv) have it.
   * Unset: this process's own.
   */
  nice?: number;
}

/** One finished run of the child. */
export interface ChildRun extends ExitStatus {
  pid: number | undefined;
  ranMs: number;
}

/** Its own lines are logs (component "supervisor"), among the child's on the same stdout. */
const supervisorLog = logger('supervisor');

export class Supervisor {
  /** Every finished run, oldest first. */
  readonly runs: ChildRun[] = [];
  private readonly backoff: RestartBackoff;
  private readonly log: (line: string) => void;
  private child: ChildProcess | undefined;
  private startedAt = 0;
  private starts = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private stopping: Promise<ChildRun | undefined> | undefined;
  private readonly exitWaiters: ((run: ChildRun) => void)[] = [];

  constructor(private readonly options: SupervisorOptions) {
    this.backoff = new RestartBackoff(options.policy ?? DEFAULT_RESTART_POLICY);
    this.log = options.log ?? ((line) => supervisorLog.info(line));
  }

  /** Starts the child; it is restarted whenever it exits until stop() is called. */
  start(): void {
    if (this.starts > 0) throw new Error(`supervisor of ${this.options.name} started twice`);
    this.spawnChild();
  }

  /** Times the child was started again after exiting. */
  get restarts(): number {
    return Math.max(0, this.starts - 1);
  }

  /** The running child's pid, if one runs now. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * Sends `signal` to the child, waits for it to exit (SIGKILL after the grace period) and
   * restarts nothing any more. Resolves with the child's last run (undefined when none was
   * running). Calling it again returns the same promise.
   */
  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<ChildRun | undefined> {
    this.stopping ??= this.stopChild(signal);
    return this.stopping;
  }

  private async stopChild(signal: NodeJS.Signals): Promise<ChildRun | undefined> {
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (child === undefined) return undefined;
    const exited = new Promise<ChildRun>((resolve) => this.exitWaiters.push(resolve));
    const graceMs = this.options.stopGraceMs ?? 40_000;
    child.kill(signal);
    const killer = setTimeout(() => {
      this.log(
        `${this.options.name} still running ${formatDuration(graceMs)} after ${signal}; sending SIGKILL`,
      );
      child.kill('SIGKILL');
    }, graceMs);
    try {
      return await exited;
    } finally {
      clearTimeout(killer);
    }
  }

  private spawnChild(): void {
    const { name, command, args = [], cwd, env, output = 'inherit', nice } = this.options;
    const [file, argv] = nice ? ['nice', ['-n', String(nice), command, ...args]] : [command, args];
    const child = spawn(file, argv, {
      cwd,
      env: env ?? process.env,
      stdio: output === 'inherit' ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.startedAt = Date.now();
    this.starts += 1;
    if (typeof output === 'function') {
      child.stdout?.setEncoding('utf8').on('data', output);
      child.stderr?.setEncoding('utf8').on('data', output);
    }
    let ended = false;
    const end = (status: ExitStatus) => {
      if (ended) return;
      ended = true;
      this.onExit(child, status);
    };
    child.once('exit', (code, signal) => end({ code, signal }));
    child.once('error', (error) => {
      // Only a failed spawn ends the run here; a failed kill() leaves the child running.
      if (child.pid !== undefined) return;
      this.log(`${name} could not be started: ${error.message}`);
      end({ code: null, signal: null });
    });
    if (child.pid !== undefined) this.log(`${name} started (pid ${child.pid})`);
  }

  private onExit(child: ChildProcess, status: ExitStatus): void {
    const run: ChildRun = { pid: child.pid, ranMs: Date.now() - this.startedAt, ...status };
    this.runs.push(run);
    if (this.child === child) this.child = undefined;
    for (const notify of this.exitWaiters.splice(0)) notify(run);
    const { name } = this.options;
    if (this.stopping !== undefined) {
      this.log(`${name} ${describeExit(status)} after ${formatDuration(run.ranMs)}; stopped`);
      return;
    }
    const decision = this.backoff.next(run.ranMs);
    this.log(restartMessage(name, status, run.ranMs, decision));
    // Decided again when the timer fires: a stop that arrives meanwhile (say the SIGTERM that
    // also reached the child first) wins.
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping === undefined) this.spawnChild();
    }, decision.delayMs);
  }
}

/** Parses `[--name NAME] [--nice N] -- command [args…]` (N: 1–19, 0 for none). */
export function parseSupervisorArgs(argv: string[]): {
  name: string;
  command: string;
  args: string[];
  nice?: number;
} {
  const separator = argv.indexOf('--');
  const [command, ...args] = separator >= 0 ? argv.slice(separator + 1) : [];
  const own = separator >= 0 ? argv.slice(0, separator) : argv;
  const options = new Map<string, string>();
  let known = own.length % 2 === 0;
  for (let i = 0; known && i < own.length; i += 2) {
    const [option, value] = [own[i]!, own[i + 1]!];
    known = (option === '--name' || option === '--nice') && !options.has(option);
    options.set(option, value);
  }
  const niceText = options.get('--nice');
  const nice = niceText === undefined ? undefined : Number(niceText);
  const name = options.get('--name') ?? (command && path.basename(command));
  if (
    command === undefined ||
    !name ||
    !known ||
    (nice !== undefined && !(Number.isInteger(nice) && nice >= 0 && nice <= 19))
  ) {
    throw new Error(
      `usage: tsx scripts/stack/supervisor.ts [--name NAME] [--nice 0-19] -- <command> [args…] (got ${argv.join(' ') || 'nothing'})`,
    );
  }
  return { name, command, args, ...(nice ? { nice } : {}) };
}

function main(): void {
  const { name, command, args, nice } = parseSupervisorArgs(process.argv.slice(2));
  const log = (line: string) => supervisorLog.info(line);
  const supervisor = new Supervisor({ name, command, args, log, nice });
  supervisor.start();
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (!stopping) log(`${signal}: stopping ${name} (no restart)`);
    stopping = true;
    void supervisor.stop(signal).then((last) => {
      // The child ending through the forwarded signal (or cleanly) is a clean stop.
      const clean = last === undefined || last.code === 0 || last.signal === signal;
      process.exit(clean ? 0 : (last.code ?? 1));
    });
  };
  // Ctrl-C reaches the child too (same process group); stop() is idempotent.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  try {
    main();
  } catch (error) {
    // A usage error: the CLI's answer to the person who typed it, not a log record.
    console.error(`[supervisor] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  }
}
