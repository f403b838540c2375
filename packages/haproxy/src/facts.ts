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

/**
 * The path HAProxy checks on every shard's web Service (`healthCheck.path`'s default), and the contract a shard
 * answers it by:
 * - `200`: prosody, jicofo and at least one bridge are operational, so the shard takes new rooms;
 * - `404`: the shard's web answers but the shard cannot host a new room (prosody or jicofo down, or no operational
 *   bridge): it gets no new room, while the rooms already on it keep going there;
 * - anything else, or no answer in time: the shard is down, and its rooms move to other shards.
 *
 * The jitsi-shard chart's web answers it. Chart packages may not import each other, so a cross-chart test in the
 * top-level test/ folder, not a copy of the string, should tie the shard side to this constant.
 */
export const SHARD_HEALTH_PATH = '/_meetscale/health';
