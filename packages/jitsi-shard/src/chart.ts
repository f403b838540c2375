import { join } from 'node:path';

import { add, defineChart, eq, type HelmChart, readChartText, when } from '@meetscale/chart-toolkit';
import { MEDIA_NODE_SELECTOR, MEDIA_TOLERATION } from '@meetscale/placement';

import packageJson from '../package.json';
import { buildJitsiShard } from './jitsi-shard';
import { JITSI_RELEASE, type JitsiShardValues, jitsiShardValues, MEDIA_MODE_POD_SECURITY } from './values';
import { possibleBridgeCount } from './videobridges';

/** The jitsi-shard chart. */
export const jitsiShardChart = defineChart({
  name: 'jitsi-shard',
  version: packageJson.version,
  upgrading: {
    '0.6.0': [
      "jicofo's liveness probe now checks that its REST port answers (`tcpSocket`) instead of `/about/health`, which",
      'also fails while no bridge is up and so restarted jicofo in a loop; readiness still uses `/about/health`. The',
      'upgrade rolls the jicofo pod once. If you override `jicofo.livenessProbe`, Helm merges it over the new default:',
      'set `tcpSocket: null` to keep an `httpGet` handler of your own.',
      'The shared settings ConfigMap `<release>-jitsi-shard-settings` is replaced by one per component',
      '(`<release>-jitsi-shard-web-settings`, `-prosody-settings`, `-jicofo-settings`, `-jvb-settings`), each holding',
      "only what that component's image reads, with its own `checksum/settings`: from now on a change rolls only the",
      'components that read it (a JWT audience, guest or domain change no longer rolls the bridges). The upgrade',
      'itself rolls every component once, the bridges included (each drains its conferences first); plan it outside',
      'lesson hours. A tool that read the old ConfigMap must read the component one instead. web now answers',
      '`GET /_meetscale/health` for HAProxy (200 when the shard can host a new room, 404 when prosody, jicofo or every',
      "bridge is down), from a new ConfigMap `<release>-jitsi-shard-web-config` mounted into the image's nginx include;",
      'with `networkPolicy.enabled`, the jicofo policy now admits web on port 8888 for it.',
      'prosody now trusts `prosody.trustedProxies` (default: the private networks, as `prosody.metricsAllowedCidr`) as',
      "HTTP proxies and takes BOSH and websocket clients' addresses from web's `X-Forwarded-For`.",
      'New values, whose defaults keep what the images did before: `web.customConfig`, `web.customInterfaceConfig` and `web.nginxSnippet`',
      '(mounted where the web image appends or includes them), `web.welcomePage` and `web.defaultLanguage`, and',
      '`prosody.pluginsConfigMap` (a ConfigMap of yours, mounted into `/prosody-plugins-custom`) with `prosody.modules`.',
      '`auth.type` also takes `ldap` (`auth.ldap`, the bind password from a Secret) and `internal` (accounts kept by',
      'prosody, which needs the new `prosody.persistence`: a PersistentVolumeClaim for its data directory, kept on',
      'uninstall). With persistence off, the data directory stays an emptyDir as before.',
      'No third party STUN server is asked by default any more: `jvb.media.stunServers` defaults to empty (the',
      "shard's own STUN server from the new `turn` values), so `jvb.media.advertise: stun` now needs either",
      '`turn.enabled` or `jvb.media.stunServers` (the render fails naming both); and without a STUN server of the',
      "shard's own, peer-to-peer calls are off (`ENABLE_P2P=false`), because the browsers would otherwise ask",
      "lib-jitsi-meet's built-in third-party STUN servers; one-to-one calls then run through a bridge. New `turn`",
      'values hand the clients STUN, TURN and TURN over TLS with time-limited credentials (prosody `external_services`).',
      'The bridges no longer announce their pod IPs (`JVB_ADVERTISE_PRIVATE_CANDIDATES=false`), which browsers cannot',
      'reach; so the upgrade rolls the bridges once (each drains its conferences first). New: `jvb.media.advertise:',
      'publicAddresses` with `jvb.media.publicAddresses` for nodes with private addresses, and `jvb.cascading`.',
      'With `networkPolicy.enabled`, the bridges now admit media only from outside `networkPolicy.clusterNetworks`',
      "(default: the private and CGNAT IPv4 ranges) and, with cascading, from the shard's other bridges: remove a",
      'range there if clients reach the bridges from it.',
      'New, off by default: `etherpad.enabled` and `whiteboard.enabled` run Etherpad and the whiteboard backend in the',
      "shard; their public URLs carry the shard's name (`shardName`, default the release name), which must match its",
      "name in the haproxy chart's `shards` (haproxy 0.5.0 routes them by it). Etherpad keeps its pads in an emptyDir:",
      'they are lost when its pod restarts.',
      '`tolerations` are now checked as the Kubernetes API server checks them: a `value` only with operator `Equal`',
      '(none with `Exists`) and `tolerationSeconds` only with effect `NoExecute`. Such tolerations used to install and',
      'leave the pods uncreatable; `helm upgrade` now refuses them with a schema error naming the toleration.',
    ].join(' '),
    '0.5.0': [
      'The bridges now tolerate the media pool taint (`jvb.tolerations` defaults to',
      '`meetscale.io/media=true:NoSchedule`) and, while `jvb.affinity` is empty, prefer nodes labelled',
      '`meetscale.io/pool=media` (a soft node affinity; in hostPort mode beside the one-bridge-per-node rule). Both',
      'are harmless on a cluster without a media pool, but the upgrade changes the bridge pod template, so the bridges',
      'roll (each drains its conferences first). A `jvb.tolerations` list of your own replaces the default one; a',
      '`jvb.affinity` of your own replaces the preference, as it replaced the hostPort rule before. New `web.httpRoute`',
      'values render a Gateway API HTTPRoute to the web Service, the alternative to `web.ingress` now that',
      'ingress-nginx is retired; it is off by default, with its timeouts off (`0s`) for the websocket and BOSH.',
    ].join(' '),
    '0.4.0': [
      'Every component (`web`, `prosody`, `jicofo`, `jvb`) now takes the same standard values block, as in bitnami',
      'charts: `podSecurityContext`, `containerSecurityContext`, `livenessProbe`, `readinessProbe` and `startupProbe`',
      'are values whose defaults are what the chart rendered before, so a default upgrade renders the same pods (each',
      'pod now names `serviceAccountName: default` explicitly, which is what it ran as). New per component:',
      '`imagePullSecrets`, `serviceAccount` (off by default), `topologySpreadConstraints`, `extraEnv` entries with',
      '`valueFrom`, `extraEnvFrom`, `extraVolumes`, `extraVolumeMounts`, `extraContainers`, `initContainers`; and',
      '`web.service.labels`. `extraEnv` entries no longer default `value` to an empty',
      'string: give `value` or `valueFrom`. Helm merges your probe or security context over the default: to replace',
      'a probe handler, set the default one to null (`httpGet: null`).',
    ].join(' '),
    '0.3.0': [
      'The templates were rewritten to read like hand-written Helm (labels from `_helpers.tpl`, block YAML, one pod',
      'template for both bridge workload kinds); values are unchanged and every value takes effect as before. The',
      'rendered objects change in form only, with these exceptions: `checksum/settings` is now the SHA-256 of the',
      'rendered settings ConfigMap, so the upgrade rolls every component once, and a later chart upgrade rolls them',
      "again (the ConfigMap carries the chart version label); an `extraEnv` entry named like one of the chart's own",
      'variables now replaces it instead of adding a second entry of the same name; fields left empty in values',
      '(`nodeSelector`, `tolerations`, `affinity`, `imagePullSecrets`, annotations) are left out instead of being',
      'rendered empty. The XMPP credentials are kept across the upgrade. The packaged chart no longer carries `ci/` and',
      '`values.d.ts`. The values accept a `global` key, as umbrella charts pass one.',
    ].join(' '),
  },
  appVersion: JITSI_RELEASE,
  description: 'One complete Jitsi Meet shard per release: web, prosody, jicofo and autoscaled videobridges.',
  keywords: ['jitsi', 'jitsi-meet', 'videobridge', 'webrtc', 'meetscale'],
  source: 'packages/jitsi-shard',
  values: jitsiShardValues,
  build: (chart: HelmChart<JitsiShardValues>) => buildJitsiShard(chart),
  notes: (chart) => {
    const v = chart.values;
    const hostPortMode = eq(v.jvb.media.mode, 'hostPort');
    return `Jitsi Meet shard ${chart.release.name} is installed in namespace ${chart.release.namespace}.

Shard endpoint (list it in the haproxy chart): ${chart.componentName('web')}:${v.web.service.port}
${when(
  v.web.ingress.enabled,
  `Public URL: https://${v.domain}/ (this shard's own Ingress)\n`,
  when(
    v.web.httpRoute.enabled,
    `Public URL: https://${v.domain}/ (this shard's own HTTPRoute)\n`,
    `Public URL: https://${v.domain}/ through HAProxy, your ingress or your Gateway\n`,
  ),
)}
Bridges: media mode ${v.jvb.media.mode}, ${when(
      v.jvb.autoscaling.enabled,
      `autoscaled between ${v.jvb.autoscaling.minReplicas} and ${v.jvb.autoscaling.maxReplicas} on ${v.jvb.autoscaling.metric}`,
      `${v.jvb.replicaCount} fixed`,
    )}.
  kubectl -n ${chart.release.namespace} get pods -l app.kubernetes.io/instance=${chart.release.name},app.kubernetes.io/component=jvb
${when(
  hostPortMode,
  `Media: UDP port ${v.jvb.media.hostPort.port} on every node that runs a bridge; open it in the cloud firewall.

Pod Security: this configuration needs level ${MEDIA_MODE_POD_SECURITY.hostPort}: the bridges use host ports, which
baseline and restricted forbid. Label the namespace (keeping restricted as warning and audit):
  kubectl label namespace ${chart.release.namespace} pod-security.kubernetes.io/enforce=${MEDIA_MODE_POD_SECURITY.hostPort} pod-security.kubernetes.io/warn=restricted pod-security.kubernetes.io/audit=restricted
`,
  `Media: UDP NodePorts ${v.jvb.media.nodePort.basePort}-${add(v.jvb.media.nodePort.basePort, possibleBridgeCount(chart), -1)} on the nodes that run bridges; open them in the cloud firewall.

Pod Security: this configuration needs level ${MEDIA_MODE_POD_SECURITY.nodePort}; every pod of the shard is admitted
in a namespace labelled pod-security.kubernetes.io/enforce=${MEDIA_MODE_POD_SECURITY.nodePort}.
`,
)}
`;
  },
  readme: readChartText(join(__dirname, '..', 'docs', 'README.md'), { JITSI_RELEASE }),
  podSecurity: (values) => MEDIA_MODE_POD_SECURITY[values.jvb.media.mode],
  scenarios: {
    'standalone-ingress': {
      domain: 'meet.schule.example.org',
      web: {
        ingress: {
          enabled: true,
          className: 'nginx',
          annotations: { 'cert-manager.io/cluster-issuer': 'letsencrypt' },
          hosts: [{ host: 'meet.schule.example.org' }],
          tls: [{ secretName: 'meet-schule-example-org-tls', hosts: ['meet.schule.example.org'] }],
        },
      },
    },
    'nodeport-jvb-stress': {
      jvb: {
        media: { mode: 'nodePort', nodePort: { basePort: 30400 } },
        autoscaling: { metric: 'jvbStress', minReplicas: 2, maxReplicas: 6, targetJvbStress: '700m' },
        nodeSelector: { ...MEDIA_NODE_SELECTOR },
        tolerations: [{ ...MEDIA_TOLERATION }],
      },
      metrics: {
        podMonitor: { enabled: true, labels: { release: 'kube-prometheus-stack' } },
        serviceMonitor: { enabled: true, labels: { release: 'kube-prometheus-stack' } },
      },
    },
    'hostport-network-transmit': {
      // JWT prepared (the Secret exists), not yet switched on
      auth: { jwt: { appId: 'schulportal', existingSecret: 'jitsi-jwt' } },
      credentials: { existingSecret: 'jitsi-xmpp' },
      // The bridges ask the shard's own STUN server (the first TURN host) for their public address.
      turn: { enabled: true, hosts: ['turn.schule.example.org'], existingSecret: 'coturn-auth-secret' },
      jvb: {
        media: { mode: 'hostPort', advertise: 'stun' },
        autoscaling: {
          metric: 'networkTransmit',
          targetNetworkTransmit: '2M',
          behavior: { scaleDown: { stabilizationWindowSeconds: 1200, policies: [{ type: 'Percent', value: 10, periodSeconds: 600 }] } },
        },
        gracefulShutdown: { terminationGracePeriodSeconds: 5400, pollSeconds: 15 },
      },
      networkPolicy: { enabled: true },
      commonLabels: { 'meetscale.io/state': 'bremen' },
    },
    'fixed-bridges': {
      // TURN prepared (the Secret exists), not yet switched on
      turn: { enabled: false, hosts: ['turn.schule.example.org'], existingSecret: 'coturn-auth-secret' },
      jvb: {
        replicaCount: 3,
        autoscaling: { enabled: false },
        media: { mode: 'nodePort' },
        podDisruptionBudget: { enabled: false, maxUnavailable: 1 },
      },
      web: { replicaCount: 1, service: { type: 'NodePort' } },
    },
    'jwt-auth': {
      auth: {
        type: 'jwt',
        jwt: { existingSecret: 'jitsi-jwt', secretKey: 'signing-key', acceptedIssuers: ['schulportal'], acceptedAudiences: ['jitsi'] },
      },
    },
    'gateway-httproute': {
      domain: 'meet.schule.example.org',
      web: {
        httpRoute: {
          enabled: true,
          labels: { 'gateway.example.org/exposed': 'true' },
          parentRefs: [{ name: 'public', namespace: 'gateway-system', sectionName: 'https', port: 443 }],
          hostnames: ['meet.schule.example.org'],
          matches: [{ path: { type: 'PathPrefix', value: '/' } }, { path: { type: 'Exact', value: '/http-bind' } }],
          timeouts: { request: '2h', backendRequest: '1h' },
        },
      },
    },
    'turn-cascading-public-addresses': {
      turn: {
        enabled: true,
        hosts: ['turn-1.schule.example.org', 'turn-2.schule.example.org'],
        transports: ['udp'],
        tls: { port: 5349 },
        credentialTtl: 7200,
        existingSecret: 'coturn-auth-secret',
        secretKey: 'shared-secret',
      },
      jvb: {
        media: {
          mode: 'nodePort',
          advertise: 'publicAddresses',
          publicAddresses: { nodes: { 'media-node-1': '203.0.113.10', 'media-node-2': '203.0.113.11' }, bridges: { '0': '203.0.113.20' } },
        },
        cascading: { enabled: true, region: 'bremen', maxBridgeParticipants: 40 },
      },
      networkPolicy: { enabled: true, clusterNetworks: ['10.0.0.0/8'] },
    },
    'ldap-customized': {
      auth: {
        type: 'ldap',
        enableGuests: true,
        ldap: {
          url: 'ldaps://ldap.schule.example.org',
          base: 'ou=people,dc=schule,dc=example,dc=org',
          bindDn: 'cn=jitsi,ou=services,dc=schule,dc=example,dc=org',
          existingSecret: 'jitsi-ldap',
        },
      },
      web: {
        welcomePage: false,
        defaultLanguage: 'de',
        channelLastN: 5,
        customConfig: 'config.requireDisplayName = true;\n',
        nginxSnippet: 'location = /impressum {\n    return 302 https://schule.example.org/impressum;\n}\n',
      },
      prosody: {
        pluginsConfigMap: 'prosody-lesson-plugins',
        modules: { main: ['lesson_policy'] },
      },
    },
    'etherpad-whiteboard': {
      shardName: 'shard-b',
      etherpad: { enabled: true },
      whiteboard: { enabled: true },
      networkPolicy: { enabled: true },
    },
  },
});
