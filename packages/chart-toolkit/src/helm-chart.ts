import { ApiObject, Chart } from 'cdk8s';
import type { Construct, IConstruct } from 'constructs';

import { _refsFor, HelmValue, isHelmValue, type Refs, type SchemaNode } from './helm-value';
import { expr, mergeMaps } from './template-functions';

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
  /** A map value whose entries are added to the object's labels (after the standard ones). */
  readonly extraLabels?: HelmValue<unknown>;
  /** Fields set on the serialized object (JSON pointer to value), applied in order. */
  readonly fields?: ReadonlyArray<readonly [string, unknown]>;
  /** Render the object once per index `0 .. count-1` (`{{ range }}` around the file). */
  readonly repeat?: HelmValue<number> | number;
}

/** The Go variable holding the index of a repeated object (see `HelmChart.repeat`). */
export const REPEAT_INDEX = '$repeatIndex';

/** A rule on the values that JSON Schema cannot state, checked when Helm renders. */
export interface ValuesRule {
  /** Rendering fails when this holds. */
  readonly failWhen: HelmValue<unknown>;
  /** The error, naming the values involved. */
  readonly message: string;
}

const API_OBJECT_OPTIONS = new WeakMap<ApiObject, TemplateOptions>();
const RULES = Symbol('meetscale.rules');
const DEFINED_TEXT = Symbol('meetscale.definedText');

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
  private readonly [DEFINED_TEXT] = new Map<string, string>();
  private readonly [RULES]: ValuesRule[] = [];

  public constructor(scope: Construct, id: string, props: HelmChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    this.chartName = props.chartName;
    this.values = _refsFor<V>('$.Values', props.valuesSchema);
    this.release = {
      name: expr<string>('$.Release.Name', 'string'),
      namespace: expr<string>('$.Release.Namespace', 'string'),
      service: expr<string>('$.Release.Service', 'string'),
    };
    this.fullname = this.include('fullname');
  }

  /** The name of one component of the release, `<fullname>-<component>`, within 63 characters. */
  public componentName(component: string): HelmValue<string> {
    return expr<string>(
      `(printf "%s-%s" (include ${JSON.stringify(`${this.chartName}.fullname`)} $) ${JSON.stringify(component)} | trunc 63 | trimSuffix "-")`,
      'string',
    );
  }

  /** Labels that select the pods of one component of this release (stable across upgrades). */
  public selectorLabels(component: string): Record<string, string> {
    return {
      'app.kubernetes.io/name': String(this.include('name')),
      'app.kubernetes.io/instance': String(this.release.name),
      'app.kubernetes.io/component': component,
    };
  }

  /** The standard labels of an object of one component. */
  public standardLabels(component: string): Record<string, string> {
    return {
      'helm.sh/chart': String(this.include('chart')),
      ...this.selectorLabels(component),
      'app.kubernetes.io/version': String(expr<string>('$.Chart.AppVersion', 'string')),
      'app.kubernetes.io/part-of': 'meetscale',
      'app.kubernetes.io/managed-by': String(this.release.service),
    };
  }

  /** Pod template labels: the selector labels plus the user's `podLabels`, which cannot override them. */
  public podLabels(component: string, extra: HelmValue<unknown>): HelmValue<Record<string, string>> {
    return mergeMaps(this.selectorLabels(component), extra);
  }

  /** Pod template annotations: fixed ones (checksums) plus the user's `podAnnotations`. */
  public podAnnotations(fixed: Readonly<Record<string, string>>, extra: HelmValue<unknown>): HelmValue<Record<string, string>> {
    return mergeMaps(fixed, extra);
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
    if (this[DEFINED_TEXT].has(name)) throw new Error(`Text template "${name}" is defined twice`);
    this[DEFINED_TEXT].set(name, text);
    return this.include(name);
  }

  /** The named text templates, by name. */
  public definedTexts(): ReadonlyMap<string, string> {
    return this[DEFINED_TEXT];
  }

  /**
   * Fails rendering with `message` when `failWhen` holds, for rules between values that JSON Schema cannot
   * state (a setting that becomes required when another one is chosen, say). Nothing is rendered then.
   */
  public failWhen(failWhen: HelmValue<unknown>, message: string): void {
    this[RULES].push({ failWhen, message });
  }

  /** The rules added with `failWhen`, in order. */
  public valuesRules(): readonly ValuesRule[] {
    return this[RULES];
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

  /** Adds the entries of a map value (e.g. `serviceMonitor.labels`) to the object's labels. */
  public addLabels(construct: IConstruct, labels: HelmValue<unknown>): void {
    const target = ApiObject.of(construct);
    API_OBJECT_OPTIONS.set(target, { ...API_OBJECT_OPTIONS.get(target), extraLabels: labels });
  }

  /**
   * Defines a list rendered by a text template that writes YAML list items (`- key: value` lines), for lists
   * whose Kubernetes shape differs from the values shape (Ingress rules from `ingress.hosts`, say).
   */
  public defineList(name: string, yamlItems: string): HelmValue<unknown[]> {
    this.defineText(name, yamlItems);
    return expr<unknown[]>(`(include ${JSON.stringify(`${this.chartName}.${name}`)} $ | fromYamlArray)`, 'array');
  }

  /**
   * Sets a field of the serialized object (JSON pointer) to a value, after cdk8s has serialized the
   * construct's typed props (cdk8s' own JSON patches run before that and would be re-typed). This is how numbers, booleans, objects and lists from values reach typed
   * fields (`/spec/replicas`, `/spec/template/spec/containers/0/resources`) without fighting their types.
   */
  public setField(construct: IConstruct, pointer: string, value: unknown): void {
    if (!pointer.startsWith('/')) throw new Error(`setField: "${pointer}" is not a JSON pointer`);
    const target = ApiObject.of(construct);
    const options = API_OBJECT_OPTIONS.get(target) ?? {};
    const fields = [...(options.fields ?? []), [pointer, isHelmValue(value) ? String(value) : value] as const];
    API_OBJECT_OPTIONS.set(target, { ...options, fields });
  }

  /** The API objects of this chart with their template options, in construct order. */
  public templateObjects(): Array<{ readonly object: ApiObject; readonly options: TemplateOptions }> {
    return this.node
      .findAll()
      .filter((node): node is ApiObject => ApiObject.isApiObject(node))
      .map((object) => ({ object, options: API_OBJECT_OPTIONS.get(object) ?? {} }));
  }
}
