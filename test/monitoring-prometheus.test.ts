/**
 * The monitoring chart's rules and dashboards on a real Prometheus (the pinned release), scraping the real HAProxy
 * (Debian's, running the haproxy chart's rendered configuration in front of two fake shards) and loopback fake
 * exporters that serve the catalogued series of the other components: the recording rules evaluate, every
 * dashboard panel's query returns data, and alerts fire when an exporter shows the condition and clear when it
 * goes away.
 *
 * What stands in for the cluster: the labels the Prometheus operator's relabelings give the series in a cluster
 * (`namespace`, `pod`, and the jitsi-shard monitors' `shard`; the ScrapeConfigs' `server`) are static labels of
 * the scrape configuration here. Counters advance by a fixed rate per second while the test runs. The alerts'
 * `for` durations are shortened through the chart's values, so they fire within seconds.
 */
import { SHARD_HEALTH_PATH } from '@meetscale/haproxy';
import { type FakeExporter, type RunningPrometheus, startFakeExporter, startPrometheus } from '@meetscale/local-state';
import YAML from 'yaml';

import { chartDir, configMapEntry, type Manifest, renderChart } from './support/charts';
import { type FakeShard, startFakeShard } from './support/fake-shard';
import { allocateLoopbackPorts, type HaproxyHandle, httpGet, loopbackConfig, startHaproxy } from './support/haproxy';

jest.setTimeout(60_000);

const NAMESPACE = 'video';
const SHARD = 'shard-0';
const BBB_SERVER = 'bbb-01.lernen.example.org';

/** A sample line of the text format. */
const sample = (name: string, labels: Readonly<Record<string, string>>, value: number): string =>
  `${name}{${Object.entries(labels)
    .map(([key, item]) => `${key}=${JSON.stringify(item)}`)
    .join(',')}} ${value}`;

/** What a fake exporter serves `seconds` after the start: gauges as given, counters growing at their rate. */
type Exposition = (seconds: number) => string[];

/** One bridge: its stress (changeable), its conferences by size, RTT and loss. */
function bridge(stress: () => number): Exposition {
  return () => [
    '# TYPE jitsi_jvb_stress gauge',
    `jitsi_jvb_stress ${stress()}`,
    '# TYPE jitsi_jvb_graceful_shutdown gauge',
    'jitsi_jvb_graceful_shutdown 0',
    '# TYPE jitsi_jvb_average_rtt gauge',
    'jitsi_jvb_average_rtt 42',
    '# TYPE jitsi_jvb_incoming_loss_fraction gauge',
    'jitsi_jvb_incoming_loss_fraction 0.01',
    '# TYPE jitsi_jvb_outgoing_loss_fraction gauge',
    'jitsi_jvb_outgoing_loss_fraction 0.02',
    '# TYPE jitsi_jvb_conferences_by_size histogram',
    ...['0', '1', '2', '5', '10', '20', '+Inf'].map((le, index) =>
      sample('jitsi_jvb_conferences_by_size_bucket', { le }, Math.min(index, 4)),
    ),
    'jitsi_jvb_conferences_by_size_sum 30',
    'jitsi_jvb_conferences_by_size_count 4',
  ];
}

const jicofo: Exposition = () => [
  '# TYPE jitsi_jicofo_participants_current gauge',
  'jitsi_jicofo_participants_current 57',
  '# TYPE jitsi_jicofo_conferences gauge',
  'jitsi_jicofo_conferences 4',
  '# TYPE jitsi_jicofo_bridge_selector_bridge_count_operational gauge',
  'jitsi_jicofo_bridge_selector_bridge_count_operational 2',
];

/** kube-state-metrics and cert-manager: the shard's bridge autoscaler, the media nodes, coturn, a certificate. */
const cluster: Exposition = () => {
  const hpa = { namespace: NAMESPACE, horizontalpodautoscaler: `${SHARD}-jitsi-shard-jvb` };
  return [
    '# TYPE kube_horizontalpodautoscaler_status_desired_replicas gauge',
    sample('kube_horizontalpodautoscaler_status_desired_replicas', hpa, 2),
    '# TYPE kube_horizontalpodautoscaler_status_current_replicas gauge',
    sample('kube_horizontalpodautoscaler_status_current_replicas', hpa, 2),
    '# TYPE kube_horizontalpodautoscaler_spec_max_replicas gauge',
    sample('kube_horizontalpodautoscaler_spec_max_replicas', hpa, 8),
    '# TYPE kube_horizontalpodautoscaler_status_condition gauge',
    sample('kube_horizontalpodautoscaler_status_condition', { ...hpa, condition: 'ScalingLimited', status: 'false' }, 1),
    '# TYPE kube_node_spec_taint gauge',
    ...['media-0', 'media-1', 'media-2'].map((node) =>
      sample('kube_node_spec_taint', { node, key: 'meetscale.io/media', value: 'true', effect: 'NoSchedule' }, 1),
    ),
    '# TYPE kube_daemonset_status_number_available gauge',
    sample('kube_daemonset_status_number_available', { namespace: 'turn', daemonset: 'coturn' }, 2),
    '# TYPE certmanager_certificate_expiration_timestamp_seconds gauge',
    sample('certmanager_certificate_expiration_timestamp_seconds', { namespace: NAMESPACE, name: 'meet-tls' }, 1_900_000_000),
  ];
};

/** bigbluebutton-exporter on one server. */
const bbbExporter: Exposition = () => [
  '# TYPE bbb_api_up gauge',
  'bbb_api_up 1',
  '# TYPE bbb_meetings gauge',
  'bbb_meetings 3',
  '# TYPE bbb_meetings_participants gauge',
  'bbb_meetings_participants 61',
  '# TYPE bbb_recordings_processing gauge',
  'bbb_recordings_processing 1',
  '# TYPE bbb_recordings_unprocessed gauge',
  'bbb_recordings_unprocessed 0',
  '# TYPE bbb_recordings_published gauge',
  'bbb_recordings_published 12',
];

/** node-exporter on the same server. */
const nodeExporter: Exposition = (seconds) => [
  '# TYPE node_load1 gauge',
  'node_load1 1.5',
  '# TYPE node_memory_MemAvailable_bytes gauge',
  'node_memory_MemAvailable_bytes 6e9',
  '# TYPE node_memory_MemTotal_bytes gauge',
  'node_memory_MemTotal_bytes 12e9',
  '# TYPE node_cpu_seconds_total counter',
  ...['0', '1'].flatMap((cpu) => [
    sample('node_cpu_seconds_total', { cpu, mode: 'idle' }, 1000 + seconds * 0.6),
    sample('node_cpu_seconds_total', { cpu, mode: 'user' }, 500 + seconds * 0.4),
  ]),
];

/** The BigBlueButton autoscaler: Scalelite's view of the server. */
const bbbAutoscaler: Exposition = () => [
  '# TYPE meetscale_bbb_server_state gauge',
  ...['enabled', 'cordoned', 'disabled'].map((state) =>
    sample('meetscale_bbb_server_state', { server: BBB_SERVER, state }, state === 'enabled' ? 1 : 0),
  ),
  '# TYPE meetscale_bbb_server_online gauge',
  sample('meetscale_bbb_server_online', { server: BBB_SERVER }, 1),
  '# TYPE meetscale_bbb_server_load gauge',
  sample('meetscale_bbb_server_load', { server: BBB_SERVER }, 61),
];

interface Grouped {
  readonly groups: Array<{ name: string; rules: Array<Record<string, unknown>> }>;
}

/** The chart's rule groups and dashboards, rendered with every area on and the two tested alerts quick to fire. */
function renderMonitoring(): { rules: Grouped; dashboards: Record<string, unknown> } {
  const rendered = renderChart(4, 'monitoring', {
    valuesFiles: [`${chartDir('monitoring')}/ci/01-state-with-bigbluebutton-values.yaml`],
    values: { jitsi: { bridgeStress: { for: '2s' } }, haproxy: { backendDown: { for: '1s' } } },
  });
  if (rendered.status !== 0) throw new Error(`helm template failed: ${rendered.stderr}`);
  const groups = rendered.manifests
    .filter((manifest) => manifest.kind === 'PrometheusRule')
    .flatMap((manifest) => (manifest.spec as Grouped).groups);
  const dashboards = Object.fromEntries(
    rendered.manifests
      .filter((manifest: Manifest) => manifest.kind === 'ConfigMap')
      .flatMap((manifest) => Object.entries((manifest.data ?? {}) as Record<string, string>))
      .map(([file, json]) => [file, JSON.parse(json) as unknown]),
  );
  return { rules: { groups }, dashboards };
}

/** Every `expr` of a dashboard's panels, with the panel's title. */
function panelQueries(dashboard: unknown): Array<{ panel: string; expr: string }> {
  const panels = (dashboard as { panels?: Array<Record<string, unknown>> }).panels ?? [];
  return panels.flatMap((panel) => [
    ...((panel.targets as Array<{ expr?: string }> | undefined) ?? []).flatMap((target) =>
      target.expr === undefined ? [] : [{ panel: String(panel.title), expr: target.expr }],
    ),
    ...panelQueries(panel),
  ]);
}

/** A query with the dashboard's variables set to "All" (`.+`) and Grafana's rate interval to a minute. */
const substituted = (expr: string): string => expr.replaceAll('$__rate_interval', '1m').replace(/\$\{?(namespace|shard|server)\}?/g, '.+');

let prometheus: RunningPrometheus | undefined;
let haproxy: HaproxyHandle | undefined;
const exporters: FakeExporter[] = [];
const shards: FakeShard[] = [];
let ticker: NodeJS.Timeout | undefined;
let stress = 0.3;
const rendered = renderMonitoring();

/** The running Prometheus (started in beforeAll). */
function server(): RunningPrometheus {
  if (prometheus === undefined) throw new Error('Prometheus did not start');
  return prometheus;
}

beforeAll(async () => {
  // HAProxy as the haproxy chart configures it, in front of two fake shards, health-checked every 200 ms.
  for (const name of ['shard-0', 'shard-1']) shards.push(await startFakeShard(name, SHARD_HEALTH_PATH));
  const haproxyRender = renderChart(4, 'haproxy', {
    release: 'entry',
    namespace: NAMESPACE,
    values: {
      replicaCount: 1,
      maxConnections: 1000,
      shards: shards.map((fake) => ({ name: fake.name, host: '127.0.0.1', port: fake.port })),
      healthCheck: { interval: '200ms', fall: 2, rise: 2 },
    },
  });
  if (haproxyRender.status !== 0) throw new Error(`helm template haproxy failed: ${haproxyRender.stderr}`);
  const cfg = configMapEntry(haproxyRender.manifests, 'haproxy.cfg');
  const ports = await allocateLoopbackPorts(
    cfg,
    {},
    shards.map((fake) => fake.port),
  );
  haproxy = await startHaproxy(loopbackConfig(cfg, ports), 'entry-haproxy-0');

  // The fake exporters, their counters advanced every 250 ms.
  const start = Date.now();
  const expositions: Array<{ exposition: Exposition; job: string; labels: Record<string, string> }> = [
    {
      exposition: bridge(() => stress),
      job: `${NAMESPACE}/${SHARD}-jitsi-shard-jvb`,
      labels: { namespace: NAMESPACE, shard: SHARD, pod: `${SHARD}-jitsi-shard-jvb-0` },
    },
    {
      exposition: bridge(() => 0.2),
      job: `${NAMESPACE}/${SHARD}-jitsi-shard-jvb`,
      labels: { namespace: NAMESPACE, shard: SHARD, pod: `${SHARD}-jitsi-shard-jvb-1` },
    },
    {
      exposition: jicofo,
      job: `${SHARD}-jitsi-shard-jicofo`,
      labels: { namespace: NAMESPACE, shard: SHARD, pod: `${SHARD}-jitsi-shard-jicofo-0` },
    },
    { exposition: cluster, job: 'kube-state-metrics', labels: {} },
    { exposition: bbbExporter, job: 'bigbluebutton-exporter', labels: { server: BBB_SERVER } },
    { exposition: nodeExporter, job: 'bigbluebutton-node-exporter', labels: { server: BBB_SERVER } },
    { exposition: bbbAutoscaler, job: 'bbb-autoscaler', labels: {} },
  ];
  const text = (exposition: Exposition): string => `${exposition((Date.now() - start) / 1000).join('\n')}\n`;
  for (const { exposition } of expositions) exporters.push(await startFakeExporter(text(exposition)));
  ticker = setInterval(() => expositions.forEach(({ exposition }, index) => exporters[index]?.set(text(exposition))), 250);

  prometheus = await startPrometheus({
    scrapeConfigs: [
      ...expositions.map(({ job, labels }, index) => ({
        job_name: `fake-${index}`,
        static_configs: [{ targets: [exporters[index]?.target], labels: { job, ...labels } }],
        honor_labels: true,
      })),
      {
        job_name: 'haproxy',
        static_configs: [
          { targets: [`127.0.0.1:${ports.frontendPorts.metrics}`], labels: { namespace: NAMESPACE, pod: 'entry-haproxy-0' } },
        ],
      },
    ],
    ruleFiles: { 'monitoring.yaml': YAML.stringify(rendered.rules) },
  });
}, 60_000);

afterAll(async () => {
  if (ticker !== undefined) clearInterval(ticker);
  await Promise.allSettled([
    prometheus?.stop(),
    haproxy?.stop(),
    ...exporters.map((exporter) => exporter.stop()),
    ...shards.map((shard) => shard.stop()),
  ]);
}, 20_000);

test('the rules load and evaluate without errors', async () => {
  const groups = await server().waitFor(
    async () => {
      const current = await server().rules();
      return current.every((group) => group.rules.every((rule) => rule.health === 'ok')) && current.length > 0 ? current : undefined;
    },
    { timeoutMs: 20_000, what: 'every rule evaluated once' },
  );
  expect(groups.map((group) => group.name).sort()).toEqual(rendered.rules.groups.map((group) => group.name).sort());
});

test('every dashboard panel query returns data', async () => {
  // traffic through HAProxy's http frontend, so its request and response counters move
  const http = haproxy?.ports.http;
  if (http === undefined) throw new Error('HAProxy has no http frontend port');
  for (let request = 0; request < 20; request += 1) await httpGet(http, `/http-bind?room=lesson-${request}`);
  const queries = Object.entries(rendered.dashboards).flatMap(([file, dashboard]) =>
    panelQueries(dashboard).map((query) => ({ file, ...query, expr: substituted(query.expr) })),
  );
  expect(queries.length).toBeGreaterThan(40);
  const empty = await server()
    .waitFor(
      async () => {
        const missing: typeof queries = [];
        for (const query of queries) if ((await server().query(query.expr)).length === 0) missing.push(query);
        return missing.length === 0 ? missing : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 1_000, what: 'data for every panel' },
    )
    .catch(async () => {
      const missing: typeof queries = [];
      for (const query of queries) if ((await server().query(query.expr)).length === 0) missing.push(query);
      return missing;
    });
  expect(empty).toEqual([]);
});

test('a bridge under stress raises JitsiBridgeStressHigh, which clears when the stress goes away', async () => {
  const firing = async () =>
    (await server().alerts()).find((alert) => alert.labels.alertname === 'JitsiBridgeStressHigh' && alert.state === 'firing');
  expect(await firing()).toBeUndefined();
  stress = 0.95;
  const alert = await server().waitFor(firing, { timeoutMs: 20_000, what: 'JitsiBridgeStressHigh firing' });
  expect(alert.labels).toMatchObject({ namespace: NAMESPACE, shard: SHARD, pod: `${SHARD}-jitsi-shard-jvb-0`, severity: 'warning' });
  expect(alert.annotations.description).toBe(`Bridge ${SHARD}-jitsi-shard-jvb-0 of shard ${SHARD} runs at stress 950m.`);
  stress = 0.3;
  await server().waitFor(async () => (await firing()) === undefined, { timeoutMs: 20_000, what: 'JitsiBridgeStressHigh cleared' });
});

test('a shard the real HAProxy finds down raises HAProxyShardBackendDown, which clears when it is back', async () => {
  const firing = async () =>
    (await server().alerts()).find((alert) => alert.labels.alertname === 'HAProxyShardBackendDown' && alert.state === 'firing');
  expect(await firing()).toBeUndefined();
  const shard = shards[1];
  if (shard === undefined) throw new Error('no second fake shard');
  shard.setHealth('down');
  const alert = await server().waitFor(firing, { timeoutMs: 20_000, what: 'HAProxyShardBackendDown firing' });
  expect(alert.labels).toMatchObject({ proxy: 'shards', server: 'shard-1', state: 'DOWN', severity: 'critical' });
  shard.setHealth('ready');
  await server().waitFor(async () => (await firing()) === undefined, { timeoutMs: 20_000, what: 'HAProxyShardBackendDown cleared' });
});
