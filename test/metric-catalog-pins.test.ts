/**
 * The metric catalog (`@meetscale/metric-catalog`, taken from the components' sources) is of the releases the
 * platform runs: the videobridge and jicofo of the jitsi-shard chart's images, the kube-state-metrics and node_exporter
 * of the monitoring base, and the cAdvisor of the Kubernetes release the
 * state stacks provision. When a pin moves, this fails until the catalog is generated again
 * (`packages/metric-catalog/scripts/generate.ts`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { requiredModuleVersion } from '@meetscale/go-tools';
import { METRIC_CATALOG } from '@meetscale/metric-catalog';
import { MONITORING_BASE } from '@meetscale/platform-versions';
import YAML from 'yaml';

import { chartDir } from './support/charts';

test("the videobridge and jicofo catalogs are of the release the jitsi-shard chart's images run", () => {
  // GIVEN the chart's appVersion, the docker-jitsi-meet release `stable-<jitsi-meet release>-<image build>`
  const appVersion = String(
    (YAML.parse(readFileSync(join(chartDir('jitsi-shard'), 'Chart.yaml'), 'utf8')) as { appVersion: string }).appVersion,
  );
  const release = /^stable-(\d+)(?:-\d+)?$/.exec(appVersion)?.[1];
  expect(release).toBeDefined();
  // THEN the catalogs were taken from the components' tags of that jitsi-meet release
  expect(METRIC_CATALOG['jitsi-videobridge'].release).toBe(`stable/jitsi-meet_${release}`);
  expect(METRIC_CATALOG.jicofo.release).toBe(`stable/jitsi-meet_${release}`);
});

test('the cAdvisor catalog is of the cAdvisor the pinned Kubernetes release builds into its kubelet', () => {
  expect(METRIC_CATALOG.cadvisor.release).toBe(requiredModuleVersion('github.com/google/cadvisor', 'tools/cluster/modules/control-plane'));
});

test("the kube-state-metrics catalog is of the kube-state-metrics the state's kube-prometheus-stack runs", () => {
  expect(METRIC_CATALOG['kube-state-metrics'].release).toBe(`v${MONITORING_BASE.kubeStateMetrics}`);
});

test("the node_exporter catalog is of the node_exporter the state's kube-prometheus-stack runs", () => {
  expect(METRIC_CATALOG['node-exporter'].release).toBe(`v${MONITORING_BASE.nodeExporter}`);
});

test('the catalog of the series Prometheus writes itself is of the Prometheus the monitoring tests run', () => {
  expect(METRIC_CATALOG.prometheus.release).toBe(
    requiredModuleVersion('github.com/prometheus/prometheus', 'tools/prometheus/modules/prometheus'),
  );
});

test("the coturn catalog is of the coturn release the coturn chart's image runs", () => {
  const appVersion = String(
    (YAML.parse(readFileSync(join(chartDir('coturn'), 'Chart.yaml'), 'utf8')) as { appVersion: string }).appVersion,
  );
  expect(METRIC_CATALOG.coturn.release).toBe(appVersion);
});
