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

  it.each([[[]], [['node', 'x.js']], [['--name', 'w', '--']], [['--verbose', '--', 'node']]])(
    'refuses %j with the usage',
    (argv) => {
      expect(() => parseSupervisorArgs(argv)).toThrow(/usage: tsx scripts\/stack\/supervisor.ts/);
    },
  );
});
