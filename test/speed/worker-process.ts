// Test helper: a real worker process (`workers/main.ts`) started with a given
// environment, that can be killed with SIGKILL or stopped with SIGTERM.
// One node process, so a signal reaches the worker itself: the sources with tsx as an --import
// hook, or the module `npm run workers` runs (`bundle`: scripts/build-worker.ts, built first).
import { spawn, type ChildProcess } from 'node:child_process';
import { projectRoot } from '../../lib/config.ts';

export class WorkerProcess {
  private child: ChildProcess | undefined;
  /** The last 2,000 chunks the worker printed. */
  readonly output: string[] = [];
  /** The port of the running worker's metrics endpoint, once it said so (it may scroll out). */
  metricsPort: number | undefined;

  constructor(
    private readonly env: Record<string, string>,
    private readonly bundle?: string,
  ) {}

  start(): void {
    // WORKER_NODE_ARGS adds node flags to the worker only, e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`
    // to profile it under a benchmark (NODE_OPTIONS refuses --cpu-prof).
    const nodeArgs = (process.env.WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const entry = this.bundle
      ? ['--enable-source-maps', this.bundle]
      : ['--import', 'tsx', 'workers/main.ts'];
    this.child = spawn(process.execPath, [...nodeArgs, ...entry], {
      cwd: projectRoot,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.metricsPort = undefined;
    const keep = (chunk: Buffer) => {
      const text = chunk.toString();
      const port = /metrics on http:\/\/localhost:(\d+)/.exec(text)?.[1];
      if (port) this.metricsPort = Number(port);
      this.output.push(text);
      if (this.output.length > 2_000) this.output.shift();
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
  }

  get running(): boolean {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }

  /** Sends a signal without waiting (SIGSTOP / SIGCONT freeze and thaw the worker). */
  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child?.kill(signal);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }
}
