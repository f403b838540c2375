#!/bin/sh
set -eu
base="${JVB_NODE_PORT_BASE:?start.sh: JVB_NODE_PORT_BASE is not set}"
ordinal="${HOSTNAME##*-}"
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
