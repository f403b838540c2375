import { ApiObject, Chart } from 'cdk8s';
import type { Construct, IConstruct } from 'constructs';

import { _refsFor, expressionOf, fieldOf, HelmValue, type Refs, type SchemaNode, schemaOf } from './helm-value';
import { SPLICE_KEY } from './render-yaml';
import { concatLists, expr } from './template-functions';

/** Construction settings of a HelmChart. */
export interface HelmChartProps {
  /** Chart name, as in `Chart.yaml`; prefixes the named templates (`<name>.fullname`). */
  readonly chartName: string;
  /** JSON Schema of the values (zod output, draft-07); shapes `HelmChart.values`. */
  readonly valuesSchema: SchemaNode;
}

/** Helm's built-in objects about the release being rendered. */
export interface ReleaseRefs {
  /** `.Release.Name` */
  readonly name: HelmValue<string>;
  /** `.Release.Namespace` */
  readonly namespace: HelmValue<string>;
  /** `.Release.Service` */
  readonly service: HelmValue<string>;
}

/** Options that shape how one API object becomes a template file. */
export interface TemplateOptions {
  /** Render the object only when this value is true (`{{ if }}` around the file). */
  readonly condition?: HelmValue<unknown>;
  /** Render the object once per index `0 .. count-1` (`{{ range }}` around the file). */
  readonly repeat?: HelmValue<number> | number;
  /** Render the object once per element of this list value (`{{ range $item := list }}` around the file). */
  readonly forEach?: HelmValue<unknown>;
}

/** The Go variable holding the index of a repeated object (see `HelmChart.repeat`). */
export const REPEAT_INDEX = '$repeatIndex';

/** The Go variable holding the element of an object rendered per element of a list (see `HelmChart.forEach`). */
export const EACH_ITEM = '$item';

/** A rule on the values that JSON Schema cannot state, checked when Helm renders. */
export interface ValuesRule {
  /** Rendering fails when this holds. */
  readonly failWhen: HelmValue<unknown>;
  /** The error, naming the values involved. */
  readonly message: string;
}

const API_OBJECT_OPTIONS = new WeakMap<ApiObject, TemplateOptions>();

/** What a chart records while it is built, for the renderer: kept here, out of the chart authors' API. */
interface ChartState {
  readonly rules: ValuesRule[];
  readonly definedText: Map<string, string>;
  readonly definedYaml: Map<string, unknown>;
  readonly helpers: Set<string>;
  /** Workload components, each with the path of its values block. */
  readonly workloads: Map<string, readonly string[]>;
}

const STATE = new WeakMap<HelmChart, ChartState>();

function stateOf(chart: HelmChart): ChartState {
  const state = STATE.get(chart);
  if (state === undefined) throw new Error(`${chart.node.path} is not a HelmChart`);
  return state;
}

/** Where a checksum names the template file of an object: replaced by its path when the chart is rendered. */
export const TEMPLATE_PATH_MARK = '@@template-path:';

let splices = 0;

/** A fresh map key whose value (a token) is spliced into the map, see `SPLICE_KEY`. */
export function _spliceKey(): string {
  splices += 1;
  return `${SPLICE_KEY}${String(splices).padStart(6, '0')}`;
}

/** `(dict "component" "<component>" [extra] "context" $)`, the argument of the component helpers. */
function componentArgs(component: string, extra?: HelmValue<unknown>): string {
  const more = extra === undefined ? '' : ` "extra" ${expressionOf(extra)}`;
  return `(dict "component" ${JSON.stringify(component)}${more} "context" $)`;
}

/** An `include` of a helper that writes YAML, to indent in place. */
function yamlInclude(expression: string): HelmValue<Record<string, string>> {
  return new HelmValue<Record<string, string>>(expression, 'object', undefined, { style: 'yaml' });
}

/**
 * A cdk8s chart whose objects become Helm templates. Constructs read values through `values` references;
 * names derive from the release (`fullname`, `componentName`) and every object gets the standard labels,
 * `commonLabels` and `.Release.Namespace` when rendered.
 */
export class HelmChart<V = unknown> extends Chart {
  /** References to every value, shaped like the values schema. */
  public readonly values: Refs<V>;
  /** The release being rendered. */
  public readonly release: ReleaseRefs;
  /** `<release>-<chart>` as in `helm create`, honoring `nameOverride` and `fullnameOverride`. */
  public readonly fullname: HelmValue<string>;
  /** Chart name prefix of the named templates. */
  public readonly chartName: string;

  public constructor(scope: Construct, id: string, props: HelmChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    STATE.set(this, {
      rules: [],
      definedText: new Map(),
      definedYaml: new Map(),

      helpers: new Set(),
      workloads: new Map(),
    });
    this.chartName = props.chartName;
    this.values = _refsFor<V>('$.Values', props.valuesSchema);
    this.release = {
      name: expr<string>('$.Release.Name', 'string'),
      namespace: expr<string>('$.Release.Namespace', 'string'),
      service: expr<string>('$.Release.Service', 'string'),
    };
    this.fullname = this.include('fullname');
  }

  /**
   * The name of one component of the release, `<fullname>-<component>`, within 63 characters; with `room`, within
   * 63 - room, for names the chart extends (`<name>-<index>`).
   */
  public componentName(component: string, room = 0): HelmValue<string> {
    const name = `include "${this.chartName}.componentName" ${componentArgs(component)}`;
    return expr<string>(room === 0 ? `(${name})` : `(${name} | trunc ${63 - room} | trimSuffix "-")`, 'string');
  }

  /**
   * Labels that select the pods of one component of this release (stable across upgrades): a map to put where
   * labels go (`matchLabels`, a Service selector), which may be spread with more labels.
   */
  public selectorLabels(component: string): Record<string, string> {
    return { [_spliceKey()]: String(yamlInclude(`(include "${this.chartName}.selectorLabels" ${componentArgs(component)})`)) };
  }

  /**
   * The standard labels of an object of one component (chart, version, selector labels) and `commonLabels`,
   * then the entries of a map value (`service.labels`), as a map to put in `metadata.labels`.
   */
  public standardLabels(component: string, extra?: HelmValue<unknown>): Record<string, string> {
    const token = String(yamlInclude(`(include "${this.chartName}.labels" ${componentArgs(component, extra)})`));
    return { [_spliceKey()]: token };
  }

  /**
   * The SHA-256 of an object as rendered (a ConfigMap or Secret), for a `checksum/...` pod annotation that rolls
   * the pods when what they read changes.
   */
  public checksumOf(construct: IConstruct): HelmValue<string> {
    const path = ApiObject.of(construct).node.path;
    return expr<string>(`(include (print $.Template.BasePath "/${TEMPLATE_PATH_MARK}${path}@@") $ | sha256sum)`, 'string');
  }

  /**
   * A key of a Secret generated on first install and kept on every upgrade: read back with `lookup` from the
   * component's Secret, which must be named `chart.componentName(component)` (or `chart.fullname`, with
   * `fullname`), or 40 random characters when there is none yet (first install, `helm template`).
   */
  public generatedSecretValue(component: string, key: string, fullname = false): HelmValue<string> {
    stateOf(this).helpers.add(fullname ? 'generatedSecretValue:fullname' : 'generatedSecretValue');
    // (a Secret named `<fullname>` needs no component)
    const args = fullname
      ? `(dict "key" ${JSON.stringify(key)} "fullname" true "context" $)`
      : `(dict "component" ${JSON.stringify(component)} "key" ${JSON.stringify(key)} "context" $)`;
    return expr<string>(`(include "${this.chartName}.generatedSecretValue" ${args})`, 'string');
  }

  /**
   * The ServiceAccount name of a component's pods, from the `serviceAccount` block of its values (`values`):
   * the given name, or when created `<fullname>-<component>` (`<fullname>` with `fullname`), otherwise the
   * namespace's `default`.
   */
  public serviceAccountName(component: string, values: HelmValue<unknown>, fullname = false): HelmValue<string> {
    stateOf(this).helpers.add('serviceAccountName');
    const args = `(dict "component" ${JSON.stringify(component)} "values" ${expressionOf(values)}${fullname ? ' "fullname" true' : ''} "context" $)`;
    return expr<string>(`(include "${this.chartName}.serviceAccountName" ${args})`, 'string');
  }

  /**
   * The reference of a container image from its values (an `imageValues` block: repository and tag), pulled from
   * `global.imageRegistry` instead of its own registry when that is set (a mirror).
   */
  public image(values: HelmValue<unknown>): HelmValue<string> {
    stateOf(this).helpers.add('image');
    return expr<string>(`(include "${this.chartName}.image" (dict "image" ${expressionOf(values)} "context" $))`, 'string');
  }

  /**
   * The pull secrets of a pod: `global.imagePullSecrets` (from an umbrella chart) followed by the given lists;
   * the field is left out when all are empty.
   */
  public imagePullSecrets(...lists: Array<HelmValue<unknown>>): HelmValue<unknown[]> {
    const global = (this.values as unknown as { global?: { imagePullSecrets?: HelmValue<unknown> } }).global?.imagePullSecrets;
    const all = global === undefined ? lists : [global, ...lists];
    const list = concatLists(...all);
    const present = all.length === 1 ? expressionOf(all[0] as HelmValue<unknown>) : `(or ${all.map(expressionOf).join(' ')})`;
    return new HelmValue<unknown[]>(expressionOf(list), 'array', undefined, { ...fieldOf(list), presentWhen: present });
  }

  /**
   * A string field of an object of the release as it is in the cluster (`lookup`), empty when there is none yet
   * (first install, `helm template`): for a field the cluster sets and never lets change, such as the volume a claim
   * is bound to, which the chart writes back so that Helm never asks to change it (with Helm 3 re-adopting a kept
   * object, say).
   */
  public liveValue(apiVersion: string, kind: string, name: HelmValue<string> | string, path: readonly string[]): HelmValue<string> {
    const keys = path.map((key) => JSON.stringify(key)).join(' ');
    const nameExpression = name instanceof HelmValue ? expressionOf(name) : JSON.stringify(name);
    // one argument a line (a template action may span lines), so that the lookup stays readable where it is used
    const object = `(lookup ${JSON.stringify(apiVersion)} ${JSON.stringify(kind)} $.Release.Namespace\n    ${nameExpression} | default dict)`;
    return expr<string>(`(dig ${keys} ""\n  ${object})`, 'string');
  }

  /** `include "<chart>.<template>" $` as a string value. */
  public include(template: string): HelmValue<string> {
    return expr<string>(`(include ${JSON.stringify(`${this.chartName}.${template}`)} $)`, 'string');
  }

  /**
   * Defines a named text template (a config file, say) in `templates/_<name>.tpl` and returns its
   * rendered text as a value, for a ConfigMap entry or a checksum annotation.
   */
  public defineText(name: string, text: string): HelmValue<string> {
    if (stateOf(this).definedText.has(name) || stateOf(this).definedYaml.has(name))
      throw new Error(`Text template "${name}" is defined twice`);
    stateOf(this).definedText.set(name, text);
    // A file is written as a block scalar (`|`, which ends it with one newline); a one-line text as a string.
    const file = text.includes('\n');
    return new HelmValue<string>(
      `(include ${JSON.stringify(`${this.chartName}.${name}`)} $)`,
      'string',
      undefined,
      file ? { style: 'text' } : {},
    );
  }

  /**
   * Defines a named template computing a number once (a count several objects need), and returns it as an
   * integer value: `(include "<chart>.<name>" $ | int)`.
   */
  public defineNumber(name: string, value: HelmValue<number>): HelmValue<number> {
    this.defineText(name, String(value));
    return new HelmValue<number>(`(include ${JSON.stringify(`${this.chartName}.${name}`)} $ | int)`, 'integer', undefined, { small: true });
  }

  /**
   * Fails rendering with `message` when `failWhen` holds, for rules between values that JSON Schema cannot
   * state (a setting that becomes required when another one is chosen, say). Nothing is rendered then.
   */
  public failWhen(failWhen: HelmValue<unknown>, message: string): void {
    stateOf(this).rules.push({ failWhen, message });
  }

  /** Renders the object only when `condition` holds at install time. */
  public renderWhen(construct: IConstruct, condition: HelmValue<unknown>): void {
    const target = ApiObject.of(construct);
    API_OBJECT_OPTIONS.set(target, { ...API_OBJECT_OPTIONS.get(target), condition });
  }

  /**
   * Renders one object per index `0 .. count-1`, for resources that exist once per possible replica (a
   * NodePort Service per videobridge, say). `create` receives the index as a value to put into names and
   * fields; the object becomes a `{{ range }}` over `until count` at install time.
   */
  public repeat<C extends IConstruct>(count: HelmValue<number> | number, create: (index: HelmValue<number>) => C): C {
    const construct = create(new HelmValue<number>(REPEAT_INDEX, 'integer'));
    const target = ApiObject.of(construct);
    API_OBJECT_OPTIONS.set(target, { ...API_OBJECT_OPTIONS.get(target), repeat: count });
    return construct;
  }

  /**
   * Renders one object per element of a list value (a Namespace per entry of `namespaces`, say). `create`
   * receives typed references to the element, as `each` gives them; the object becomes a
   * `{{ range $item := <list> }}` at install time, and none is rendered for an empty list.
   */
  public forEach<E, C extends IConstruct>(list: HelmValue<readonly E[]> | HelmValue<E[] | undefined>, create: (item: Refs<E>) => C): C {
    const itemSchema = schemaOf(list)?.items;
    if (itemSchema === undefined) throw new Error(`forEach(): ${expressionOf(list)} is not a list value from the values schema`);
    const construct = create(_refsFor<E>(EACH_ITEM, itemSchema, { variable: EACH_ITEM, keys: [] }));
    const target = ApiObject.of(construct);
    API_OBJECT_OPTIONS.set(target, { ...API_OBJECT_OPTIONS.get(target), forEach: list });
    return construct;
  }
}

/**
 * A map of fixed entries followed by a map value's entries (`{{- with }} ... toYaml`), e.g. an alert's `severity`
 * label and the user's extra alert labels. A key in both appears twice, so give the value's description a warning.
 */
export function mapWith<T>(fixed: Readonly<Record<string, T>>, extra: HelmValue<unknown>): Record<string, T | string> {
  return { ...fixed, [_spliceKey()]: String(extra) };
}

/*
 * The renderer's side of a chart: what `build` recorded, read by `emitChart` and the toolkit's own constructs.
 * Not part of the chart authors' API (`index.ts` exports `HelmChart` as a type only, and none of these).
 */

/** Pod template labels: the selector labels plus the user's `podLabels`, which cannot override them. */
export function podLabels(chart: HelmChart, component: string, extra: HelmValue<unknown>): HelmValue<Record<string, string>> {
  return yamlInclude(`(include "${chart.chartName}.selectorLabels" ${componentArgs(component, extra)})`);
}

/** Pod template annotations: fixed ones (checksums) followed by the user's `podAnnotations`. */
export function podAnnotations(fixed: Readonly<Record<string, string>>, extra: HelmValue<unknown>): Record<string, string> {
  return { ...fixed, [_spliceKey()]: String(extra) };
}

/**
 * Defines a named template holding YAML (a pod template shared by two workload kinds) and returns it as a value
 * that writes it in place.
 */
export function defineYaml(chart: HelmChart, name: string, yaml: Record<string, unknown>): HelmValue<Record<string, unknown>> {
  const state = stateOf(chart);
  if (state.definedYaml.has(name) || state.definedText.has(name)) throw new Error(`Template "${name}" is defined twice`);
  state.definedYaml.set(name, yaml);
  return yamlInclude(`(include "${chart.chartName}.${name}" $)`);
}

/** Marks a helper of `_helpers.tpl` as used (`generatedSecretValue`), so that the chart defines it. */
export function useHelper(chart: HelmChart, name: string): void {
  stateOf(chart).helpers.add(name);
}

/** The optional helpers the chart uses. */
export function usedHelpers(chart: HelmChart): ReadonlySet<string> {
  return stateOf(chart).helpers;
}

/** Records a workload component and the path of its values block (`Workload` calls it). */
export function addWorkload(chart: HelmChart, component: string, values: HelmValue<unknown>): void {
  const expression = expressionOf(values);
  if (!/^\$\.Values(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(expression))
    throw new Error(`Workload ${component}: its values must be a block of the chart's values, not ${expression}`);
  stateOf(chart).workloads.set(component, expression.split('.').slice(2));
}

/** The workload components, each with the path of its values block. */
export function workloadComponents(chart: HelmChart): Array<{ readonly component: string; readonly path: readonly string[] }> {
  return [...stateOf(chart).workloads].map(([component, path]) => ({ component, path }));
}

/** The named text templates, by name. */
export function definedTexts(chart: HelmChart): ReadonlyMap<string, string> {
  return stateOf(chart).definedText;
}

/** The named YAML templates, by name. */
export function definedYaml(chart: HelmChart): ReadonlyMap<string, unknown> {
  return stateOf(chart).definedYaml;
}

/** The rules added with `failWhen`, in order. */
export function valuesRules(chart: HelmChart): readonly ValuesRule[] {
  return stateOf(chart).rules;
}

/** The API objects of a chart with their template options, in construct order. */
export function templateObjects(chart: HelmChart): Array<{ readonly object: ApiObject; readonly options: TemplateOptions }> {
  return chart.node
    .findAll()
    .filter((node): node is ApiObject => ApiObject.isApiObject(node))
    .map((object) => ({ object, options: API_OBJECT_OPTIONS.get(object) ?? {} }));
}
