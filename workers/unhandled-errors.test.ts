import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Runs a tiny worker-like process that emits `error` with nobody listening. */
function run(error: string): { status: number | null; output: string } {
  const script = `
    import { EventEmitter } from 'node:events';
    import { exitOnlyOnBugs } from './workers/unhandled-errors.ts';
    exitOnlyOnBugs((m) => console.log(m));
    setTimeout(() => new EventEmitter().emit('error', ${error}), 10);
    setTimeout(() => { console.log('still running'); process.exit(0); }, 200);
  `;
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    {
      cwd: new URL('..', import.meta.url).pathname,
      encoding: 'utf8',
    },
  );
  return { status: result.status, output: result.stdout + result.stderr };
}

describe('exitOnlyOnBugs', () => {
  it('rides through a transient error nobody listened for (a pg connection terminated)', () => {
    const { status, output } = run(
      `Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01', severity: 'FATAL' })`,
    );
    expect(output).toMatch(/unhandled transient error was ignored/);
    expect(output).toMatch(/still running/);
    expect(status).toBe(0);
  });

  it('still exits on a bug', () => {
    const { status, output } = run(`new TypeError('x is not a function')`);
    expect(output).not.toMatch(/still running/);
    expect(output).toMatch(
      /"level":"fatal".*"kind":"bug","type":"TypeError","message":"x is not a function"/,
    );
    expect(status).toBe(1);
  });
});
