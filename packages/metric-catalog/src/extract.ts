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

/** A node_exporter collector file's `registerCollector("name" or a constant, defaultEnabled|defaultDisabled, ...)`. */
const NODE_EXPORTER_REGISTRATION = /\bregisterCollector\(\s*("\w+"|\w+),\s*(defaultEnabled|defaultDisabled)\b/;

/** A Go file's name without `.go` and its `_common`/`_<os>`/`_<arch>` parts: `cpu_common.go` and `cpu_linux.go` are `cpu`. */
function collectorStem(file: string): string {
  return (file.split('/').pop() ?? file).replace(/\.go$/, '').replace(/(?:_(?:common|linux|amd64|arm64))+$/, '');
}

/**
 * The files of node_exporter's `collector` package whose collectors run by default: a file that registers a collector
 * `defaultDisabled` is left out, and so is a file that registers none but shares its stem with one that does
 * (`interrupts_linux.go` of the disabled `interrupts_common.go`). Files of no collector (`collector.go`,
 * `helper.go`) are kept: the scrape metrics of `collector.go` are served whatever runs.
 */
export function nodeExporterDefaultFiles(files: ReadonlyMap<string, string>): string[] {
  const enabled = new Map<string, boolean>();
  for (const [file, go] of files) {
    const registration = NODE_EXPORTER_REGISTRATION.exec(go);
    if (registration !== null) enabled.set(collectorStem(file), registration[2] === 'defaultEnabled');
  }
  return [...files.entries()]
    .filter(([file, go]) => {
      const registration = NODE_EXPORTER_REGISTRATION.exec(go);
      if (registration !== null) return registration[2] === 'defaultEnabled';
      const stem = collectorStem(file);
      const owner = [...enabled.keys()].filter((collector) => stem === collector || stem.startsWith(`${collector}_`));
      const longest = owner.sort((a, b) => b.length - a.length)[0];
      return longest === undefined || enabled.get(longest) === true;
    })
    .map(([file]) => file);
}

/** The string constants, variables and struct fields (`subsystem: "network"`) a Go file sets, by name. */
function goStrings(go: string): Map<string, string[]> {
  const strings = new Map<string, string[]>();
  for (const match of go.matchAll(/\b(\w+)\s*(?::=|=|:)\s*"([a-zA-Z0-9_]*)"/g)) {
    const values = strings.get(match[1] as string) ?? [];
    strings.set(match[1] as string, [...new Set([...values, match[2] as string])]);
  }
  return strings;
}

/** A node_exporter metric: a counter when its name ends in `_total`, as node_exporter names them, else a gauge. */
function nodeMetric(name: string, source: string): CataloguedMetric {
  return { name, type: name.endsWith('_total') ? 'counter' : 'gauge', series: [name], source };
}

/**
 * The metrics node_exporter's `collector` package names statically, in the files given (its Linux files of the
 * collectors that run by default, see {@link nodeExporterDefaultFiles}): each
 * `prometheus.BuildFQName(namespace, <subsystem>, "<name>")` whose subsystem is a string literal or a string constant
 * (of the file, else of the package when it has one value there), joined as client_golang joins them
 * (`node_<subsystem>_<name>`, an empty part left out), each `prometheus.NewDesc("<name>", ...)` and each
 * `prometheus.NewDesc(namespace+"_<name>", ...)`. A collector's field (`c.subsystem`) is resolved by what its file sets it
 * to (`subsystem: "network"`). Names computed
 * at run time (`BuildFQName(namespace, memInfoSubsystem, k)`, a `NewDesc` of a variable) are returned apart.
 * node_exporter names its counters with `_total` itself, so a name ending in `_total` is recorded as a counter, any
 * other as a gauge, and each is its own series.
 */
export function nodeExporterMetrics(files: ReadonlyMap<string, string>): {
  metrics: CataloguedMetric[];
  unnamed: UnnamedRegistration[];
} {
  const packageStrings = new Map<string, string[]>();
  for (const go of files.values())
    for (const [name, values] of goStrings(go)) packageStrings.set(name, [...new Set([...(packageStrings.get(name) ?? []), ...values])]);
  const metrics: CataloguedMetric[] = [];
  const unnamed: UnnamedRegistration[] = [];
  for (const [source, go] of files) {
    const fileStrings = goStrings(go);
    const resolve = (argument: string): string | undefined => {
      const literal = /^"([a-zA-Z0-9_]*)"$/.exec(argument);
      if (literal !== null) return literal[1];
      // a field of the collector (`c.subsystem`) is resolved by what the file sets it to, a name by the file, then the package
      const field = /^\w+\.(\w+)$/.exec(argument)?.[1];
      const values = field === undefined ? (fileStrings.get(argument) ?? packageStrings.get(argument)) : fileStrings.get(field);
      return values?.length === 1 ? values[0] : undefined;
    };
    for (const match of go.matchAll(/prometheus\.BuildFQName\(\s*namespace\s*,\s*([\w."]+)\s*,\s*((?:"[^"]*"|[^,"])*?)\s*,?\s*\)/g)) {
      const subsystem = resolve(match[1] as string);
      const name = /^"([a-zA-Z0-9_]+)"$/.exec(match[2] as string)?.[1];
      if (subsystem === undefined || name === undefined) {
        unnamed.push({ source, call: `BuildFQName(namespace, ${match[1] as string}, ${(match[2] as string).replace(/\s+/g, ' ')}` });
        continue;
      }
      metrics.push(nodeMetric(['node', subsystem, name].filter((part) => part !== '').join('_'), source));
    }
    metrics.push(...describedGauges(go, source));
    for (const match of go.matchAll(/prometheus\.NewDesc\(\s*([^,]+),/g)) {
      const argument = (match[1] as string).trim();
      if (argument.startsWith('prometheus.BuildFQName(') || /^"[a-z_:][a-z0-9_:]*"$/.test(argument)) continue;
      const suffix = /^namespace\s*\+\s*"(_[a-zA-Z0-9_]+)"$/.exec(argument)?.[1];
      if (suffix === undefined) unnamed.push({ source, call: `NewDesc(${argument.replace(/\s+/g, ' ')}` });
      else metrics.push(nodeMetric(`node${suffix}`, source));
    }
  }
  return { metrics, unnamed };
}

/**
 * A catalog of the names a component's sources declare, completed by a scrape of the real program (see
 * {@link exposedMetrics}): each declared metric takes the type the program serves it with, and each served family
 * no source names (a name computed at run time, from `/proc/meminfo`'s keys say) is added as served.
 */
export function withServedFamilies(declared: readonly CataloguedMetric[], served: readonly CataloguedMetric[]): CataloguedMetric[] {
  const servedByName = new Map(served.map((metric) => [metric.name, metric]));
  const declaredNames = new Set(declared.map((metric) => metric.name));
  return [
    ...declared.map((metric): CataloguedMetric => {
      const family = servedByName.get(metric.name);
      return family === undefined ? metric : { ...metric, type: family.type, series: family.series };
    }),
    ...served.filter((metric) => !declaredNames.has(metric.name)),
  ];
}

/**
 * Python's prometheus_client: what each metric family of a custom collector (`<Kind>MetricFamily("name", ...)`) and
 * each instrument (`<Kind>("name", ...)`) is served as, the suffixes of its series (`''` is the name itself), and
 * the base a counter's `_total` is taken off. A gauge histogram is served as a histogram with `_gcount`/`_gsum`;
 * a family serves `_created` only when given a creation time, which our collectors' families are not.
 */
const PYTHON_CLIENT_KINDS: Readonly<Record<string, { readonly type: MetricType; readonly suffixes: readonly string[] }>> = {
  GaugeMetricFamily: { type: 'gauge', suffixes: [''] },
  CounterMetricFamily: { type: 'counter', suffixes: ['_total'] },
  HistogramMetricFamily: { type: 'histogram', suffixes: ['_bucket', '_count', '_sum'] },
  GaugeHistogramMetricFamily: { type: 'histogram', suffixes: ['_bucket', '_gcount', '_gsum'] },
  SummaryMetricFamily: { type: 'summary', suffixes: ['_count', '_sum'] },
  InfoMetricFamily: { type: 'info', suffixes: ['_info'] },
  Gauge: { type: 'gauge', suffixes: [''] },
  Counter: { type: 'counter', suffixes: ['_total', '_created'] },
  Histogram: { type: 'histogram', suffixes: ['_bucket', '_count', '_sum', '_created'] },
  Summary: { type: 'summary', suffixes: ['_count', '_sum', '_created'] },
  Info: { type: 'info', suffixes: ['_info'] },
};

/**
 * The metrics one Python file declares with prometheus_client, and the series the client serves for each: every
 * `<Kind>MetricFamily('name', ...)` of a custom collector and every `Gauge('name', ...)`, `Counter(...)`,
 * `Histogram(...)`, `Summary(...)`, `Info(...)` instrument the file imports from prometheus_client. prometheus_client takes a counter's `_total` off its
 * name and serves it as `<name>_total`. Declarations with a computed name are returned apart.
 */
export function pythonClientMetrics(python: string, source: string): { metrics: CataloguedMetric[]; unnamed: UnnamedRegistration[] } {
  const metrics: CataloguedMetric[] = [];
  const unnamed: UnnamedRegistration[] = [];
  // only what the file imports from prometheus_client, by the name it is bound to (`collections.Counter` is no metric)
  const imported = new Map(
    // `from prometheus_client[.module] import a, b as c`, over lines joined by `\` or in parentheses
    [...python.matchAll(/^from\s+prometheus_client[\w.]*\s+import\s+(?:\(([^)]*)\)|((?:[^\n\\]|\\\n)*))/gm)].flatMap((match) =>
      (match[1] ?? match[2] ?? '')
        .replace(/#[^\n]*|\\\n/g, ' ')
        .split(',')
        .filter((entry) => entry.trim() !== '')
        .map((entry) => entry.trim().split(/\s+as\s+/))
        .map(([kind, alias]): [string, string] => [alias ?? (kind as string), kind as string]),
    ),
  );
  for (const match of python.matchAll(/\b(\w+)\(\s*([^,)]*)/g)) {
    const kind = PYTHON_CLIENT_KINDS[imported.get(match[1] as string) ?? ''];
    if (kind === undefined) continue;
    const argument = (match[2] as string).trim();
    const literal = /^(['"])([a-zA-Z_:][a-zA-Z0-9_:]*)\1$/.exec(argument);
    if (literal === null) {
      unnamed.push({ source, call: `${match[1] as string}(${argument.replace(/\s+/g, ' ')}` });
      continue;
    }
    const name = kind.type === 'counter' ? (literal[2] as string).replace(/_total$/, '') : (literal[2] as string);
    metrics.push({ name, type: kind.type, series: kind.suffixes.map((suffix) => `${name}${suffix}`), source });
  }
  return { metrics, unnamed };
}
