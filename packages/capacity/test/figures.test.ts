import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { autoscalingPolicy } from '@meetscale/bbb-autoscaling';

import { figure, type FigureEntry, type FigureName, FIGURES } from '../src/figures';

const entries = (Object.keys(FIGURES) as FigureName[]).map((name) => [name, FIGURES[name] as FigureEntry] as const);

describe('the figure table', () => {
  test.each(entries)(
    '%s names its source: a document and section, a dated price page, an assumption with its reason, or why it has none',
    (_name, entry) => {
      const source = entry.source;
      if ('document' in source) {
        expect(source.document.length).toBeGreaterThan(5);
        expect(source.section.length).toBeGreaterThan(3);
      } else if ('url' in source) {
        expect(source.url).toMatch(/^https:\/\//);
        expect(source.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(source.via.length).toBeGreaterThan(5);
      } else if ('assumption' in source) {
        expect(source.assumption.length).toBeGreaterThan(10);
      } else {
        expect(source.unsourced.length).toBeGreaterThan(10);
        expect(entry.kind === 'figure' && entry.value).toBeNull();
      }
    },
  );

  test('every load-test run cites its section of the HPI load-test results', () => {
    for (const [, entry] of entries) {
      if (entry.kind !== 'load-test') continue;
      expect(entry.source.document).toBe('hpi-schul-cloud/jitsi-deployment docs/loadtests/loadtestresults.md');
      expect(entry.source.section).toMatch(/^\d\.\d(\.\d)? /);
    }
  });

  test('a figure without a value cannot be used as a number', () => {
    expect(() => figure('priceIpAddressMonth')).toThrow('the figure priceIpAddressMonth has no value');
  });

  test("the BigBlueButton figures are the autoscaler policy's defaults, which the state stacks deploy", () => {
    const policy = autoscalingPolicy.parse({});
    expect(figure('bbbUsersPerServer')).toBe(policy.usersPerServer);
    expect(figure('bbbTargetUtilisation')).toBe(policy.targetUtilization);
    expect(figure('bbbHeadroomServers')).toBe(policy.headroomServers);
    expect(figure('bbbMinServers')).toBe(policy.minServers);
  });

  test('the package reads nothing at run time: no file system access and no path outside the repository in its sources', () => {
    const sources = join(__dirname, '..', 'src');
    for (const file of readdirSync(sources)) {
      const text = readFileSync(join(sources, file), 'utf8');
      expect([file, /from 'node:fs'|readFileSync|\.\.\/shared|\/work\//.test(text)]).toEqual([file, false]);
    }
  });
});
