import { defineChartFacts } from '@meetscale/chart-toolkit';

/**
 * What other packages rely on of the logging chart: its name and version (the state stack installs it); its
 * Services are ECK's, named by the operator. tools/synth publishes them as `@meetscale/chart-values/facts/logging`.
 */
export const loggingFacts = defineChartFacts({ chart: 'logging', services: {} });
