import type { HelmChart, Refs } from '@meetscale/chart-toolkit';
import { MEDIA_TAINT } from '@meetscale/placement';

import type { MonitoringValues } from './values';

/** How urgent an alert is: `critical` wakes someone (a lesson is at risk now), `warning` waits for working hours. */
export type Severity = 'critical' | 'warning';

/** An alerting rule as the chart renders it; `expr` and `for` may hold values. */
export interface AlertRule {
  /** The alert name; its runbook is `runbooks/<alert>.md`. */
  readonly alert: string;
  readonly expr: string;
  readonly for: string | Refs<string>;
  readonly severity: Severity;
  /** One line, for notifications' subject. */
  readonly summary: string;
  /** What holds, with `{{ $labels.x }}` and `{{ $value }}` as Prometheus templates them. */
  readonly description: string;
  /** The value that switches the alert on and off (`<area>.<alert>.enabled`). */
  readonly enabled: Refs<boolean>;
  /** Labels beyond severity (e.g. the SLO window an alert belongs to). */
  readonly labels?: Readonly<Record<string, string>>;
}

/** A recording rule. */
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** One area's rules: a PrometheusRule of its own, rendered when the area is enabled. */
export interface RuleArea {
  /** The component name of the PrometheusRule (`<fullname>-<area>`), also its group names' prefix. */
  readonly area: string;
  readonly enabled: Refs<boolean>;
  readonly recording: readonly RecordingRule[];
  readonly alerts: readonly AlertRule[];
}

/** The haproxy chart's frontend of the meeting entry point, and its backend of the shards (`haproxy.cfg`). */
const HAPROXY_FRONTEND = 'http';
const HAPROXY_BACKEND = 'shards';

/** The taint of the media node pool's nodes (`@meetscale/placement`'s `MEDIA_TAINT`). */
const MEDIA_TAINT_KEY = MEDIA_TAINT.key;

/** The job of the BigBlueButton servers' bigbluebutton-exporter targets (the ScrapeConfig's name). */
export const BBB_EXPORTER_JOB = 'bigbluebutton-exporter';

/** The job of the BigBlueButton servers' node-exporter targets. */
export const BBB_NODE_EXPORTER_JOB = 'bigbluebutton-node-exporter';

/** The jobs of the jitsi-shard releases' ServiceMonitor targets: their Services `<fullname>-jicofo`, `<fullname>-prosody`. */
const SHARD_COMPONENT_JOBS = 'job=~".+-(jicofo|prosody)"';

/**
 * The rules of every area, with the chart's values in place. Recording rule names follow Prometheus' convention
 * `level:metric:operations`; dashboards and the burn-rate alerts read them.
 */
export function ruleAreas(chart: HelmChart<MonitoringValues>): RuleArea[] {
  const v = chart.values;
  const j = v.jitsi;
  const stress = `${j.bridgeStressThreshold}`;
  return [
    {
      area: 'jitsi',
      enabled: j.enabled,
      recording: [
        { record: 'shard:jitsi_jvb_stress:max', expr: 'max by (namespace, shard) (jitsi_jvb_stress)' },
        { record: 'shard:jitsi_jvb_stress:avg', expr: 'avg by (namespace, shard) (jitsi_jvb_stress)' },
        { record: 'shard:jitsi_jvb_bridges:count', expr: 'count by (namespace, shard) (jitsi_jvb_stress)' },
        { record: 'shard:jitsi_jvb_bridges_busy:count', expr: `count by (namespace, shard) (jitsi_jvb_stress > ${stress})` },
        { record: 'shard:jitsi_jvb_bridges_draining:count', expr: 'sum by (namespace, shard) (jitsi_jvb_graceful_shutdown)' },
        { record: 'shard:jitsi_jicofo_participants:sum', expr: 'sum by (namespace, shard) (jitsi_jicofo_participants_current)' },
        { record: 'shard:jitsi_jicofo_conferences:sum', expr: 'sum by (namespace, shard) (jitsi_jicofo_conferences)' },
      ],
      alerts: [
        {
          alert: 'JitsiShardWithoutBridge',
          enabled: j.shardWithoutBridge.enabled,
          expr: 'max by (namespace, shard) (jitsi_jicofo_bridge_selector_bridge_count_operational) == 0',
          for: j.shardWithoutBridge.for,
          severity: 'critical',
          summary: 'A Jitsi shard has no operational bridge: no conference of it has media.',
          description: 'jicofo of shard {{ $labels.shard }} in {{ $labels.namespace }} sees no operational videobridge.',
        },
        {
          alert: 'JitsiBridgesAtMaximum',
          enabled: j.bridgesAtMaximum.enabled,
          expr: [
            'max by (namespace, horizontalpodautoscaler) (',
            '  kube_horizontalpodautoscaler_status_condition{horizontalpodautoscaler=~".+-jvb", condition="ScalingLimited", status="true"}',
            ') == 1',
            'and on (namespace, horizontalpodautoscaler)',
            '(kube_horizontalpodautoscaler_status_current_replicas >= kube_horizontalpodautoscaler_spec_max_replicas)',
          ].join('\n'),
          for: j.bridgesAtMaximum.for,
          severity: 'warning',
          summary: "A shard's bridge autoscaler is at its maximum and its bridges stay busy.",
          description: '{{ $labels.horizontalpodautoscaler }} in {{ $labels.namespace }} runs its maximum of bridges and wants more.',
        },
        {
          alert: 'JitsiBridgeStressHigh',
          enabled: j.bridgeStress.enabled,
          expr: `max by (namespace, shard, pod) (jitsi_jvb_stress) > ${stress}`,
          for: j.bridgeStress.for,
          severity: 'warning',
          summary: 'A videobridge is overloaded.',
          description: 'Bridge {{ $labels.pod }} of shard {{ $labels.shard }} runs at stress {{ $value | humanize }}.',
        },
        {
          alert: 'JitsiBridgeDrainingTooLong',
          enabled: j.bridgeDraining.enabled,
          expr: 'max by (namespace, shard, pod) (jitsi_jvb_graceful_shutdown) == 1',
          for: j.bridgeDraining.for,
          severity: 'warning',
          summary: 'A videobridge has been draining for longer than a lesson.',
          description:
            'Bridge {{ $labels.pod }} of shard {{ $labels.shard }} is still in graceful shutdown; a conference may be stuck on it.',
        },
        {
          alert: 'JitsiComponentDown',
          enabled: j.componentDown.enabled,
          expr: `up{${SHARD_COMPONENT_JOBS}} == 0`,
          for: j.componentDown.for,
          severity: 'critical',
          summary: "A shard's jicofo or prosody does not answer: nobody can join the shard's rooms.",
          description: '{{ $labels.job }} in {{ $labels.namespace }} ({{ $labels.pod }}) has not answered scrapes.',
        },
      ],
    },
    {
      area: 'haproxy',
      enabled: v.haproxy.enabled,
      recording: [
        {
          record: 'backend:haproxy_backend_current_sessions:sum',
          expr: 'sum by (namespace, proxy) (haproxy_backend_current_sessions)',
        },
      ],
      alerts: [
        {
          alert: 'HAProxyShardBackendDown',
          enabled: v.haproxy.backendDown.enabled,
          expr: `haproxy_server_status{proxy="${HAPROXY_BACKEND}", state="DOWN"} == 1`,
          for: v.haproxy.backendDown.for,
          severity: 'critical',
          summary: 'HAProxy sees a shard down: rooms stuck to it cannot be joined.',
          description: 'Server {{ $labels.server }} of backend {{ $labels.proxy }} is down on {{ $labels.pod }}.',
        },
        {
          alert: 'HAProxyStickTableNearFull',
          enabled: v.haproxy.stickTableFull.enabled,
          expr: `haproxy_sticktable_used / haproxy_sticktable_size > ${v.haproxy.stickTableUsedRatio}`,
          for: v.haproxy.stickTableFull.for,
          severity: 'warning',
          summary: 'The room stick table of HAProxy is nearly full: new rooms may lose their shard.',
          description: 'Stick table {{ $labels.name }} on {{ $labels.pod }} is {{ $value | humanizePercentage }} full.',
        },
        {
          alert: 'HAProxyHttp5xxRatioHigh',
          enabled: v.haproxy.http5xx.enabled,
          expr: [
            `sum by (namespace, proxy) (rate(haproxy_frontend_http_responses_total{proxy="${HAPROXY_FRONTEND}", code="5xx"}[5m]))`,
            `/ sum by (namespace, proxy) (rate(haproxy_frontend_http_responses_total{proxy="${HAPROXY_FRONTEND}"}[5m]))`,
            `> ${v.haproxy.http5xxRatio}`,
          ].join('\n'),
          for: v.haproxy.http5xx.for,
          severity: 'warning',
          summary: 'Many requests to the meeting entry point fail with 5xx.',
          description: '{{ $value | humanizePercentage }} of the responses of frontend {{ $labels.proxy }} are 5xx.',
        },
      ],
    },
    availabilityArea(chart),
    {
      area: 'media-pool',
      enabled: v.mediaPool.enabled,
      recording: [
        { record: 'state:media_nodes:count', expr: `count(kube_node_spec_taint{key="${MEDIA_TAINT_KEY}"})` },
        // the pool's maximum, a value of the chart, as a series the dashboards divide by
        { record: 'state:media_nodes:max', expr: `vector(${v.mediaPool.maxNodes})` },
      ],
      alerts: [
        {
          alert: 'MediaNodePoolAtMaximum',
          enabled: v.mediaPool.atMaximum.enabled,
          expr: `state:media_nodes:count >= ${v.mediaPool.maxNodes}`,
          for: v.mediaPool.atMaximum.for,
          severity: 'warning',
          summary: 'The media node pool is at its maximum: no more bridges can be placed.',
          description: '{{ $value }} media nodes run, the node pool maximum; the bridge autoscalers cannot grow further.',
        },
      ],
    },
    {
      area: 'coturn',
      enabled: v.coturn.enabled,
      recording: [],
      alerts: [
        {
          alert: 'CoturnDown',
          enabled: v.coturn.down.enabled,
          expr: [
            'kube_daemonset_status_number_available{daemonset=~".*coturn.*"} == 0',
            'or kube_deployment_status_replicas_available{deployment=~".*coturn.*"} == 0',
          ].join('\n'),
          for: v.coturn.down.for,
          severity: 'critical',
          summary: 'No coturn runs: participants behind strict firewalls get no media.',
          description: '{{ $labels.daemonset }}{{ $labels.deployment }} in {{ $labels.namespace }} has no available pod.',
        },
      ],
    },
    {
      area: 'certificates',
      enabled: v.certificates.enabled,
      recording: [],
      alerts: [
        {
          alert: 'CertificateExpiringSoon',
          enabled: v.certificates.expiring.enabled,
          expr: `certmanager_certificate_expiration_timestamp_seconds - time() < ${v.certificates.expiryDays} * 86400`,
          for: v.certificates.expiring.for,
          severity: 'warning',
          summary: 'A certificate expires soon and cert-manager has not renewed it.',
          description: 'Certificate {{ $labels.name }} in {{ $labels.namespace }} expires in {{ $value | humanizeDuration }}.',
        },
      ],
    },
    bigBlueButtonArea(chart),
  ];
}

/**
 * The availability objective of the meeting entry point (HAProxy's `http` frontend): the share of 5xx responses
 * over the windows of the multi-window, multi-burn-rate alerts (Google's SRE workbook, chapter "Alerting on SLOs"):
 * a page when the error budget of 30 days burns 14.4 times too fast over 1 h (and still over 5 min) or 6 times over
 * 6 h (and 30 min); a ticket at 3 times over 1 d (and 2 h) or once over 3 d (and 6 h).
 */
function availabilityArea(chart: HelmChart<MonitoringValues>): RuleArea {
  const v = chart.values.availability;
  const windows = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;
  const ratio = (window: string) => `entrypoint:haproxy_http_5xx:ratio_rate${window}`;
  const budget = `(1 - ${v.objective})`;
  const burn = (factor: number, long: string, short: string) =>
    [`${ratio(long)} > (${factor} * ${budget})`, `and`, `${ratio(short)} > (${factor} * ${budget})`].join('\n');
  return {
    area: 'availability',
    enabled: v.enabled,
    recording: windows.map((window) => ({
      record: ratio(window),
      expr: [
        `sum(rate(haproxy_frontend_http_responses_total{proxy="${HAPROXY_FRONTEND}", code="5xx"}[${window}]))`,
        `/ sum(rate(haproxy_frontend_http_responses_total{proxy="${HAPROXY_FRONTEND}"}[${window}]))`,
      ].join('\n'),
    })),
    alerts: [
      {
        alert: 'EntryPointErrorBudgetBurnFast',
        enabled: v.enabled,
        expr: `(\n${burn(14.4, '1h', '5m')}\n)\nor\n(\n${burn(6, '6h', '30m')}\n)`,
        for: '2m',
        severity: 'critical',
        summary: "The meeting entry point burns its error budget fast: at this rate the month's budget is gone within days.",
        description: '{{ $value | humanizePercentage }} of the requests to the meeting entry point fail with 5xx.',
      },
      {
        alert: 'EntryPointErrorBudgetBurnSlow',
        enabled: v.enabled,
        expr: `(\n${burn(3, '1d', '2h')}\n)\nor\n(\n${burn(1, '3d', '6h')}\n)`,
        for: '1h',
        severity: 'warning',
        summary: "The meeting entry point burns its error budget steadily: the month's objective is at risk.",
        description: '{{ $value | humanizePercentage }} of the requests to the meeting entry point fail with 5xx.',
      },
    ],
  };
}

/**
 * The BigBlueButton servers: bigbluebutton-exporter on each server (`bbb_*`, scraped through the ScrapeConfigs),
 * and Scalelite's view of them as the BigBlueButton autoscaler serves it (`meetscale_bbb_server_*`).
 */
function bigBlueButtonArea(chart: HelmChart<MonitoringValues>): RuleArea {
  const v = chart.values.bigbluebutton;
  return {
    area: 'bigbluebutton',
    enabled: v.enabled,
    recording: [
      { record: 'server:bbb_meetings:sum', expr: 'sum by (server) (bbb_meetings)' },
      { record: 'server:bbb_meetings_participants:sum', expr: 'sum by (server) (bbb_meetings_participants)' },
    ],
    alerts: [
      {
        alert: 'BigBlueButtonServerUnreachable',
        enabled: v.unreachable.enabled,
        expr: `up{job="${BBB_EXPORTER_JOB}"} == 0 or bbb_api_up == 0`,
        for: v.unreachable.for,
        severity: 'critical',
        summary: 'A running BigBlueButton server does not answer: Scalelite will end its meetings after two failed polls.',
        description: 'Server {{ $labels.server }} (its exporter or its BigBlueButton API) does not answer.',
      },
      {
        alert: 'ScaleliteServerViewStale',
        enabled: v.scaleliteStale.enabled,
        expr: 'meetscale_bbb_server_online == 0 and on (server) bbb_api_up == 1',
        for: v.scaleliteStale.for,
        severity: 'warning',
        summary: "Scalelite counts a BigBlueButton server offline whose API answers: Scalelite's poll is stale or failing.",
        description: 'Scalelite holds server {{ $labels.server }} offline while its API answers; check the Scalelite poller.',
      },
      {
        alert: 'BigBlueButtonMeetingsOnCordonedServer',
        enabled: v.meetingsOnCordoned.enabled,
        expr: 'server:bbb_meetings:sum > 0 and on (server) meetscale_bbb_server_state{state="cordoned"} == 1',
        for: v.meetingsOnCordoned.for,
        severity: 'warning',
        summary: 'A cordoned BigBlueButton server still holds meetings long after it was cordoned.',
        description: 'Server {{ $labels.server }} is cordoned in Scalelite and still has {{ $value }} meetings; it cannot be stopped.',
      },
      {
        alert: 'BigBlueButtonRecordingsUnprocessed',
        enabled: v.recordingsUnprocessed.enabled,
        expr: 'sum by (server) (bbb_recordings_unprocessed) > 0',
        for: v.recordingsUnprocessed.for,
        severity: 'warning',
        summary: 'Recordings on a BigBlueButton server wait to be processed for too long.',
        description: 'Server {{ $labels.server }} has {{ $value }} recordings not processed; it cannot be stopped until they are.',
      },
      {
        alert: 'BigBlueButtonServerStartFailed',
        enabled: v.startFailed.enabled,
        expr: 'max by (server) (meetscale_bbb_server_start_failed) == 1',
        for: v.startFailed.for,
        severity: 'warning',
        summary: 'A BigBlueButton server the autoscaler started does not serve: it stays out of Scalelite, another one runs instead.',
        description: 'Server {{ $labels.server }} runs and has not served within the start time-out; it stays out of Scalelite.',
      },
    ],
  };
}
