#!/bin/sh
# Prepares what the bridge announces and listens on, then execs the image's entrypoint (the arguments), so that
# s6-overlay's /init stays PID 1.
#  - JVB_NODE_PORT_BASE set (nodePort mode): bridge i, the StatefulSet ordinal ending the pod name, listens on
#    JVB_NODE_PORT_BASE + i, the port its own NodePort Service forwards.
#  - JVB_PUBLIC_ADDRESSES set (advertise publicAddresses): the bridge announces the address in
#    $JVB_PUBLIC_ADDRESSES/bridges/<i> (nodePort mode) or else in $JVB_PUBLIC_ADDRESSES/nodes/$NODE_NAME, and
#    refuses to start without one.
set -eu
base="${JVB_NODE_PORT_BASE:-}"
addresses="${JVB_PUBLIC_ADDRESSES:-}"
if [ -z "$base" ] && [ -z "$addresses" ]; then
  echo "start.sh: neither JVB_NODE_PORT_BASE nor JVB_PUBLIC_ADDRESSES is set: nothing to prepare" >&2
  exit 1
fi
ordinal=''
if [ -n "$base" ]; then
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
fi
if [ -n "$addresses" ]; then
  node="${NODE_NAME:?start.sh: NODE_NAME is not set}"
  address=''
  if [ -n "$ordinal" ] && [ -s "$addresses/bridges/$ordinal" ]; then
    address=$(cat "$addresses/bridges/$ordinal")
    entry="bridge $ordinal"
  elif [ -s "$addresses/nodes/$node" ]; then
    address=$(cat "$addresses/nodes/$node")
    entry="node $node"
  fi
  if [ -z "$address" ]; then
    echo "start.sh: jvb.media.publicAddresses lists no address for node $node${ordinal:+ or bridge $ordinal}" >&2
    exit 1
  fi
  JVB_ADVERTISE_IPS="$address"
  export JVB_ADVERTISE_IPS
  echo "start.sh: announcing $address (the entry of $entry)"
fi
exec "$@"
