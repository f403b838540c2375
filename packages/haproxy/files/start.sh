#!/bin/sh
# Starts HAProxy as local peer $POD_NAME, without the peers whose names do not resolve (see the chart README).
set -eu
source_cfg="${HAPROXY_SOURCE_CFG:-@CONFIG_DIR@/haproxy.cfg}"
run_cfg="${HAPROXY_RUN_CFG:-@RUN_DIR@/haproxy.cfg}"
wait_seconds="${PEER_WAIT_SECONDS:-@PEER_WAIT_SECONDS@}"

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
  echo "start.sh: peer address $host does not resolve after ${wait_seconds}s; starting without that peer" >&2
done
awk -v missing=" $missing " '
  $1 == "peer" { split($3, address, ":"); if (index(missing, " " address[1] " ") > 0) next }
  { print }
' "$source_cfg" > "$run_cfg.tmp"
mv "$run_cfg.tmp" "$run_cfg"
exec haproxy -W -db -f "$run_cfg" -L "$POD_NAME"
