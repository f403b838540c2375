/**
 * The Prometheus harness of `@meetscale/local-state` (`tools/local-state/src/prometheus.ts`): the real server scrapes a fake exporter on loopback, records
 * a rule over what it scraped, and fires and clears an alert as the exporter's value changes.
 */
import { type FakeExporter, type RunningPrometheus, startFakeExporter, startPrometheus } from '@meetscale/local-state';

jest.setTimeout(90_000);

const gauge = (value: number): string => `# HELP bridge_stress How loaded the bridge is.
# TYPE bridge_stress gauge
bridge_stress{bridge="jvb-0"} ${value}
`;

const RULES = `groups:
  - name: bridge
    rules:
      - record: bridge:stress:max
        expr: max(bridge_stress)
      - alert: BridgeOverloaded
        expr: bridge_stress > 0.8
        for: 0s
        labels: { severity: warning }
        annotations: { summary: "{{ $labels.bridge }} is at {{ $value }}" }
`;

let exporter: FakeExporter;
let prometheus: RunningPrometheus;

beforeAll(async () => {
  // GIVEN a fake exporter serving a gauge, scraped every second by Prometheus with a recording and an alerting rule
  exporter = await startFakeExporter(gauge(0.2));
  prometheus = await startPrometheus({
    scrapeConfigs: [{ job_name: 'bridges', static_configs: [{ targets: [exporter.target] }] }],
    ruleFiles: { 'bridge.yaml': RULES },
  });
});

afterAll(async () => {
  await prometheus?.stop();
  await exporter?.stop();
});

const stressAlerts = async (): Promise<Array<{ state: string; bridge: string | undefined; summary: string | undefined }>> =>
  (await prometheus.alerts())
    .filter((alert) => alert.labels.alertname === 'BridgeOverloaded')
    .map((alert) => ({ state: alert.state, bridge: alert.labels.bridge, summary: alert.annotations.summary }));

test('the exporter serves its current text on /metrics, and nothing elsewhere', async () => {
  const metrics = await fetch(exporter.url);
  expect(metrics.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  expect(await metrics.text()).toBe(gauge(0.2));
  expect((await fetch(`http://${exporter.target}/other`)).status).toBe(404);
});

test('a recording rule over the scraped gauge yields its value', async () => {
  // WHEN the target has been scraped and the rule evaluated
  const recorded = await prometheus.waitFor(
    async () => {
      const [sample] = await prometheus.query('bridge:stress:max');
      return sample === undefined ? undefined : sample;
    },
    { timeoutMs: 25_000, what: 'bridge:stress:max to be recorded' },
  );
  // THEN it holds the exporter's value, and the rule is healthy
  expect(recorded.value[1]).toBe('0.2');
  const [group] = await prometheus.rules();
  expect(group?.rules.map((rule) => ({ name: rule.name, health: rule.health }))).toEqual([
    { name: 'bridge:stress:max', health: 'ok' },
    { name: 'BridgeOverloaded', health: 'ok' },
  ]);
  expect(await stressAlerts()).toEqual([]);
});

test('an alert with `for: 0s` fires when the gauge crosses its threshold and clears when it falls back', async () => {
  // WHEN the gauge rises above 0.8
  exporter.set(gauge(0.9));
  // THEN the alert fires at the next evaluation after the next scrape
  const firing = await prometheus.waitFor(
    async () => {
      const alerts = await stressAlerts();
      return alerts.length > 0 && alerts;
    },
    { timeoutMs: 25_000, what: 'BridgeOverloaded to fire' },
  );
  expect(firing).toEqual([{ state: 'firing', bridge: 'jvb-0', summary: 'jvb-0 is at 0.9' }]);
  // WHEN it falls back below
  exporter.set(gauge(0.3));
  // THEN the alert is no longer active
  await prometheus.waitFor(async () => (await stressAlerts()).length === 0, { timeoutMs: 25_000, what: 'BridgeOverloaded to clear' });
  expect((await prometheus.query('bridge_stress'))[0]?.value[1]).toBe('0.3');
});

test('a query Prometheus refuses is an error naming the query', async () => {
  await expect(prometheus.query('sum(')).rejects.toThrow(/^GET \/api\/v1\/query\?query=sum\(: 400 .*parse error/);
});
