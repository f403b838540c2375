import { defineChartFacts } from '@meetscale/chart-toolkit';

import { EXPOSURE_POD_SECURITY } from './values';

/**
 * What other packages rely on of the coturn chart, stated once: tools/synth publishes it, with the chart's
 * version and naming functions, as `@meetscale/chart-values/facts/coturn` for the infrastructure app.
 */
export const coturnFacts = defineChartFacts({
  chart: 'coturn',
  services: {
    /** STUN/TURN and TURN over TLS, with `exposure.mode: service` (none in the host network mode). */
    coturn: '',
  },
  ports: {
    /** `service.port`'s default: STUN and TURN over UDP and TCP. */
    coturn: 3478,
  },
  metrics: {
    /** Allocations a coturn holds now, from its Prometheus exporter (`src/apps/relay/prom_server.c` at coturn 4.17.0). */
    allocations: { name: 'turn_total_allocations', series: 'turn_total_allocations' },
  },
  /** The host network is forbidden from `baseline` up: `hostNetwork` needs `privileged`, `service` `restricted`. */
  podSecurity: { value: 'exposure.mode', levels: EXPOSURE_POD_SECURITY },
});
