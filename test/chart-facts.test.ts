/**
 * The chart facts the infrastructure app reads from `@meetscale/chart-values/facts/<chart>` say what the charts
 * really render: the naming functions give exactly the Service names the pinned Helm renders for any release name,
 * `nameOverride` and `fullnameOverride` (truncation included), the metric names are the ones the jitsi-shard
 * chart's autoscaler reads and its README's prometheus-adapter rules serve, and the version is the chart's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ChartFacts } from '@meetscale/chart-toolkit';
import type { ReleaseNaming } from '@meetscale/chart-toolkit/build';
import { HAPROXY_CHART } from '@meetscale/chart-values/facts/haproxy';
import { JITSI_SHARD_CHART } from '@meetscale/chart-values/facts/jitsi-shard';
import { LOGGING_CHART } from '@meetscale/chart-values/facts/logging';
import { haproxyFacts } from '@meetscale/haproxy';
import { jitsiShardFacts } from '@meetscale/jitsi-shard';
import { loggingFacts } from '@meetscale/logging';
import YAML from 'yaml';

import { chartDir, HELM_MAJORS, type Manifest, renderChart } from './support/charts';

/** A release of a chart as the naming functions take it. */
interface NamingCase {
  readonly title: string;
  readonly release: string;
  readonly nameOverride?: string;
  readonly fullnameOverride?: string;
}

/** A release name of 53 characters, the longest Helm accepts, containing neither chart name. */
const LONG_RELEASE = 'nordrhein-westfalen-regierungsbezirk-duesseldorf-sh-0';

/** Release names and overrides that exercise every branch of the charts' `fullname` helper, per chart. */
function namingCases(chart: string): NamingCase[] {
  return [
    { title: 'a release name without the chart name', release: 'shard-0' },
    { title: 'a release name that is the chart name', release: chart },
    { title: 'a release name containing the chart name', release: `blue-${chart}-2` },
    { title: 'a nameOverride', release: 'shard-0', nameOverride: 'meet' },
    { title: 'a release name containing the nameOverride', release: 'meet-berlin', nameOverride: 'meet' },
    { title: 'a nameOverride that is emptied', release: 'shard-0', nameOverride: '' },
    { title: 'a fullnameOverride, which wins over nameOverride', release: 'shard-0', nameOverride: 'meet', fullnameOverride: 'berlin' },
    { title: 'the longest fullnameOverride', release: 'shard-0', fullnameOverride: `berlin-${'f'.repeat(45)}` },
    { title: 'the longest release name, the fullname truncated to 63 characters', release: LONG_RELEASE },
    // 53 + 1 + 8 characters of the 13-character nameOverride: the cut leaves a trailing dash, which is trimmed
    { title: 'a fullname cut at a dash', release: LONG_RELEASE, nameOverride: 'override-name' },
    // a 62-character fullname: `<fullname>-<component>` is cut after the dash, which is trimmed
    { title: 'component names cut at a dash', release: LONG_RELEASE, nameOverride: 'balancer' },
  ];
}

/** The values a naming case sets. */
function overridesOf(naming: NamingCase): { nameOverride?: string; fullnameOverride?: string } {
  return {
    ...(naming.nameOverride === undefined ? {} : { nameOverride: naming.nameOverride }),
    ...(naming.fullnameOverride === undefined ? {} : { fullnameOverride: naming.fullnameOverride }),
  };
}

/** The names of the rendered Services, sorted, without the per-bridge NodePort Services (`<jvb>-<i>`). */
function serviceNames(manifests: readonly Manifest[]): string[] {
  return manifests
    .filter((manifest) => manifest.kind === 'Service' && manifest.metadata.labels?.['app.kubernetes.io/component'] !== 'jvb-media')
    .map((manifest) => manifest.metadata.name)
    .sort();
}

/** A chart's generated facts, as any chart has them. */
type GeneratedFacts = ReleaseNaming<string> &
  Required<Omit<ChartFacts, 'podSecurity' | 'adapterRules' | 'names'>> &
  Pick<ChartFacts, 'podSecurity' | 'adapterRules' | 'names'> & { readonly version: string };

/** Each chart's generated facts, and the facts its package states. */
const CHARTS: readonly { readonly facts: GeneratedFacts; readonly source: ChartFacts }[] = [
  { facts: HAPROXY_CHART, source: haproxyFacts },
  { facts: JITSI_SHARD_CHART, source: jitsiShardFacts },
];

describe.each(HELM_MAJORS)('with Helm %i', (helm) => {
  describe.each(CHARTS)('the $facts.chart chart', ({ facts }) => {
    test.each(namingCases(facts.chart))('names its Services as the generated facts do, given $title', (naming) => {
      // GIVEN a release with these names
      const overrides = overridesOf(naming);

      // WHEN Helm renders it
      const rendered = renderChart(helm, facts.chart, { release: naming.release, namespace: 'jitsi', values: overrides });
      expect(rendered.stderr).toBe('');

      // THEN its Services are exactly the facts' Services, named as the facts name them
      const expected = Object.keys(facts.services).map((service) => facts.serviceName(service, naming.release, overrides));
      expect(serviceNames(rendered.manifests)).toEqual(expected.sort());
      // and every object carries the name label and the fullname prefix the facts give
      const fullname = facts.fullname(naming.release, overrides);
      for (const manifest of rendered.manifests) {
        expect(manifest.metadata.labels?.['app.kubernetes.io/name']).toBe(facts.name(overrides));
        expect(manifest.metadata.name.startsWith(fullname.slice(0, 50))).toBe(true);
      }
    });
  });

  test('the per-bridge NodePort Services of a jitsi-shard release are the jvb component name and the bridge index', () => {
    // GIVEN a release with three possible bridges
    const values = { nameOverride: 'meet', jvb: { media: { mode: 'nodePort' }, autoscaling: { maxReplicas: 3 } } };

    // WHEN Helm renders it
    const rendered = renderChart(helm, 'jitsi-shard', { release: 'shard-0', values });

    // THEN
    const bridges = rendered.manifests.filter((manifest) => manifest.metadata.labels?.['app.kubernetes.io/component'] === 'jvb-media');
    const jvb = JITSI_SHARD_CHART.componentName('jvb', 'shard-0', { nameOverride: 'meet' });
    expect(jvb).toBe('shard-0-meet-jvb');
    expect(bridges.map((bridge) => bridge.metadata.name)).toEqual([`${jvb}-0`, `${jvb}-1`, `${jvb}-2`]);
  });

  test.each(Object.entries(JITSI_SHARD_CHART.metrics))(
    'the jitsi-shard bridge autoscaler reads the %s metric under the name the facts give',
    (metric, { name }) => {
      // GIVEN bridges autoscaled on the metric, with the chart's default metric names
      const values = { jvb: { autoscaling: { enabled: true, metric } } };

      // WHEN Helm renders the release
      const rendered = renderChart(helm, 'jitsi-shard', { release: 'shard-0', values });

      // THEN the HorizontalPodAutoscaler asks the custom metrics API for that Pods metric
      const autoscaler = rendered.manifests.find((manifest) => manifest.kind === 'HorizontalPodAutoscaler');
      expect((autoscaler?.spec as any).metrics).toEqual([
        { type: 'Pods', pods: { metric: { name }, target: expect.objectContaining({ type: 'AverageValue' }) } },
      ]);
    },
  );
});

test.each(Object.entries(JITSI_SHARD_CHART.metrics))(
  "the jitsi-shard README's prometheus-adapter rule serves the %s metric from the series the facts give",
  (_metric, { name, series }) => {
    const readme = readFileSync(join(chartDir('jitsi-shard'), 'README.md'), 'utf8');
    expect(readme).toContain(`seriesQuery: '${series}{namespace!="",pod!=""}'`);
    expect(readme).toContain(`name: { matches: "^${series}$", as: "${name}" }`);
  },
);

test("the jitsi-shard chart's default custom metric names are the facts' metric names", () => {
  const values = YAML.parse(readFileSync(join(chartDir('jitsi-shard'), 'values.yaml'), 'utf8'));
  expect(values.jvb.autoscaling.customMetrics).toEqual({
    jvbStress: JITSI_SHARD_CHART.metrics.jvbStress.name,
    networkTransmit: JITSI_SHARD_CHART.metrics.networkTransmit.name,
  });
});

test("the jitsi-shard web Service's default port is the port the facts give", () => {
  const values = YAML.parse(readFileSync(join(chartDir('jitsi-shard'), 'values.yaml'), 'utf8'));
  expect(values.web.service.port).toBe(JITSI_SHARD_CHART.ports.web);
});

test.each(CHARTS)('the generated facts of $facts.chart are its package facts, at the version of its Chart.yaml', ({ facts, source }) => {
  const chartYaml = YAML.parse(readFileSync(join(chartDir(facts.chart), 'Chart.yaml'), 'utf8'));
  expect(facts.version).toBe(chartYaml.version);
  expect(facts.chart).toBe(chartYaml.name);
  expect({ services: facts.services, ports: facts.ports, metrics: facts.metrics }).toEqual({
    services: source.services,
    ports: source.ports ?? {},
    metrics: source.metrics ?? {},
  });
});

test("the logging chart's generated facts name the streams and the reader role of its values.yaml", () => {
  // GIVEN the chart's defaults as Helm reads them
  const defaults = YAML.parse(readFileSync(join(chartDir('logging'), 'values.yaml'), 'utf8'));

  // THEN the generated facts hold what the package states, and that is what the defaults define
  expect(LOGGING_CHART.names).toEqual(loggingFacts.names);
  expect(Object.keys(defaults.streams)).toEqual([...LOGGING_CHART.names.streams]);
  expect(Object.keys(defaults.security.roles)).toContain(LOGGING_CHART.names.readerRole);
});
