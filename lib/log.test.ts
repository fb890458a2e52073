import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createLogger, formatTerminalLine, type LogLevel } from './log.ts';

/** A logger at `level` whose records are kept, parsed, in `records`. */
function capture(level: LogLevel) {
  const records: Record<string, unknown>[] = [];
  const log = createLogger({
    level,
    destination: { write: (line) => records.push(JSON.parse(line) as Record<string, unknown>) },
  });
  return { log, records };
}

const logEveryLevel = (log: ReturnType<typeof createLogger>) => {
  log.debug('d');
  log.info('i');
  log.warn('w');
  log.error('e');
};

describe('createLogger', () => {
  it.each([
    ['debug', ['d', 'i', 'w', 'e']],
    ['info', ['i', 'w', 'e']],
    ['warn', ['w', 'e']],
    ['error', ['e']],
  ] as const)('at %s keeps %j', (level, kept) => {
    const { log, records } = capture(level);
    logEveryLevel(log);
    expect(records.map((r) => r.msg)).toEqual(kept);
  });

  it('writes the level by name, the time, the component and the fields', () => {
    const { log, records } = capture('info');
    log.child({ component: 'speed' }).child({ partition: 3 }).info({ rows: 12 }, 'flushed');
    expect(records[0]).toMatchObject({
      level: 'info',
      component: 'speed',
      partition: 3,
      rows: 12,
      msg: 'flushed',
      pid: process.pid,
    });
    expect(records[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('logs a transient error with its kind and code, without a stack', () => {
    const { log, records } = capture('info');
    const error = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
    });
    log.warn({ err: error }, 'sink flush failed; retrying');
    expect(records[0]!.err).toEqual({
      kind: 'transient',
      type: 'Error',
      message: 'terminating connection due to administrator command (57P01)',
    });
  });

  it('logs a bug with its stack, and what it wraps', () => {
    const { log, records } = capture('info');
    log.error(new TypeError('x is not a function', { cause: new Error('inner') }), 'crashed');
    expect(records[0]).toMatchObject({
      msg: 'crashed',
      err: { kind: 'bug', type: 'TypeError', message: 'x is not a function', cause: 'inner' },
    });
    expect((records[0]!.err as { stack: string }).stack).toMatch(
      /^TypeError: x is not a function\n\s+at /,
    );
  });

  it('logs a value thrown that is not an Error', () => {
    const { log, records } = capture('info');
    log.error({ err: 'just a string' }, 'odd');
    expect(records[0]!.err).toEqual({ kind: 'bug', type: 'string', message: 'just a string' });
  });
});

describe('formatTerminalLine', () => {
  it('shows time, level, component, message, error and fields on one line', () => {
    const line = formatTerminalLine(
      JSON.stringify({
        level: 'warn',
        time: '2026-11-29T23:59:01.234Z',
        pid: 42,
        component: 'speed',
        partition: 3,
        err: { kind: 'transient', type: 'Error', message: 'gone (57P01)' },
        msg: 'flush failed',
      }),
    );
    expect(line).toBe(
      '23:59:01.234 WARN  speed flush failed [transient] Error: gone (57P01) {"partition":3}\n',
    );
  });

  it("puts a bug's stack frames (not its message again) on the lines below", () => {
    const line = formatTerminalLine(
      JSON.stringify({
        level: 'error',
        time: '2026-11-29T23:59:01.234Z',
        component: 'web',
        err: {
          kind: 'bug',
          type: 'TypeError',
          message: 'x\n  - y',
          stack: 'TypeError: x\n  - y\n    at f (a.ts:1:1)',
        },
        msg: 'request failed',
      }),
    );
    expect(line).toBe(
      '23:59:01.234 ERROR web request failed [bug] TypeError: x\n  - y\n    at f (a.ts:1:1)\n',
    );
  });
});

// A child process each: a few hundred ms alone, seconds on a busy 2-core machine.
describe('logger (a process at LOG_LEVEL)', { timeout: 30_000 }, () => {
  /** Runs a tiny process that logs at every level under `env`; returns its stdout. */
  function run(env: Record<string, string>): string {
    const script = `
      import { logger } from './lib/log.ts';
      const log = logger('probe');
      log.debug('d'); log.info('i'); log.warn('w'); log.error('e');
    `;
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        cwd: new URL('..', import.meta.url).pathname,
        env: { ...process.env, ...env },
        encoding: 'utf8',
      },
    );
    expect(result.status, result.stderr).toBe(0);
    return result.stdout;
  }

  it('honours LOG_LEVEL and writes JSON lines naming the component when stdout is a pipe', () => {
    const lines = run({ LOG_LEVEL: 'warn' }).trim().split('\n');
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      expect.objectContaining({ level: 'warn', component: 'probe', msg: 'w' }),
      expect.objectContaining({ level: 'error', component: 'probe', msg: 'e' }),
    ]);
  });

  it('logs debug records at LOG_LEVEL=debug', () => {
    const messages = run({ LOG_LEVEL: 'debug' })
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(messages).toEqual(['d', 'i', 'w', 'e']);
  });
});
