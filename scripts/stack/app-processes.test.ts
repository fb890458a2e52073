// How the app processes are launched: `npm run workers` and the demo run the speed worker at the
// same lower CPU priority (WORKER_NICE), the jobs worker at the web's.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../lib/config.ts';
import { WORKER_NICE, supervised } from './app-processes.ts';
import { parseSupervisorArgs } from './supervisor.ts';

const scripts = (
  JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  }
).scripts;
/** The supervisor's own arguments in an npm script `[build && ]tsx scripts/stack/supervisor.ts …`. */
const supervisorArgsOf = (script: string) => {
  const words = script.split(' && ').pop()!.split(' ');
  expect(words.slice(0, 2)).toEqual(['tsx', 'scripts/stack/supervisor.ts']);
  return parseSupervisorArgs(words.slice(2));
};

describe('app processes', () => {
  it('npm run workers runs the speed worker at WORKER_NICE, npm run jobs at the default', () => {
    expect(WORKER_NICE).toBeGreaterThan(0);
    expect(supervisorArgsOf(scripts.workers!)).toMatchObject({ name: 'worker', nice: WORKER_NICE });
    expect(supervisorArgsOf(scripts.jobs!)).not.toHaveProperty('nice');
  });

  it('passes a niceness to the supervisor only when one is given', () => {
    const niced = supervised('worker', 'node', ['w.js'], { nice: WORKER_NICE });
    expect(parseSupervisorArgs(niced.args.slice(3))).toEqual({
      name: 'worker',
      command: 'node',
      args: ['w.js'],
      nice: WORKER_NICE,
    });
    const plain = supervised('jobs', 'node', ['j.js']);
    expect(parseSupervisorArgs(plain.args.slice(3))).not.toHaveProperty('nice');
  });
});
