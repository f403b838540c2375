import { join } from 'node:path';

import { defineChart, readChartText } from '@meetscale/chart-toolkit';

import packageJson from '../package.json';
import { Scalelite } from './scalelite';
import { SCALELITE_RELEASE, scaleliteValues } from './values';

/** The scalelite chart. */
export const scaleliteChart = defineChart({
  name: 'scalelite',
  version: packageJson.version,
  upgrading: {},
  // The Scalelite release of the default images (`blindsidenetwks/scalelite:v1.8.5-<component>`).
  appVersion: SCALELITE_RELEASE.replace(/^v/, ''),
  description:
    'Scalelite: a pool of BigBlueButton servers as one BigBlueButton API, with recording import and playback; PostgreSQL, Redis and the recordings share by reference.',
  keywords: ['meetscale', 'scalelite', 'bigbluebutton', 'load-balancer', 'recordings'],
  source: 'packages/scalelite',
  values: scaleliteValues,
  build: (chart) => {
    new Scalelite(chart, 'scalelite', { chart });
  },
  notes: (chart) => {
    const v = chart.values;
    return `Scalelite ${chart.fullname} in namespace ${chart.release.namespace}:
  BigBlueButton API for the learning platforms: https://${v.urlHost}/bigbluebutton/api (Service ${chart.fullname}, port ${v.service.port})
  its shared secret: kubectl -n ${chart.release.namespace} get secret ${chart.fullname} -o jsonpath='{.data.loadbalancer-secret}' | base64 -d
  admin API inside the cluster only: http://${chart.componentName('admin')}.${chart.release.namespace}.svc:${v.adminService.port}/scalelite/api
  servers: kubectl -n ${chart.release.namespace} exec deploy/${chart.componentName('poller')} -- bundle exec rake status
`;
  },
  readme: readChartText(join(__dirname, '..', 'docs', 'README.md')),
  scenarios: {
    'external-services': {
      urlHost: 'bbb.lernen.example.org',
      database: {
        host: 'pg-scalelite.lernen.internal',
        user: 'scalelite_app',
        password: { existingSecret: 'scalelite-database' },
        sslMode: 'require',
      },
      redis: { host: 'redis-scalelite.lernen.internal', tls: true, password: { existingSecret: 'scalelite-redis' } },
      loadBalancerSecret: { existingSecret: 'scalelite-api-secret', key: 'secret' },
      servers: [
        { url: 'https://bbb-01.lernen.example.org/bigbluebutton/api/', secret: { existingSecret: 'bbb-01' } },
        {
          url: 'https://bbb-02.lernen.example.org/bigbluebutton/api/',
          secret: { existingSecret: 'bbb-02' },
          loadMultiplier: 2,
          tag: 'large',
        },
        { url: 'https://bbb-03.lernen.example.org/bigbluebutton/api/', secret: { existingSecret: 'bbb-03' }, enabled: false },
      ],
      load: { minUserCount: 20, joinBufferTime: 10 },
      poll: { interval: 30, unhealthyThreshold: 4 },
      meetings: {
        defaultCreateParams: [{ name: 'muteOnStart', value: 'true' }],
        overrideCreateParams: [{ name: 'meta_server-tag', value: 'large' }],
        maxDuration: 240,
      },
      httpRoute: { enabled: true, parentRefs: [{ name: 'meetscale', namespace: 'gateway' }], hostnames: ['bbb.lernen.example.org'] },
      networkPolicy: { enabled: true },
    },
    'multitenancy-existing-claim': {
      urlHost: 'bbb.example.org',
      multitenancy: { enabled: true },
      recordings: { existingClaim: 'bbb-recordings-nfs', importPollInterval: 30 },
      api: { replicaCount: 3 },
      // a budget on the singletons: a node drain then waits for them instead of stopping them
      poller: { podDisruptionBudget: { enabled: true } },
      importer: { podDisruptionBudget: { enabled: true } },
      ingress: { enabled: true, className: 'nginx', hosts: [{ host: 'bbb.example.org' }, { host: 'schule-a.bbb.example.org' }] },
      extraConfig: { GET_MEETINGS_API_DISABLED: 'true' },
    },
    'without-recordings': {
      recordings: { enabled: false },
      secretKeyBase: { existingSecret: 'scalelite-rails' },
    },
  },
});
