import { chartReadme, OLDEST_SUPPORTED_HELM_3, SUPPORTED_HELM_VERSIONS, valuesJsonSchema } from '../src';
import { demoChart } from '../src/testing';

describe('chartReadme', () => {
  const readme = chartReadme(demoChart, valuesJsonSchema(demoChart.values, demoChart.name), 'HEADER');

  test('opens with the chart, app, Kubernetes and Helm versions', () => {
    // GIVEN / WHEN the demo chart's README is written
    // THEN its first lines, up to the chart's own text, are exactly these
    expect(readme.slice(0, readme.indexOf('Demo.'))).toBe(`<!-- HEADER -->
# demo

Toolkit demo chart.

| | |
| --- | --- |
| Chart version | \`0.0.1\` |
| App version | \`1.0.0\` |
| Kubernetes | \`>=1.27.0-0\` |
| Helm | \`>=3.18.0 <5.0.0\`: Helm 3.18.0 or any later Helm 3, and Helm 4 |

`);
  });

  test('states the supported Helm versions from the constants Chart.yaml uses', () => {
    expect(readme).toContain(`| Helm | \`${SUPPORTED_HELM_VERSIONS}\`: Helm ${OLDEST_SUPPORTED_HELM_3} or any later Helm 3, and Helm 4 |`);
  });

  test('says that uninstalling keeps nothing behind, between the chart text and the values', () => {
    const uninstalling = readme.indexOf('## Uninstalling');
    expect(uninstalling).toBeGreaterThan(readme.indexOf('Demo.'));
    expect(uninstalling).toBeLessThan(readme.indexOf('## Values'));
    expect(readme).toContain('the chart\nkeeps nothing behind (no `helm.sh/resource-policy: keep`)');
  });
});
