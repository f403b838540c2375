import { defineChartFacts } from '@meetscale/chart-toolkit';

/**
 * What other packages rely on of the logging chart: its name and version (the state stack installs it), the streams
 * of its defaults (a state sets their retention) and the read-only role of its defaults (a state's users get it
 * unless they name others); its Services are ECK's, named by the operator. tools/synth publishes them as
 * `@meetscale/chart-values/facts/logging`.
 */
export const loggingFacts = defineChartFacts({
  chart: 'logging',
  services: {},
  names: {
    streams: ['access', 'jitsi', 'turn', 'bigbluebutton', 'platform'],
    readerRole: 'meetscale-log-reader',
  },
});

/** A stream of the chart's defaults. */
export type DefaultLogStream = (typeof loggingFacts.names.streams)[number];
