import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import Ajv from 'ajv';

import { chartDir } from './charts';

/** A JSON Schema node of a chart's values.schema.json. */
export interface SchemaNode {
  type?: string | string[];
  default?: unknown;
  description?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  anyOf?: SchemaNode[];
}

/** The values schema of a chart. */
export function valuesSchema(chart: string): SchemaNode {
  return JSON.parse(readFileSync(join(chartDir(chart), 'values.schema.json'), 'utf8')) as SchemaNode;
}

/** A validator for a whole values document (what Helm checks, for sanity checks of generated cases). */
export function valuesValidator(schema: SchemaNode): (values: unknown) => boolean {
  const ajv = new Ajv({ strict: false, allErrors: false });
  const validate = ajv.compile(schema);
  return (values) => validate(values) as boolean;
}

/** A value of the values tree, addressed by its path of keys. */
export interface Leaf {
  readonly path: readonly string[];
  readonly schema: SchemaNode;
  readonly default: unknown;
}

/** Every documented value that is not an object with properties of its own (those are walked into). */
export function leaves(schema: SchemaNode, path: readonly string[] = []): Leaf[] {
  return Object.entries(schema.properties ?? {}).flatMap(([key, node]) =>
    node.properties !== undefined ? leaves(node, [...path, key]) : [{ path: [...path, key], schema: node, default: node.default }],
  );
}

/** A path segment that names a credential (`database.password.key`, `auth.jwt.secretKey`, `ionos.token`). */
const CREDENTIAL = /password|passwd|passphrase|secret|token|apikey|api_key|privatekey|private_key|credential/i;

/** The last segment of a value that names a Secret or a key in one, which is fine to default. */
const SECRET_REFERENCE = /^(existingSecret|secretName|[A-Za-z]+SecretName|name|key|secretKey|secretMountPath)$/;

/**
 * The values whose path names a credential (`checked`), and those of them that default to one (`offending`): a
 * non-empty string that is not the name of a Secret or of a key in one. A chart takes credentials from Secrets;
 * a default password in `values.yaml` would be the same on every installation.
 */
export function credentialDefaults(schema: SchemaNode): { checked: Leaf[]; offending: Leaf[] } {
  const checked = leaves(schema).filter((leaf) => leaf.path.some((segment) => CREDENTIAL.test(segment)));
  const offending = checked.filter(
    (leaf) => typeof leaf.default === 'string' && leaf.default !== '' && !SECRET_REFERENCE.test(leaf.path[leaf.path.length - 1] ?? ''),
  );
  return { checked, offending };
}

/** `{a: {b: value}}` for path `[a, b]`. */
export function valuesAt(path: readonly string[], value: unknown): Record<string, unknown> {
  return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>;
}

/** JSON pointer of a path: `/a/b`. */
export function pointer(path: readonly (string | number)[]): string {
  return path.map((key) => `/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

const STRING_CANDIDATES = [
  'alt-value',
  'example.org',
  'example.org:3478',
  '10.0.0.42',
  '/alt',
  '42s',
  '7m',
  '250m',
  '3Gi',
  '42',
  '17k',
  'Prefix',
  'x',
  '10.42.0.0/16',
  'alt@example.org',
  'https://alt.example.org/x',
  'https://alt.example.org/bigbluebutton/api/',
  'severity="alt"',
  // an id of the form IONOS gives every resource (the bbb-autoscaler chart's datacenter)
  '0b7c9d1e-3f5a-4e6b-8c2d-9a0e1f2b3c4d',
  // a count of days (a retention) and a size with a unit (Fluent Bit's buffers)
  '3d',
  '64MB',
];

function typeList(node: SchemaNode): string[] {
  if (node.type === undefined) return node.anyOf?.flatMap(typeList) ?? [];
  return Array.isArray(node.type) ? node.type : [node.type];
}

/** Deep merge of plain objects (lists replaced), as Helm merges values files. */
export function mergeValues(base: unknown, extra: unknown): unknown {
  if (
    base === null ||
    extra === null ||
    typeof base !== 'object' ||
    typeof extra !== 'object' ||
    Array.isArray(base) ||
    Array.isArray(extra)
  )
    return extra;
  const result: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(extra)) result[key] = key in result ? mergeValues(result[key], value) : value;
  return result;
}

/**
 * A value different from `current` that `accepts` (the whole-document validator, applied at this value's
 * place) takes, or undefined when none of the generic candidates fits.
 */
export function alternativeFor(
  node: SchemaNode,
  current: unknown,
  accepts: (candidate: unknown) => boolean,
  entryNames: readonly string[] = [],
): unknown {
  const differs = (candidate: unknown): boolean => JSON.stringify(candidate) !== JSON.stringify(current);
  const pick = (candidates: unknown[]): unknown => candidates.find((candidate) => differs(candidate) && accepts(candidate));
  if (node.enum !== undefined) return pick(node.enum);
  // a choice of constants (zod's union of literals: a prefix length of 8, 16 or 24)
  const constants = node.anyOf?.map((choice) => choice.const);
  if (constants !== undefined && constants.length > 0 && constants.every((constant) => constant !== undefined)) return pick(constants);
  const types = typeList(node);
  if (types.includes('boolean')) return pick([!current]);
  if (types.includes('integer') || types.includes('number')) {
    const base = typeof current === 'number' ? current : (node.minimum ?? 1);
    return pick([base + 1, base - 1, node.minimum, node.maximum, base * 2, base / 2].filter((candidate) => candidate !== undefined));
  }
  if (types.includes('string'))
    return pick([
      // a string naming an entry of a map of the values (a default stream among the streams): another entry first
      ...entryNames,
      ...(typeof current === 'string' ? [`${current}0`, `${current}-alt`] : []),
      ...STRING_CANDIDATES,
    ]);
  if (types.includes('array')) {
    const items = node.items;
    const list = Array.isArray(current) ? current : [];
    if (items === undefined) return undefined;
    const first = list[0] ?? exampleOf(items);
    if (list.length === 0 && first !== null && typeof first === 'object' && !Array.isArray(first) && !accepts([first])) {
      // an example item that the schema's rules across fields refuse as a whole (a toleration's value with operator
      // Exists): its leading keys only, fewer and fewer, until one is accepted
      const entries = Object.entries(first as Record<string, unknown>);
      const leading = entries.map((_entry, index) => Object.fromEntries(entries.slice(0, entries.length - index)));
      const accepted = pick(leading.map((item) => [item]));
      if (accepted !== undefined) return accepted;
    }
    const changed = first === undefined ? undefined : alternativeItem(items, first, (item) => accepts([item, ...list.slice(1)]));
    return changed === undefined ? undefined : pick([[changed, ...list.slice(1)]]);
  }
  if (types.includes('object')) {
    // an object of known keys (inside a list item, say `path: {type, value}`): one of its keys changed
    if (node.properties !== undefined)
      return pick([alternativeItem(node, current ?? {}, accepts)].filter((candidate) => candidate !== undefined));
    const open = node.additionalProperties;
    const map = (current ?? {}) as Record<string, unknown>;
    if (typeof open === 'object' && open.properties !== undefined) {
      // a map of objects (streams by name): one entry with one key changed
      return pick(
        Object.entries(map)
          .map(([key, entry]) => {
            const changed = alternativeItem(open, entry, (item) => accepts({ ...map, [key]: item }));
            return changed === undefined ? undefined : { ...map, [key]: changed };
          })
          .filter((candidate) => candidate !== undefined),
      );
    }
    if (typeof open === 'object' && typeList(open).includes('string')) {
      const changedEntries = Object.keys(map).flatMap((key) => STRING_CANDIDATES.map((candidate) => ({ ...map, [key]: candidate })));
      // keys as label maps, host or node names, ordinals and environment variables spell them
      const addedEntries = ['example.org/alt', 'node-alt', '0', 'ALT_SETTING'].flatMap((key) =>
        STRING_CANDIDATES.map((candidate) => ({ ...map, [key]: candidate })),
      );
      return pick([...changedEntries, ...addedEntries]);
    }
    return pick([{ ...map, podAntiAffinity: {} }]);
  }
  return undefined;
}

function alternativeItem(items: SchemaNode, item: unknown, accepts: (candidate: unknown) => boolean): unknown {
  if (items.properties === undefined) return alternativeFor(items, item, accepts);
  const record = item as Record<string, unknown>;
  for (const [key, node] of Object.entries(items.properties)) {
    const alternative = alternativeFor(node, record[key] ?? node.default, (candidate) => accepts({ ...record, [key]: candidate }));
    if (alternative !== undefined) return { ...record, [key]: alternative };
  }
  return undefined;
}

/**
 * The other entries' names of every map in `values` that has an entry named `name`: the alternatives of a string
 * value that names an entry (a chart refuses any other name when it renders).
 */
export function entryNamesBeside(values: unknown, name: unknown): string[] {
  if (typeof name !== 'string' || values === null || typeof values !== 'object') return [];
  const here = Array.isArray(values) ? [] : Object.keys(values).filter((key) => Object.hasOwn(values, name) && key !== name);
  return [...here, ...Object.values(values).flatMap((inner) => entryNamesBeside(inner, name))];
}

/** A plausible instance of a schema node (its default, or built from its required properties). */
export function exampleOf(node: SchemaNode): unknown {
  if (node.default !== undefined) return node.default;
  if (node.enum !== undefined) return node.enum[0];
  const types = typeList(node);
  if (types.includes('object') && node.properties !== undefined) {
    return Object.fromEntries(
      Object.entries(node.properties)
        .map(([key, child]) => [key, exampleOf(child)])
        .filter(([, value]) => value !== undefined),
    );
  }
  // an object passed through whole (a volume, a container): one named entry, which the chart writes as given
  if (types.includes('object') && node.additionalProperties !== false) return { name: STRING_CANDIDATES[0] };
  if (types.includes('string')) {
    const pattern = node.pattern === undefined ? undefined : new RegExp(node.pattern, 'u');
    return STRING_CANDIDATES.find((candidate) => pattern === undefined || pattern.test(candidate)) ?? STRING_CANDIDATES[0];
  }
  if (types.includes('integer') || types.includes('number')) return node.minimum ?? 1;
  if (types.includes('boolean')) return true;
  // a list that must hold items: one example item
  if (types.includes('array')) return (node.minItems ?? 0) > 0 && node.items !== undefined ? [exampleOf(node.items)] : [];
  return undefined;
}

/** One invalid values document and the place Helm's error must name. */
export interface InvalidCase {
  readonly name: string;
  readonly values: Record<string, unknown>;
  /** Where the invalid value is set (the path `values` holds it at). */
  readonly at: readonly string[];
  /** Where the error is: Helm must name this path (JSON pointer for Helm 4, dotted for Helm 3), or key. */
  readonly expected: readonly (string | number)[];
  /** True when the error names a key rather than a path (an unknown or missing key). */
  readonly namesKey: boolean;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Error lines that name a case's place, as Helm spells them: `- at '/a/0/b': …` (the schema validator of Helm 4 and
 * current Helm 3) or `- a.0.b: …` (gojsonschema, in the oldest Helm 3 supported, `(root)` for the top); for an unknown or
 * missing key, the line of its parent object that names the key (`at '/a': additional properties 'x' not allowed`,
 * `a: Additional property x is not allowed`, `a.0: name is required`). Anchored to the line, so that one error of
 * many (a batch) names only its own case.
 */
export function spellings(invalid: InvalidCase): RegExp[] {
  const place = (path: readonly (string | number)[]): string[] => [
    `at '${escapeRegExp(pointer(path))}'`,
    path.length === 0 ? '\\(root\\)' : escapeRegExp(path.join('.')),
  ];
  if (!invalid.namesKey) return place(invalid.expected).map((spelling) => new RegExp(`^\\s*- ${spelling}:`, 'm'));
  const key = escapeRegExp(String(invalid.expected[invalid.expected.length - 1]));
  const [pointerPlace, dottedPlace] = place(invalid.expected.slice(0, -1));
  return [new RegExp(`^\\s*- ${pointerPlace}: .*'${key}'`, 'm'), new RegExp(`^\\s*- ${dottedPlace}: .*\\b${key}\\b`, 'm')];
}

/**
 * The cases grouped so that one Helm run checks many: Helm reports every schema error of a document, each on its own
 * line, so a batch of cases set at places that do not contain one another must name each of its cases on a line of
 * its own. The same refusals as one run per case, in a fraction of the runs.
 */
export function invalidBatches(cases: readonly InvalidCase[]): Array<{ cases: InvalidCase[]; values: Record<string, unknown> }> {
  const contains = (outer: readonly string[], inner: readonly string[]): boolean => outer.every((key, index) => inner[index] === key);
  const clash = (one: InvalidCase, other: InvalidCase): boolean => contains(one.at, other.at) || contains(other.at, one.at);
  const batches: InvalidCase[][] = [];
  for (const invalid of cases) {
    const batch = batches.find((candidate) => candidate.every((other) => !clash(invalid, other)));
    if (batch === undefined) batches.push([invalid]);
    else batch.push(invalid);
  }
  return batches.map((batch) => ({
    cases: batch,
    values: batch.reduce<Record<string, unknown>>((values, invalid) => mergeValues(values, invalid.values) as Record<string, unknown>, {}),
  }));
}

/** Invalid documents derived from the schema: wrong types, out of range, bad patterns, unknown keys, ... */
export function invalidCorpus(schema: SchemaNode): InvalidCase[] {
  const cases: InvalidCase[] = [];
  const add = (
    name: string,
    path: readonly string[],
    value: unknown,
    expected: readonly (string | number)[] = path,
    namesKey = false,
  ): void => {
    cases.push({ name: `${path.join('.')}: ${name}`, values: valuesAt(path, value), at: path, expected, namesKey });
  };
  const visitObject = (node: SchemaNode, path: readonly string[]): void => {
    if (node.additionalProperties === false) {
      add('unknown key', [...path, 'notAValue'], 1, [...path, 'notAValue'], true);
    }
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const at = [...path, key];
      if (child.properties !== undefined) {
        add('an object given a string', at, 'not-an-object');
        visitObject(child, at);
        continue;
      }
      const types = typeList(child);
      if (child.enum !== undefined) add('not one of the allowed values', at, 'NotAnAllowedValue');
      else if (types.includes('boolean'))
        add('a string for a boolean', at, 'enabled-please'); // not `yes`: YAML 1.1 reads that as true
      else if (types.includes('integer')) {
        add('a quoted number for an integer', at, String(child.default ?? 1));
        add('a fraction for an integer', at, 1.5);
        if (child.minimum !== undefined) add('below the minimum', at, child.minimum - 1);
        if (child.maximum !== undefined && child.maximum < Number.MAX_SAFE_INTEGER) add('above the maximum', at, child.maximum + 1);
      } else if (types.includes('string')) {
        add('a number for a string', at, 12);
        if (child.pattern !== undefined) add('not matching its pattern', at, 'Not Valid!');
        if (child.minLength !== undefined && child.minLength > 0) add('empty', at, '');
        if (child.maxLength !== undefined) add('too long', at, 'a'.repeat(child.maxLength + 1));
      } else if (types.includes('array')) {
        add('a string for a list', at, 'not-a-list');
        if (child.minItems !== undefined && child.minItems > 0) add('an empty list', at, []);
        if (child.items?.additionalProperties === false) {
          add(
            'an unknown key in a list item',
            at,
            [{ ...(exampleOf(child.items) as object), notAValue: 1 }],
            [...at, 0, 'notAValue'],
            true,
          );
        }
        for (const required of child.items?.required ?? []) {
          const item = { ...(exampleOf(child.items as SchemaNode) as Record<string, unknown>) };
          delete item[required];
          add(`a list item without ${required}`, at, [item], [...at, 0, required], true);
        }
      } else if (types.includes('object')) {
        add('a string for a map', at, 'not-a-map');
        const open = child.additionalProperties;
        if (typeof open === 'object' && typeList(open).includes('string'))
          add('a map with a non-string value', at, { key: { nested: true } }, [...at, 'key']);
      }
    }
  };
  visitObject(schema, []);
  return cases;
}
