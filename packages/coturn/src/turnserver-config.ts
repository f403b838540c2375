import { each, eq, type HelmChart, orDefault, when } from '@meetscale/chart-toolkit';

import type { CoturnValues } from './values';

/** Where the pod mounts the ConfigMap; `turnserver -c` reads `turnserver.conf` from it. */
export const CONFIG_DIR = '/etc/coturn';
/** Where the pod mounts the TLS Secret (`tls.crt`, `tls.key`). */
export const TLS_DIR = '/etc/coturn/tls';
/**
 * coturn's state directory, a writable emptyDir under the read-only root: the image's `VOLUME` and
 * `--turndbdir` (`docker/coturn/debian/Dockerfile` at tag `docker/4.17.0-r0`), where coturn opens its SQLite
 * database when no other is configured.
 */
export const STATE_DIR = '/var/lib/coturn';

/**
 * `turnserver.conf` as template text, one option per line with a comment on why. The shared secret is not in
 * it: the container passes `--static-auth-secret` from the Secret on the command line, so the ConfigMap holds
 * nothing secret.
 */
export function turnserverConfig(chart: HelmChart<CoturnValues>): string {
  const v = chart.values;
  return `# coturn of release ${chart.release.name}, rendered by the chart. The shared secret is not here: the
# container passes --static-auth-secret from the Secret on its command line.

# Listeners: STUN and TURN over UDP and TCP, TURN over TLS (TCP) and DTLS (UDP).
listening-port=${v.ports.turn}
tls-listening-port=${v.ports.tls}
${when(v.exposure.externalIp, `# The public address announced behind NAT.\nexternal-ip=${v.exposure.externalIp}\n`)}
# Relay allocations take UDP ports from this range.
min-port=${v.relay.minPort}
max-port=${v.relay.maxPort}

# Time-limited credentials from the shared secret (the TURN REST API scheme prosody implements): no user list.
use-auth-secret
realm=${orDefault(v.realm, v.hostname)}
server-name=${v.hostname}
fingerprint
stale-nonce=600

# TLS: the certificate of ${v.hostname}; TLS 1.2 and newer only.
cert=${TLS_DIR}/tls.crt
pkey=${TLS_DIR}/tls.key
no-tlsv1
no-tlsv1_1

# No telnet console, no version in responses, nothing written outside the state directory.
no-cli
no-software-attribute
pidfile=${STATE_DIR}/turnserver.pid
log-file=stdout
simple-log
${when(
  eq(v.metrics.enabled, true),
  `
# Prometheus metrics on /metrics.
prometheus
prometheus-port=${v.ports.metrics}
`,
)}
# Relays reach public peers over UDP only: no TCP relays (RFC 6062), no multicast or broadcast peers, and none
# of these ranges (private, loopback, link-local, CGNAT, cluster), so no client reaches in-cluster services.
no-tcp-relay
no-multicast-peers
${each(v.relay.deniedPeerIps, (range) => `denied-peer-ip=${range}\n`)}${each(v.relay.extraDeniedPeerIps, (range) => `denied-peer-ip=${range}\n`)}${each(
    v.extraConfig,
    (line) => `${line}\n`,
  )}`;
}
