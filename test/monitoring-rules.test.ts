/**
 * The monitoring chart's rules, as `helm template` renders them, checked by the real `promtool` of the Prometheus the
 * state's kube-prometheus-stack runs: they load (`check rules`), every alert fires in its firing case and stays quiet
 * in its quiet case (`test rules`), the recording rules compute what dashboards read, and every expression names only
 * metrics the components really serve (the metric catalog) or the chart's own recording rules.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { cataloguedSeries } from '@meetscale/metric-catalog';
import { ensurePrometheusTools, promqlNames } from '@meetscale/prometheus-tools';
import YAML from 'yaml';

import { ALERT_CASES, type InputSeries } from './monitoring-alert-cases';
import { chartDir, type Manifest, renderChart } from './support/charts';

interface Rule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

interface RuleGroup {
  readonly name: string;
  readonly rules: Rule[];
}

/** The rule groups of every PrometheusRule a render holds. */
function ruleGroups(manifests: readonly Manifest[]): RuleGroup[] {
  return manifests
    .filter((manifest) => manifest.kind === 'PrometheusRule')
    .flatMap((manifest) => (manifest.spec as { groups: RuleGroup[] }).groups);
}

/** The chart rendered with every area on. */
function renderAllAreas(values?: unknown): RuleGroup[] {
  const rendered = renderChart(4, 'monitoring', {
    valuesFiles: [join(chartDir('monitoring'), 'ci', '01-state-with-bigbluebutton-values.yaml')],
    values,
  });
  if (rendered.status !== 0) throw new Error(`helm template failed: ${rendered.stderr}`);
  return ruleGroups(rendered.manifests);
}

const groups = renderAllAreas();
const rules = groups.flatMap((group) => group.rules);
const alerts = rules.filter((rule): rule is Rule & { alert: string } => rule.alert !== undefined);
const records = new Set(rules.flatMap((rule) => (rule.record === undefined ? [] : [rule.record])));

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'monitoring-rules-'));
  writeFileSync(join(dir, 'rules.yaml'), YAML.stringify({ groups }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function promtool(args: string[]): { status: number | null; output: string } {
  const result = spawnSync(ensurePrometheusTools().promtool, args, { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** A promtool test group: the input series and one alert's expectation at one time. */
function testGroup(name: string, series: readonly InputSeries[], at: string, alertname: string, expAlerts: object[]): object {
  return {
    name,
    interval: '1m',
    input_series: series.map((item) => ({ series: item.series, values: item.values })),
    alert_rule_test: [{ eval_time: at, alertname, exp_alerts: expAlerts }],
  };
}

test('the rules load in the pinned promtool', () => {
  expect(alerts.length).toBeGreaterThan(15);
  const result = promtool(['check', 'rules', 'rules.yaml']);
  expect({ status: result.status, output: result.output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
});

test('every alert has a firing and a quiet case, and no case names an alert the chart lacks', () => {
  expect(Object.keys(ALERT_CASES).sort()).toEqual(alerts.map((alert) => alert.alert).sort());
});

test('every alert fires in its firing case with its labels and description, and stays quiet in its quiet case', () => {
  const tests = alerts.flatMap((alert) => {
    const cases = ALERT_CASES[alert.alert];
    if (cases === undefined) return [];
    const expected = {
      // the rule's own labels (the scenario's `state`), then what the case states: a rule with another severity fails
      exp_labels: { ...alert.labels, severity: cases.firing.severity, ...cases.firing.labels },
      exp_annotations: {
        summary: alert.annotations?.summary,
        description: cases.firing.description,
        runbook_url: alert.annotations?.runbook_url,
      },
    };
    return [
      testGroup(`${alert.alert} fires`, cases.firing.series, cases.firing.at, alert.alert, [expected]),
      testGroup(`${alert.alert} stays quiet`, cases.quiet.series, cases.quiet.at, alert.alert, []),
    ];
  });
  writeFileSync(join(dir, 'alerts.test.yaml'), YAML.stringify({ rule_files: ['rules.yaml'], evaluation_interval: '1m', tests }));
  const result = promtool(['test', 'rules', 'alerts.test.yaml']);
  expect({ status: result.status, output: result.output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
});

test('a broken case fails: promtool really compares the description', () => {
  const [alert] = alerts;
  const cases = alert === undefined ? undefined : ALERT_CASES[alert.alert];
  if (alert === undefined || cases === undefined) throw new Error('no alert to break');
  const wrong = {
    exp_labels: { ...alert.labels, ...cases.firing.labels },
    exp_annotations: { summary: alert.annotations?.summary, description: 'not what it says', runbook_url: alert.annotations?.runbook_url },
  };
  writeFileSync(
    join(dir, 'broken.test.yaml'),
    YAML.stringify({
      rule_files: ['rules.yaml'],
      tests: [testGroup('broken', cases.firing.series, cases.firing.at, alert.alert, [wrong])],
    }),
  );
  expect(promtool(['test', 'rules', 'broken.test.yaml']).status).not.toBe(0);
});

test('the recording rules compute what the dashboards read', () => {
  const shard = 'namespace="video", shard="shard-0"';
  const tests = [
    {
      name: 'per-shard bridges and participants',
      interval: '1m',
      input_series: [
        { series: `jitsi_jvb_stress{${shard}, pod="jvb-0"}`, values: '0.9x5' },
        { series: `jitsi_jvb_stress{${shard}, pod="jvb-1"}`, values: '0.3x5' },
        { series: `jitsi_jvb_stress{${shard}, pod="jvb-2"}`, values: '0.85x5' },
        { series: `jitsi_jvb_graceful_shutdown{${shard}, pod="jvb-0"}`, values: '0x5' },
        { series: `jitsi_jvb_graceful_shutdown{${shard}, pod="jvb-1"}`, values: '1x5' },
        { series: `jitsi_jvb_graceful_shutdown{${shard}, pod="jvb-2"}`, values: '0x5' },
        { series: `jitsi_jicofo_participants_current{${shard}, pod="jicofo"}`, values: '42x5' },
      ],
      promql_expr_test: [
        {
          expr: 'shard:jitsi_jvb_bridges:count',
          eval_time: '4m',
          exp_samples: [{ labels: `shard:jitsi_jvb_bridges:count{${shard}}`, value: 3 }],
        },
        {
          expr: 'shard:jitsi_jvb_bridges_busy:count',
          eval_time: '4m',
          exp_samples: [{ labels: `shard:jitsi_jvb_bridges_busy:count{${shard}}`, value: 2 }],
        },
        {
          expr: 'shard:jitsi_jvb_bridges_draining:count',
          eval_time: '4m',
          exp_samples: [{ labels: `shard:jitsi_jvb_bridges_draining:count{${shard}}`, value: 1 }],
        },
        {
          expr: 'shard:jitsi_jvb_stress:max',
          eval_time: '4m',
          exp_samples: [{ labels: `shard:jitsi_jvb_stress:max{${shard}}`, value: 0.9 }],
        },
        {
          expr: 'shard:jitsi_jicofo_participants:sum',
          eval_time: '4m',
          exp_samples: [{ labels: `shard:jitsi_jicofo_participants:sum{${shard}}`, value: 42 }],
        },
      ],
    },
    {
      name: 'the entry point error ratio',
      interval: '1m',
      input_series: [
        { series: 'haproxy_frontend_http_responses_total{proxy="http", code="2xx", pod="haproxy-0"}', values: '0+95x20' },
        { series: 'haproxy_frontend_http_responses_total{proxy="http", code="5xx", pod="haproxy-0"}', values: '0+5x20' },
        { series: 'haproxy_frontend_http_responses_total{proxy="metrics", code="5xx", pod="haproxy-0"}', values: '0+100x20' },
      ],
      promql_expr_test: [
        {
          expr: 'entrypoint:haproxy_http_5xx:ratio_rate5m',
          eval_time: '15m',
          exp_samples: [{ labels: 'entrypoint:haproxy_http_5xx:ratio_rate5m', value: 0.05 }],
        },
      ],
    },
  ];
  writeFileSync(join(dir, 'records.test.yaml'), YAML.stringify({ rule_files: ['rules.yaml'], evaluation_interval: '1m', tests }));
  const result = promtool(['test', 'rules', 'records.test.yaml']);
  expect({ status: result.status, output: result.output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
});

test('every rule names only series the components serve, or the chart records', () => {
  const served = cataloguedSeries();
  const parsed = promqlNames(rules.map((rule) => rule.expr));
  expect(parsed.filter((result) => result.error !== undefined || result.unnamed.length > 0)).toEqual([]);
  const unknown = parsed.flatMap((result) =>
    result.names.filter((name) => !served.has(name) && !records.has(name)).map((name) => ({ name, expr: result.expr })),
  );
  expect(unknown).toEqual([]);
});

test('a rule on a name no component serves would be caught', () => {
  const served = cataloguedSeries();
  const [result] = promqlNames(['sum(jitsi_jvb_participants_total)']);
  expect(result?.names.filter((name) => !served.has(name) && !records.has(name))).toEqual(['jitsi_jvb_participants_total']);
});

test('each alert links its runbook, and the values move the thresholds', () => {
  for (const alert of alerts) {
    expect(alert.annotations?.runbook_url).toBe(
      `https://github.com/meetscale/meetscale/blob/main/packages/monitoring/runbooks/${alert.alert}.md`,
    );
  }
  const tuned = renderAllAreas({ jitsi: { bridgeStressThreshold: 0.65 }, mediaPool: { maxNodes: 7 } }).flatMap((group) => group.rules);
  expect(tuned.find((rule) => rule.alert === 'JitsiBridgeStressHigh')?.expr).toMatch(/> 0\.65$/);
  expect(tuned.find((rule) => rule.alert === 'MediaNodePoolAtMaximum')?.expr).toBe('state:media_nodes:count >= 7');
});
