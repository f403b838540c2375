import type { PodSecurityLevel } from './chart-definition';

/** A metric other packages name when they use a chart: in prometheus-adapter rules, say. */
export interface MetricFact {
  /** The metric's name where the chart uses it: a Pods metric its autoscaler reads by default, say. */
  readonly name: string;
  /** The Prometheus series the metric is served from (the same as `name` when the chart reads the series itself). */
  readonly series: string;
}

/**
 * A prometheus-adapter rule (`rules.custom[]` of its chart): the series it finds, the name the custom metrics API
 * serves it under, and how the value is computed.
 */
export interface PrometheusAdapterRule {
  readonly seriesQuery: string;
  readonly resources: { readonly overrides: Readonly<Record<string, { readonly resource: string }>> };
  readonly name: { readonly matches: string; readonly as: string };
  readonly metricsQuery: string;
}

/** The Pod Security level a release of a chart needs, by the choice made in one value. */
export interface PodSecurityFact {
  /** The value whose choice decides the level, as a dotted path (`jvb.media.mode`). */
  readonly value: string;
  /** The level each choice needs. */
  readonly levels: Readonly<Record<string, PodSecurityLevel>>;
}

/**
 * What other packages rely on of a chart, stated once in the chart package (`src/facts.ts`) and published by
 * tools/synth as `@meetscale/chart-values/facts/<chart>`, with the chart's version and naming functions. The chart
 * code reads the same facts, so a fact that changes changes in both.
 */
export interface ChartFacts {
  /** The chart name, as in `Chart.yaml`. */
  readonly chart: string;
  /**
   * The chart's Services other releases address, by key: the component the Service name ends in
   * (`<fullname>-<component>`), or `''` for the Service named `<fullname>` itself.
   */
  readonly services: Readonly<Record<string, string>>;
  /**
   * Default ports of those Services, by the same keys.
   * @default - none
   */
  readonly ports?: Readonly<Record<string, number>>;
  /**
   * Metrics the chart produces or reads, by key.
   * @default - none
   */
  readonly metrics?: Readonly<Record<string, MetricFact>>;
  /**
   * The Pod Security level the namespace of a release must allow, when it depends on a value.
   * @default - none: every release runs under `restricted`
   */
  readonly podSecurity?: PodSecurityFact;
  /**
   * prometheus-adapter rules serving metrics of the platform as custom metrics (the bridges' autoscaler reads them),
   * for whoever installs prometheus-adapter (the state stack).
   * @default - none
   */
  readonly adapterRules?: readonly PrometheusAdapterRule[];
  /**
   * Names the chart's default values define that other packages refer to, by key: the log streams a state sets the
   * retention of, the role its users get. The chart's values take them from here, so the two cannot part.
   * @default - none
   */
  readonly names?: Readonly<Record<string, string | readonly string[]>>;
}

/** Whether an exported value is a chart's facts (how tools/synth finds them among a chart package's exports). */
export function isChartFacts(candidate: unknown): candidate is ChartFacts {
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof (candidate as { chart?: unknown }).chart === 'string' &&
    typeof (candidate as { services?: unknown }).services === 'object' &&
    !('build' in candidate)
  );
}

/**
 * Declares a chart's facts, keeping their literal types (`facts.services.web` is `'web'`), and checks that every
 * port names a Service.
 */
export function defineChartFacts<const F extends ChartFacts>(facts: F): F {
  for (const service of Object.keys(facts.ports ?? {})) {
    if (!(service in facts.services)) throw new Error(`Chart ${facts.chart}: the facts give a port of "${service}", which is no Service`);
  }
  return facts;
}
