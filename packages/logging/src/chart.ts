import { join } from 'node:path';

import { defineChart, readChartText } from '@meetscale/chart-toolkit';

import packageJson from '../package.json';
import { loggingFacts } from './facts';
import { buildLogging } from './logging';
import { ELASTIC_STACK_VERSION, loggingValues } from './values';

/** The logging chart. */
export const loggingChart = defineChart({
  name: 'logging',
  version: packageJson.version,
  upgrading: {},
  // The Elastic Stack release of the default Elasticsearch and Kibana.
  appVersion: ELASTIC_STACK_VERSION,
  description:
    'Logs of every component in Elasticsearch and Kibana (ECK), shipped by Fluent Bit with client addresses masked, kept per stream only as long as allowed.',
  keywords: ['meetscale', 'logging', 'elasticsearch', 'kibana', 'eck', 'fluent-bit', 'privacy', 'retention'],
  source: 'packages/logging',
  values: loggingValues,
  build: buildLogging,
  podSecurity: (values) => (values.shipper.enabled ? 'privileged' : 'restricted'),
  defaultPodSecurity: {
    level: 'privileged',
    reason:
      'the log shipper reads every container log of its node through hostPath volumes, which only `privileged` admits; `shipper.enabled: false` installs under `restricted`',
  },
  notes: (chart) => `Logging ${chart.fullname} in namespace ${chart.release.namespace} (ECK runs Elasticsearch and Kibana):
  status: kubectl -n ${chart.release.namespace} get elasticsearch,kibana ${chart.fullname}
  the setup Job (policies, templates, users): kubectl -n ${chart.release.namespace} logs job/${chart.componentName('setup')}
  the elastic superuser's password (for break-glass only; sign in with the users of security.users):
    kubectl -n ${chart.release.namespace} get secret ${chart.fullname}-es-elastic-user -o jsonpath='{.data.elastic}' | base64 -d
`,
  readme: readChartText(join(__dirname, '..', 'docs', 'README.md')),
  scenarios: {
    production: {
      elasticsearch: {
        // the production layout: dedicated masters, data nodes of their own, spread over zones
        nodeSets: [
          {
            name: 'master',
            count: 3,
            roles: ['master'],
            storage: { size: '10Gi' },
            resources: { requests: { cpu: '500m', memory: '2Gi' }, limits: { memory: '2Gi' } },
          },
          {
            name: 'data',
            count: 2,
            roles: ['data', 'ingest'],
            storage: { size: '200Gi' },
            resources: { requests: { cpu: '2', memory: '8Gi' }, limits: { memory: '8Gi' } },
          },
        ],
        storageClassName: 'ionos-enterprise-ssd',
        zoneAntiAffinity: 'required',
        nodeSelector: { 'meetscale.io/pool': 'system' },
      },
      kibana: {
        count: 2,
        httpRoute: { enabled: true, parentRefs: [{ name: 'meetscale', namespace: 'gateway' }], hostnames: ['logs.lernen.example.org'] },
      },
      streams: {
        access: { containers: ['web', 'haproxy'], retention: '3d' },
        jitsi: { containers: ['jicofo', 'jvb', 'prosody'], retention: '21d' },
        turn: { containers: ['coturn'], retention: '2d' },
        bigbluebutton: { containers: ['api', 'poller', 'importer', 'autoscaler'], retention: '14d' },
        platform: { containers: [], retention: '30d' },
        gateway: { containers: ['envoy'], retention: '7d' },
      },
      rolloverAfter: '12h',
      privacy: { clientAddresses: 'remove' },
      security: {
        users: [
          {
            username: 'ops',
            fullName: 'Platform operations',
            roles: [loggingFacts.names.readerRole],
            passwordSecret: { name: 'logging-user-ops' },
          },
          { username: 'admin', roles: ['superuser'], passwordSecret: { name: 'logging-user-admin', key: 'secret' } },
        ],
      },
      networkPolicy: { enabled: true },
    },
    'elasticsearch-only': {
      shipper: { enabled: false },
      kibana: { enabled: false },
      elasticsearch: { zoneAntiAffinity: 'none', allowMmap: true },
    },
    'kibana-ingress': {
      kibana: {
        ingress: {
          enabled: true,
          className: 'envoy',
          hosts: [{ host: 'logs.example.org' }],
          tls: [{ secretName: 'logs-tls', hosts: ['logs.example.org'] }],
        },
      },
      privacy: { clientAddresses: 'truncate', ipv4PrefixLength: 16, ipv6PrefixLength: 32 },
      shipper: { existingSecret: 'logging-shipper-credentials' },
    },
  },
});
