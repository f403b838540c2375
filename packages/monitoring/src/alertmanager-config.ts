import { each, type HelmChart, isEmpty, json, not, when } from '@meetscale/chart-toolkit';

import type { MonitoringValues } from './values';

/** The receiver that drops what it gets: kube-prometheus-stack's always-firing `Watchdog` and `InfoInhibitor`. */
export const NULL_RECEIVER = 'null';

/** The labels alerts of one lesson-affecting cause share: a critical alert silences the warnings of the same thing. */
const INHIBIT_EQUAL = ['alertname', 'namespace', 'shard', 'server'];

/**
 * `alertmanager.yaml` for the state: Alertmanager's own configuration format (checked by the real `amtool
 * check-config` in the tests), with every credential read from a file of a mounted Secret (`*_file` settings),
 * never written into the configuration. The Prometheus operator mounts the Secrets listed in
 * `alertmanagerSpec.secrets` at `<secretMountPath>/<name>/<key>`.
 */
export function alertmanagerConfig(chart: HelmChart<MonitoringValues>): string {
  const a = chart.values.alertmanager;
  const mounted = (secret: { name: unknown; key: unknown }) => `${a.secretMountPath}/${String(secret.name)}/${String(secret.key)}`;
  return `global:
  resolve_timeout: 5m
${when(
  not(isEmpty(a.smtp.smarthost)),
  `  smtp_smarthost: ${json(a.smtp.smarthost)}
  smtp_from: ${json(a.smtp.from)}
  smtp_require_tls: ${a.smtp.requireTls}
${when(not(isEmpty(a.smtp.username)), `  smtp_auth_username: ${json(a.smtp.username)}\n`)}${when(
    not(isEmpty(a.smtp.passwordSecret.name)),
    `  smtp_auth_password_file: ${mounted(a.smtp.passwordSecret)}\n`,
  )}`,
)}route:
  receiver: ${json(a.defaultReceiver)}
  group_by: ${json(a.groupBy)}
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
  routes:
    - receiver: ${JSON.stringify(NULL_RECEIVER)}
      matchers: ['alertname=~"Watchdog|InfoInhibitor"']
${each(
  a.routes,
  (route) => `    - receiver: ${json(route.receiver)}
      matchers: ${json(route.matchers)}
      continue: ${route.continue}
${when(not(isEmpty(route.repeatInterval)), `      repeat_interval: ${route.repeatInterval}\n`)}`,
)}inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: ${JSON.stringify(INHIBIT_EQUAL)}
  - source_matchers: ['alertname="InfoInhibitor"']
    target_matchers: ['severity="info"']
    equal: [namespace]
receivers:
  - name: ${JSON.stringify(NULL_RECEIVER)}
${each(
  a.receivers,
  (receiver) => `  - name: ${json(receiver.name)}
${when(
  not(isEmpty(receiver.email)),
  `    email_configs:
${each(receiver.email, (email) => `      - to: ${json(email.to)}\n        send_resolved: ${email.sendResolved}\n`)}`,
)}${when(
    not(isEmpty(receiver.webhook)),
    `    webhook_configs:
${each(receiver.webhook, (webhook) => `      - url_file: ${mounted(webhook.urlSecret)}\n        send_resolved: ${webhook.sendResolved}\n`)}`,
  )}`,
)}`;
}
