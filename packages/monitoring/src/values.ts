import { baseValues, hostname, port, promDuration, stringMap } from '@meetscale/chart-toolkit';
import { z } from 'zod';

/** A ratio between 0 and 1, exclusive of 0. */
const ratio = () => z.number().gt(0).max(1);

/** A `for` duration of an alert, and whether the alert is rendered. */
const alertSwitch = (defaultFor: string, description: string) =>
  z
    .strictObject({
      enabled: z.boolean().default(true).describe('Render this alert.'),
      for: promDuration().default(defaultFor).describe('How long the condition must hold before the alert fires.'),
    })
    .prefault({})
    .describe(description);

/** A Secret's name (a DNS subdomain), as a part of the path Alertmanager reads it from. */
const secretName = () =>
  z
    .string()
    .max(253)
    .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$/, 'must be a Secret name (a DNS subdomain)');

/** A key of a Secret. */
const secretKey = () =>
  z
    .string()
    .max(253)
    .regex(/^[-._a-zA-Z0-9]*$/, 'must be a Secret key');

/** A Secret key a receiver reads its credential from (mounted into Alertmanager, never rendered in a value). */
const secretKeyRef = (description: string) =>
  z
    .strictObject({
      name: secretName().default('').describe('Secret name; empty for none.'),
      key: secretKey().default('password').describe('Key in the Secret.'),
    })
    .prefault({})
    .describe(description);

/** One label matcher of an Alertmanager route, as Alertmanager writes it: `severity="critical"`, `shard=~"shard-.*"`. */
const matcher = () =>
  z
    .string()
    .max(300)
    .regex(/^[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*"([^"\\]|\\.)*"$/, 'must be a matcher such as severity="critical"');

const receiver = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, 'must be a plain name')
    .describe('Receiver name, as routes name it.'),
  email: z
    .array(
      z.strictObject({
        to: z
          .string()
          .min(3)
          .max(320)
          .regex(/^[^\s@]+@[^\s@]+$/, 'must be an e-mail address')
          .describe('Recipient.'),
        sendResolved: z.boolean().default(true).describe('Also mail when the alert resolves.'),
      }),
    )
    .default([])
    .describe('E-mail recipients, sent through `alertmanager.smtp`.'),
  webhook: z
    .array(
      z.strictObject({
        urlSecret: z
          .strictObject({
            name: secretName().min(1).describe('Secret name.'),
            key: secretKey().min(1).describe('Key in the Secret.'),
          })
          .describe('The Secret key holding the webhook URL (a chat or ticket system URL carries its token).'),
        sendResolved: z.boolean().default(true).describe('Also call when the alert resolves.'),
      }),
    )
    .default([])
    .describe('Webhooks; the URL is read from a Secret.'),
});

const route = z.strictObject({
  receiver: z.string().min(1).max(100).describe('Receiver of the alerts this route matches.'),
  matchers: z.array(matcher()).min(1).describe('Label matchers, all of which an alert must meet.'),
  continue: z.boolean().default(false).describe('Go on matching the routes after this one.'),
  repeatInterval: z
    .string()
    .regex(/^(([0-9]+(ms|s|m|h|d|w|y))+)?$/)
    .default('')
    .describe('Repeat interval for this route; empty for the default.'),
});

/** The values of the monitoring chart: every field has a description and a default. */
export const monitoringValues = z.strictObject({
  ...baseValues,
  // The chart runs no image: `global` is accepted (umbrella charts pass it) with nothing of its own to read.
  global: z
    .looseObject({})
    .prefault({})
    .describe('Values an umbrella chart shares with all its subcharts (Helm `global`); this chart reads none of them.'),
  rules: z
    .strictObject({
      enabled: z.boolean().default(true).describe('Render the PrometheusRules (alerts and recording rules).'),
      labels: stringMap('Extra labels of the PrometheusRules, e.g. the `release` label your Prometheus selects rules by.'),
      alertLabels: stringMap(
        "Extra labels of every alert, e.g. `team: video` for routing. They replace a label of the same name the series carry (HAProxy's `state`, say): choose names the series do not use.",
      ),
      runbookBaseUrl: z
        .string()
        .max(500)
        .regex(/^https?:\/\/[^\s"]+[^/\s"]$/, 'must be an http(s) URL without a trailing slash')
        .default('https://github.com/meetscale/meetscale/blob/main/packages/monitoring/runbooks')
        .describe('Where the runbooks are: each alert links `<runbookBaseUrl>/<alert name>.md`. Point it at your fork.'),
    })
    .prefault({})
    .describe('Alerting and recording rules.'),
  jitsi: z
    .strictObject({
      enabled: z.boolean().default(true).describe('Rules and the dashboard of the Jitsi shards (jitsi-shard releases).'),
      bridgeStressThreshold: ratio()
        .default(0.8)
        .describe("A bridge's `jitsi_jvb_stress` above which it counts as busy and alerts (the bridge autoscaler's target is lower)."),
      bridgeStress: alertSwitch('10m', 'A bridge above the stress threshold.'),
      shardWithoutBridge: alertSwitch('2m', 'A shard whose jicofo sees no operational bridge.'),
      bridgesAtMaximum: alertSwitch('15m', "A shard's bridge autoscaler at its maximum while the bridges stay busy."),
      bridgeDraining: alertSwitch('2h', 'A bridge draining longer than a lesson (the duration is the longest lesson).'),
      componentDown: alertSwitch('5m', "A shard's jicofo or prosody down."),
    })
    .prefault({})
    .describe('Jitsi shards.'),
  haproxy: z
    .strictObject({
      enabled: z.boolean().default(true).describe('Rules and the dashboard of HAProxy in front of the shards (haproxy release).'),
      backendDown: alertSwitch('2m', 'A shard backend of HAProxy down.'),
      stickTableFull: alertSwitch('10m', 'The room stick table near full.'),
      stickTableUsedRatio: ratio().default(0.85).describe('Share of the stick table in use above which it counts as near full.'),
      http5xx: alertSwitch('10m', 'A high share of 5xx responses at the entry point.'),
      http5xxRatio: ratio().default(0.05).describe('Share of 5xx responses above which `HAProxyHttp5xxRatioHigh` fires.'),
    })
    .prefault({})
    .describe('HAProxy, the meeting entry point.'),
  availability: z
    .strictObject({
      enabled: z.boolean().default(true).describe('Burn-rate alerts on the entry point availability objective.'),
      objective: z
        .number()
        .min(0.9)
        .lt(1)
        .default(0.995)
        .describe('Share of requests to the meeting entry point (HAProxy frontends) answered without 5xx, over 30 days.'),
    })
    .prefault({})
    .describe('The availability objective of the meeting entry point, alerted on by multi-window, multi-burn-rate rules.'),
  mediaPool: z
    .strictObject({
      enabled: z.boolean().default(true).describe('Alert when the media node pool reaches its maximum.'),
      maxNodes: z
        .number()
        .int()
        .min(1)
        .max(1000)
        .default(10)
        .describe("The media node pool's autoscaling maximum (the state's node pool)."),
      atMaximum: alertSwitch('15m', 'The media node pool at its maximum.'),
    })
    .prefault({})
    .describe('The media node pool (nodes tainted `meetscale.io/media`).'),
  coturn: z
    .strictObject({
      enabled: z.boolean().default(true).describe('Rules of coturn (coturn release).'),
      down: alertSwitch('5m', 'coturn down.'),
    })
    .prefault({})
    .describe('coturn.'),
  certificates: z
    .strictObject({
      enabled: z.boolean().default(true).describe('Alert on cert-manager certificates about to expire.'),
      expiryDays: z.number().int().min(1).max(60).default(14).describe('Alert when a certificate expires within this many days.'),
      expiring: alertSwitch('1h', 'A certificate expiring soon.'),
    })
    .prefault({})
    .describe('Certificates (cert-manager).'),
  bigbluebutton: z
    .strictObject({
      enabled: z
        .boolean()
        .default(false)
        .describe(
          'The BigBlueButton rules and dashboard, and ScrapeConfigs for the servers of `servers` and `httpSdUrl` (none when both are empty: scrape them your own way, with a `server` label).',
        ),
      scrapeInterval: promDuration().default('30s').describe('Scrape interval of the BigBlueButton servers.'),
      servers: z.array(hostname()).default([]).describe('BigBlueButton servers scraped without service discovery (hostnames).'),
      httpSdUrl: z
        .string()
        .max(500)
        .regex(/^(https?:\/\/[^\s"]+)?$/, 'must be empty or an http(s) URL')
        .default('')
        .describe('HTTP service discovery listing the running servers (the BigBlueButton autoscaler serves one); empty for none.'),
      exporterPort: port().default(9688).describe('Port of bigbluebutton-exporter on each server.'),
      nodeExporterPort: port().default(9100).describe('Port of node-exporter on each server.'),
      scheme: z.enum(['http', 'https']).default('https').describe("Scheme the exporters are scraped with (behind the server's nginx)."),
      unreachable: alertSwitch('5m', 'A BigBlueButton server whose API or exporter does not answer.'),
      scaleliteStale: alertSwitch('5m', "Scalelite's view of a server stale: offline in Scalelite while its API answers."),
      meetingsOnCordoned: alertSwitch('3h', "Meetings on a cordoned server for longer than a school day's lesson block."),
      recordingsUnprocessed: alertSwitch('2h', 'Recordings waiting to be processed for too long.'),
      startFailed: alertSwitch('5m', 'A server the autoscaler started that has not served within its start time-out.'),
    })
    .prefault({})
    .describe('BigBlueButton servers (VMs outside the cluster) and Scalelite.'),
  scrapeConfigs: z
    .strictObject({
      labels: stringMap('Extra labels of the ScrapeConfigs, e.g. the `release` label your Prometheus selects them by.'),
    })
    .prefault({})
    .describe('Prometheus operator ScrapeConfigs for what runs outside the cluster.'),
  dashboards: z
    .strictObject({
      enabled: z.boolean().default(true).describe('Render the Grafana dashboards as ConfigMaps.'),
      labels: z
        .record(z.string(), z.string())
        .default({ grafana_dashboard: '1' })
        .describe(
          "Labels of the dashboard ConfigMaps: the one kube-prometheus-stack's Grafana sidecar looks for (`grafana.sidecar.dashboards.label` and `labelValue`).",
        ),
      folder: z
        .string()
        .max(100)
        .default('meetscale')
        .describe(
          "Grafana folder, as the `grafana_folder` annotation (the sidecar's `folderAnnotation`); empty for the sidecar's default folder.",
        ),
      annotations: stringMap('Extra annotations of the dashboard ConfigMaps.'),
    })
    .prefault({})
    .describe('Grafana dashboards for the kube-prometheus-stack sidecar.'),
  alertmanager: z
    .strictObject({
      enabled: z
        .boolean()
        .default(false)
        .describe(
          "Render the Alertmanager configuration as a Secret (`alertmanager.yaml`), for kube-prometheus-stack's `alertmanager.alertmanagerSpec.configSecret`.",
        ),
      secretMountPath: z
        .string()
        .regex(/^\/[^\s"]*[^/\s"]$/, 'must be an absolute path')
        .default('/etc/alertmanager/secrets')
        .describe('Where the Prometheus operator mounts the Secrets of `alertmanagerSpec.secrets`.'),
      smtp: z
        .strictObject({
          smarthost: z
            .string()
            .regex(/^([a-z0-9.-]+:[0-9]{1,5})?$/, 'must be host:port')
            .default('')
            .describe('SMTP server `host:port`; needed for e-mail receivers.'),
          from: z.string().max(320).default('').describe('Sender address.'),
          username: z.string().max(320).default('').describe('SMTP user; empty for none.'),
          passwordSecret: secretKeyRef('The Secret key holding the SMTP password.'),
          requireTls: z.boolean().default(true).describe('Require STARTTLS.'),
        })
        .prefault({})
        .describe('Mail delivery.'),
      groupBy: z
        .array(z.string().max(100))
        .default(['alertname', 'namespace', 'shard', 'server'])
        .describe('Labels alerts are grouped by.'),
      defaultReceiver: z.string().min(1).max(100).default('default').describe('Receiver of alerts no route matches.'),
      receivers: z
        .array(receiver)
        .default([{ name: 'default', email: [], webhook: [] }])
        .describe('Receivers: e-mail and webhooks.'),
      routes: z.array(route).default([]).describe('Routes, tried in order below the default receiver.'),
    })
    .prefault({})
    .describe('Alertmanager routing for the state.'),
});

/** Values of the monitoring chart after defaults are applied. */
export type MonitoringValues = z.output<typeof monitoringValues>;
