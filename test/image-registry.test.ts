/**
 * `global.imageRegistry` (a mirror, as bitnami's and prometheus-community's charts offer it) moves every image a
 * chart runs, in its defaults and in every `ci/` scenario: each container and init container of every pod template
 * then comes from the mirror, with the same path and tag. Images a scenario names itself (a sidecar of the escape
 * hatches) are the user's and stay as given. A chart that runs no image of its own need not offer the value. Nothing
 * here names a chart.
 */
import { readFileSync } from 'node:fs';

import { chartNames, type Manifest, renderChart, scenarioFiles } from './support/charts';
import { valuesSchema } from './support/schema-values';

const MIRROR = 'mirror.example.org:5000/proxy';

/** Every container and init container image of the pod templates of rendered objects, by object and container. */
function images(manifests: readonly Manifest[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const manifest of manifests as any[]) {
    const pod = manifest.spec?.jobTemplate?.spec?.template?.spec ?? manifest.spec?.template?.spec;
    for (const container of [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])])
      found.set(`${manifest.kind}/${manifest.metadata?.name}/${container.name}`, container.image);
  }
  return found;
}

/** Where the mirror serves an image: its path without a registry host of its own, on the mirror. */
function mirrored(image: string): string {
  const [first, ...rest] = image.split('/');
  const path = rest.length > 0 && /[.:]|^localhost$/.test(first ?? '') ? rest.join('/') : image;
  return `${MIRROR}/${path}`;
}

describe.each(chartNames())('chart %s', (chart) => {
  const offered = (valuesSchema(chart) as any).properties?.global?.properties?.imageRegistry !== undefined;
  const contexts = [
    { name: 'defaults', valuesFiles: [] as string[] },
    ...scenarioFiles(chart).map((file) => ({ name: file.split('/').pop() as string, valuesFiles: [file] })),
  ];

  test('offers global.imageRegistry when it runs an image of its own', () => {
    const runsImages = contexts.some((context) => images(renderChart(4, chart, { valuesFiles: context.valuesFiles }).manifests).size > 0);
    expect({ runsImages, offered }).toEqual({ runsImages, offered: runsImages });
  });

  if (offered)
    test.each(contexts)('pulls every image of $name from global.imageRegistry, with its path and tag', ({ valuesFiles }) => {
      const own = images(renderChart(4, chart, { valuesFiles }).manifests);
      const moved = images(renderChart(4, chart, { valuesFiles, values: { global: { imageRegistry: MIRROR } } }).manifests);
      expect(own.size).toBeGreaterThan(0);
      const scenarioText = valuesFiles.map((file) => readFileSync(file, 'utf8')).join('\n');
      // a scenario's own image (a sidecar the user adds) is the user's reference
      const expected = new Map(
        [...own].map(([container, image]) => [container, scenarioText.includes(`image: ${image}`) ? image : mirrored(image)]),
      );
      expect(moved).toEqual(expected);
    });
});
