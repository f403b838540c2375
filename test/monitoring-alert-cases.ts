/**
 * For every alert of the monitoring chart, a case where it fires and one where it stays quiet, as `promtool test
 * rules` runs them against the rendered rules of the `state-with-bigbluebutton` scenario (every area on, alerts
 * labelled `state: be`, availability objective 0.999, media pool maximum 24). Series are written as the components
 * label them in Prometheus (the jitsi-shard monitors add `shard`; the BigBlueButton ScrapeConfigs add `server`).
 * The firing case states the alert's labels and its description as Prometheus renders them, so a template
 * mistake or a wrong label fails.
 */

/** One input series of a promtool test: the series and its values (`expanding notation`). */
export interface InputSeries {
  readonly series: string;
  readonly values: string;
}

/** A case where the alert fires. */
export interface FiringCase {
  readonly series: readonly InputSeries[];
  /** When to evaluate, e.g. `20m`. */
  readonly at: string;
  /** The alert's severity, which routes it (`critical` pages on call). */
  readonly severity: 'critical' | 'warning' | 'info';
  /** The labels of the alert beyond `severity` and the scenario's alert labels, one map per firing alert. */
  readonly labels: Readonly<Record<string, string>>;
  /** The description, as Prometheus renders it. */
  readonly description: string;
}

/** A case where the alert stays quiet. */
export interface QuietCase {
  readonly series: readonly InputSeries[];
  readonly at: string;
}

/** The cases of one alert. */
export interface AlertCases {
  readonly firing: FiringCase;
  readonly quiet: QuietCase;
}

const SHARD = { namespace: 'video', shard: 'shard-0' };
const series = (name: string, labels: Readonly<Record<string, string>>, values: string): InputSeries => ({
  series: `${name}{${Object.entries(labels)
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
    .join(', ')}}`,
  values,
});

const BRIDGE = { ...SHARD, pod: 'shard-0-jitsi-shard-jvb-0', job: 'video/shard-0-jitsi-shard-jvb' };
const JICOFO = { ...SHARD, pod: 'shard-0-jitsi-shard-jicofo-7d9f', job: 'shard-0-jitsi-shard-jicofo', instance: '10.1.0.7:8888' };
const HPA = { namespace: 'video', horizontalpodautoscaler: 'shard-0-jitsi-shard-jvb', job: 'kube-state-metrics' };
const HAPROXY = { namespace: 'video', pod: 'haproxy-0', job: 'haproxy-metrics' };
const BBB = { server: 'bbb-01.lernen.example.org' };

/** HAProxy's `http` frontend answering `ok` 2xx and `failed` 5xx per minute. */
const frontend = (minutes: number, ok: number, failed: number): InputSeries[] => [
  series('haproxy_frontend_http_responses_total', { ...HAPROXY, proxy: 'http', code: '2xx' }, `0+${ok}x${minutes}`),
  series('haproxy_frontend_http_responses_total', { ...HAPROXY, proxy: 'http', code: '5xx' }, `0+${failed}x${minutes}`),
];

/** `count` nodes carrying the media taint. */
const mediaNodes = (count: number): InputSeries[] =>
  Array.from({ length: count }, (_, index) =>
    series('kube_node_spec_taint', { node: `media-${index}`, key: 'meetscale.io/media', value: 'true', effect: 'NoSchedule' }, '1x30'),
  );

export const ALERT_CASES: Readonly<Record<string, AlertCases>> = {
  JitsiShardWithoutBridge: {
    firing: {
      series: [series('jitsi_jicofo_bridge_selector_bridge_count_operational', JICOFO, '2 2 0x10')],
      at: '8m',
      severity: 'critical',
      labels: SHARD,
      description: 'jicofo of shard shard-0 in video sees no operational videobridge.',
    },
    quiet: { series: [series('jitsi_jicofo_bridge_selector_bridge_count_operational', JICOFO, '2 1 1x10')], at: '8m' },
  },
  JitsiBridgesAtMaximum: {
    firing: {
      series: [
        series('kube_horizontalpodautoscaler_status_condition', { ...HPA, condition: 'ScalingLimited', status: 'true' }, '1x30'),
        series('kube_horizontalpodautoscaler_status_current_replicas', HPA, '8x30'),
        series('kube_horizontalpodautoscaler_spec_max_replicas', HPA, '8x30'),
      ],
      at: '20m',
      severity: 'warning',
      labels: { namespace: 'video', horizontalpodautoscaler: 'shard-0-jitsi-shard-jvb' },
      description: 'shard-0-jitsi-shard-jvb in video runs its maximum of bridges and wants more.',
    },
    // limited, but by its minimum: below the maximum
    quiet: {
      series: [
        series('kube_horizontalpodautoscaler_status_condition', { ...HPA, condition: 'ScalingLimited', status: 'true' }, '1x30'),
        series('kube_horizontalpodautoscaler_status_current_replicas', HPA, '2x30'),
        series('kube_horizontalpodautoscaler_spec_max_replicas', HPA, '8x30'),
      ],
      at: '20m',
    },
  },
  JitsiBridgeStressHigh: {
    firing: {
      series: [series('jitsi_jvb_stress', BRIDGE, '0.9x20')],
      at: '15m',
      severity: 'warning',
      labels: { ...SHARD, pod: BRIDGE.pod },
      description: 'Bridge shard-0-jitsi-shard-jvb-0 of shard shard-0 runs at stress 900m.',
    },
    quiet: { series: [series('jitsi_jvb_stress', BRIDGE, '0.9x5 0.5x15')], at: '15m' },
  },
  JitsiBridgeDrainingTooLong: {
    firing: {
      series: [series('jitsi_jvb_graceful_shutdown', BRIDGE, '1x140')],
      at: '130m',
      severity: 'warning',
      labels: { ...SHARD, pod: BRIDGE.pod },
      description: 'Bridge shard-0-jitsi-shard-jvb-0 of shard shard-0 is still in graceful shutdown; a conference may be stuck on it.',
    },
    // drained within the hour
    quiet: { series: [series('jitsi_jvb_graceful_shutdown', BRIDGE, '1x60 0x80')], at: '130m' },
  },
  JitsiComponentDown: {
    firing: {
      series: [series('up', JICOFO, '0x10')],
      at: '8m',
      severity: 'critical',
      labels: JICOFO,
      description: 'shard-0-jitsi-shard-jicofo in video (shard-0-jitsi-shard-jicofo-7d9f) has not answered scrapes.',
    },
    quiet: { series: [series('up', JICOFO, '0 0 1x8')], at: '8m' },
  },
  HAProxyShardBackendDown: {
    firing: {
      series: [series('haproxy_server_status', { ...HAPROXY, proxy: 'shards', server: 'shard-1', state: 'DOWN' }, '1x10')],
      at: '5m',
      severity: 'critical',
      labels: { ...HAPROXY, proxy: 'shards', server: 'shard-1', state: 'DOWN' },
      description: 'Server shard-1 of backend shards is down on haproxy-0.',
    },
    quiet: {
      series: [
        series('haproxy_server_status', { ...HAPROXY, proxy: 'shards', server: 'shard-1', state: 'DOWN' }, '0x10'),
        series('haproxy_server_status', { ...HAPROXY, proxy: 'shards', server: 'shard-1', state: 'UP' }, '1x10'),
      ],
      at: '5m',
    },
  },
  HAProxyStickTableNearFull: {
    firing: {
      series: [
        series('haproxy_sticktable_used', { ...HAPROXY, name: 'shards' }, '900x20'),
        series('haproxy_sticktable_size', { ...HAPROXY, name: 'shards' }, '1000x20'),
      ],
      at: '15m',
      severity: 'warning',
      labels: { ...HAPROXY, name: 'shards' },
      description: 'Stick table shards on haproxy-0 is 90% full.',
    },
    quiet: {
      series: [
        series('haproxy_sticktable_used', { ...HAPROXY, name: 'shards' }, '500x20'),
        series('haproxy_sticktable_size', { ...HAPROXY, name: 'shards' }, '1000x20'),
      ],
      at: '15m',
    },
  },
  HAProxyHttp5xxRatioHigh: {
    firing: {
      series: frontend(30, 90, 10),
      at: '20m',
      severity: 'warning',
      labels: { namespace: 'video', proxy: 'http' },
      description: '10% of the responses of frontend http are 5xx.',
    },
    quiet: { series: frontend(30, 99, 1), at: '20m' },
  },
  EntryPointErrorBudgetBurnFast: {
    firing: {
      series: frontend(90, 90, 10),
      at: '70m',
      severity: 'critical',
      labels: {},
      description: '10% of the requests to the meeting entry point fail with 5xx.',
    },
    // 0.1 % fails: within the objective of 99.9 %
    quiet: { series: frontend(90, 999, 1), at: '70m' },
  },
  EntryPointErrorBudgetBurnSlow: {
    firing: {
      series: frontend(300, 99, 1),
      at: '250m',
      severity: 'warning',
      labels: {},
      description: '1% of the requests to the meeting entry point fail with 5xx.',
    },
    quiet: { series: frontend(300, 999, 1), at: '250m' },
  },
  MediaNodePoolAtMaximum: {
    firing: {
      series: mediaNodes(24),
      at: '20m',
      severity: 'warning',
      labels: {},
      description: '24 media nodes run, the node pool maximum; the bridge autoscalers cannot grow further.',
    },
    quiet: { series: mediaNodes(23), at: '20m' },
  },
  CoturnDown: {
    firing: {
      series: [
        series('kube_daemonset_status_number_available', { namespace: 'turn', daemonset: 'coturn', job: 'kube-state-metrics' }, '0x10'),
      ],
      at: '8m',
      severity: 'critical',
      labels: { namespace: 'turn', daemonset: 'coturn', job: 'kube-state-metrics' },
      description: 'coturn in turn has no available pod.',
    },
    quiet: {
      series: [
        series('kube_daemonset_status_number_available', { namespace: 'turn', daemonset: 'coturn', job: 'kube-state-metrics' }, '2x10'),
      ],
      at: '8m',
    },
  },
  CertificateExpiringSoon: {
    firing: {
      // expires 10 days after the test's start (promtool starts at time 0)
      series: [
        series(
          'certmanager_certificate_expiration_timestamp_seconds',
          {
            namespace: 'video',
            name: 'meet-tls',
            issuer_name: 'letsencrypt',
            issuer_kind: 'ClusterIssuer',
            issuer_group: 'cert-manager.io',
          },
          '864000x150',
        ),
      ],
      at: '2h',
      severity: 'warning',
      labels: {
        namespace: 'video',
        name: 'meet-tls',
        issuer_name: 'letsencrypt',
        issuer_kind: 'ClusterIssuer',
        issuer_group: 'cert-manager.io',
      },
      description: 'Certificate meet-tls in video expires in 9d 22h 0m 0s.',
    },
    quiet: {
      // 60 days
      series: [
        series(
          'certmanager_certificate_expiration_timestamp_seconds',
          {
            namespace: 'video',
            name: 'meet-tls',
            issuer_name: 'letsencrypt',
            issuer_kind: 'ClusterIssuer',
            issuer_group: 'cert-manager.io',
          },
          '5184000x150',
        ),
      ],
      at: '2h',
    },
  },
  BigBlueButtonServerUnreachable: {
    firing: {
      series: [
        series('up', { ...BBB, job: 'bigbluebutton-exporter', instance: 'bbb-01.lernen.example.org:9688' }, '1x10'),
        series('bbb_api_up', { ...BBB, job: 'bigbluebutton-exporter', instance: 'bbb-01.lernen.example.org:9688' }, '0x10'),
      ],
      at: '8m',
      severity: 'critical',
      labels: { ...BBB, job: 'bigbluebutton-exporter', instance: 'bbb-01.lernen.example.org:9688' },
      description: 'Server bbb-01.lernen.example.org (its exporter or its BigBlueButton API) does not answer.',
    },
    quiet: {
      series: [
        series('up', { ...BBB, job: 'bigbluebutton-exporter', instance: 'bbb-01.lernen.example.org:9688' }, '1x10'),
        series('bbb_api_up', { ...BBB, job: 'bigbluebutton-exporter', instance: 'bbb-01.lernen.example.org:9688' }, '1x10'),
      ],
      at: '8m',
    },
  },
  ScaleliteServerViewStale: {
    firing: {
      series: [
        series('meetscale_bbb_server_online', { ...BBB, job: 'bbb-autoscaler' }, '0x10'),
        series('bbb_api_up', { ...BBB, job: 'bigbluebutton-exporter' }, '1x10'),
      ],
      at: '8m',
      severity: 'warning',
      labels: { ...BBB, job: 'bbb-autoscaler' },
      description: 'Scalelite holds server bbb-01.lernen.example.org offline while its API answers; check the Scalelite poller.',
    },
    // offline in Scalelite because it really is down
    quiet: {
      series: [
        series('meetscale_bbb_server_online', { ...BBB, job: 'bbb-autoscaler' }, '0x10'),
        series('bbb_api_up', { ...BBB, job: 'bigbluebutton-exporter' }, '0x10'),
      ],
      at: '8m',
    },
  },
  BigBlueButtonMeetingsOnCordonedServer: {
    firing: {
      series: [
        series('bbb_meetings', { ...BBB, job: 'bigbluebutton-exporter' }, '3x200'),
        series('meetscale_bbb_server_state', { ...BBB, job: 'bbb-autoscaler', state: 'cordoned' }, '1x200'),
        series('meetscale_bbb_server_state', { ...BBB, job: 'bbb-autoscaler', state: 'enabled' }, '0x200'),
      ],
      at: '190m',
      severity: 'warning',
      labels: BBB,
      description: 'Server bbb-01.lernen.example.org is cordoned in Scalelite and still has 3 meetings; it cannot be stopped.',
    },
    quiet: {
      series: [
        series('bbb_meetings', { ...BBB, job: 'bigbluebutton-exporter' }, '3x200'),
        series('meetscale_bbb_server_state', { ...BBB, job: 'bbb-autoscaler', state: 'cordoned' }, '0x200'),
        series('meetscale_bbb_server_state', { ...BBB, job: 'bbb-autoscaler', state: 'enabled' }, '1x200'),
      ],
      at: '190m',
    },
  },
  BigBlueButtonRecordingsUnprocessed: {
    firing: {
      series: [series('bbb_recordings_unprocessed', { ...BBB, job: 'bigbluebutton-exporter' }, '2x150')],
      at: '130m',
      severity: 'warning',
      labels: BBB,
      description: 'Server bbb-01.lernen.example.org has 2 recordings not processed; it cannot be stopped until they are.',
    },
    quiet: { series: [series('bbb_recordings_unprocessed', { ...BBB, job: 'bigbluebutton-exporter' }, '2x30 0x120')], at: '130m' },
  },
  BigBlueButtonServerStartFailed: {
    firing: {
      series: [series('meetscale_bbb_server_start_failed', { ...BBB, job: 'bbb-autoscaler' }, '0x5 1x20')],
      at: '15m',
      severity: 'warning',
      labels: BBB,
      description: 'Server bbb-01.lernen.example.org runs and has not served within the start time-out; it stays out of Scalelite.',
    },
    quiet: { series: [series('meetscale_bbb_server_start_failed', { ...BBB, job: 'bbb-autoscaler' }, '1x3 0x20')], at: '15m' },
  },
};
