/**
 * The metrics a state's stack names exist: the series prometheus-adapter reads are ones the components really
 * serve (the catalog taken from their sources at the pinned releases), and the adapter serves exactly the Pods
 * metrics the bridge autoscalers of the jitsi-shard releases ask for.
 */
import { JITSI_SHARD_CHART } from '@meetscale/chart-values/facts/jitsi-shard';
import { METRIC_CATALOG, uncataloguedSeries } from '@meetscale/metric-catalog';

import { ADDON_CHARTS } from '../src/addon-releases';
import { exampleStates, helmValuesOf, synthesize } from './_stacks';

interface AdapterRule {
  seriesQuery: string;
  name: { matches: string; as: string };
  metricsQuery: string;
}

describe.each([0, 1])('example state %i', (index) => {
  test('prometheus-adapter reads only catalogued series and serves what every bridge autoscaler asks for', async () => {
    // GIVEN the state's synthesized stack
    const state = (await exampleStates())[index];
    if (state === undefined) throw new Error(`no example state ${index}`);
    const synthesized = synthesize(state);
    const rules = (helmValuesOf(synthesized, 'addons_prometheus-adapter') as { rules: { custom: AdapterRule[] } }).rules.custom;
    expect(rules.length).toBeGreaterThan(0);
    // THEN each rule's series is one a component serves, and the rule renames exactly that series
    const series = rules.map((rule) => /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{/.exec(rule.seriesQuery)?.[1] ?? rule.seriesQuery);
    expect(uncataloguedSeries(series)).toEqual([]);
    expect(rules.map((rule) => rule.name.matches)).toEqual(series.map((name) => `^${name}$`));
    // AND every metric a shard's bridge autoscaler may scale on is one the adapter serves, and no other
    const shards = Object.keys(synthesized.json.resource.helm_release ?? {}).filter((address) => address.startsWith('meetscale_shard-'));
    expect(shards.length).toBe(state.jitsi.shards);
    for (const address of shards) {
      const asked = (helmValuesOf(synthesized, address) as { jvb: { autoscaling: { customMetrics: Record<string, string> } } }).jvb
        .autoscaling.customMetrics;
      expect({ address, metrics: Object.values(asked).sort() }).toEqual({ address, metrics: rules.map((rule) => rule.name.as).sort() });
    }
  });
});

test("the jitsi-shard chart's metric facts name catalogued series", () => {
  expect(uncataloguedSeries(Object.values(JITSI_SHARD_CHART.metrics).map((metric) => metric.series))).toEqual([]);
});

test('the cert-manager catalog is of the cert-manager release the stack installs', () => {
  expect(METRIC_CATALOG['cert-manager'].release).toBe(ADDON_CHARTS.certManager.version);
});
