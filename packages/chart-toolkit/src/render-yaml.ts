import { _hasToken, _segments, type ListPart, type ValueExpression } from './_tokens';
import { isHelmValue } from './helm-value';
import { helmYaml } from './helm-yaml';
import { goString, textTemplate, unwrap } from './render-expression';

/**
 * Writes a manifest (JSON with value tokens) as Helm template text that reads like hand-written Helm: block
 * YAML throughout, maps and lists from values as `toYaml | nindent` blocks, optional fields inside
 * `{{- with }}` or `{{- if }}`, list items added by a condition or a loop inside `{{- if }}` or `{{- range }}`,
 * and helpers (labels) included in place.
 */

/** A map key starting with this prefix holds no field: its value (a token) is spliced into the map. */
export const SPLICE_KEY = '__meetscale_splice_';

/** What writing a manifest needs from the chart: its name, and where to put named templates it defines. */
export interface YamlContext {
  readonly chartName: string;
  /** Named templates defined while writing (the fixed env entries of a container), by full name. */
  readonly defines: Map<string, string>;
}

/** Keys written first, in this order: an object's identity (a Prometheus rule's `alert` or `record` and its `expr`), then its labels. */
const FIRST_KEYS = [
  'apiVersion',
  'kind',
  'metadata',
  'alert',
  'record',
  'expr',
  'for',
  'name',
  'namespace',
  'labels',
  'annotations',
  'image',
  'imagePullPolicy',
];

/** Keys YAML 1.1 (Helm) reads as booleans or null unless quoted. */
const PLAIN_KEY = /^[A-Za-z0-9_./-]+$/;
const SPECIAL_KEY = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~)$/;

function yamlKey(key: string): string {
  return PLAIN_KEY.test(key) && !SPECIAL_KEY.test(key) && !/^[0-9.+-]/.test(key) ? key : JSON.stringify(key);
}

/** The expression of a string that is exactly one value token. */
function soleValue(text: string): ValueExpression | undefined {
  if (!_hasToken(text)) return undefined;
  const segments = _segments(text);
  const only = segments[0];
  if (segments.length !== 1 || only === undefined || !('token' in only) || only.expression.kind !== 'value') return undefined;
  return only.expression;
}

/**
 * Component names (`<fullname>-<component>`) always hold a letter and a dash, so YAML reads them as strings
 * unquoted; any other string is quoted (a release, namespace or nameOverride may be `0` or `1e3`).
 */
const NAME_EXPRESSION = /^\(include "[^"]+\.componentName" \(dict "component" "[a-z][-a-z0-9]*" "context" \$\)\)$/;

/** A value expression as an inline YAML scalar. */
function inlineScalar(expression: string, value: ValueExpression): string {
  switch (value.type) {
    case 'string':
      return NAME_EXPRESSION.test(expression) ? `{{ ${unwrap(expression)} }}` : `{{ ${unwrap(expression)} | quote }}`;
    case 'integer':
      return value.small === true ? `{{ ${unwrap(expression)} }}` : `{{ ${unwrap(expression)} | int64 }}`;
    case 'boolean':
    case 'number':
      return `{{ ${unwrap(expression)} }}`;
    default:
      return `{{ toJson ${expression} }}`;
  }
}

/** A plain scalar as YAML (Helm's YAML 1.1), on one line. */
function plainScalar(value: unknown): string {
  if (typeof value === 'string' && value.includes('{{')) return `{{ ${JSON.stringify(value)} | quote }}`;
  return helmYaml(value).trimEnd();
}

/** A multi-line string as a block scalar: literal text with values and blocks as template actions. */
function blockScalar(head: string, text: string, indent: number): string[] {
  const pad = ' '.repeat(indent + 2);
  const trailing = /\n*$/.exec(text)?.[0].length ?? 0;
  const chomp = trailing === 0 ? '-' : trailing === 1 ? '' : '+';
  const body = textTemplate(text.slice(0, text.length - trailing));
  const indicator = /^[ \n]/.test(body) ? '2' : '';
  return [
    `${head} |${indicator}${chomp}`,
    ...body.split('\n').map((line) => (line === '' ? '' : `${pad}${line}`)),
    ...Array(Math.max(0, trailing - 1)).fill(''),
  ];
}

/** Sorts a map's entries: well-known keys first, helper includes before fields, values spliced in last. */
function orderedEntries(map: Record<string, unknown>): Array<[string, unknown]> {
  const rank = ([key, value]: [string, unknown]): number => {
    if (key.startsWith(SPLICE_KEY)) return soleValue(String(value))?.style === 'yaml' ? -1 : 1000;
    const index = FIRST_KEYS.indexOf(key);
    return index === -1 ? 100 : index;
  };
  return Object.entries(map)
    .filter(([, value]) => value !== undefined)
    .map((entry, position) => ({ entry, position, rank: rank(entry) }))
    .sort((a, b) => a.rank - b.rank || a.position - b.position)
    .map(({ entry }) => entry);
}

/** Writes manifests and their parts; one instance per chart. */
export class YamlWriter {
  public constructor(private readonly context: YamlContext) {}

  /** The lines of a map at an indentation. */
  public map(map: Record<string, unknown>, indent: number): string[] {
    return orderedEntries(map).flatMap(([key, value]) =>
      key.startsWith(SPLICE_KEY) ? this.splice(String(value), indent) : this.entry(key, value, indent),
    );
  }

  /** A value spliced into a map: an included helper's YAML, or a map value's entries when it has any. */
  private splice(token: string, indent: number): string[] {
    const pad = ' '.repeat(indent);
    const value = soleValue(token);
    if (value === undefined) throw new Error(`A spliced map entry must be one value, not: ${token}`);
    if (value.style === 'yaml') return [`${pad}{{- ${unwrap(value.expression)} | nindent ${indent} }}`];
    return [`${pad}{{- with ${value.expression} }}`, `${pad}{{- toYaml . | nindent ${indent} }}`, `${pad}{{- end }}`];
  }

  /** The lines of one `key: value` entry. */
  public entry(key: string, field: unknown, indent: number): string[] {
    const value = isHelmValue(field) ? String(field) : field;
    const pad = ' '.repeat(indent);
    const head = `${pad}${yamlKey(key)}:`;
    if (value === undefined) return [];
    if (typeof value === 'string') {
      const sole = soleValue(value);
      if (sole !== undefined) return this.valueEntry(key, sole, indent);
      if (value.includes('\n')) return blockScalar(head, value, indent);
      if (_hasToken(value)) return [`${head} {{ ${unwrap(goString(value))} | quote }}`];
      return [`${head} ${plainScalar(value)}`];
    }
    if (Array.isArray(value)) return value.length === 0 ? [`${head} []`] : [head, ...this.list(value, indent + 2)];
    if (value !== null && typeof value === 'object') {
      const lines = this.map(value as Record<string, unknown>, indent + 2);
      return lines.length === 0 ? [`${head} {}`] : [head, ...lines];
    }
    return [`${head} ${plainScalar(value)}`];
  }

  private valueEntry(key: string, value: ValueExpression, indent: number): string[] {
    const pad = ' '.repeat(indent);
    if (value.choice !== undefined) {
      const then = this.entry(key, value.choice.then, indent);
      const otherwise = this.entry(key, value.choice.otherwise, indent);
      const open = `${pad}{{- if ${unwrap(value.choice.condition)} }}`;
      if (otherwise.length === 0) return [open, ...then, `${pad}{{- end }}`];
      return [open, ...then, `${pad}{{- else }}`, ...otherwise, `${pad}{{- end }}`];
    }
    if (value.list !== undefined) {
      const lines = this.listEntry(key, value.list.parts, value.list.mergeByName, indent);
      if (value.presentWhen === undefined) return lines;
      return [`${pad}{{- if ${unwrap(value.presentWhen)} }}`, ...lines, `${pad}{{- end }}`];
    }
    if (value.presentWhen === undefined) return this.field(key, value.expression, value, indent);
    if (value.presentWhen === value.expression) {
      return [`${pad}{{- with ${unwrap(value.expression)} }}`, ...this.field(key, '.', value, indent), `${pad}{{- end }}`];
    }
    return [`${pad}{{- if ${unwrap(value.presentWhen)} }}`, ...this.field(key, value.expression, value, indent), `${pad}{{- end }}`];
  }

  /** `key: <value>`, with maps, lists, helper YAML and text written as indented blocks. */
  private field(key: string, expression: string, value: ValueExpression, indent: number): string[] {
    const head = `${' '.repeat(indent)}${yamlKey(key)}:`;
    const inner = ' '.repeat(indent + 2);
    if (value.style === 'yaml') return [head, `${inner}{{- ${unwrap(expression)} | nindent ${indent + 2} }}`];
    if (value.style === 'text') return [`${head} |`, `${inner}{{- ${unwrap(expression)} | nindent ${indent + 2} }}`];
    if (value.type === 'object' || value.type === 'array') return [head, `${inner}{{- toYaml ${expression} | nindent ${indent + 2} }}`];
    return [`${head} ${inlineScalar(expression, value)}`];
  }

  /** A list field written in parts: literal items, items under a condition or a loop, and list values. */
  private listEntry(key: string, parts: readonly ListPart[], mergeByName: string | undefined, indent: number): string[] {
    const pad = ' '.repeat(indent);
    const items = indent + 2;
    if (mergeByName !== undefined) {
      const last = parts[parts.length - 1];
      if (last === undefined || !('value' in last)) throw new Error(`${key}: merging by name needs a list value as the last part`);
      const fixed = this.listParts(parts.slice(0, -1), 0);
      const name = `${this.context.chartName}.${mergeByName}`;
      if (this.context.defines.has(name) && this.context.defines.get(name) !== fixed.join('\n'))
        throw new Error(`Two different lists are named ${mergeByName}`);
      this.context.defines.set(name, fixed.join('\n'));
      const call = `include "${this.context.chartName}.mergeByName" (dict "list" (include "${name}" $) "overrides" ${last.value})`;
      return [`${pad}${yamlKey(key)}:`, `${' '.repeat(items)}{{- ${call} | nindent ${items} }}`];
    }
    return [`${pad}${yamlKey(key)}:`, ...this.listParts(parts, items)];
  }

  private listParts(parts: readonly ListPart[], indent: number): string[] {
    const pad = ' '.repeat(indent);
    return parts.flatMap((part): string[] => {
      if ('value' in part)
        return [`${pad}{{- with ${unwrap(part.value)} }}`, `${pad}{{- toYaml . | nindent ${indent} }}`, `${pad}{{- end }}`];
      if ('range' in part)
        return [`${pad}{{- range ${part.variable} := ${unwrap(part.range)} }}`, ...this.list([part.item], indent), `${pad}{{- end }}`];
      if (part.items.length === 0) return [];
      if (part.when === undefined) return this.list(part.items, indent);
      return [`${pad}{{- if ${unwrap(part.when)} }}`, ...this.list(part.items, indent), `${pad}{{- end }}`];
    });
  }

  /** The lines of list items at an indentation. */
  public list(items: readonly unknown[], indent: number): string[] {
    const pad = ' '.repeat(indent);
    return items.flatMap((element): string[] => {
      const item = isHelmValue(element) ? String(element) : element;
      if (typeof item === 'string') {
        const sole = soleValue(item);
        if (sole !== undefined && (sole.type === 'object' || sole.type === 'array' || sole.style === 'yaml'))
          throw new Error(`A list item cannot be a whole map or list value; add it as a list part: ${sole.expression}`);
        if (sole !== undefined) return [`${pad}- ${inlineScalar(sole.expression, sole)}`];
        if (_hasToken(item)) return [`${pad}- {{ ${unwrap(goString(item))} | quote }}`];
        return [`${pad}- ${plainScalar(item)}`];
      }
      if (Array.isArray(item)) return [`${pad}- ${JSON.stringify(item)}`];
      if (item !== null && typeof item === 'object') {
        const lines = this.map(item as Record<string, unknown>, indent + 2);
        const first = lines[0];
        if (first === undefined) return [`${pad}- {}`];
        if (first.trimStart().startsWith('{{')) return [`${pad}-`, ...lines];
        return [`${pad}- ${first.slice(indent + 2)}`, ...lines.slice(1)];
      }
      return [`${pad}- ${plainScalar(item)}`];
    });
  }
}
