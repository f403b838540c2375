import type { ComponentCatalog } from './catalog';
import type { CataloguedMetric } from './extract';

/** Where the BigBlueButton autoscaler's metrics are declared: here; the service (apps/bbb-autoscaler) registers them. */
const SOURCE = 'packages/metric-catalog/src/bbb-autoscaler.ts';

const gauge = (name: string): CataloguedMetric => ({ name, type: 'gauge', series: [name], source: SOURCE });
const counter = (name: string): CataloguedMetric => ({ name, type: 'counter', series: [`${name}_total`], source: SOURCE });

/**
 * The metrics the BigBlueButton autoscaler (this repository's own service, issue 15) serves, declared before it is
 * written: Scalelite's view of each server as the autoscaler reads it from Scalelite's admin API (`getServers`:
 * `state`, `online`, `load`), labelled `server` with the server's hostname (as the monitoring chart's ScrapeConfigs
 * label the servers' exporters), and its own decisions. Scalelite serves no metrics of its own (v1.8.5). The
 * autoscaler must register exactly these names; its tests check that against this list, so the monitoring rules
 * built on them cannot drift from it.
 */
export const BBB_AUTOSCALER_METRICS: ComponentCatalog = {
  release: 'declared (apps/bbb-autoscaler registers exactly these)',
  metrics: [
    /** 1 for the server's state in Scalelite (label `state`: `enabled`, `cordoned`, `disabled`), 0 for the others. */
    gauge('meetscale_bbb_server_state'),
    /** 1 when Scalelite counts the server online (its last polls succeeded). */
    gauge('meetscale_bbb_server_online'),
    /** The server's load as Scalelite computes it (participants, weighted by the load multiplier). */
    gauge('meetscale_bbb_server_load'),
    /** 1 when the server's VM is running (IONOS reports it on). */
    gauge('meetscale_bbb_server_running'),
    /** 1 when the server was started and has not answered its BigBlueButton API within the start time-out. */
    gauge('meetscale_bbb_server_start_failed'),
    /** Servers the autoscaler wants running, and servers running. */
    gauge('meetscale_bbb_servers_desired'),
    gauge('meetscale_bbb_servers_running'),
    /** Decisions taken, by `action` (`start`, `register`, `enable`, `cordon`, `stop`, `none`). */
    counter('meetscale_bbb_autoscaler_decisions'),
    /** Failed reads and actions, by `source` (`ionos`, `scalelite`, `prometheus`). */
    counter('meetscale_bbb_autoscaler_errors'),
  ],
  unnamed: [],
};
