import { and, first, type HelmChart, type HelmValue, isEmpty, joined, listWhen, not, str } from '@meetscale/chart-toolkit';

import type { JitsiShardValues } from './values';

/**
 * STUN and TURN for clients (`turn` values): prosody hands them out over XEP-0215 (its `external_services`
 * module), each TURN credential computed from the shared secret the TURN servers hold, valid for
 * `turn.credentialTtl` seconds (the TURN REST API scheme coturn's `use-auth-secret` checks). The variables are the
 * ones the prosody image's `prosody.cfg.lua` template reads (docker-jitsi-meet `prosody/rootfs/defaults/`).
 */

const SHARD_STUN = new WeakMap<HelmChart<JitsiShardValues>, HelmValue<string>>();

/**
 * The shard's own STUN server, `<first TURN host>:<STUN port>`: what the bridges (advertise `stun`) and the
 * browsers' peer-to-peer calls ask unless told otherwise. A named template, defined once per chart.
 */
export function shardStunServer(chart: HelmChart<JitsiShardValues>): HelmValue<string> {
  const known = SHARD_STUN.get(chart);
  if (known !== undefined) return known;
  const t = chart.values.turn;
  const server = chart.defineText('turn.stunServer', `${first(t.hosts, 'string')}:${t.stun.port}`);
  SHARD_STUN.set(chart, server);
  return server;
}

/** Whether the shard offers a STUN server of its own. */
export function hasOwnStun(chart: HelmChart<JitsiShardValues>): HelmValue<boolean> {
  const t = chart.values.turn;
  return and(t.enabled, t.stun.enabled);
}

/** The prosody environment that announces the shard's STUN and TURN servers; empty while `turn` is off. */
export function prosodyTurnEnv(chart: HelmChart<JitsiShardValues>): HelmValue<unknown[]>[] {
  const t = chart.values.turn;
  chart.failWhen(and(t.enabled, isEmpty(t.hosts)), 'turn.hosts: name at least one TURN server when turn.enabled is true');
  chart.failWhen(
    and(t.enabled, not(t.existingSecret)),
    "turn.existingSecret: name the Secret holding the TURN servers' shared secret when turn.enabled is true",
  );
  return [
    listWhen(t.enabled, [
      { name: 'TURN_HOST', value: String(joined(t.hosts, ',')) },
      { name: 'TURN_PORT', value: str(t.port) },
      { name: 'TURN_TRANSPORT', value: String(joined(t.transports, ',')) },
      { name: 'TURN_TTL', value: str(t.credentialTtl) },
      // With this, prosody hands out `secret = true` services: a fresh username `<expiry>` and password
      // base64(HMAC-SHA1(secret, username)) per request, never the secret itself.
      { name: 'TURN_CREDENTIALS', valueFrom: { secretKeyRef: { name: String(t.existingSecret), key: String(t.secretKey) } } },
    ]),
    listWhen(and(t.enabled, t.tls.enabled), [
      { name: 'TURNS_HOST', value: String(joined(t.hosts, ',')) },
      { name: 'TURNS_PORT', value: str(t.tls.port) },
    ]),
    listWhen(hasOwnStun(chart), [
      // The image's template takes one STUN host.
      { name: 'STUN_HOST', value: String(first(t.hosts, 'string')) },
      { name: 'STUN_PORT', value: str(t.stun.port) },
    ]),
  ];
}

/**
 * The web environment for peer-to-peer calls. Without a STUN server in `config.p2p.stunServers`, lib-jitsi-meet
 * falls back to a built-in list of third-party STUN servers; so the browsers get the shard's own STUN server, or,
 * without one, peer-to-peer is off and every call goes through the bridges (which need no STUN on the browser's
 * side). No browser asks a third party's server.
 */
export function webP2pEnv(chart: HelmChart<JitsiShardValues>): HelmValue<unknown[]>[] {
  const ownStun = hasOwnStun(chart);
  return [
    listWhen(ownStun, [{ name: 'P2P_STUN_SERVERS', value: String(shardStunServer(chart)) }]),
    listWhen(not(ownStun), [{ name: 'ENABLE_P2P', value: 'false' }]),
  ];
}
