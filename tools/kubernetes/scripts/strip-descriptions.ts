/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Copies a JSON Schema document without the given annotation keywords, at any depth, while a field that happens
 * to be *named* like one (a key of a `properties` map, e.g. `PriorityClass.description`) is kept. Object keys are
 * sorted, so the output does not depend on the source's key order.
 */
export function stripAnnotations(value: Json, annotations: ReadonlySet<string>, keysAreFieldNames = false): Json {
  if (Array.isArray(value)) {
    return value.map((item) => stripAnnotations(item, annotations));
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const result: { [key: string]: Json } = {};
  for (const key of Object.keys(value).sort()) {
    if (annotations.has(key) && !keysAreFieldNames) continue;
    const child = value[key] as Json;
    result[key] = stripAnnotations(child, annotations, key === 'properties' && !keysAreFieldNames);
  }
  return result;
}

const DESCRIPTION: ReadonlySet<string> = new Set(['description']);

/**
 * Copies a JSON Schema document without its documentation: every `description` annotation is dropped at any
 * depth, while a field that happens to be *named* `description` is kept (see {@link stripAnnotations}).
 */
export function stripDescriptions(value: Json, keysAreFieldNames = false): Json {
  return stripAnnotations(value, DESCRIPTION, keysAreFieldNames);
}

/**
 * Serialises a definitions document as JSON with one definition per line (compact, yet diffable), the
 * `$comment` first, ending with a newline.
 */
export function serializeDefinitions(comment: string, definitions: { [name: string]: Json }): string {
  const lines = Object.keys(definitions)
    .sort()
    .map((name) => `${JSON.stringify(name)}:${JSON.stringify(definitions[name])}`);
  return `{"$comment":${JSON.stringify(comment)},\n"definitions":{\n${lines.join(',\n')}\n}}\n`;
}
