import { defineChartFacts } from '@meetscale/chart-toolkit';

/**
 * What other packages rely on of the state-base chart, stated once: tools/synth publishes it, with the chart's
 * version and naming functions, as `@meetscale/chart-values/facts/state-base` for the infrastructure app. The
 * chart serves nothing itself: it names the objects other releases refer to (the Gateway, the ClusterIssuer)
 * from its values.
 */
export const stateBaseFacts = defineChartFacts({ chart: 'state-base', services: {} });
