import { _tokenFor, type JsonType } from './_tokens';
import { _refsFor, expressionOf, HelmValue, type Refs, schemaOf, typeOf } from './helm-value';
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
 * Fails rendering with `message` unless every element of a list value has a distinct `field`; for
 * uniqueness rules JSON Schema cannot state.
 */
export function requireUnique(list: HelmValue<unknown>, field: string, message: string): string {
  const source = expressionOf(list);
  return raw(
    `{{- $seen := list }}{{- range ${source} }}{{- $seen = append $seen (index . ${JSON.stringify(field)}) }}{{- end }}` +
      `{{- if ne (len $seen) (len (uniq $seen)) }}{{- fail ${JSON.stringify(message)} }}{{- end }}`,
  );
}

/**
 * Repeats `body` once per element of a list value: `{{ range $i, $item := list }}body{{ end }}`.
 * `body` receives typed references to the element and its index; write it as whole lines ending in `\n`.
 */
export function each<E>(
  list: HelmValue<readonly E[]> | HelmValue<E[] | undefined>,
  body: (item: Refs<E>, index: HelmValue<number>) => string,
): string {
  const itemSchema = schemaOf(list)?.items;
  if (itemSchema === undefined) {
    throw new Error(`each(): ${expressionOf(list)} is not a list value from the values schema`);
  }
  loopDepth += 1;
  try {
    const item = `$item${loopDepth}`;
    const index = `$index${loopDepth}`;
    const text = body(_refsFor<E>(item, itemSchema, { variable: item, keys: [] }), new HelmValue<number>(index, 'integer'));
    return _tokenFor({ kind: 'block', open: `range ${index}, ${item} := ${expressionOf(list)}`, body: text });
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

/** Logical negation. */
export function not(value: HelmValue<unknown>): HelmValue<boolean> {
  return new HelmValue<boolean>(`(not ${expressionOf(value)})`, 'boolean');
}

/** Equality of a value with another value or a literal. */
export function eq(left: HelmValue<unknown>, right: Operand): HelmValue<boolean> {
  return new HelmValue<boolean>(`(eq ${expressionOf(left)} ${operand(right)})`, 'boolean');
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
  return new HelmValue<T>(expressionOf(value), typeOf(value), undefined, expressionOf(value));
}

/**
 * The value, with its whole field left out of the manifest unless `condition` holds: for fields another
 * value decides about, such as `replicas`, which an autoscaler owns when it is on.
 */
export function onlyWhen<T>(condition: HelmValue<unknown>, value: HelmValue<T>): HelmValue<T> {
  return new HelmValue<T>(expressionOf(value), typeOf(value), undefined, expressionOf(condition));
}

/** The SHA-256 of any value (maps, lists, strings with tokens), for a checksum annotation over settings. */
export function checksum(value: unknown): HelmValue<string> {
  return new HelmValue<string>(`(toJson ${goValue(value)} | sha256sum)`, 'string');
}

/** `then` when the condition holds, otherwise `otherwise` (Sprig `ternary`); both are values or literals. */
export function ternary<T>(condition: HelmValue<unknown>, then: unknown, otherwise: unknown, type: JsonType = 'any'): HelmValue<T> {
  return new HelmValue<T>(`(ternary ${goValue(then)} ${goValue(otherwise)} (${expressionOf(condition)} | empty | not))`, type);
}

/** The value as JSON text, for JSON or YAML written inside a text template. */
export function json(value: HelmValue<unknown>): HelmValue<string> {
  return new HelmValue<string>(`(toJson ${expressionOf(value)})`, 'string');
}

/** Number of elements of a list value. */
export function lengthOf(list: HelmValue<unknown>): HelmValue<number> {
  return new HelmValue<number>(`(len ${expressionOf(list)})`, 'integer');
}

/** Sum of integer values or literals. */
export function add(...values: Operand[]): HelmValue<number> {
  return new HelmValue<number>(`(add ${values.map(operand).join(' ')})`, 'integer');
}

/** The SHA-256 of a string value, e.g. for a `checksum/config` annotation that rolls pods on change. */
export function sha256(value: HelmValue<string>): HelmValue<string> {
  return new HelmValue<string>(`(${expressionOf(value)} | sha256sum)`, 'string');
}

/**
 * A map of literal entries (values may hold tokens) merged with a map value; the literal entries win, so
 * selector labels cannot be overridden by user labels.
 */
export function mergeMaps(fixed: Readonly<Record<string, string>>, extra: HelmValue<unknown>): HelmValue<Record<string, string>> {
  const entries = Object.entries(fixed).map(([key, value]) => `${JSON.stringify(key)} ${goString(value)}`);
  return new HelmValue<Record<string, string>>(
    `(merge (dict ${entries.join(' ')}) (deepCopy (${expressionOf(extra)} | default dict)))`,
    'object',
  );
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

/**
 * A list made of literal items (which may hold values) followed by the elements of list values, e.g. a
 * container's fixed `env` followed by the user's `extraEnv`. Pass `when(condition)` parts with `listWhen`.
 */
export function concatLists(...parts: Array<readonly unknown[] | HelmValue<unknown>>): HelmValue<unknown[]> {
  const lists = parts.map((part) => (part instanceof HelmValue ? `(${expressionOf(part)} | default list)` : goValue(part)));
  return new HelmValue<unknown[]>(`(concat ${lists.join(' ')})`, 'array');
}

/** The literal items when a condition holds, otherwise an empty list (for `concatLists`). */
export function listWhen(condition: HelmValue<unknown>, items: readonly unknown[]): HelmValue<unknown[]> {
  return new HelmValue<unknown[]>(`(ternary ${goValue(items)} (list) (${expressionOf(condition)} | empty | not))`, 'array');
}
