import { defineChartFacts } from '@meetscale/chart-toolkit';

import { MEDIA_MODE_POD_SECURITY } from './values';

/**
 * What other packages rely on of the jitsi-shard chart, stated once: tools/synth publishes it, with the chart's
 * version and naming functions, as `@meetscale/chart-values/facts/jitsi-shard` for the infrastructure app.
 */
export const jitsiShardFacts = defineChartFacts({
  chart: 'jitsi-shard',
  services: {
    /** The shard endpoint the haproxy chart lists (`shards[].host`). */
    web: 'web',
    /** XMPP (c2s and BOSH). */
    prosody: 'prosody',
    /** jicofo's REST and metrics port. */
    jicofo: 'jicofo',
    /** The bridges' headless Service (`nodePort` media mode only). */
    jvb: 'jvb',
  },
  ports: {
    /** `web.service.port`'s default: the shard port the haproxy chart lists (`shards[].port`). */
    web: 80,
  },
  metrics: {
    /**
     * The bridges' own load, which the bridges' PodMonitor scrapes; the bridge autoscaler's default Pods metric name
     * for `jvb.autoscaling.metric: jvbStress` (`jvb.autoscaling.customMetrics.jvbStress`).
     */
    jvbStress: { name: 'jitsi_jvb_stress', series: 'jitsi_jvb_stress' },
    /**
     * A pod's transmitted bytes per second, a rate of cAdvisor's counter: the bridge autoscaler's default Pods metric
     * name for `jvb.autoscaling.metric: networkTransmit` (`jvb.autoscaling.customMetrics.networkTransmit`).
     */
    networkTransmit: { name: 'network_transmit_bytes_per_second', series: 'container_network_transmit_bytes_total' },
  },
  /** Host ports are forbidden from `baseline` up: `hostPort` media needs `privileged`, `nodePort` media `restricted`. */
  podSecurity: { value: 'jvb.media.mode', levels: MEDIA_MODE_POD_SECURITY },
});
