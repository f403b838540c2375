import type { DashboardModel } from './_panels';
import { bigBlueButtonDashboard } from './bigbluebutton';
import { haproxyDashboard } from './haproxy';
import { jitsiShardDashboard } from './jitsi-shard';
import { stateOverviewDashboard } from './state-overview';

export type { DashboardModel } from './_panels';
export { bigBlueButtonDashboard } from './bigbluebutton';
export { haproxyDashboard } from './haproxy';
export { jitsiShardDashboard } from './jitsi-shard';
export { stateOverviewDashboard } from './state-overview';

/** The dashboards of the chart by the file name Grafana's sidecar loads each from, each built when called. */
export type Dashboards = Readonly<Record<string, () => DashboardModel>>;

/** Every dashboard of the monitoring chart, by file name (`state-overview.json`). */
export const DASHBOARDS: Dashboards = {
  'state-overview.json': stateOverviewDashboard,
  'jitsi-shard.json': jitsiShardDashboard,
  'haproxy.json': haproxyDashboard,
  'bigbluebutton.json': bigBlueButtonDashboard,
};
