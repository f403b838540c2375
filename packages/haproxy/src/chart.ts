import { join } from 'node:path';

import { defineChart, each, type HelmChart, lengthOf, readChartText, when } from '@meetscale/chart-toolkit';

import packageJson from '../package.json';
import { Haproxy } from './haproxy';
import { type HaproxyValues, haproxyValues } from './values';

/** The haproxy chart. */
export const haproxyChart = defineChart({
  name: 'haproxy',
  version: packageJson.version,
  upgrading: {
    '0.5.0': [
      'An empty `shards` list is now refused by the values schema (`shards: []` used to install a balancer that answered',
      'every request with 503); a release with at least one shard is accepted as before.',
      'Shards are now checked on `/_meetscale/health` (the new default of `healthCheck.path`, was `/`), which the',
      'jitsi-shard chart answers with 200 while the shard can host new rooms and 404 while it cannot (prosody or',
      'jicofo down, or no operational bridge). HAProxy sends no new room to a shard answering 404 and keeps sending',
      'it the rooms it already holds (`http-check disable-on-404`). Upgrade the shards to a jitsi-shard version that',
      'serves this path first: a shard that answers it with 404 (an unknown page) gets no new room, and with every',
      'shard so, new rooms get 503. Until then, keep `healthCheck.path: /`.',
      'Etherpad and whiteboard requests of jitsi-shard 0.6.0 (`/etherpad/<shard>/...`, `/socket.io/?shard=<shard>`) go',
      "to the shard their URL names, so a room's pad and whiteboard stay on the room's shard; whiteboard requests no",
      'longer enter the room stick table.',
      '`tolerations` are now checked as the Kubernetes API server checks them: a `value` only with operator `Equal`',
      '(none with `Exists`) and `tolerationSeconds` only with effect `NoExecute`. Such tolerations used to install and',
      'leave the pods uncreatable; `helm upgrade` now refuses them with a schema error naming the toleration.',
    ].join(' '),
    '0.4.0': [
      'New `httpRoute` values render a Gateway API HTTPRoute (`gateway.networking.k8s.io/v1`) to the HAProxy',
      'Service, the alternative to the Ingress now that ingress-nginx is retired. It is off by default, so an',
      'existing release renders the same objects. To move from the Ingress, enable `httpRoute` with the Gateway in',
      '`parentRefs` and your hostnames, then disable `ingress`; the route sends requests to the `service.port`,',
      'with its timeouts off (`0s`) for the websocket and BOSH connections. With `networkPolicy.enabled`, point',
      '`networkPolicy.ingressNamespaceSelector` at the namespace of the Gateway proxies.',
    ].join(' '),
    '0.3.0': [
      'Every pod setting now comes from one standard values block, as in bitnami charts: the pod and container',
      'security contexts (`podSecurityContext`, `containerSecurityContext`) and the probes (`livenessProbe`,',
      '`readinessProbe`, `startupProbe`) are values whose defaults are what the chart rendered before, so a default',
      'upgrade renders the same pods. New values: `serviceAccount` (create, name, annotations, token mount; the chart',
      'still creates `<fullname>`), `topologySpreadConstraints`, `extraEnv` with `valueFrom`, `extraEnvFrom`,',
      '`extraVolumes`, `extraVolumeMounts`, `extraContainers`, `initContainers`, and',
      '`service.labels`. Helm merges your probe or security context over the default: to replace a probe handler,',
      'set the default one to null (`httpGet: null`). ServiceMonitor labels from `metrics.serviceMonitor.labels` now',
      'follow the standard labels instead of being merged into them.',
    ].join(' '),
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
  when(
    v.httpRoute.enabled,
    `HTTPRoute ${chart.fullname} attaches to ${each(v.httpRoute.parentRefs, (ref) => `${ref.name} `)}for:\n${each(v.httpRoute.hostnames, (host) => `  https://${host}/\n`)}`,
    `No Ingress or HTTPRoute is rendered: point your ingress controller or Gateway at Service ${chart.fullname} (port ${v.service.port}) in namespace ${chart.release.namespace}.\n`,
  ),
)}
Shard health as HAProxy sees it (UP takes new rooms; NOLB cannot host one and only keeps its rooms; DOWN gets nothing):
  kubectl -n ${chart.release.namespace} port-forward svc/${chart.componentName('metrics')} ${v.containerPorts.metrics}
  curl -s localhost:${v.containerPorts.metrics}/metrics | grep haproxy_server_status
`;
  },
  readme: readChartText(join(__dirname, '..', 'docs', 'README.md')),
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
    'gateway-httproute': {
      shards: [
        { name: 'shard-0', host: 'shard-0-jitsi-shard-web', port: 80 },
        { name: 'shard-1', host: 'shard-1-jitsi-shard-web', port: 80 },
      ],
      service: { port: 8080 },
      httpRoute: {
        enabled: true,
        annotations: { 'example.org/owner': 'video' },
        parentRefs: [{ name: 'public', namespace: 'gateway-system', sectionName: 'https' }],
        hostnames: ['meet.example.org'],
      },
    },
  },
});
