import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { stateIds } from '../src/state-cluster';

const CLI = join(__dirname, '..', 'src', 'cli.ts');

/** Runs the CLI as `npm start` does after its build (tsx on the CLI), without jest's NODE_OPTIONS. */
function start(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const result = spawnSync(process.execPath, [require.resolve('tsx/cli'), CLI, ...args], { encoding: 'utf8', env, timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm start', () => {
  test('refuses an unknown state before it builds or starts anything, naming the states there are', () => {
    const result = start('--state', 'atlantis', '--once');
    expect(result.status).toBe(2);
    expect(result.stderr.startsWith(`--state: no state "atlantis"; the states are ${stateIds().join(', ')}\n\nusage: npm start`)).toBe(
      true,
    );
    // nothing was started: the first progress line comes after the check
    expect(result.stderr).not.toContain('start: ');
  });

  test('prints its usage for --help and refuses an unknown argument with it', () => {
    const help = start('--help');
    expect([help.status, help.stdout]).toEqual([0, expect.stringContaining('--seconds-per-minute <n>  real seconds per simulated minute')]);
    const unknown = start('--fast');
    expect([unknown.status, unknown.stderr]).toEqual([2, expect.stringMatching(/^unknown argument "--fast"\n\nusage: npm start/)]);
  });
});
