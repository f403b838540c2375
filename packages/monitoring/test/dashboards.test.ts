import type { HelmChart } from '@meetscale/chart-toolkit';
import { cataloguedSeries } from '@meetscale/metric-catalog';

import { ruleAreas } from '../src/alerts';
import { type DashboardModel, DASHBOARDS } from '../src/dashboards';
import { type MonitoringValues, monitoringValues } from '../src/values';

/** A query as the SDK builds it for Prometheus. */
interface Target {
  readonly expr?: string;
  readonly legendFormat?: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
}

/** A panel of the model, rows included. */
interface Panel {
  readonly type: string;
  readonly title?: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
  readonly targets?: readonly Target[];
  readonly gridPos?: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
}

/** A template variable of the model. */
interface Variable {
  readonly type: string;
  readonly name: string;
  readonly query?: unknown;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
}

const built: ReadonlyArray<readonly [string, DashboardModel]> = Object.entries(DASHBOARDS).map(([file, build]) => [file, build()]);
const panelsOf = (model: DashboardModel): Panel[] => (model.panels ?? []) as Panel[];
const dataPanels = (model: DashboardModel): Panel[] => panelsOf(model).filter((panel) => panel.type !== 'row');
const variablesOf = (model: DashboardModel): Variable[] => (model.templating?.list ?? []) as Variable[];

/** Every query of every dashboard: panel targets and `label_values(...)` variables, with where each is. */
const queries: ReadonlyArray<{ readonly where: string; readonly expr: string; readonly legend?: string }> = built.flatMap(
  ([file, model]) => [
    ...dataPanels(model).flatMap((panel) =>
      (panel.targets ?? []).map((target) => ({ where: `${file} "${panel.title}"`, expr: target.expr ?? '', legend: target.legendFormat })),
    ),
    ...variablesOf(model)
      .filter((variable) => variable.type === 'query')
      .map((variable) => ({
        where: `${file} $${variable.name}`,
        expr: /^label_values\((.+),\s*\w+\)$/.exec(String(variable.query))?.[1] ?? String(variable.query),
      })),
  ],
);

/** The dashboards' variables queries may use, and Grafana's range interval. */
const VARIABLES = new Set(['datasource', 'namespace', 'shard', 'server']);
const PROMQL_KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'inf',
  'nan',
]);

/** The metric names `expr` reads: its identifiers outside strings, matchers, ranges and label lists, other than functions and keywords. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  return [...bare.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\(?)/g)]
    .filter(([, , call]) => call === '')
    .map(([, name = '']) => name)
    .filter((name) => !PROMQL_KEYWORDS.has(name.toLowerCase()));
}

/** The labels a series of `expr` can carry by a simple reading: those of its `by (...)` clauses and of its selectors. */
function resultLabels(expr: string): Set<string> {
  const labels = new Set<string>();
  for (const [, list = ''] of expr.matchAll(/\bby\s*\(([^)]*)\)/g)) for (const label of list.split(',')) labels.add(label.trim());
  for (const [, selector = ''] of expr.matchAll(/\{([^}]*)\}/g))
    for (const [, label = ''] of selector.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)) labels.add(label);
  return labels;
}

/** A stand-in for the chart with its default values: the rules' names do not depend on the release. */
const recordingRules = new Set(
  ruleAreas({ values: monitoringValues.parse({}) } as unknown as HelmChart<MonitoringValues>).flatMap((area) =>
    area.recording.map((rule) => rule.record),
  ),
);

describe('the dashboards of the monitoring chart', () => {
  test('GIVEN DASHBOARDS THEN it holds the four dashboards by file name, each with its stable uid', () => {
    expect(Object.fromEntries(built.map(([file, model]) => [file, model.uid]))).toEqual({
      'state-overview.json': 'meetscale-state-overview',
      'jitsi-shard.json': 'meetscale-jitsi-shard',
      'haproxy.json': 'meetscale-haproxy',
      'bigbluebutton.json': 'meetscale-bigbluebutton',
    });
    expect(new Set(built.map(([, model]) => model.uid)).size).toBe(built.length);
  });

  test.each(built)('GIVEN %s THEN it is tagged meetscale, read-only, refreshed every 30 s over the last 6 hours', (_file, model) => {
    expect(model.tags?.[0]).toBe('meetscale');
    expect(model.editable).toBe(false);
    expect(model.refresh).toBe('30s');
    expect(model.time).toEqual({ from: 'now-6h', to: 'now' });
  });

  test.each(built)('GIVEN %s THEN its first variable selects the Prometheus every panel and query reads', (_file, model) => {
    expect(variablesOf(model)[0]).toMatchObject({ type: 'datasource', name: 'datasource', query: 'prometheus' });
    for (const variable of variablesOf(model).filter((v) => v.type === 'query'))
      expect(variable.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
    expect(dataPanels(model).length).toBeGreaterThan(0);
    for (const panel of dataPanels(model)) {
      expect({ panel: panel.title, datasource: panel.datasource }).toEqual({
        panel: panel.title,
        datasource: { type: 'prometheus', uid: '${datasource}' },
      });
      expect((panel.targets ?? []).filter((target) => (target.expr ?? '') !== '').length).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) expect(target.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
    }
  });

  test.each(built)('GIVEN %s THEN its panels lie within the 24 columns and none overlaps another', (_file, model) => {
    const boxes = panelsOf(model).map((panel) => ({ title: panel.title, ...panel.gridPos! }));
    for (const box of boxes) expect(box.x + box.w).toBeLessThanOrEqual(24);
    const overlapping = boxes.flatMap((a, i) =>
      boxes
        .slice(i + 1)
        .filter((b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h)
        .map((b) => `${a.title} / ${b.title}`),
    );
    expect(overlapping).toEqual([]);
  });

  test.each(built)('GIVEN %s WHEN serialised to JSON and read back THEN it is unchanged', (_file, model) => {
    expect(JSON.parse(JSON.stringify(model))).toStrictEqual(model);
  });

  test('GIVEN every query THEN each metric it reads is catalogued or a recording rule of the chart', () => {
    const known = cataloguedSeries();
    const unknown = queries.flatMap(({ where, expr }) =>
      metricNames(expr)
        .filter((name) => !known.has(name) && !recordingRules.has(name))
        .map((name) => `${where}: ${name}`),
    );
    expect(unknown).toEqual([]);
    expect(queries.flatMap(({ expr }) => metricNames(expr))).toContain('shard:jitsi_jvb_stress:max');
  });

  test('GIVEN every query THEN it uses only the dashboards variables, in regex matchers, and $__rate_interval in ranges', () => {
    const misuses = queries.flatMap(({ where, expr }) => {
      const outsideRanges = expr.replace(/\[\$__rate_interval\]/g, '[1m]');
      const variables = [...outsideRanges.matchAll(/\$\{?(\w+)\}?/g)].map(([, name = '']) => name);
      const inRegexMatchers = [...outsideRanges.matchAll(/=~\s*"([^"]*)"/g)].flatMap(([, value = '']) =>
        [...value.matchAll(/\$\{?(\w+)\}?/g)].map(([, name = '']) => name),
      );
      return [
        ...variables.filter((name) => !VARIABLES.has(name)).map((name) => `${where}: unknown variable $${name}`),
        ...(variables.length === inRegexMatchers.length ? [] : [`${where}: a variable outside a regex matcher`]),
      ];
    });
    expect(misuses).toEqual([]);
  });

  test('GIVEN every legend THEN each {{label}} it names is a label its query keeps', () => {
    const missing = queries.flatMap(({ where, expr, legend = '' }) =>
      [...legend.matchAll(/\{\{\s*(\w+)\s*\}\}/g)]
        .map(([, label = '']) => label)
        .filter((label) => !resultLabels(expr).has(label))
        .map((label) => `${where}: {{${label}}} in "${expr}"`),
    );
    expect(missing).toEqual([]);
  });

  test('GIVEN the reading of queries THEN it finds metric names and kept labels as PromQL means them', () => {
    const expr = 'sum by (server) (rate(node_cpu_seconds_total{job="x", mode="idle"}[$__rate_interval])) or vector(0) / on (server) up';
    expect(metricNames(expr)).toEqual(['node_cpu_seconds_total', 'up']);
    expect([...resultLabels(expr)].sort()).toEqual(['job', 'mode', 'server']);
  });
});
