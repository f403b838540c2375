/**
 * Metric names as the components' own sources declare them, and as Prometheus then serves them. Pure functions
 * over source text: `scripts/generate.ts` runs them over the sources at the pinned releases and writes
 * `src/generated/`.
 */

/** How a metric is served. */
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'info';

/** One metric a component emits. */
export interface CataloguedMetric {
  /** The metric's name, as the component declares it with its namespace (`jitsi_jvb_stress`). */
  readonly name: string;
  readonly type: MetricType;
  /** The series Prometheus stores for it (`_total` of a counter, `_bucket`/`_sum`/`_count` of a histogram). */
  readonly series: readonly string[];
  /** Where it is declared: the source file in the component's repository. */
  readonly source: string;
}

/**
 * The series Prometheus' Java simpleclient (which jicoco's metrics wrap) serves for a metric: a counter as
 * `<name>_total` (and `<name>_created`), a histogram as `_bucket`, `_sum`, `_count` (and `_created`), an info as
 * `<name>_info`, a gauge under its name.
 */
export function simpleclientSeries(name: string, type: MetricType): string[] {
  const base = type === 'counter' ? name.replace(/_total$/, '') : name;
  switch (type) {
    case 'counter':
      return [`${base}_total`, `${base}_created`];
    case 'histogram':
      return [`${base}_bucket`, `${base}_sum`, `${base}_count`, `${base}_created`];
    case 'info':
      return [`${base}_info`];
    case 'summary':
      return [base, `${base}_sum`, `${base}_count`, `${base}_created`];
    case 'gauge':
      return [base];
  }
}

/** jicoco's `MetricsContainer.register*` methods and the type each registers. */
const JICOCO_REGISTRATIONS: Readonly<Record<string, MetricType>> = {
  registerCounter: 'counter',
  registerLongGauge: 'gauge',
  registerDoubleGauge: 'gauge',
  registerBooleanMetric: 'gauge',
  registerHistogram: 'histogram',
  registerInfo: 'info',
};

/** A registration whose name is not a string literal (a variable, a template), which no catalog can name. */
export interface UnnamedRegistration {
  readonly source: string;
  readonly call: string;
}

/**
 * The metrics one Kotlin source file registers on a jicoco `MetricsContainer` whose namespace is `namespace`
 * (`jitsi_jvb`): every `register<Kind>("name", ...)` call with a literal name. Calls with a computed name are
 * returned apart, so the catalog says what it leaves out.
 */
export function jicocoMetrics(
  kotlin: string,
  namespace: string,
  source: string,
): { metrics: CataloguedMetric[]; unnamed: UnnamedRegistration[] } {
  const metrics: CataloguedMetric[] = [];
  const unnamed: UnnamedRegistration[] = [];
  const call = /\b(register(?:Counter|LongGauge|DoubleGauge|BooleanMetric|Histogram|Info))\s*\(\s*([^,)]*)/g;
  for (const match of kotlin.matchAll(call)) {
    const method = match[1] as string;
    const argument = (match[2] as string).trim();
    const literal = /^"([a-zA-Z_:][a-zA-Z0-9_:]*)"$/.exec(argument);
    if (literal === null) {
      unnamed.push({ source, call: `${method}(${argument.replace(/\s+/g, ' ')}` });
      continue;
    }
    const type = JICOCO_REGISTRATIONS[method] as MetricType;
    const name = `${namespace}_${literal[1]}`;
    metrics.push({ name, type, series: simpleclientSeries(name, type), source });
  }
  return { metrics, unnamed };
}

/** The gauges a Go file describes for a client_golang collector: each `prometheus.NewDesc("name", ...)`. */
function describedGauges(go: string, source: string): CataloguedMetric[] {
  return [...go.matchAll(/prometheus\.NewDesc\(\s*"([a-z_:][a-z0-9_:]*)"/g)].map((match) => {
    const name = match[1] as string;
    return { name, type: 'gauge', series: [name], source };
  });
}

/** The Prometheus value types of cAdvisor's metric declarations. */
const CADVISOR_TYPES: Readonly<Record<string, MetricType>> = { CounterValue: 'counter', GaugeValue: 'gauge' };

/**
 * The container metrics cAdvisor declares in `metrics/prometheus.go` (the kubelet serves them on
 * `/metrics/cadvisor`): each `name: "..."` declaration with the `valueType` that follows it before the next
 * declaration, and each `prometheus.NewDesc("...")` (the container spec and start-time gauges). cAdvisor's names
 * carry their suffix already, so each is its own series.
 */
export function cadvisorMetrics(go: string, source: string): CataloguedMetric[] {
  const declarations = [...go.matchAll(/\bname:\s*"([a-z_:][a-z0-9_:]*)"/g)];
  const declared = declarations.map((match, index): CataloguedMetric => {
    const name = match[1] as string;
    const until = declarations[index + 1]?.index ?? go.length;
    const valueType = /valueType:\s*prometheus\.(\w+)/.exec(go.slice(match.index, until))?.[1];
    return { name, type: CADVISOR_TYPES[valueType ?? ''] ?? 'gauge', series: [name], source };
  });
  return [...declared, ...describedGauges(go, source)];
}

/** Prometheus text-format types and the type the catalog records for each. */
const EXPOSITION_TYPES: Readonly<Record<string, MetricType>> = {
  counter: 'counter',
  gauge: 'gauge',
  histogram: 'histogram',
  untyped: 'gauge',
};

/**
 * The metric families a scrape in Prometheus' text format declares (`# TYPE <name> <type>`), as a program serves
 * them: HAProxy's exporter names its counters with `_total` already, so a family is its own series but for
 * histograms (`_bucket`, `_sum`, `_count`).
 */
export function exposedMetrics(scrape: string, source: string): CataloguedMetric[] {
  return [...scrape.matchAll(/^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (\w+)$/gm)].map((match) => {
    const name = match[1] as string;
    const type = EXPOSITION_TYPES[match[2] as string] ?? 'gauge';
    return { name, type, series: type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name], source };
  });
}

/**
 * The metric families one kube-state-metrics store file (`internal/store/*.go`) generates: the name of each
 * `NewFamilyGenerator[WithStability](name, help, metric.<Type>, ...)`, given as a string literal or as a constant
 * of the same file (`descPodLabelsName = "kube_pod_labels"`). Each family is its own series.
 */
export function kubeStateMetrics(go: string, source: string): CataloguedMetric[] {
  const constants = new Map(
    [...go.matchAll(/\b(\w+)\s*=\s*"([a-z_:][a-z0-9_:]*)"/g)].map((match) => [match[1] as string, match[2] as string]),
  );
  const generator =
    /NewFamilyGenerator(?:WithStability)?\(\s*("([a-z_:][a-z0-9_:]*)"|(\w+)),\s*(?:"(?:[^"\\]|\\.)*"|\w+),\s*metric\.(\w+)/g;
  return [...go.matchAll(generator)].flatMap((match): CataloguedMetric[] => {
    const name = match[2] ?? constants.get(match[3] as string);
    if (name === undefined) return [];
    const type: MetricType = match[4] === 'Counter' ? 'counter' : 'gauge';
    return [{ name, type, series: [name], source }];
  });
}

/** The client_golang constructors and the type each serves. */
const GO_CLIENT_TYPES: Readonly<Record<string, MetricType>> = {
  Counter: 'counter',
  Gauge: 'gauge',
  Histogram: 'histogram',
  Summary: 'summary',
};

/**
 * The metrics one Go file declares with Prometheus' client_golang: each `prometheus.New<Type>[Vec|Func](...Opts{
 * Namespace, Subsystem, Name })`, named `<namespace>_<subsystem>_<name>` as client_golang joins them (a field given
 * as a constant of the file is resolved), and each `prometheus.NewDesc("name", ...)` of a collector (a gauge).
 * client_golang serves a counter under its name as given, a histogram as `_bucket`/`_sum`/`_count`, a summary under
 * its name and as `_sum`/`_count`.
 */
export function goClientMetrics(go: string, source: string): CataloguedMetric[] {
  const constants = new Map([...go.matchAll(/\b(\w+)\s*=\s*"([a-zA-Z0-9_:]*)"/g)].map((match) => [match[1] as string, match[2] as string]));
  const field = (opts: string, key: string): string => {
    const value = new RegExp(`\\b${key}:\\s*("([a-zA-Z0-9_:]*)"|(\\w+))`).exec(opts);
    return value === null ? '' : (value[2] ?? constants.get(value[3] as string) ?? '');
  };
  const constructed = [
    ...go.matchAll(/prometheus\.New(Counter|Gauge|Histogram|Summary)(?:Vec|Func)?\(\s*(?:\/\/[^\n]*\s*)*prometheus\.\w+Opts\{([^}]*)\}/g),
  ].flatMap((match): CataloguedMetric[] => {
    const opts = match[2] as string;
    const name = [field(opts, 'Namespace'), field(opts, 'Subsystem'), field(opts, 'Name')].filter((part) => part !== '').join('_');
    if (field(opts, 'Name') === '') return [];
    const type = GO_CLIENT_TYPES[match[1] as string] as MetricType;
    const series =
      type === 'histogram'
        ? [`${name}_bucket`, `${name}_sum`, `${name}_count`]
        : type === 'summary'
          ? [name, `${name}_sum`, `${name}_count`]
          : [name];
    return [{ name, type, series, source }];
  });
  return [...constructed, ...describedGauges(go, source)];
}

/**
 * The series Prometheus itself writes: the scrape's own samples (`up`, `scrape_duration_seconds`, ...), declared in
 * `scrape/scrape.go` as `name: []byte("<name>" + "\xff")`, and the alert series of `rules/alerting.go` (`ALERTS`,
 * `ALERTS_FOR_STATE`). Each is a gauge of its own name.
 */
export function prometheusSynthesized(scrapeGo: string, alertingGo: string): CataloguedMetric[] {
  const scraped = [...scrapeGo.matchAll(/name:\s*\[\]byte\("([a-zA-Z_:][a-zA-Z0-9_:]*)"\s*\+/g)].map((match) => ({
    name: match[1] as string,
    source: 'scrape/scrape.go',
  }));
  const alerts = [...alertingGo.matchAll(/\w+MetricName\s*=\s*"([a-zA-Z_:][a-zA-Z0-9_:]*)"/g)].map((match) => ({
    name: match[1] as string,
    source: 'rules/alerting.go',
  }));
  return [...scraped, ...alerts].map(({ name, source }) => ({ name, type: 'gauge', series: [name], source }));
}

/**
 * The metrics coturn registers with its own Prometheus library (`src/prometheus/prom.c`): each
 * `prom_counter_new("name", ...)` and `prom_gauge_new("name", ...)` of a C source, served under the name as given.
 */
export function coturnMetrics(c: string, source: string): CataloguedMetric[] {
  return [...c.matchAll(/\bprom_(counter|gauge)_new\(\s*"([a-zA-Z_:][a-zA-Z0-9_:]*)"/g)].map((match) => {
    const name = match[2] as string;
    return { name, type: match[1] === 'counter' ? 'counter' : 'gauge', series: [name], source };
  });
}
