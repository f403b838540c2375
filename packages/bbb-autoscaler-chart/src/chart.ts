import { join } from 'node:path';

import { defineChart, orDefault, readChartText, when } from '@meetscale/chart-toolkit';

import packageJson from '../package.json';
import { BbbAutoscaler } from './bbb-autoscaler';
import { CONFIG_FILE } from './config-file';
import { AUTOSCALER_VERSION, bbbAutoscalerValues } from './values';

/** Monday to Friday, as the schedule names the days. */
const SCHOOL_DAYS = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;

/** The bbb-autoscaler chart. */
export const bbbAutoscalerChart = defineChart({
  name: 'bbb-autoscaler',
  version: packageJson.version,
  upgrading: {},
  // The service's version (apps/bbb-autoscaler/package.json), also the default image tag.
  appVersion: AUTOSCALER_VERSION,
  description:
    'The BigBlueButton server autoscaler: starts and stops the state’s BigBlueButton VMs through the IONOS Cloud API in step with Scalelite, one active instance by a Lease.',
  keywords: ['meetscale', 'bigbluebutton', 'scalelite', 'autoscaler', 'ionos'],
  source: 'packages/bbb-autoscaler-chart',
  values: bbbAutoscalerValues,
  build: (chart) => {
    new BbbAutoscaler(chart, 'bbb-autoscaler', { chart });
  },
  notes: (chart) => {
    const v = chart.values;
    const ns = chart.release.namespace;
    return `BigBlueButton autoscaler ${chart.fullname} in namespace ${ns}${when(v.dryRun, ' (dry run: it logs its decisions and acts on none)')}:
  configuration: ConfigMap ${chart.fullname} (${CONFIG_FILE}); one instance acts, the holder of Lease ${chart.fullname}:
    kubectl -n ${ns} get lease ${chart.fullname} -o jsonpath='{.spec.holderIdentity}'
  metrics and the running servers for Prometheus: http://${chart.fullname}.${ns}.svc:${v.service.port}/metrics and /targets
The pods start once these Secrets exist in ${ns}:
  ${orDefault(v.ionos.token.existingSecret, chart.componentName('ionos'))} (key ${v.ionos.token.key}): the IONOS Cloud API token
  ${orDefault(v.scalelite.secret.existingSecret, chart.componentName('scalelite'))} (key ${v.scalelite.secret.key}): Scalelite's loadbalancer secret
  ${orDefault(v.serverSecrets.existingSecret, chart.componentName('servers'))}: one key per server host, its BigBlueButton API secret
Decisions: kubectl -n ${ns} logs deploy/${chart.fullname}
`;
  },
  readme: readChartText(join(__dirname, '..', 'docs', 'README.md'), { CONFIG_FILE }),
  scenarios: {
    // A state as its stack installs it: its pool of three servers, a school day's schedule, the state's Secrets,
    // monitored by kube-prometheus-stack and fenced by a NetworkPolicy.
    'state-pool': {
      commonLabels: { 'meetscale.io/state': 'lernen' },
      pool: [
        { host: 'bbb-01.lernen.example.org', serverId: '5a0f3c2e-7d41-4b8a-9c36-1e2f4a5b6c7d' },
        { host: 'bbb-02.lernen.example.org', serverId: '6b1e4d3f-8e52-4c9b-8d47-2f3a5b6c7d8e' },
        { host: 'bbb-03.lernen.example.org', serverId: '7c2f5e4a-9f63-4dac-be58-3a4b6c7d8e9f' },
      ],
      ionos: {
        datacenterId: '9e8d7c6b-5a49-4382-a716-0f1e2d3c4b5a',
        token: { existingSecret: 'ionos-autoscaler-token', key: 'api-token' },
      },
      scalelite: { secret: { existingSecret: 'scalelite', key: 'loadbalancer-secret' } },
      serverSecrets: { existingSecret: 'bbb-server-secrets' },
      policy: {
        timeZone: 'Europe/Berlin',
        minServers: 1,
        maxServers: 3,
        // the morning ramp from 07:30, lessons until 13:30, afternoon classes until 16:00
        schedule: [
          { days: [...SCHOOL_DAYS], from: '07:30', to: '13:30', minServers: 3 },
          { days: [...SCHOOL_DAYS], from: '13:30', to: '16:00', minServers: 2 },
        ],
        leadMinutes: 30,
        headroomServers: 1,
      },
      metrics: { serviceMonitor: { enabled: true, labels: { release: 'kube-prometheus-stack' } } },
      networkPolicy: {
        enabled: true,
        apiServer: { cidrs: ['10.7.0.0/24'], ports: [443] },
      },
      affinity: {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 100,
              podAffinityTerm: {
                topologyKey: 'kubernetes.io/hostname',
                labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'bbb-autoscaler' } },
              },
            },
          ],
        },
      },
    },
    // Trying the autoscaler on a pool before it acts: one replica logging what it would do, on a schedule of its own.
    'dry-run-custom-schedule': {
      dryRun: true,
      intervalSeconds: 60,
      replicaCount: 1,
      podDisruptionBudget: { enabled: false },
      lease: { durationSeconds: 30 },
      pool: [{ host: 'bbb-test.schule.example.net', serverId: 'c0ffee00-1234-4abc-8def-0123456789ab' }],
      ionos: { apiUrl: 'https://api.ionos.com/cloudapi/v6', datacenterId: 'd4c3b2a1-0f9e-4d8c-b7a6-5f4e3d2c1b0a' },
      scalelite: { url: 'http://scalelite-test-admin.bbb-test.svc:3000' },
      prometheus: { url: 'http://prometheus-operated.monitoring.svc:9090' },
      policy: {
        timeZone: 'Europe/Vienna',
        minServers: 0,
        maxServers: 1,
        schedule: [
          { days: ['sat'], from: '09:00', to: '12:00', minServers: 1 },
          { days: ['mon', 'wed'], from: '18:00', to: '00:00', minServers: 1 },
        ],
        leadMinutes: 10,
        usersPerServer: 150,
        targetUtilization: 0.8,
        headroomServers: 0,
        scaleInUtilization: 0.4,
        scaleInCooldownSeconds: 1800,
        startTimeoutSeconds: 1200,
      },
    },
  },
});
