import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';

/** `T` as JSON carries it: without methods (the SDK marks its queries with one). */
export type Json<T> = T extends (...args: never[]) => unknown
  ? never
  : T extends readonly (infer U)[]
    ? Json<U>[]
    : T extends object
      ? { [K in keyof T as T[K] extends (...args: never[]) => unknown ? never : K]: Json<T[K]> }
      : T;

/** A dashboard as Grafana reads it from a file: the SDK's model, as plain JSON. */
export type DashboardModel = Json<dashboard.Dashboard>;

/** The Prometheus every panel, query and variable reads: the one the `datasource` variable selects. */
export const DATASOURCE: common.DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

/** The value of a variable's "All": any non-empty label value (`.*` would also match series without the label). */
const ALL = '.+';

/**
 * A dashboard with what every meetscale dashboard shares: the `meetscale` tag, the `datasource` variable, the last
 * 6 hours refreshed every 30 s, and no editing in Grafana (the chart is the source).
 */
export function meetscaleDashboard(uid: string, title: string, tags: readonly string[]): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(title)
    .uid(uid)
    .tags(['meetscale', ...tags])
    .readonly()
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('browser')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .withVariable(new dashboard.DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'));
}

/** A variable of label values (`label_values(...)`), several at once or all of them. */
export function labelVariable(name: string, label: string, query: string): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder(name)
    .label(label)
    .datasource(DATASOURCE)
    .query(query)
    .definition(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.NaturalAsc)
    .multi(true)
    .includeAll(true)
    .allValue(ALL);
}

/** A PromQL query of the dashboard's Prometheus; `legend` names its series with `{{label}}`. */
export function query(expr: string, legend: string): prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder().datasource(DATASOURCE).expr(expr).legendFormat(legend);
}

/** What every panel states: its title, what it shows, its queries and its size on the grid of 24 columns. */
export interface PanelSpec {
  readonly title: string;
  /** What the panel shows and how to read it (Grafana's panel info). */
  readonly description: string;
  readonly queries: readonly prometheus.DataqueryBuilder[];
  /** Grafana's unit of the values. @default - none */
  readonly unit?: string;
  /** Columns of 24. @default 12 */
  readonly width?: number;
  /** Grid rows. @default 8 */
  readonly height?: number;
}

/** What the panel builders of the SDK have in common. */
interface PanelBuilder<T> {
  title(title: string): T;
  description(description: string): T;
  datasource(datasource: common.DataSourceRef): T;
  withTarget(target: cog.Builder<cog.Dataquery>): T;
  span(w: number): T;
  height(h: number): T;
  unit(unit: string): T;
}

function withSpec<T extends PanelBuilder<T>>(panel: T, spec: PanelSpec, instant: boolean): T {
  let built = panel
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .span(spec.width ?? 12)
    .height(spec.height ?? 8);
  if (spec.unit !== undefined) built = built.unit(spec.unit);
  spec.queries.forEach((target, index) => {
    const refId = String.fromCharCode('A'.charCodeAt(0) + index);
    built = built.withTarget(instant ? target.refId(refId).instant() : target.refId(refId));
  });
  return built;
}

/** Lines over time. */
export function timeseriesPanel(spec: PanelSpec): timeseries.PanelBuilder {
  return withSpec(new timeseries.PanelBuilder(), spec, false)
    .min(0)
    .lineWidth(1)
    .fillOpacity(10)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom),
    );
}

/** Values now, one tile per series, with a sparkline of the last hours. */
export function statPanel(spec: PanelSpec): stat.PanelBuilder {
  return withSpec(new stat.PanelBuilder(), spec, false)
    .graphMode(common.BigValueGraphMode.Area)
    .colorMode(common.BigValueColorMode.None)
    .textMode(common.BigValueTextMode.ValueAndName)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
}

/** Values now as bars, one per series (queried at the dashboard's end time). */
export function barGaugePanel(spec: PanelSpec): bargauge.PanelBuilder {
  return withSpec(new bargauge.PanelBuilder(), spec, true)
    .displayMode(common.BarGaugeDisplayMode.Basic)
    .orientation(common.VizOrientation.Horizontal)
    .showUnfilled(true)
    .min(0)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
}

/** A state per series over time (0/1 series, coloured by `mappings`). */
export function stateTimelinePanel(spec: PanelSpec, mappings: dashboard.ValueMapping[]): statetimeline.PanelBuilder {
  return withSpec(new statetimeline.PanelBuilder(), spec, false)
    .mappings(mappings)
    .showValue(common.VisibilityMode.Never)
    .mergeValues(true)
    .fillOpacity(80)
    .legend(new common.VizLegendOptionsBuilder().showLegend(false));
}

/** A value mapping of 0/1 series: 1 reads `on` in colour `onColor`, 0 reads `off` in `offColor`. */
export function binaryMapping(on: string, onColor: string, off: string, offColor: string): dashboard.ValueMapping {
  return {
    type: dashboard.MappingType.ValueToText,
    options: { '1': { text: on, color: onColor, index: 0 }, '0': { text: off, color: offColor, index: 1 } },
  };
}

/** A full-width row heading the panels added after it. */
export function row(title: string): dashboard.RowBuilder {
  return new dashboard.RowBuilder(title).datasource(DATASOURCE);
}

/** The model of `builder` as Grafana reads it: plain JSON, each panel numbered in its order. */
export function toModel(builder: dashboard.DashboardBuilder): DashboardModel {
  const model = JSON.parse(JSON.stringify(builder.build())) as DashboardModel;
  model.panels?.forEach((panel, index) => {
    panel.id = index + 1;
  });
  return model;
}
