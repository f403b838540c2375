import { goPatternToJs } from './_go-pattern';

/** A JSON Schema node, loosely typed. */
type Schema = { [key: string]: unknown };

/** Whether a value is a plain JSON object. */
function _isObject(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Schema keywords whose value is a schema. */
const SCHEMA_KEYWORDS = ['additionalProperties', 'items', 'not', 'additionalItems'] as const;
/** Schema keywords whose value is a list of schemas. */
const SCHEMA_LIST_KEYWORDS = ['allOf', 'anyOf', 'oneOf', 'items'] as const;
/** Schema keywords whose value maps names to schemas. */
const SCHEMA_MAP_KEYWORDS = ['properties', 'patternProperties', 'definitions'] as const;

/** `oneOf` or `anyOf: [{type: A}, {type: B}]` with disjoint primitive types, as `[A, B]`; otherwise undefined. */
function _typeOnlyBranches(branches: unknown): string[] | undefined {
  if (!Array.isArray(branches) || branches.length < 2) return undefined;
  const types: string[] = [];
  for (const branch of branches) {
    if (!_isObject(branch) || Object.keys(branch).length !== 1 || typeof branch.type !== 'string') return undefined;
    types.push(branch.type);
  }
  const numeric = types.filter((type) => type === 'integer' || type === 'number').length;
  return numeric <= 1 && new Set(types).size === types.length ? types : undefined;
}

/**
 * Makes a Kubernetes-style JSON Schema strict and plain for ajv, returning a transformed copy:
 * - every object schema that lists `properties` and says nothing about `additionalProperties` is closed
 *   (`additionalProperties: false`), unless it carries `x-kubernetes-preserve-unknown-fields: true`;
 * - `format: int-or-string` and `x-kubernetes-int-or-string: true` become `type: [integer, string]`;
 * - a `oneOf` or `anyOf` of bare, disjoint types (`IntOrString`, `Quantity`, a CRD's int-or-string field) becomes
 *   a type list (kept as it is when the schema already declares those types), for one clear error;
 * - a `pattern`, a Go regular expression in a CRD, is rewritten for JavaScript (see {@link goPatternToJs});
 * - `x-kubernetes-*` keywords are dropped.
 */
export function strictSchema(schema: unknown): unknown {
  if (!_isObject(schema)) return schema;
  const result: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith('x-kubernetes-')) continue;
    if ((SCHEMA_MAP_KEYWORDS as readonly string[]).includes(key) && _isObject(value)) {
      result[key] = Object.fromEntries(Object.entries(value).map(([name, child]) => [name, strictSchema(child)]));
    } else if ((SCHEMA_LIST_KEYWORDS as readonly string[]).includes(key) && Array.isArray(value)) {
      result[key] = value.map((child) => strictSchema(child));
    } else if ((SCHEMA_KEYWORDS as readonly string[]).includes(key) && _isObject(value)) {
      result[key] = strictSchema(value);
    } else if (key === 'pattern' && typeof value === 'string') {
      result[key] = goPatternToJs(value);
    } else {
      result[key] = value;
    }
  }
  if (schema.format === 'int-or-string' || schema['x-kubernetes-int-or-string'] === true) {
    delete result.format;
    result.type = ['integer', 'string'];
  }
  for (const keyword of ['oneOf', 'anyOf'] as const) {
    const types = _typeOnlyBranches(result[keyword]);
    if (types === undefined) continue;
    const declared = result.type === undefined ? undefined : ([] as unknown[]).concat(result.type);
    if (declared !== undefined && (declared.length !== types.length || !types.every((type) => declared.includes(type)))) continue;
    delete result[keyword];
    result.type ??= types;
  }
  if (
    _isObject(schema.properties) &&
    schema.additionalProperties === undefined &&
    schema['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    result.additionalProperties = false;
  }
  return result;
}
