import { type HelmChart, type HelmValue, listWhen, orDefault } from '@meetscale/chart-toolkit';

import { ETHERPAD_PORT } from './etherpad';
import type { JitsiShardValues } from './values';
import { WHITEBOARD_PORT } from './whiteboard';

/**
 * The name of this shard in the haproxy chart's `shards` list (`shardName`, else the release name). Etherpad and
 * the whiteboard put it into their public URLs, so that HAProxy sends a pad's or a whiteboard's requests to the
 * shard that hosts the room:
 * - Etherpad: jitsi-meet opens `new URL(<pad name>, config.etherpad_base)` (react/features/etherpad/middleware.ts),
 *   the pad name comes from jicofo's presence (a random name unless configured otherwise), and the pad page then
 *   loads its assets and its socket.io relative to that URL. So `etherpad_base` is
 *   `https://<domain>/etherpad/<shard>/p/`, and HAProxy routes `/etherpad/<shard>/` to `<shard>` and strips the
 *   shard from the path before the web pod's `/etherpad/` location (docker-jitsi-meet web/rootfs/defaults/meet.conf)
 *   sees it.
 * - Whiteboard: jitsi-meet connects socket.io to `collabServerBaseUrl` with `room=md5(<page URL>)` appended
 *   (`getCollabServerUrl()` in react/features/whiteboard/functions.ts): the room name is hashed, and a path in
 *   that URL would become a socket.io namespace, not an HTTP path. socket.io-client sends the URL's query with
 *   every request, so `collabServerBaseUrl` is `https://<domain>/?shard=<shard>`: requests arrive as
 *   `/socket.io/?shard=<shard>&room=...`, and HAProxy routes them by `shard`.
 */
export function shardName(chart: HelmChart<JitsiShardValues>): HelmValue<string> {
  return orDefault(chart.values.shardName, chart.release.name);
}

/**
 * The web environment that proxies Etherpad and the whiteboard and tells the clients where they are; empty while
 * both are off. The web image proxies `/etherpad/` to `ETHERPAD_URL_BASE` and `/socket.io/` to
 * `WHITEBOARD_COLLAB_SERVER_URL_BASE` (docker-jitsi-meet web/rootfs/defaults/meet.conf), and writes
 * `config.etherpad_base` from `ETHERPAD_PUBLIC_URL` and `config.whiteboard.collabServerBaseUrl` from
 * `WHITEBOARD_COLLAB_SERVER_PUBLIC_URL` (settings-config.js). The internal addresses are fully qualified like
 * prosody's.
 */
export function webPadsEnv(chart: HelmChart<JitsiShardValues>): HelmValue<unknown[]>[] {
  const v = chart.values;
  const internal = (component: string, port: number): string =>
    `http://${chart.defineText(`${component}.host`, `${chart.componentName(component)}.${chart.release.namespace}.svc.${v.clusterDomain}`)}:${port}`;
  const shard = String(shardName(chart));
  return [
    listWhen(v.etherpad.enabled, [
      { name: 'ETHERPAD_URL_BASE', value: internal('etherpad', ETHERPAD_PORT) },
      { name: 'ETHERPAD_PUBLIC_URL', value: `https://${v.domain}/etherpad/${shard}/p/` },
    ]),
    listWhen(v.whiteboard.enabled, [
      { name: 'WHITEBOARD_COLLAB_SERVER_URL_BASE', value: internal('whiteboard', WHITEBOARD_PORT) },
      { name: 'WHITEBOARD_COLLAB_SERVER_PUBLIC_URL', value: `https://${v.domain}/?shard=${shard}` },
    ]),
  ];
}
