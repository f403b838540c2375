import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { chartReadme, OLDEST_SUPPORTED_HELM_3, readChartText, SUPPORTED_HELM_VERSIONS, valuesJsonSchema } from '../src/_internal';
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

describe('readChartText', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'read-chart-text-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  test('returns the file as it is when it holds no placeholder', () => {
    // GIVEN a script with shell, Helm and Markdown syntax, and an address with an @
    const text = '#!/bin/sh\necho "${HOME:-/}" {{ .Values.x }} `code` mail@example.org\n';
    // WHEN it is read / THEN its text is unchanged
    expect(readChartText(file('plain.sh', text))).toBe(text);
  });

  test('replaces every @NAME@ placeholder by its value', () => {
    // GIVEN a text using one placeholder twice and another once, with values holding `$` patterns
    const path = file('prose.md', 'image `x:@RELEASE@`, again @RELEASE@; dir @RUN_DIR@\n');
    // WHEN it is read with a value for each
    // THEN each placeholder is replaced literally
    expect(readChartText(path, { RELEASE: 'stable-1', RUN_DIR: "$&/run$'" })).toBe("image `x:stable-1`, again stable-1; dir $&/run$'\n");
  });

  test('refuses a placeholder without a value, naming the file and the placeholder', () => {
    const path = file('missing.md', 'version @APP_VERSION@\n');
    expect(() => readChartText(path)).toThrow(`${path}: placeholder @APP_VERSION@ has no value`);
  });

  test('refuses a value without a placeholder, so that a renamed placeholder is not silently dropped', () => {
    const path = file('unused.md', 'version @APP_VERSION@\n');
    expect(() => readChartText(path, { APP_VERSION: '1', RELEASE: 'x', DIR: 'y' })).toThrow(`${path}: no placeholder for @RELEASE@, @DIR@`);
  });
});
