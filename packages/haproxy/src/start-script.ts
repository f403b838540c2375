import type { HelmChart } from '@meetscale/chart-toolkit';

import type { HaproxyValues } from './values';

/** Where the ConfigMap (haproxy.cfg, start.sh) is mounted, read-only. */
export const CONFIG_DIR = '/usr/local/etc/haproxy';
/** A writable emptyDir for the configuration HAProxy actually runs. */
export const RUN_DIR = '/run/haproxy';

/**
 * `start.sh`: starts HAProxy without the peers whose names do not resolve.
 *
 * HAProxy resolves peer addresses once, at start-up, and refuses to start when one does not resolve (it
 * has no `init-addr` for peers, haproxy/haproxy#930). A replica restarting while another one is Pending would
 * crash-loop. So the script waits, for at most `peers.startupWaitSeconds`, until every other replica's name
 * resolves, then writes the configuration without the peers still missing and execs HAProxy as that pod's
 * local peer. Such a replica runs with incomplete stick-table sync until its next restart (the room hash keeps
 * new rooms together meanwhile), instead of not running at all.
 */
export function startScript(chart: HelmChart<HaproxyValues>): string {
  const v = chart.values;
  return `#!/bin/sh
# Starts HAProxy as local peer $POD_NAME, without the peers whose names do not resolve (see the chart README).
set -eu
source_cfg="\${HAPROXY_SOURCE_CFG:-${CONFIG_DIR}/haproxy.cfg}"
run_cfg="\${HAPROXY_RUN_CFG:-${RUN_DIR}/haproxy.cfg}"
wait_seconds="\${PEER_WAIT_SECONDS:-${v.peers.startupWaitSeconds}}"

remote_peers() {
  awk -v self="$POD_NAME" '$1 == "peer" && $2 != self { split($3, address, ":"); print address[1] }' "$source_cfg"
}

deadline=$(( $(date +%s) + wait_seconds ))
while :; do
  missing=""
  for host in $(remote_peers); do
    getent hosts "$host" >/dev/null 2>&1 || missing="$missing $host"
  done
  if [ -z "$missing" ] || [ "$(date +%s)" -ge "$deadline" ]; then break; fi
  sleep 1
done

for host in $missing; do
  echo "start.sh: peer address $host does not resolve after \${wait_seconds}s; starting without that peer" >&2
done
awk -v missing=" $missing " '
  $1 == "peer" { split($3, address, ":"); if (index(missing, " " address[1] " ") > 0) next }
  { print }
' "$source_cfg" > "$run_cfg.tmp"
mv "$run_cfg.tmp" "$run_cfg"
exec haproxy -W -db -f "$run_cfg" -L "$POD_NAME"
`;
}
