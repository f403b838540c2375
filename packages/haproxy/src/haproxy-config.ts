import { each, eq, type HelmChart, requireUnique, times, when } from '@meetscale/chart-toolkit';

import type { HaproxyValues } from './values';

/** Name of the `peers` section; the stick table is synchronised under the backend's name. */
export const PEERS_SECTION = 'replicas';

/**
 * `haproxy.cfg` as template text: one server per shard, one peer per replica, room stickiness on the `room`
 * URL parameter of BOSH (`/http-bind`) and websocket (`/xmpp-websocket`) requests.
 *
 * New rooms go to a shard chosen by `balance`: `roomHash` (consistent hash of the room name, so every replica
 * picks the same shard for a new room even before the stick table has synchronised) or `roundrobin`.
 *
 * Etherpad and the whiteboard of a room run in the room's shard (jitsi-shard 0.6.0), and carry the shard's name
 * in their public URLs, since neither names the room in a form HAProxy could look up (jitsi-meet hashes the page
 * URL into the whiteboard's `room`, react/features/whiteboard/functions.ts; the pad name comes from jicofo). So
 * `/etherpad/<shard>/...` and `/socket.io/?shard=<shard>` go to that server (`use-server`, the same on every
 * replica), the pad path without the shard's name, which the web pods' `/etherpad/` location expects
 * (docker-jitsi-meet web/rootfs/defaults/meet.conf). A down or unknown shard falls back to the usual balancing.
 *
 * Peers are addressed by the StatefulSet's stable DNS names; HAProxy starts with `-L <pod name>`, so each
 * replica knows which peer line is itself. Shard hosts may be Service DNS names: the servers resolve them
 * through the cluster DNS at run time (`init-addr last,libc,none`), so a shard that does not exist yet does not
 * stop HAProxy from starting.
 *
 * Health checks follow the shard health contract (`SHARD_HEALTH_PATH` in facts.ts): the expected status means the
 * shard takes new rooms; 404 means it cannot host one, so `http-check disable-on-404` puts it in HAProxy's NOLB
 * (soft-stop) state; anything else, `fall` times in a row, marks it down. A NOLB server leaves the load balancing
 * (HAProxy counts a STOPPING server as not usable, `srv_willbe_usable()` in include/haproxy/backend.h), so neither
 * the room hash nor round-robin picks it for a new room, but a stick-table match still sends a room's requests to
 * any server that is not STOPPED (`sticking_rule_find_target()` in src/stream.c), so the rooms already on it stay.
 * Both hold from HAProxy 2.6 to 3.2 (configuration.txt, "http-check disable-on-404"); test/haproxy-live.test.ts
 * shows them. As documented there, a server already down stays down while it answers 404: it takes rooms again
 * only once it answers the expected status `rise` times.
 */
export function haproxyConfig(chart: HelmChart<HaproxyValues>, peersService: string): string {
  const v = chart.values;
  const peer = (index: string): string => `${chart.fullname}-${index}`;
  return `${requireUnique(v.shards, 'name', 'shards: every shard needs a unique name')}# HAProxy in front of the Jitsi shards of release ${chart.release.name}.
global
  log stdout format raw local0 info
  maxconn ${v.maxConnections}

defaults
  mode http
  log global
  option httplog
  option dontlognull
  option forwardfor
  option redispatch
  retries 3
  timeout connect ${v.timeouts.connect}
  timeout client ${v.timeouts.client}
  timeout server ${v.timeouts.server}
  timeout http-request ${v.timeouts.httpRequest}
  timeout tunnel ${v.timeouts.tunnel}
  timeout client-fin ${v.timeouts.clientFin}
  timeout check ${v.timeouts.check}

resolvers cluster
  parse-resolv-conf
  resolve_retries 3
  timeout resolve 1s
  timeout retry 1s
  hold valid 10s
  hold obsolete 30s

peers ${PEERS_SECTION}
${times(v.replicaCount, (index) => `  peer ${peer(String(index))} ${peer(String(index))}.${peersService}.${chart.release.namespace}.svc.${v.clusterDomain}:${v.containerPorts.peers}\n`)}
frontend metrics
  bind :${v.containerPorts.metrics}
  http-request set-log-level silent
  monitor-uri /healthz
  http-request use-service prometheus-exporter if { path /metrics }

frontend http
  bind :${v.containerPorts.http}
  default_backend shards

backend shards
  balance ${when(eq(v.balance, 'roomHash'), 'url_param room', 'roundrobin')}
  hash-type consistent
  http-reuse safe
  acl has_room urlp(room) -m found
  # Etherpad and the whiteboard (jitsi-shard \`etherpad\`, \`whiteboard\`) name their shard in their URLs:
  # /etherpad/<shard>/... (the shard is cut from the path before the shard sees it) and /socket.io/?shard=<shard>.
  acl pad path_beg /etherpad/
  acl whiteboard path /socket.io/
  http-request set-var(txn.pad_shard) path,field(3,/) if pad
  http-request set-path %[path,regsub(^/etherpad/[^/]*/,/etherpad/)] if pad
  http-request set-var(txn.pad_shard) urlp(shard) if whiteboard
  stick-table type string len ${v.stickTable.keyLength} size ${v.stickTable.size} expire ${v.stickTable.expire} peers ${PEERS_SECTION}
  # The whiteboard's \`room\` is a hash of the page URL, not a room name: it must not enter the room table.
  stick on urlp(room),lower if has_room !whiteboard
${each(v.shards, (shard) => `  use-server ${shard.name} if { var(txn.pad_shard) -m str ${shard.name} }\n`)}  option httpchk
  # 404 from a shard: it cannot host a new room. It gets none (NOLB), but its rooms' requests still go there.
  http-check disable-on-404
  http-check send meth GET uri ${v.healthCheck.path} ver HTTP/1.1 hdr Host ${v.healthCheck.host}
  http-check expect status ${v.healthCheck.expectStatus}
  default-server check inter ${v.healthCheck.interval} fall ${v.healthCheck.fall} rise ${v.healthCheck.rise} resolvers cluster resolve-prefer ipv4 init-addr last,libc,none
${each(v.shards, (shard) => `  server ${shard.name} ${shard.host}:${shard.port}\n`)}`;
}
