import { join } from 'node:path';

import { type HelmChart, readChartText } from '@meetscale/chart-toolkit';

import type { HaproxyValues } from './values';

/** Where the ConfigMap (haproxy.cfg, start.sh) is mounted, read-only. */
export const CONFIG_DIR = '/usr/local/etc/haproxy';
/** A writable emptyDir for the configuration HAProxy actually runs. */
export const RUN_DIR = '/run/haproxy';

/**
 * `start.sh` (`files/start.sh`): starts HAProxy without the peers whose names do not resolve.
 *
 * HAProxy resolves peer addresses once, at start-up, and refuses to start when one does not resolve (it
 * has no `init-addr` for peers, haproxy/haproxy#930). A replica restarting while another one is Pending would
 * crash-loop. So the script waits, for at most `peers.startupWaitSeconds`, until every other replica's name
 * resolves, then writes the configuration without the peers still missing and execs HAProxy as that pod's
 * local peer. Such a replica runs with incomplete stick-table sync until its next restart (the room hash keeps
 * new rooms together meanwhile), instead of not running at all.
 *
 * The script's placeholders take the mount directories above and the `peers.startupWaitSeconds` value, as the
 * defaults of its environment variables `HAPROXY_SOURCE_CFG`, `HAPROXY_RUN_CFG` and `PEER_WAIT_SECONDS`.
 */
export function startScript(chart: HelmChart<HaproxyValues>): string {
  return readChartText(join(__dirname, '..', 'files', 'start.sh'), {
    CONFIG_DIR,
    RUN_DIR,
    PEER_WAIT_SECONDS: String(chart.values.peers.startupWaitSeconds),
  });
}
