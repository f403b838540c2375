#!/bin/sh
set -u
api="${JVB_REST_URL:-http://127.0.0.1:8080}"
poll="${SHUTDOWN_POLL_SECONDS:-10}"
if ! curl -fsS -m 10 -o /dev/null -X POST -H 'Content-Type: application/json' \
  -d '{"graceful-shutdown": true}' "$api/colibri/shutdown"; then
  echo "graceful-shutdown: the bridge refused the shutdown request; stopping it now" >&2
  exit 0
fi
echo "graceful-shutdown: no new conferences; waiting for the participants to leave"
while :; do
  if ! metrics=$(curl -fsS -m 10 "$api/metrics"); then
    echo "graceful-shutdown: the bridge has stopped answering; done"
    exit 0
  fi
  participants=$(printf '%s\n' "$metrics" | awk '$1 == "jitsi_jvb_local_endpoints" { print int($2); exit }')
  if [ "$participants" = 0 ]; then
    echo "graceful-shutdown: no participant left; done"
    exit 0
  fi
  echo "graceful-shutdown: ${participants:-an unknown number of} participant(s) left"
  sleep "$poll"
done
