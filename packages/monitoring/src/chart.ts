import { join } from 'node:path';

import { defineChart, readChartText, when } from '@meetscale/chart-toolkit';
import YAML from 'yaml';

import packageJson from '../package.json';
import { ADAPTER_RULES } from './adapter-rules';
import { Monitoring } from './monitoring';
import { monitoringValues } from './values';

/** The monitoring chart. */
export const monitoringChart = defineChart({
  name: 'monitoring',
  version: packageJson.version,
  upgrading: {
    '0.2.0':
      'Nothing to change. A new alert, BigBlueButtonServerStartFailed (on by default, `bigbluebutton.startFailed`), reports a server the BigBlueButton autoscaler started that does not serve.',
  },
  // The Prometheus release the rules are checked with (`promtool`), the one the pinned kube-prometheus-stack runs.
  appVersion: '3.14.0',
  description:
    'The meetscale layer on kube-prometheus-stack: alerts with runbooks, recording rules, Grafana dashboards, scrape configuration for the BigBlueButton servers and Alertmanager routing for a state.',
  keywords: ['meetscale', 'prometheus', 'alerting', 'grafana', 'jitsi', 'bigbluebutton'],
  source: 'packages/monitoring',
  values: monitoringValues,
  build: (chart) => {
    new Monitoring(chart, 'monitoring', { chart });
  },
  notes: (chart) => {
    const v = chart.values;
    return `meetscale monitoring ${chart.fullname} in namespace ${chart.release.namespace}:
${when(v.rules.enabled, `  alerts and recording rules: PrometheusRules ${chart.fullname}-<area>; runbooks at ${v.rules.runbookBaseUrl}\n`)}${when(
      v.dashboards.enabled,
      `  Grafana dashboards: ConfigMaps ${chart.fullname}-dashboard-<name>, for the sidecar of kube-prometheus-stack's Grafana\n`,
    )}${when(v.bigbluebutton.enabled, `  BigBlueButton servers scraped through ScrapeConfigs ${chart.fullname}-bigbluebutton-exporter and -node-exporter\n`)}${when(
      v.alertmanager.enabled,
      `Alertmanager configuration: Secret ${chart.componentName('alertmanager')}. Give it to kube-prometheus-stack with
  alertmanager.alertmanagerSpec.useExistingSecret: true
  alertmanager.alertmanagerSpec.configSecret: ${chart.componentName('alertmanager')}
and list every Secret its receivers read in alertmanager.alertmanagerSpec.secrets.
`,
    )}`;
  },
  readme: readChartText(join(__dirname, '..', 'docs', 'README.md'), { ADAPTER_RULES: YAML.stringify(ADAPTER_RULES).trimEnd() }),
  scenarios: {
    // A state as the IONOS stack installs it: every area, the BigBlueButton servers, routing by severity.
    'state-with-bigbluebutton': {
      rules: { labels: { release: 'kube-prometheus-stack' }, alertLabels: { team: 'video' } },
      scrapeConfigs: { labels: { release: 'kube-prometheus-stack' } },
      mediaPool: { maxNodes: 24 },
      availability: { objective: 0.999 },
      bigbluebutton: {
        enabled: true,
        servers: ['bbb-01.lernen.example.org', 'bbb-02.lernen.example.org'],
        httpSdUrl: 'http://bbb-autoscaler.bigbluebutton.svc:8080/targets',
      },
      alertmanager: {
        enabled: true,
        smtp: {
          smarthost: 'smtp.example.org:587',
          from: 'alerts@lernen.example.org',
          username: 'alerts',
          passwordSecret: { name: 'alertmanager-smtp', key: 'password' },
        },
        defaultReceiver: 'video-team',
        receivers: [
          { name: 'video-team', email: [{ to: 'video-team@lernen.example.org' }] },
          {
            name: 'on-call',
            email: [{ to: 'on-call@lernen.example.org' }],
            webhook: [{ urlSecret: { name: 'alertmanager-webhooks', key: 'on-call' } }],
          },
        ],
        routes: [
          { receiver: 'on-call', matchers: ['severity="critical"'], continue: true },
          { receiver: 'video-team', matchers: ['severity=~"critical|warning"'], repeatInterval: '12h' },
        ],
      },
      dashboards: { folder: 'Videokonferenz', annotations: { 'example.org/owner': 'video' } },
    },
    // Rules alone, some alerts off and thresholds moved; no dashboards.
    'rules-only-tuned': {
      jitsi: { bridgeStressThreshold: 0.7, bridgeDraining: { for: '3h' }, bridgesAtMaximum: { enabled: false } },
      haproxy: { http5xxRatio: 0.02, stickTableUsedRatio: 0.9 },
      coturn: { enabled: false },
      certificates: { expiryDays: 21 },
      rules: { runbookBaseUrl: 'https://git.example.org/video/meetscale/-/blob/main/packages/monitoring/runbooks' },
      dashboards: { enabled: false },
    },
  },
});
