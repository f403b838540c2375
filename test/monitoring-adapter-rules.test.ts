/**
 * The prometheus-adapter rules the monitoring chart states (its published facts, which the state stack installs the
 * adapter with) serve exactly the Pods metrics the jitsi-shard chart's bridge autoscaler asks for: the names are
 * checked against the jitsi-shard chart's values type and defaults, so renaming either side fails.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { MONITORING_CHART } from '@meetscale/chart-values/facts/monitoring';
import type { JitsiShardValues } from '@meetscale/chart-values/jitsi-shard';
import { cataloguedSeries } from '@meetscale/metric-catalog';
import YAML from 'yaml';

import { chartDir } from './support/charts';

/** The jitsi-shard chart's `jvb.autoscaling.customMetrics`, as its values type has it. */
type CustomMetrics = Required<NonNullable<NonNullable<NonNullable<JitsiShardValues['jvb']>['autoscaling']>['customMetrics']>>;

/** Every key of the type, once: adding or renaming a key of `customMetrics` breaks the type check here. */
const METRIC_KEYS = { jvbStress: true, networkTransmit: true } as const satisfies Record<keyof CustomMetrics, true>;

const defaults = YAML.parse(readFileSync(join(chartDir('jitsi-shard'), 'values.yaml'), 'utf8')) as JitsiShardValues;
const asked: CustomMetrics = defaults.jvb?.autoscaling?.customMetrics as CustomMetrics;

test('the adapter serves each Pods metric the bridge autoscaler may ask for, and nothing else', () => {
  const served = MONITORING_CHART.adapterRules.map((rule) => rule.name.as).sort();
  expect(served).toEqual(
    Object.keys(METRIC_KEYS)
      .map((key) => asked[key as keyof CustomMetrics])
      .sort(),
  );
});

test('each rule reads one catalogued series with the labels that name a pod, and renames exactly it', () => {
  const series = cataloguedSeries();
  for (const rule of MONITORING_CHART.adapterRules) {
    const name = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{namespace!="",pod!=""\}$/.exec(rule.seriesQuery)?.[1];
    expect({ rule: rule.name.as, series: name !== undefined && series.has(name) }).toEqual({ rule: rule.name.as, series: true });
    expect(rule.name.matches).toBe(`^${name}$`);
    expect(rule.resources.overrides).toEqual({ namespace: { resource: 'namespace' }, pod: { resource: 'pod' } });
  }
});

test("the chart's README lists the same rules", () => {
  const readme = readFileSync(join(chartDir('monitoring'), 'README.md'), 'utf8');
  for (const rule of MONITORING_CHART.adapterRules) {
    expect(readme).toContain(`seriesQuery: ${rule.seriesQuery}`);
    expect(readme).toContain(`as: ${rule.name.as}`);
  }
});
