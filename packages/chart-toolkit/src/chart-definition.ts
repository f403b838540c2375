import type { z } from 'zod';

import type { HelmChart } from './helm-chart';

/** A maintainer as `Chart.yaml` lists it. */
export interface ChartMaintainer {
  readonly name: string;
  readonly email?: string;
  readonly url?: string;
}

/** A Pod Security Standards level, as the `pod-security.kubernetes.io/enforce` namespace label names it. */
export type PodSecurityLevel = 'restricted' | 'baseline' | 'privileged';

/**
 * The marker line a `ci/` scenario file carries after its header when the scenario needs a Pod Security level
 * above `restricted`, e.g. `# pod-security: privileged`; a scenario without it installs under `restricted`.
 */
export function podSecurityMarker(level: PodSecurityLevel): string {
  return `# pod-security: ${level}`;
}

/** Everything a chart package declares; `emitChart` turns it into `charts/<name>/`. */
export interface ChartDefinition<S extends z.ZodType = z.ZodType> {
  /** Chart name: the directory under `charts/` and the `Chart.yaml` name. */
  readonly name: string;
  /** Chart version (semver), taken from the chart package's own `package.json`. */
  readonly version: string;
  /** Version of the upstream application the chart deploys by default. */
  readonly appVersion: string;
  /** One sentence for `Chart.yaml` and the README. */
  readonly description: string;
  /** Supported Kubernetes versions. @default ">=1.27.0-0" */
  readonly kubeVersion?: string;
  readonly keywords: readonly string[];
  readonly home?: string;
  readonly sources?: readonly string[];
  readonly maintainers?: readonly ChartMaintainer[];
  /** Workspace-relative folder of the chart package, named in generated headers (e.g. `packages/haproxy`). */
  readonly source: string;
  /** The values schema; every field has a description, and a default unless it sits inside a list item. */
  readonly values: S;
  // Methods (not function properties), so a definition of specific values is usable where any chart is.
  /** Adds the chart's constructs, reading values through `chart.values`. */
  build(chart: HelmChart<z.output<S>>): void;
  /** Text of `templates/NOTES.txt`; may hold values. */
  notes(chart: HelmChart<z.output<S>>): string;
  /**
   * Markdown of the chart's own README prose; the toolkit writes the title, description and version table before
   * it, and the Uninstalling section, the Upgrading notes (joined to an `## Upgrading` section of this text) and
   * the values table after it. A chart package keeps it in `docs/README.md`:
   * `readme: readChartText(join(__dirname, '..', 'docs', 'README.md'))`, which fills its `@NAME@` placeholders.
   */
  readonly readme: string;
  /**
   * Upgrading notes for the README, by the chart version that needs them (Markdown): what a user changes when
   * upgrading to that version, e.g. `{ '1.0.0': 'The web.port value was renamed web.service.port.' }`.
   * A breaking release (one that leaves the caret range of the last release) must have one.
   * @default - no notes
   */
  readonly upgrading?: Readonly<Record<string, string>>;
  /** Install scenarios written to `ci/NN-<name>-values.yaml`; each must satisfy the schema. */
  readonly scenarios: Readonly<Record<string, z.input<S>>>;
  /**
   * The Pod Security level the pods rendered from these values need. The defaults must need `restricted` unless
   * {@link defaultPodSecurity} says otherwise; a scenario that needs more carries {@link podSecurityMarker} in its
   * `ci/` file.
   * @default - every configuration runs under `restricted`
   */
  podSecurity?(values: z.output<S>): PodSecurityLevel;
  /**
   * For a chart whose very purpose needs more than `restricted` (a log shipper reading every node's files): the
   * level its defaults need, and why, in a sentence for the README and `Chart.yaml`
   * (`meetscale.io/pod-security`). Left out, the defaults must run under `restricted`.
   * @default - the defaults run under `restricted`
   */
  readonly defaultPodSecurity?: { readonly level: PodSecurityLevel; readonly reason: string };
}

const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/** Declares a chart, checking the names a chart directory depends on. */
export function defineChart<S extends z.ZodType>(definition: ChartDefinition<S>): ChartDefinition<S> {
  if (!/^[a-z][a-z0-9-]*$/.test(definition.name)) {
    throw new Error(`Chart name "${definition.name}" must be lower-case letters, digits and dashes`);
  }
  if (!SEMVER.test(definition.version)) {
    throw new Error(`Chart ${definition.name}: version "${definition.version}" is not semver`);
  }
  for (const version of Object.keys(definition.upgrading ?? {})) {
    if (!SEMVER.test(version)) throw new Error(`Chart ${definition.name}: upgrading note "${version}" is not named by a semver version`);
  }
  for (const scenario of Object.keys(definition.scenarios)) {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(scenario)) {
      throw new Error(`Chart ${definition.name}: scenario name "${scenario}" must be lower-case letters, digits and dashes`);
    }
  }
  return definition;
}
