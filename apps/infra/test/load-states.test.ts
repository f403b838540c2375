import * as path from 'node:path';

import { loadStates, stateFiles, STATES_DIR } from '../src/load-states';

const fixture = (name: string): string => path.join(__dirname, 'fixtures', name);

describe('loadStates', () => {
  test('discovers one configuration per file in states/, validated, in file name order', async () => {
    // GIVEN the example states / WHEN they are loaded
    const states = await loadStates();

    // THEN
    expect(stateFiles(STATES_DIR)).toEqual(['bremen.ts', 'nordrhein-westfalen.ts']);
    expect(states.map((state) => [state.id, state.location, state.peakLoad.participants])).toEqual([
      ['bremen', 'de/txl', 500],
      ['nordrhein-westfalen', 'de/fra', 5000],
    ]);
  });

  test('rejects a state whose id differs from its file name', async () => {
    // GIVEN / WHEN / THEN
    await expect(loadStates(fixture('misnamed-states'))).rejects.toThrow(
      new Error('misnamed-states/hamburg.ts holds the state "hamburch"; its id must equal the file name ("hamburg")'),
    );
  });

  test('rejects a state file that exports no state', async () => {
    // GIVEN / WHEN / THEN
    await expect(loadStates(fixture('states-without-export'))).rejects.toThrow(
      new Error('states-without-export/saarland.ts exports no "state"'),
    );
  });
});
