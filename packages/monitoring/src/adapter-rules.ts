import type { MetricFact, PrometheusAdapterRule } from '@meetscale/chart-toolkit';
import { JITSI_SHARD_CHART } from '@meetscale/chart-values/facts/jitsi-shard';

/**
 * A rule serving a series as the Pods metric `metric.name`: the series' `namespace` and `pod` labels name the
 * Namespace and Pod, and `metricsQuery` computes the value from the series.
 */
function podsMetricRule(metric: MetricFact, metricsQuery: string): PrometheusAdapterRule {
  return {
    seriesQuery: `${metric.series}{namespace!="",pod!=""}`,
    resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
    name: { matches: `^${metric.series}$`, as: metric.name },
    metricsQuery,
  };
}

/**
 * The prometheus-adapter rules of the platform, in one place: the Pods metrics the jitsi-shard chart's bridge
 * autoscaler can scale on (its `jvb.autoscaling.customMetrics`, named by the jitsi-shard chart's facts): the
 * bridges' own load (`jitsi_jvb_stress`, averaged over a minute) and the pods' transmitted bytes per second (a rate
 * of cAdvisor's `container_network_transmit_bytes_total`). The chart's README lists them; the state stack installs
 * prometheus-adapter with them (from `@meetscale/chart-values/facts/monitoring`).
 */
export const ADAPTER_RULES: readonly PrometheusAdapterRule[] = [
  podsMetricRule(JITSI_SHARD_CHART.metrics.jvbStress, 'avg_over_time(<<.Series>>{<<.LabelMatchers>>}[1m])'),
  podsMetricRule(JITSI_SHARD_CHART.metrics.networkTransmit, 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[3m])) by (<<.GroupBy>>)'),
];
