import { createHash } from 'node:crypto';

import { _hasToken, _tokenFor, type JsonType, type ListPart } from './_tokens';
import { _refsFor, expressionOf, fieldOf, HelmValue, type Refs, schemaOf, typeOf } from './helm-value';
import { goString } from './render-expression';

/**
 * Functions that build Helm template logic out of values, for config files, names and conditions.
 * Each returns a token-bearing string or a HelmValue, so it composes with ordinary template literals.
 */

let loopDepth = 0;

type Operand = HelmValue<unknown> | string | number | boolean;

function operand(value: Operand): string {
  if (value instanceof HelmValue) return expressionOf(value);
  if (typeof value === 'string') return goString(value);
  return String(value);
}

/** A raw Go template expression with its JSON type, for what the other helpers do not cover. */
export function expr<T = unknown>(expression: string, type: JsonType = 'any'): HelmValue<T> {
  return new HelmValue<T>(expression, type);
}

/** Template text inserted verbatim into a text template (not into manifests). */
export function raw(text: string): string {
  return _tokenFor({ kind: 'raw', text });
}

/**
 * Fails rendering with `message` unless every element of a list value has a distinct `field`; over a map value
 * whose entries hold a list in `field`, unless no item is in two entries' lists (a container routed to two
 * streams, say). For uniqueness rules JSON Schema cannot state.
 */
export function requireUnique(list: HelmValue<unknown>, field: string, message: string): string {
  const source = expressionOf(list);
  const key = JSON.stringify(field);
  const collect =
    schemaOf(list)?.items === undefined && typeof schemaOf(list)?.additionalProperties === 'object'
      ? `{{- range ${source} }}{{- range (index . ${key} | default list) }}{{- $seen = append $seen . }}{{- end }}{{- end }}`
      : `{{- range ${source} }}{{- $seen = append $seen (index . ${key}) }}{{- end }}`;
  return raw(`{{- $seen := list }}${collect}{{- if ne (len $seen) (len (uniq $seen)) }}{{- fail ${JSON.stringify(message)} }}{{- end }}`);
}

/** Whether a map value has an entry `key`: `(hasKey map key)`. */
export function hasKey(map: HelmValue<unknown>, key: Operand): HelmValue<boolean> {
  return new HelmValue<boolean>(`(hasKey ${expressionOf(map)} ${operand(key)})`, 'boolean');
}

/**
 * Repeats `body` once per element of a list value, or once per entry of a map value (sorted by key, as Helm's
 * `range` goes through a map; `body` then receives the key instead of the index). In text, `body` returns whole
 * lines ending in `\n` and the result is `{{ range $i, $item := list }}body{{ end }}`; in a manifest, `body`
 * returns a list item (a map) and the result is a list value written as `{{- range }}` over that item. `body`
 * receives typed references to the element and its index or key.
 */
export function each<E>(
  list: HelmValue<readonly E[]> | HelmValue<E[] | undefined>,
  body: (item: Refs<E>, index: HelmValue<number>) => string,
): string;
export function each<E>(
  list: HelmValue<readonly E[]> | HelmValue<E[] | undefined>,
  body: (item: Refs<E>, index: HelmValue<number>) => Record<string, unknown>,
): HelmValue<unknown[]>;
export function each<E>(map: HelmValue<Readonly<Record<string, E>>>, body: (item: Refs<E>, key: HelmValue<string>) => string): string;
export function each<E>(
  map: HelmValue<Readonly<Record<string, E>>>,
  body: (item: Refs<E>, key: HelmValue<string>) => Record<string, unknown>,
): HelmValue<unknown[]>;
export function each<E>(
  list: HelmValue<unknown>,
  body: (item: Refs<E>, index: HelmValue<never>) => string | Record<string, unknown>,
): string | HelmValue<unknown[]> {
  const schema = schemaOf(list);
  const entrySchema = typeof schema?.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  const itemSchema = schema?.items ?? entrySchema;
  if (itemSchema === undefined) {
    throw new Error(`each(): ${expressionOf(list)} is not a list or map value from the values schema`);
  }
  loopDepth += 1;
  try {
    const item = `$item${loopDepth}`;
    const index = `$index${loopDepth}`;
    const position = new HelmValue<never>(index, schema?.items === undefined ? 'string' : 'integer');
    const result = body(_refsFor<E>(item, itemSchema, { variable: item, keys: [] }), position);
    if (typeof result === 'string') {
      return _tokenFor({ kind: 'block', open: `range ${index}, ${item} := ${expressionOf(list)}`, body: result });
    }
    return new HelmValue<unknown[]>(`(list)`, 'array', undefined, {
      list: { parts: [{ range: expressionOf(list), variable: `${index}, ${item}`, item: result }] },
    });
  } finally {
    loopDepth -= 1;
  }
}

/** Repeats `body` for 0, 1, ... count-1: `{{ range $i := until (int count) }}body{{ end }}`. */
export function times(count: HelmValue<number> | number, body: (index: HelmValue<number>) => string): string {
  loopDepth += 1;
  try {
    const index = `$index${loopDepth}`;
    const text = body(new HelmValue<number>(index, 'integer'));
    return _tokenFor({ kind: 'block', open: `range ${index} := until (int ${operand(count)})`, body: text });
  } finally {
    loopDepth -= 1;
  }
}

/** Text present only when a condition holds: `{{ if cond }}then{{ else }}otherwise{{ end }}`. */
export function when(condition: HelmValue<unknown>, then: string, otherwise?: string): string {
  return _tokenFor({ kind: 'block', open: `if ${expressionOf(condition)}`, body: then, otherwise });
}

/** A condition as the boolean `ternary` needs: as is when it is one, else true unless empty. */
function truth(condition: HelmValue<unknown>): string {
  return typeOf(condition) === 'boolean' ? expressionOf(condition) : `(${expressionOf(condition)} | empty | not)`;
}

/** The value as a string, for string fields (an env `value`) that take a number or a boolean. */
export function str(value: HelmValue<unknown>): HelmValue<string> {
  return new HelmValue<string>(goString(String(value)), 'string');
}

/** Logical negation. */
export function not(value: HelmValue<unknown>): HelmValue<boolean> {
  return new HelmValue<boolean>(`(not ${expressionOf(value)})`, 'boolean');
}

/**
 * Equality of a value with another value or a literal. Against an integer literal the value is compared as an
 * integer: Helm reads numbers in values as float64, which Go's `eq` refuses to compare with an int.
 */
export function eq(left: HelmValue<unknown>, right: Operand): HelmValue<boolean> {
  const value = typeof right === 'number' && Number.isInteger(right) ? `(int ${expressionOf(left)})` : expressionOf(left);
  return new HelmValue<boolean>(`(eq ${value} ${operand(right)})`, 'boolean');
}

/** All conditions hold. */
export function and(...values: HelmValue<unknown>[]): HelmValue<boolean> {
  return new HelmValue<boolean>(`(and ${values.map(expressionOf).join(' ')})`, 'boolean');
}

/** At least one condition holds. */
export function or(...values: HelmValue<unknown>[]): HelmValue<boolean> {
  return new HelmValue<boolean>(`(or ${values.map(expressionOf).join(' ')})`, 'boolean');
}

/** The value, or `fallback` when it is empty (Sprig `default`). */
export function orDefault<T>(value: HelmValue<T>, fallback: Operand): HelmValue<T> {
  return new HelmValue<T>(`(${expressionOf(value)} | default ${operand(fallback)})`, typeOf(value));
}

/**
 * The value, with its whole field left out of the manifest when the value is empty (an empty string, map
 * or list): for optional fields such as `priorityClassName` that Kubernetes rejects when empty.
 */
export function omitIfEmpty<T>(value: HelmValue<T>): HelmValue<T> {
  return new HelmValue<T>(expressionOf(value), typeOf(value), undefined, { ...fieldOf(value), presentWhen: expressionOf(value) });
}

/**
 * The value, with its whole field left out of the manifest unless `condition` holds: for fields another
 * value decides about, such as `replicas`, which an autoscaler owns when it is on.
 */
export function onlyWhen<T>(condition: HelmValue<unknown>, value: HelmValue<T> | T): HelmValue<T> {
  const expression = value instanceof HelmValue ? expressionOf(value) : goValue(value);
  const type = value instanceof HelmValue ? typeOf(value) : 'any';
  const choice = { condition: expressionOf(condition), then: value instanceof HelmValue ? String(value) : value, otherwise: undefined };
  return new HelmValue<T>(expression, type, undefined, { choice });
}

/**
 * The SHA-256 of static content (scripts, say), computed when the chart is built, for a checksum annotation
 * that rolls the pods when a new chart version changes it. Content holding values cannot be hashed here: hash
 * the rendered ConfigMap or Secret instead (`HelmChart.checksumOf`).
 */
export function checksum(content: unknown): string {
  const text = JSON.stringify(content);
  if (_hasToken(text)) throw new Error('checksum(): the content holds values; use chart.checksumOf(<the ConfigMap or Secret>)');
  return createHash('sha256').update(text).digest('hex');
}

/**
 * `then` when the condition holds, otherwise `otherwise` (Sprig `ternary`); both are values or literals. As a
 * whole manifest field it is written as `{{- if }} … {{- else }} … {{- end }}`.
 */
export function ternary<T>(condition: HelmValue<unknown>, then: unknown, otherwise: unknown, type: JsonType = 'any'): HelmValue<T> {
  const field = (value: unknown): unknown => (value instanceof HelmValue ? String(value) : value);
  return new HelmValue<T>(`(ternary ${goValue(then)} ${goValue(otherwise)} ${truth(condition)})`, type, undefined, {
    choice: { condition: expressionOf(condition), then: field(then), otherwise: field(otherwise) },
  });
}

/** The value as JSON text, for JSON or YAML written inside a text template. */
export function json(value: HelmValue<unknown>): HelmValue<string> {
  return new HelmValue<string>(`(toJson ${expressionOf(value)})`, 'string');
}

/** Number of elements of a list value. */
export function lengthOf(list: HelmValue<unknown>): HelmValue<number> {
  return new HelmValue<number>(`(len ${expressionOf(list)})`, 'integer');
}

/** True when the value is empty: an empty string, map or list, zero, false or null (Sprig `empty`). */
export function isEmpty(value: HelmValue<unknown>): HelmValue<boolean> {
  return new HelmValue<boolean>(`(empty ${expressionOf(value)})`, 'boolean');
}

/** True when the first integer is greater than the second (values or literals). */
export function gt(left: Operand, right: Operand): HelmValue<boolean> {
  const integer = (value: Operand): string => (value instanceof HelmValue ? `(int ${operand(value)})` : operand(value));
  return new HelmValue<boolean>(`(gt ${integer(left)} ${integer(right)})`, 'boolean');
}

/** The greatest of integer values or literals. */
export function max(...values: Operand[]): HelmValue<number> {
  return new HelmValue<number>(`(max ${values.map(operand).join(' ')})`, 'integer');
}

/** The elements of a list value joined by a separator into one string. */
export function joined(list: HelmValue<unknown>, separator: string): HelmValue<string> {
  return new HelmValue<string>(`(join ${JSON.stringify(separator)} ${expressionOf(list)})`, 'string');
}

/** The first element of a list value (empty when the list is empty), of the JSON type its elements have. */
export function first<T>(list: HelmValue<readonly T[]> | HelmValue<T[]>, type: JsonType = 'any'): HelmValue<T> {
  return new HelmValue<T>(`(first ${expressionOf(list)})`, type);
}

/** Sum of integer values or literals. */
export function add(...values: Operand[]): HelmValue<number> {
  return new HelmValue<number>(`(add ${values.map(operand).join(' ')})`, 'integer');
}

/**
 * The Go template expression building a JSON-like literal: maps become `dict`, lists `list`, strings (which
 * may hold value tokens) strings, numbers and booleans themselves; a HelmValue stands for its own value.
 */
export function goValue(value: unknown): string {
  if (value instanceof HelmValue) return expressionOf(value);
  if (typeof value === 'string') return goString(value);
  if (Array.isArray(value)) return `(list ${value.map(goValue).join(' ')})`;
  if (value !== null && typeof value === 'object') {
    return `(dict ${Object.entries(value)
      .map(([key, item]) => `${JSON.stringify(key)} ${goValue(item)}`)
      .join(' ')})`;
  }
  return JSON.stringify(value);
}

/** A part of a list: literal items, `listWhen` items, or a list value. */
export type ListPartValue = readonly unknown[] | HelmValue<unknown>;

function listParts(part: ListPartValue): ListPart[] {
  if (!(part instanceof HelmValue)) return [{ items: part }];
  const list = fieldOf(part).list;
  if (list !== undefined && list.mergeByName === undefined) return [...list.parts];
  return [{ value: expressionOf(part) }];
}

function listExpression(part: ListPartValue): string {
  return part instanceof HelmValue ? `(${expressionOf(part)} | default list)` : goValue(part);
}

/**
 * A list made of literal items (which may hold values) followed by the elements of list values, e.g. a
 * container's fixed `ports` followed by conditional ones. Pass `when(condition)` parts with `listWhen`.
 * In a manifest it is written item by item, each conditional part inside `{{- if }}`.
 */
export function concatLists(...parts: ListPartValue[]): HelmValue<unknown[]> {
  return new HelmValue<unknown[]>(`(concat ${parts.map(listExpression).join(' ')})`, 'array', undefined, {
    list: { parts: parts.flatMap(listParts) },
  });
}

/** The literal items when a condition holds, otherwise an empty list (for `concatLists`). */
export function listWhen(condition: HelmValue<unknown>, items: readonly unknown[]): HelmValue<unknown[]> {
  return new HelmValue<unknown[]>(`(ternary ${goValue(items)} (list) ${truth(condition)})`, 'array', undefined, {
    list: { parts: [{ items, when: expressionOf(condition) }] },
  });
}

/**
 * A container's env: its own entries (literal or `listWhen` parts), then the user's `extraEnv`, where an
 * `extraEnv` entry replaces the entry of the same name instead of adding a second one. The own entries become
 * the named template `<chart>.<name>`, so `name` must be unique in the chart (`jvb.env`).
 */
export function envList(name: string, own: readonly ListPartValue[], extraEnv: HelmValue<unknown>): HelmValue<unknown[]> {
  const parts = [...own, extraEnv];
  return new HelmValue<unknown[]>(`(concat ${parts.map(listExpression).join(' ')})`, 'array', undefined, {
    list: { parts: [...own.flatMap(listParts), { value: expressionOf(extraEnv) }], mergeByName: name },
  });
}
