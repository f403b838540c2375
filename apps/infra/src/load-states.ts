import * as fs from 'node:fs';
import * as path from 'node:path';

import { parseStateConfig, type StateConfig } from './state-config';

/** The folder of the state configurations: one `<state>.ts` file per federal state. */
export const STATES_DIR: string = path.join(__dirname, '..', 'states');

/** The state files of a folder: `*.ts`, neither declarations nor helpers (`_*.ts`), sorted. */
export function stateFiles(dir: string = STATES_DIR): string[] {
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.startsWith('_'))
    .sort();
}

/**
 * Loads and validates every state configuration of a folder. Each file exports its configuration as
 * `state`, and its `id` equals the file name.
 * @throws StateConfigError for a configuration that does not validate, Error for a file without `state`
 *   or whose id differs from its name
 */
export async function loadStates(dir: string = STATES_DIR): Promise<StateConfig[]> {
  const states: StateConfig[] = [];
  for (const file of stateFiles(dir)) {
    const source = `${path.basename(dir)}/${file}`;
    const exported = (await import(path.join(dir, file))) as { state?: unknown };
    if (exported.state === undefined) {
      throw new Error(`${source} exports no "state"`);
    }
    const config = parseStateConfig(exported.state, source);
    const expectedId = path.basename(file, '.ts');
    if (config.id !== expectedId) {
      throw new Error(`${source} holds the state "${config.id}"; its id must equal the file name ("${expectedId}")`);
    }
    states.push(config);
  }
  return states;
}
