/**
 * The shell scripts of the videobridge pods, mounted from a ConfigMap. They run with the jitsi image's
 * `/bin/sh` and `curl`; tests run them with the real programs against a fake bridge on loopback.
 */

/** Where the scripts are mounted in the bridge container. */
export const SCRIPTS_DIR = '/scripts';

/**
 * Starts a bridge of the `nodePort` mode: bridge `i` (the StatefulSet ordinal that ends the pod name) listens
 * on `JVB_NODE_PORT_BASE + i`, the port its own NodePort Service forwards, then execs the image's entrypoint
 * (given as arguments) so that s6-overlay's `/init` stays PID 1.
 */
export const START_SCRIPT = `#!/bin/sh
set -eu
base="\${JVB_NODE_PORT_BASE:?start.sh: JVB_NODE_PORT_BASE is not set}"
ordinal="\${HOSTNAME##*-}"
case "$ordinal" in
  '' | *[!0-9]*)
    echo "start.sh: pod name $HOSTNAME does not end in a StatefulSet ordinal" >&2
    exit 1
    ;;
esac
JVB_PORT=$((base + ordinal))
export JVB_PORT
echo "start.sh: bridge $ordinal listens on UDP port $JVB_PORT"
exec "$@"
`;

/**
 * The preStop hook of a bridge. It asks the bridge for a graceful shutdown (jicofo places no new conference
 * on it), then polls the bridge's participant count (\`jitsi_jvb_local_endpoints\`) until no participant is
 * left. Kubernetes ends the pod after \`terminationGracePeriodSeconds\` in any case. The hook returns at once
 * when the bridge refuses the request or stops answering (it shuts itself down a minute after it is empty).
 */
export const GRACEFUL_SHUTDOWN_SCRIPT = `#!/bin/sh
set -u
api="\${JVB_REST_URL:-http://127.0.0.1:8080}"
poll="\${SHUTDOWN_POLL_SECONDS:-10}"
if ! curl -fsS -m 10 -o /dev/null -X POST -H 'Content-Type: application/json' \\
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
  participants=$(printf '%s\\n' "$metrics" | awk '$1 == "jitsi_jvb_local_endpoints" { print int($2); exit }')
  if [ "$participants" = 0 ]; then
    echo "graceful-shutdown: no participant left; done"
    exit 0
  fi
  echo "graceful-shutdown: \${participants:-an unknown number of} participant(s) left"
  sleep "$poll"
done
`;
