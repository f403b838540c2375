import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as build from '../src/build';
import { HelmChart } from '../src/helm-chart';
import * as api from '../src/index';

/**
 * The toolkit's public API stays small and shown: the demo chart uses every export a chart package can call,
 * and the renderer's internals are not exported.
 */
describe('the public API of @meetscale/chart-toolkit', () => {
  const demo = readFileSync(join(__dirname, '../src/testing/demo-chart.ts'), 'utf8');

  test('the demo chart uses every export', () => {
    const unused = Object.keys(api).filter((name) => !new RegExp(`\\b${name}\\b`).test(demo));
    expect(unused).toEqual([]);
  });

  test('exports no renderer internals', () => {
    for (const internal of ['expr', 'raw', 'goString', 'goValue', 'expressionOf', 'setAtPointer', 'renderTemplates', 'envList', 'unwrap']) {
      expect(Object.keys(api)).not.toContain(internal);
      expect(Object.keys(build)).not.toContain(internal);
    }
    // 52 since the Gateway API HTTPRoute joined the Ingress (httpRouteValues, ServiceHttpRoute); 53 with `first`
    // (a list's first element: the one STUN host prosody's template takes).
    // 54 with `mapWith` (fixed map entries followed by a map value: an alert's severity and the user's alert labels).
    // 55 with `hasKey` (whether a map value has an entry: the logging chart's default stream among its streams).
    expect(Object.keys(api).length).toBeLessThanOrEqual(55);
  });

  test("a chart's methods are the chart author's: each one in the guide and the demo, no renderer hooks", () => {
    const readme = readFileSync(join(__dirname, '../README.md'), 'utf8');
    const methods = Object.getOwnPropertyNames(HelmChart.prototype).filter((name) => name !== 'constructor');
    expect(methods.filter((name) => name.startsWith('_'))).toEqual([]);
    expect(methods.filter((name) => !readme.includes(`chart.${name}`))).toEqual([]);
    expect(methods.filter((name) => !demo.includes(`.${name}(`))).toEqual([]);
  });

  test('the README guide names every export', () => {
    const readme = readFileSync(join(__dirname, '../README.md'), 'utf8');
    expect(Object.keys(api).filter((name) => !readme.includes(name))).toEqual([]);
  });
});
