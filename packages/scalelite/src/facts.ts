import { defineChartFacts } from '@meetscale/chart-toolkit';

/**
 * What other packages rely on of the scalelite chart: its public Service (nginx: the BigBlueButton API and
 * playback) and the admin API's Service, with their default ports. tools/synth publishes them as
 * `@meetscale/chart-values/facts/scalelite`.
 */
export const scaleliteFacts = defineChartFacts({
  chart: 'scalelite',
  services: {
    /** nginx: the BigBlueButton API of the pool and the playback of recordings. */
    web: '',
    /** The admin API (`/scalelite/api`), inside the cluster only. */
    admin: 'admin',
  },
  ports: { web: 80, admin: 3000 },
});
