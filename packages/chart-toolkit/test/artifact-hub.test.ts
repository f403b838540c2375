import YAML from 'yaml';

import { artifactHubAnnotations, artifactHubImages, artifactHubLinks } from '../src/artifact-hub';
import { demoChart } from '../src/testing';

describe('artifactHubImages', () => {
  test('names a top-level image after the chart (minimal)', () => {
    // GIVEN defaults with one top-level image
    const defaults = { replicaCount: 1, image: { repository: 'haproxy', tag: '3.2.25-alpine', pullPolicy: 'IfNotPresent' } };
    // WHEN the images are extracted
    // THEN there is exactly this one
    expect(artifactHubImages(defaults, 'haproxy')).toEqual([{ name: 'haproxy', image: 'haproxy:3.2.25-alpine' }]);
  });

  test('names component images by their path, in the order of the values', () => {
    // GIVEN defaults with nested component images, one with a registry and one with a digest
    const defaults = {
      web: { replicas: 2, image: { repository: 'ghcr.io/jitsi/web', tag: 'stable-1' } },
      media: { jvb: { image: { registry: 'registry.example', repository: 'jitsi/jvb', tag: 'stable-1' } } },
      sidecars: [{ image: { repository: 'busybox', tag: '1.37', digest: `sha256:${'a'.repeat(64)}` } }],
    };
    // WHEN the images are extracted
    // THEN each is named by its path and referenced as the pod pulls it
    expect(artifactHubImages(defaults, 'shard')).toEqual([
      { name: 'web', image: 'ghcr.io/jitsi/web:stable-1' },
      { name: 'media.jvb', image: 'registry.example/jitsi/jvb:stable-1' },
      { name: 'sidecars[0]', image: `busybox:1.37@sha256:${'a'.repeat(64)}` },
    ]);
  });

  test('ignores image values without a string repository and tag, and keys other than image', () => {
    // GIVEN defaults whose image-like values are incomplete or under another key
    const defaults = {
      image: { repository: 'nginx' },
      initImage: { repository: 'busybox', tag: '1.37' },
      tool: { image: 'alpine:3' },
      other: { image: { repository: 'nginx', tag: 1.1 } },
    };
    // WHEN the images are extracted
    // THEN none is listed
    expect(artifactHubImages(defaults, 'demo')).toEqual([]);
  });
});

describe('artifactHubAnnotations', () => {
  test('license, links and images; each list annotation is YAML text that parses to the list', () => {
    // GIVEN the demo chart and its default values
    const defaults = demoChart.values.parse({});
    // WHEN its Artifact Hub annotations are made
    const annotations = artifactHubAnnotations(demoChart, defaults);
    // THEN the license is the SPDX identifier and the lists read back as Artifact Hub expects them
    expect(Object.keys(annotations)).toEqual(['artifacthub.io/license', 'artifacthub.io/links', 'artifacthub.io/images']);
    expect(annotations['artifacthub.io/license']).toBe('Apache-2.0');
    expect(YAML.parse(annotations['artifacthub.io/links'] ?? '')).toEqual([
      { name: 'source', url: 'https://github.com/meetscale/meetscale/tree/main/packages/chart-toolkit/src/testing' },
      { name: 'home', url: 'https://github.com/meetscale/meetscale' },
    ]);
    expect(YAML.parse(annotations['artifacthub.io/images'] ?? '')).toEqual([
      { name: 'demo', image: 'nginx:1.10' },
      { name: 'cleanup', image: 'busybox:1.37.0' },
    ]);
  });

  test('leaves out the images annotation when the defaults hold no image', () => {
    // GIVEN defaults without images
    // WHEN the annotations are made
    const annotations = artifactHubAnnotations(demoChart, { replicaCount: 1 });
    // THEN there is no empty images list
    expect(annotations).not.toHaveProperty(['artifacthub.io/images']);
  });

  test('links the home page a chart sets', () => {
    // GIVEN a chart with its own home page
    // WHEN its links are made
    const links = artifactHubLinks({ source: 'packages/haproxy', home: 'https://example.org' });
    // THEN the source is the chart package folder and home is the chart's
    expect(links).toEqual([
      { name: 'source', url: 'https://github.com/meetscale/meetscale/tree/main/packages/haproxy' },
      { name: 'home', url: 'https://example.org' },
    ]);
  });
});
