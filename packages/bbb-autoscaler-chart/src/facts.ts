import { AUTOSCALER_PORT } from '@meetscale/bbb-autoscaling';
import { defineChartFacts } from '@meetscale/chart-toolkit';

/**
 * What other packages rely on of the bbb-autoscaler chart: its Service, named `<fullname>` (for a release
 * `bbb-autoscaler` in `bigbluebutton`: `http://bbb-autoscaler.bigbluebutton.svc:8080`, whose `/targets` the
 * monitoring chart's BigBlueButton ScrapeConfigs discover the running servers through), with its default port.
 * tools/synth publishes them as `@meetscale/chart-values/facts/bbb-autoscaler`.
 */
export const bbbAutoscalerFacts = defineChartFacts({
  chart: 'bbb-autoscaler',
  services: {
    /** The metrics (`/metrics`) and the HTTP service discovery of the running servers (`/targets`). */
    autoscaler: '',
  },
  ports: { autoscaler: AUTOSCALER_PORT },
});
