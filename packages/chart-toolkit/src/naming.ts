/**
 * The names a meetscale chart gives the objects of a release, computed exactly as its generated
 * `templates/_helpers.tpl` (`<chart>.name`, `<chart>.fullname`) and `HelmChart.componentName` compute them, so code
 * outside the chart (the infrastructure app) can name a release's Services without re-typing them.
 *
 * This module imports nothing: tools/synth copies it as it is into the generated `@meetscale/chart-values` package
 * (`charts/facts/_naming.ts`), which must not depend on workspace sources. test/chart-facts.test.ts checks it against
 * what the pinned Helm renders.
 */

/** What a release may set of its names: the `nameOverride` and `fullnameOverride` values of every meetscale chart. */
export interface NameOverrides {
  /**
   * The chart's `nameOverride` value.
   * @default - the chart name
   */
  readonly nameOverride?: string;
  /**
   * The chart's `fullnameOverride` value.
   * @default - derived from the release and chart name
   */
  readonly fullnameOverride?: string;
}

/** The longest name Kubernetes takes for a Service (a DNS label), and what the helpers truncate to. */
const MAX_NAME_LENGTH = 63;

/** Helm's `trunc 63 | trimSuffix "-"`: the first 63 characters, without one trailing dash. */
function truncated(name: string): string {
  const head = name.slice(0, MAX_NAME_LENGTH);
  return head.endsWith('-') ? head.slice(0, -1) : head;
}

/** Sprig's `default fallback value`: the value unless it is empty (an unset or empty string). */
function helmDefault(fallback: string, value: string | undefined): string {
  return value === undefined || value === '' ? fallback : value;
}

/** `<chart>.name`: the `nameOverride`, else the chart name, within 63 characters. */
export function nameOf(chart: string, overrides: NameOverrides = {}): string {
  return truncated(helmDefault(chart, overrides.nameOverride));
}

/**
 * `<chart>.fullname`: the `fullnameOverride` when set; else the release name alone when it already contains the
 * chart name (or `nameOverride`), else `<release>-<name>`; within 63 characters.
 */
export function fullnameOf(chart: string, release: string, overrides: NameOverrides = {}): string {
  if (overrides.fullnameOverride !== undefined && overrides.fullnameOverride !== '') return truncated(overrides.fullnameOverride);
  const name = helmDefault(chart, overrides.nameOverride);
  return truncated(release.includes(name) ? release : `${release}-${name}`);
}

/** `HelmChart.componentName`: `<fullname>-<component>`, within 63 characters. */
export function componentNameOf(chart: string, release: string, component: string, overrides: NameOverrides = {}): string {
  return truncated(`${fullnameOf(chart, release, overrides)}-${component}`);
}

/** The names of one chart's objects, as functions of the release. */
export interface ReleaseNaming<S extends string> {
  /** `<chart>.name`, the `app.kubernetes.io/name` label of every object. */
  name(overrides?: NameOverrides): string;
  /** `<chart>.fullname`, the prefix of every object name. */
  fullname(release: string, overrides?: NameOverrides): string;
  /** `<fullname>-<component>`, within 63 characters. */
  componentName(component: string, release: string, overrides?: NameOverrides): string;
  /** The name of one of the chart's Services in the given release. */
  serviceName(service: S, release: string, overrides?: NameOverrides): string;
}

/**
 * The naming functions of a chart whose Services are `services`: each Service by the component its name ends in,
 * or `''` for the Service named `<fullname>` itself.
 */
export function releaseNaming<S extends string>(chart: string, services: Readonly<Record<S, string>>): ReleaseNaming<S> {
  return {
    name: (overrides) => nameOf(chart, overrides),
    fullname: (release, overrides) => fullnameOf(chart, release, overrides),
    componentName: (component, release, overrides) => componentNameOf(chart, release, component, overrides),
    serviceName: (service, release, overrides) =>
      services[service] === '' ? fullnameOf(chart, release, overrides) : componentNameOf(chart, release, services[service], overrides),
  };
}
