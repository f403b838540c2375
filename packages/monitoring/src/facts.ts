import { defineChartFacts } from '@meetscale/chart-toolkit';

import { ADAPTER_RULES } from './adapter-rules';

/**
 * What other packages rely on of the monitoring chart: the prometheus-adapter rules of the platform, which the state
 * stack installs prometheus-adapter with. tools/synth publishes them as `@meetscale/chart-values/facts/monitoring`.
 */
export const monitoringFacts = defineChartFacts({
  chart: 'monitoring',
  services: {},
  adapterRules: ADAPTER_RULES,
});
