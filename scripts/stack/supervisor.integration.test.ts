// The supervisor with real child processes: a child that exits with 1 is restarted with growing
// waits; a child stopped through the supervisor (stop(), or SIGTERM to the CLI) is not.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { projectRoot } from '../../lib/config.ts';
import { startAppProcess, stopAppProcesses, supervised } from './app-processes.ts';
import { isProcessAlive } from './pid-files.ts';
import { waitUntil } from './process.ts';
import { Supervisor, type SupervisorOptions } from './supervisor.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fast = { initialDelayMs: 100, factor: 2, maxDelayMs: 400, healthyAfterMs: 60_000 };
const node = (script: string) => ({ command: process.execPath, args: ['-e', script] });
const LONG_RUNNING = 'setInterval(() => {}, 1000)';
/**
 * A child script that installs its SIGTERM handler, then says so by creating a file: a test that
 * slept a fixed time instead signalled a child still starting on a loaded machine (killed by the
 * default action, not by its handler).
 */
const withHandler = (handler: string) => {
  const ready = path.join(mkdtempSync(path.join(tmpdir(), 'supervisor-ready-')), 'ready');
  return {
    ready: () => existsSync(ready),
    ...node(
      `process.on('SIGTERM', ${handler}); require('node:fs').writeFileSync(${JSON.stringify(ready)}, ''); ${LONG_RUNNING}`,
    ),
  };
};

describe('Supervisor', () => {
  const supervisors: Supervisor[] = [];
  const make = (options: Omit<SupervisorOptions, 'log'>) => {
    const lines: string[] = [];
    const supervisor = new Supervisor({ ...options, log: (line) => lines.push(line) });
    supervisors.push(supervisor);
    return { supervisor, lines };
  };

  afterEach(async () => {
    await Promise.all(supervisors.splice(0).map((s) => s.stop('SIGKILL')));
  });

  it('restarts a child that exits with code 1, waiting longer each time, and logs it', async () => {
    const { supervisor, lines } = make({
      name: 'crasher',
      ...node('setTimeout(() => process.exit(1), 20)'),
      policy: fast,
      output: () => undefined,
    });
    supervisor.start();
    await waitUntil('three restarts', () => supervisor.restarts >= 3, { timeoutMs: 10_000 });
    await supervisor.stop();

    const restartLines = lines.filter((l) => l.includes('restarting'));
    expect(restartLines.slice(0, 3)).toEqual([
      expect.stringMatching(
        /^crasher exited with code 1 after \d+ ms; restarting in 100 ms \(restart 1\)$/,
      ),
      expect.stringMatching(/; restarting in 200 ms \(restart 2\)$/),
      expect.stringMatching(/; restarting in 400 ms \(restart 3\)$/),
    ]);
    expect(supervisor.runs.slice(0, 3).every((r) => r.code === 1)).toBe(true);
    expect(lines.filter((l) => /^crasher started \(pid \d+\)$/.test(l)).length).toBe(
      supervisor.restarts + 1,
    );
  });

  it('runs the child, all its threads, at the niceness it is given', async () => {
    const seen: string[] = [];
    const { supervisor } = make({
      name: 'niced',
      // The main thread's niceness, and that of every thread it has (V8's and libuv's start
      // before any of the child's code could lower its own priority).
      ...node(
        `const fs = require('node:fs'); const tasks = fs.readdirSync('/proc/self/task');` +
          `console.log(JSON.stringify(tasks.map((t) => fs.readFileSync('/proc/self/task/' + t + '/stat', 'utf8').split(') ')[1].split(' ')[16])));` +
          LONG_RUNNING,
      ),
      nice: 7,
      policy: fast,
      output: (text) => seen.push(text),
    });
    supervisor.start();
    await waitUntil('the child says its niceness', () => seen.join('').includes(']'), {
      timeoutMs: 10_000,
    });
    const niceness = JSON.parse(seen.join('').trim()) as string[];
    expect(niceness.length).toBeGreaterThan(1);
    expect(new Set(niceness)).toEqual(new Set(['7']));
  });

  it('does not restart a child killed by the SIGTERM of stop()', async () => {
    const { supervisor, lines } = make({ name: 'sleeper', ...node(LONG_RUNNING), policy: fast });
    supervisor.start();
    const pid = supervisor.pid!;
    await sleep(200);
    const last = await supervisor.stop('SIGTERM');
    expect(last).toMatchObject({ pid, code: null, signal: 'SIGTERM' });
    await sleep(4 * fast.initialDelayMs);
    expect(supervisor.restarts).toBe(0);
    expect(supervisor.pid).toBeUndefined();
    expect(isProcessAlive(pid)).toBe(false);
    expect(lines.at(-1)).toMatch(/^sleeper was killed by SIGTERM after \d+ ms; stopped$/);
    expect(lines.some((l) => l.includes('restarting'))).toBe(false);
  });

  it('does not restart a child that handles the SIGTERM and exits cleanly', async () => {
    const { ready, ...child } = withHandler('() => process.exit(0)');
    const { supervisor } = make({ name: 'graceful', ...child, policy: fast });
    supervisor.start();
    await waitUntil('handler installed', ready, { timeoutMs: 15_000 });
    expect(await supervisor.stop()).toMatchObject({ code: 0, signal: null });
    await sleep(4 * fast.initialDelayMs);
    expect(supervisor.restarts).toBe(0);
  });

  it('sends SIGKILL to a child that ignores the signal past the grace period', async () => {
    const { ready, ...child } = withHandler('() => {}');
    const { supervisor, lines } = make({
      name: 'stubborn',
      ...child,
      policy: fast,
      stopGraceMs: 300,
    });
    supervisor.start();
    await waitUntil('handler installed', ready, { timeoutMs: 15_000 });
    expect(await supervisor.stop()).toMatchObject({ signal: 'SIGKILL' });
    expect(lines.some((l) => l.includes('still running 300 ms after SIGTERM'))).toBe(true);
  });

  it('stops during a restart wait without starting the child again', async () => {
    const { supervisor } = make({
      name: 'crasher',
      ...node('process.exit(1)'),
      policy: { ...fast, initialDelayMs: 500 },
    });
    supervisor.start();
    await waitUntil('first exit', () => supervisor.runs.length === 1, { timeoutMs: 5_000 });
    expect(await supervisor.stop()).toBeUndefined();
    await sleep(800);
    expect(supervisor.restarts).toBe(0);
    expect(supervisor.runs.length).toBe(1);
  });

  it('restarts a child that cannot be spawned at all, and says so', async () => {
    const { supervisor, lines } = make({
      name: 'missing',
      command: '/nonexistent/clickstream-binary',
      policy: fast,
    });
    supervisor.start();
    await waitUntil('a restart', () => supervisor.restarts >= 1, { timeoutMs: 5_000 });
    await supervisor.stop();
    expect(lines[0]).toMatch(/^missing could not be started: .*ENOENT/);
    expect(lines[1]).toMatch(/^missing failed to start after \d+ ms; restarting in 100 ms/);
  });
});

describe('supervisor CLI', () => {
  /** Runs the CLI around a node child script; resolves output and exit once it ends. */
  function runCli(childScript: string) {
    const cli = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/stack/supervisor.ts',
        '--name',
        'child',
        '--',
        process.execPath,
        '-e',
        childScript,
      ],
      { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    cli.stdout.setEncoding('utf8').on('data', (t: string) => (output += t));
    cli.stderr.setEncoding('utf8').on('data', (t: string) => (output += t));
    const exit = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
    return { cli, exit, output: () => output };
  }

  it('forwards SIGTERM to the child, does not restart it, and exits 0', async () => {
    const run = runCli(
      `console.log('child pid ' + process.pid);
       process.on('SIGTERM', () => { console.log('child got SIGTERM'); process.exit(0); });
       ${LONG_RUNNING}`,
    );
    await waitUntil('the child to start', () => /child pid \d+/.test(run.output()), {
      timeoutMs: 20_000,
    });
    const childPid = Number(/child pid (\d+)/.exec(run.output())![1]);
    run.cli.kill('SIGTERM');
    expect(await run.exit).toBe(0);
    expect(run.output()).toContain('child got SIGTERM');
    expect(run.output()).toMatch(
      /"component":"supervisor","msg":"child exited with code 0 after \d+ (ms|s); stopped"/,
    );
    expect(run.output()).not.toContain('restarting');
    expect(isProcessAlive(childPid)).toBe(false);
  });

  it('restarts a child that exits with 1 and logs why, until stopped', async () => {
    const run = runCli(`console.log('child pid ' + process.pid); process.exit(1);`);
    await waitUntil('a restart line', () => run.output().includes('restarting'), {
      timeoutMs: 20_000,
    });
    expect(run.output()).toMatch(
      /"component":"supervisor","msg":"child exited with code 1 after \d+ ms; restarting in 1 s \(restart 1\)"/,
    );
    run.cli.kill('SIGTERM');
    expect(await run.exit).toBe(0);
  });
});

describe('the demo path (app-processes)', () => {
  it('stopAppProcesses stops a supervised child and its supervisor, with no restart', async () => {
    const rootDir = mkdtempSync(path.join(tmpdir(), 'clickstream-supervised-'));
    const pidFile = path.join(rootDir, 'child.pid');
    // App processes run in their root folder; `--import tsx` resolves from there.
    symlinkSync(path.join(projectRoot, 'node_modules'), path.join(rootDir, 'node_modules'));
    try {
      const { command, args } = supervised('child', process.execPath, [
        '-e',
        `require('fs').writeFileSync(process.argv[1], String(process.pid)); ${LONG_RUNNING}`,
        pidFile,
      ]);
      const supervisor = startAppProcess(rootDir, 'workers', command, args, process.env);
      await waitUntil('the child to start', () => existsSync(pidFile), { timeoutMs: 20_000 });
      const childPid = Number(readFileSync(pidFile, 'utf8'));

      await stopAppProcesses(rootDir, () => undefined);
      await sleep(1_500); // longer than the first restart delay (1 s)
      expect(isProcessAlive(supervisor.pid!)).toBe(false);
      expect(isProcessAlive(childPid)).toBe(false);
      expect(Number(readFileSync(pidFile, 'utf8')), 'no second child started').toBe(childPid);
    } finally {
      rmSync(rootDir, { recursive: true, force: true });
    }
  });
});
