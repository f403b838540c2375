import { spawnSync } from 'node:child_process';

import { ensureGoTool, type EnsureGoToolOptions, ensureGoTools, type GoTool, requiredModuleVersion } from '@meetscale/go-tools';

/** The module pinning Prometheus (promtool and the server). */
export const PROMETHEUS_MODULE = 'tools/prometheus/modules/prometheus';
/** The module pinning Alertmanager (amtool). */
export const ALERTMANAGER_MODULE = 'tools/prometheus/modules/alertmanager';
/** The module pinning prometheus-adapter (the custom metrics API server). */
export const PROMETHEUS_ADAPTER_MODULE = 'tools/prometheus/modules/prometheus-adapter';

/**
 * The Prometheus release a Go module version stands for: Prometheus 3 publishes its Go module as `v0.<major><minor>.<patch>`
 * (`v0.314.0` is Prometheus 3.14.0).
 * @throws when the version is not of that form
 */
export function prometheusRelease(moduleVersion: string): string {
  const match = /^v0\.(\d)(\d{2})\.(\d+)$/.exec(moduleVersion);
  if (match === null) throw new Error(`${moduleVersion} is not a Prometheus 3 module version (v0.<major><minor>.<patch>)`);
  return `${match[1]}.${Number(match[2])}.${match[3]}`;
}

/** The Prometheus release pinned in {@link PROMETHEUS_MODULE}, e.g. `3.14.0`. */
export function prometheusVersion(): string {
  return prometheusRelease(requiredModuleVersion('github.com/prometheus/prometheus', PROMETHEUS_MODULE));
}

/** The Alertmanager release pinned in {@link ALERTMANAGER_MODULE}, e.g. `0.34.0`. */
export function alertmanagerVersion(): string {
  return requiredModuleVersion('github.com/prometheus/alertmanager', ALERTMANAGER_MODULE).slice(1);
}

/** The prometheus-adapter release pinned in {@link PROMETHEUS_ADAPTER_MODULE}, e.g. `0.12.0`. */
export function prometheusAdapterVersion(): string {
  return requiredModuleVersion('sigs.k8s.io/prometheus-adapter', PROMETHEUS_ADAPTER_MODULE).slice(1);
}

/** What `--version` prints: a module build carries no release stamping, so it is set as the release builds set it. */
const versionStamp = (version: string): string[] => [`github.com/prometheus/common/version.Version=${version}`];

/** The programs, by name. */
export type PrometheusProgram = 'promtool' | 'prometheus' | 'amtool' | 'promql-names';

/** The pinned programs. */
export function prometheusTools(): Readonly<Record<PrometheusProgram, GoTool>> {
  const prometheus = versionStamp(prometheusVersion());
  return {
    promtool: {
      name: 'promtool',
      moduleDir: PROMETHEUS_MODULE,
      packagePath: 'github.com/prometheus/prometheus/cmd/promtool',
      linkerSettings: prometheus,
    },
    prometheus: {
      name: 'prometheus',
      moduleDir: PROMETHEUS_MODULE,
      packagePath: 'github.com/prometheus/prometheus/cmd/prometheus',
      linkerSettings: prometheus,
    },
    'promql-names': {
      name: 'promql-names',
      moduleDir: PROMETHEUS_MODULE,
      packagePath: 'meetscale.local/tools/prometheus/promql-names',
    },
    amtool: {
      name: 'amtool',
      moduleDir: ALERTMANAGER_MODULE,
      packagePath: 'github.com/prometheus/alertmanager/cmd/amtool',
      linkerSettings: versionStamp(alertmanagerVersion()),
    },
  };
}

/**
 * Returns the path of each program, building those not cached yet into the go-tools cache (minutes on a small
 * machine the first time; later calls return at once).
 * @throws {GoBuildError} when the go command fails
 */
export function ensurePrometheusTools(options: EnsureGoToolOptions = {}): Readonly<Record<PrometheusProgram, string>> {
  const tools = prometheusTools();
  const programs = Object.keys(tools) as PrometheusProgram[];
  const paths = ensureGoTools(
    programs.map((program) => tools[program]),
    options,
  );
  return Object.fromEntries(programs.map((program, index) => [program, paths[index]])) as Record<PrometheusProgram, string>;
}

/**
 * prometheus-adapter's `cmd/adapter`, the server of the custom metrics API an HPA reads Prometheus series through.
 * Kept apart from {@link prometheusTools}: it is a Kubernetes API server with a dependency tree of its own, needed
 * only by the tests that run it on the control plane. It reports no version of itself.
 */
export function prometheusAdapterTool(): GoTool {
  return {
    name: 'prometheus-adapter',
    moduleDir: PROMETHEUS_ADAPTER_MODULE,
    packagePath: 'sigs.k8s.io/prometheus-adapter/cmd/adapter',
  };
}

/**
 * Returns the path of the prometheus-adapter binary, building it into the go-tools cache when missing.
 * @throws {GoBuildError} when the go command fails
 */
export function ensurePrometheusAdapter(options: EnsureGoToolOptions = {}): string {
  return ensureGoTool(prometheusAdapterTool(), options);
}

/** The metric names one PromQL expression selects, as the pinned Prometheus parses it. */
export interface PromqlNames {
  /** The expression. */
  readonly expr: string;
  /** The metric names its selectors name (by name or by `__name__="..."`), sorted, each once. */
  readonly names: string[];
  /** Selectors that name no metric (a regular expression on `__name__`), as written. */
  readonly unnamed: string[];
  /** The parse error, when the expression does not parse. */
  readonly error?: string;
}

/**
 * Parses PromQL expressions with the parser of the pinned Prometheus (`promql-names`, our Go program on top of
 * `github.com/prometheus/prometheus/promql/parser`) and returns the metric names each selects, in order.
 * @throws when the program cannot run
 */
export function promqlNames(exprs: readonly string[]): PromqlNames[] {
  const program = ensurePrometheusTools()['promql-names'];
  const result = spawnSync(program, [], { input: JSON.stringify(exprs), encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`promql-names failed (status ${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout) as PromqlNames[];
}
