import { describe, expect, it } from 'vitest';
import { parseSupervisorArgs } from './supervisor.ts';

describe('parseSupervisorArgs', () => {
  it('reads the name and the command after --', () => {
    expect(
      parseSupervisorArgs(['--name', 'worker', '--', 'node', '--import', 'tsx', 'workers/main.ts']),
    ).toEqual({ name: 'worker', command: 'node', args: ['--import', 'tsx', 'workers/main.ts'] });
  });

  it('names the child after its command by default', () => {
    expect(parseSupervisorArgs(['--', '/usr/bin/node', 'x.js'])).toEqual({
      name: 'node',
      command: '/usr/bin/node',
      args: ['x.js'],
    });
  });

  it('reads a niceness for the child, in either order with the name; 0 is none', () => {
    expect(parseSupervisorArgs(['--name', 'worker', '--nice', '10', '--', 'node'])).toEqual({
      name: 'worker',
      command: 'node',
      args: [],
      nice: 10,
    });
    expect(parseSupervisorArgs(['--nice', '19', '--name', 'w', '--', 'node'])).toMatchObject({
      name: 'w',
      nice: 19,
    });
    expect(parseSupervisorArgs(['--nice', '0', '--', 'node'])).not.toHaveProperty('nice');
  });

  it.each([
    [[]],
    [['node', 'x.js']],
    [['--name', 'w', '--']],
    [['--verbose', '--', 'node']],
    [['--nice', '--', 'node']],
    [['--nice', '20', '--', 'node']],
    [['--nice', '-1', '--', 'node']],
    [['--nice', 'low', '--', 'node']],
    [['--nice', '2.5', '--', 'node']],
    [['--name', 'a', '--name', 'b', '--', 'node']],
  ])('refuses %j with the usage', (argv) => {
    expect(() => parseSupervisorArgs(argv)).toThrow(/usage: tsx scripts\/stack\/supervisor.ts/);
  });
});
