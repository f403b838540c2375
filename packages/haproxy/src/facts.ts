import { defineChartFacts } from '@meetscale/chart-toolkit';

/**
 * What other packages rely on of the haproxy chart, stated once: tools/synth publishes it, with the chart's
 * version and naming functions, as `@meetscale/chart-values/facts/haproxy` for the infrastructure app.
 */
export const haproxyFacts = defineChartFacts({
  chart: 'haproxy',
  services: {
    /** The Service the ingress sends clients to, named `<fullname>` itself. */
    haproxy: '',
    /** HAProxy's Prometheus exporter (`/metrics`), which the chart's ServiceMonitor scrapes. */
    metrics: 'metrics',
    /** The headless Service of the replicas' stick-table peers. */
    peers: 'peers',
  },
});
