import { defineChart, each, type HelmChart, lengthOf, when } from '@meetscale/chart-toolkit';

import packageJson from '../package.json';
import { Haproxy } from './haproxy';
import { type HaproxyValues, haproxyValues } from './values';

const README = `HAProxy in front of the Jitsi Meet shards of a federal state. New conferences are spread round-robin over the
healthy shards; every later request of the same room (the \`room\` URL parameter of BOSH \`/http-bind\` and
\`/xmpp-websocket\`) goes to the shard that holds it, whichever HAProxy replica receives it.

## How it works

- **Shards are a list in values.** Each entry is one HAProxy server (a shard's web Service, however many web
  pods it runs), so stickiness is per shard, not per pod.
- **Replicas share one stick table.** The replicas run as a StatefulSet; the \`peers\` section lists every
  replica by its stable DNS name (\`<release>-haproxy-<i>.<release>-haproxy-peers\`), however many there are, so
  a room learnt by one replica is known to all and survives the loss of any of them.
- **New rooms pick a shard by a consistent hash of the room name** (\`balance: roomHash\`, the default), so every
  replica picks the same shard for a new room even in the milliseconds before the stick table has synchronised;
  \`balance: roundrobin\` rotates strictly instead. Either way the stick table keeps each room on its shard when
  shards are added, removed or fail.
- **Health checks per shard.** A shard failing \`healthCheck.fall\` consecutive checks gets no new rooms; rooms
  bound to it are moved to a healthy shard (\`option redispatch\`).
- Websocket-friendly timeouts, Prometheus metrics on \`:8404/metrics\` (HAProxy's own exporter, no sidecar),
  a PodDisruptionBudget, non-root read-only containers, and a checksum annotation that rolls the pods when the
  configuration changes.
- **Pod Security \`restricted\`** in every configuration (non-root, no privilege escalation, all capabilities
  dropped, \`RuntimeDefault\` seccomp, no host ports): install it into a namespace that enforces it.

## Install

\`\`\`sh
helm install haproxy oci://<registry>/meetscale/haproxy --version <version> \\
  --namespace jitsi --create-namespace -f my-values.yaml
\`\`\`

with, for two shards installed from the \`jitsi-shard\` chart as releases \`shard-0\` and \`shard-1\`:

\`\`\`yaml
shards:
  - name: shard-0
    host: shard-0-jitsi-shard-web
  - name: shard-1
    host: shard-1-jitsi-shard-web
ingress:
  enabled: true
  className: nginx
  annotations:
    cert-manager.io/cluster-issuer: letsencrypt
  hosts:
    - host: meet.example.org
  tls:
    - secretName: meet-example-org-tls
      hosts: [meet.example.org]
\`\`\`

Adding a shard is \`helm install shard-2 ...\` followed by \`helm upgrade haproxy ...\` with the shard appended to
\`shards\`; existing rooms keep their shards. Keep shard names stable: the stick table records rooms per shard name.

## Limits

- HAProxy resolves peer addresses once, at start-up, and will not start when one does not resolve (it has no
  \`init-addr\` for peers, haproxy/haproxy#930). So each replica starts through \`start.sh\`: it waits up to
  \`peers.startupWaitSeconds\` for the other replicas' names, then starts without the peers still missing (a
  Pending replica, say). That replica syncs with fewer peers until its next restart, and the room hash keeps
  new rooms together meanwhile; it does not crash-loop.
- The chart's configuration is checked against HAProxy 2.6 (Debian) in CI and uses only keywords HAProxy 2.6 to
  3.2 share; the default image is the 3.2 LTS series.

## Upgrading

\`helm upgrade\` rolls the replicas one at a time; the stick table is handed over through the peers, so rooms
stay on their shards.
`;

/** The haproxy chart. */
export const haproxyChart = defineChart({
  name: 'haproxy',
  version: packageJson.version,
  upgrading: {
    '0.2.0': [
      'The templates were rewritten to read like hand-written Helm (labels from `_helpers.tpl`, block YAML); values are',
      'unchanged and every value takes effect as before. The rendered objects change in form only, with two exceptions:',
      'the pods carry one `checksum/config` annotation (the SHA-256 of the rendered ConfigMap) instead of',
      '`checksum/config` and `checksum/start-script`, so the upgrade rolls the HAProxy pods once; and fields left empty',
      'in values (`nodeSelector`, `tolerations`, `affinity`, `imagePullSecrets`, annotations) are now left out of the',
      'objects instead of being rendered empty. The packaged chart no longer carries `ci/` and `values.d.ts`. The values',
      'accept a `global` key, as umbrella charts pass one.',
    ].join(' '),
  },
  appVersion: '3.2.25',
  description: 'HAProxy in front of the Jitsi Meet shards: room-sticky load balancing with peered replicas.',
  keywords: ['jitsi', 'haproxy', 'load-balancer', 'meetscale'],
  source: 'packages/haproxy',
  values: haproxyValues,
  build: (chart: HelmChart<HaproxyValues>) => {
    new Haproxy(chart, 'haproxy', { chart });
  },
  notes: (chart) => {
    const v = chart.values;
    return `HAProxy ${chart.fullname} runs ${v.replicaCount} peered replica(s) in front of ${lengthOf(v.shards)} shard(s):
${each(v.shards, (shard) => `  - ${shard.name}: ${shard.host}:${shard.port}\n`)}
${when(
  v.ingress.enabled,
  `Public URLs:\n${each(v.ingress.hosts, (host) => `  https://${host.host}/\n`)}`,
  `No Ingress is rendered: point your ingress controller at Service ${chart.fullname} (port ${v.service.port}) in namespace ${chart.release.namespace}.\n`,
)}
Shard health as HAProxy sees it:
  kubectl -n ${chart.release.namespace} port-forward svc/${chart.componentName('metrics')} ${v.containerPorts.metrics}
  curl -s localhost:${v.containerPorts.metrics}/metrics | grep haproxy_server_status
`;
  },
  readme: README,
  scenarios: {
    'two-shards-ingress': {
      replicaCount: 3,
      shards: [
        { name: 'shard-0', host: 'shard-0-jitsi-shard-web', port: 80 },
        { name: 'shard-1', host: 'shard-1-jitsi-shard-web', port: 80 },
      ],
      ingress: {
        enabled: true,
        className: 'nginx',
        annotations: { 'cert-manager.io/cluster-issuer': 'letsencrypt' },
        hosts: [{ host: 'meet.example.org' }],
        tls: [{ secretName: 'meet-example-org-tls', hosts: ['meet.example.org'] }],
      },
    },
    'monitoring-networkpolicy': {
      metrics: { serviceMonitor: { enabled: true, labels: { release: 'kube-prometheus-stack' } } },
      networkPolicy: { enabled: true },
      podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
      commonLabels: { 'meetscale.io/state': 'berlin' },
    },
    'ip-shards-placement': {
      replicaCount: 1,
      shards: [
        { name: 'a', host: '10.0.0.10', port: 8080 },
        { name: 'b', host: '10.0.0.11', port: 8080 },
      ],
      nodeSelector: { 'meetscale.io/pool': 'system' },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'system', effect: 'NoSchedule' }],
      podAnnotations: { 'example.org/team': 'video' },
      resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
      podDisruptionBudget: { enabled: false, maxUnavailable: 1 },
    },
  },
});
