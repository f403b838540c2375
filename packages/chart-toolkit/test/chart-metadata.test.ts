import YAML from 'yaml';

import { HELM_VERSIONS_ANNOTATION, OLDEST_SUPPORTED_HELM_3, SUPPORTED_HELM_VERSIONS } from '../src/_internal';
import { chartYaml } from '../src/chart-metadata';
import { demoChart } from '../src/testing';

describe('chartYaml', () => {
  test('writes the contract fields and the supported Helm versions (minimal)', () => {
    // GIVEN the demo chart, which sets no optional metadata
    // WHEN its Chart.yaml is written
    const text = chartYaml(demoChart, 'HEADER', demoChart.values.parse({}));
    // THEN it is exactly this
    expect(text).toBe(`# HEADER
apiVersion: v2
name: demo
description: Toolkit demo chart.
type: application
version: 0.0.1
appVersion: 1.0.0
kubeVersion: ">=1.27.0-0"
keywords:
  - demo
home: https://github.com/meetscale/meetscale
sources:
  - https://github.com/meetscale/meetscale
maintainers:
  - name: meetscale
    url: https://github.com/meetscale/meetscale
annotations:
  meetscale.io/helm-versions: ">=3.18.0 <5.0.0"
  artifacthub.io/license: Apache-2.0
  artifacthub.io/links: |
    - name: source
      url: https://github.com/meetscale/meetscale/tree/main/packages/chart-toolkit/src/testing
    - name: home
      url: https://github.com/meetscale/meetscale
  artifacthub.io/images: |
    - name: demo
      image: nginx:1.10
    - name: cleanup
      image: busybox:1.37.0
`);
  });

  test('annotates every chart with the Helm range starting at the oldest supported Helm 3', () => {
    // GIVEN a chart that sets its own metadata
    const definition = { ...demoChart, kubeVersion: '>=1.30.0-0', home: 'https://example.org' };
    // WHEN its Chart.yaml is written and read back
    const metadata = YAML.parse(chartYaml(definition, 'HEADER', definition.values.parse({}))) as { annotations: Record<string, string> };
    // THEN the annotation states Helm 3 from the oldest supported release on, and Helm 4
    expect(metadata.annotations).toMatchObject({ [HELM_VERSIONS_ANNOTATION]: SUPPORTED_HELM_VERSIONS });
    expect(HELM_VERSIONS_ANNOTATION).toBe('meetscale.io/helm-versions');
    expect(SUPPORTED_HELM_VERSIONS).toBe(`>=${OLDEST_SUPPORTED_HELM_3} <5.0.0`);
  });
});
