import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { BRIDGE_CPU, BRIDGE_EGRESS, bridgeCores, runLoad } from '../src/bridge-load';
import { type Figure, type FigureName, FIGURES, loadTestRuns } from '../src/figures';

const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

describe('the README', () => {
  test('states the fitted model with the coefficients the table gives', () => {
    const m = BRIDGE_CPU;
    expect(readme).toContain(
      `cores = ${m.base.toFixed(3)} + q · (${m.perParticipant.toPrecision(3)} · n + ${m.perVideoStream.toPrecision(3)} · V + ${m.perPair.toPrecision(3)} · P)`,
    );
    expect(readme).toContain(
      `egress = q · (${BRIDGE_EGRESS.perParticipant.toPrecision(3)} · n + ${BRIDGE_EGRESS.perVideoStream.toPrecision(3)} · V)`,
    );
  });

  test('shows, for every load-test run, the cores the model gives', () => {
    for (const { name, run } of loadTestRuns()) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${name}\``));
      expect([name, row?.split('|')[6]?.trim()]).toEqual([name, bridgeCores(runLoad(run)).toFixed(2)]);
    }
  });

  test('names every assumption of the figure table', () => {
    const assumptions = (Object.keys(FIGURES) as FigureName[]).filter((name) => {
      const entry = FIGURES[name] as Figure;
      return entry.kind === 'figure' && 'assumption' in entry.source;
    });
    expect(assumptions.length).toBeGreaterThan(10);
    for (const name of assumptions) expect([name, readme.includes(`\`${name}\``)]).toEqual([name, true]);
  });
});
