/**
 * OpenAPI 3.0 schema objects as JSON Schema draft-07, for ajv. OpenAPI 3.0 is not JSON Schema: `nullable` widens the
 * type, `readOnly` properties are response-only (and `writeOnly` request-only), `exclusiveMinimum` is a boolean, and
 * `discriminator`, `example`, `xml`, `externalDocs` and `x-*` are annotations ajv does not know.
 */
import { parseComponentRef } from './openapi-subset';

/** Which message a schema describes: `readOnly` properties may appear in responses only, `writeOnly` in requests. */
export type _Direction = 'request' | 'response';

/** Keys that carry no assertion in OpenAPI 3.0 and that ajv's strict mode would refuse. */
const ANNOTATIONS = new Set(['discriminator', 'example', 'externalDocs', 'xml', 'nullable']);

type Json = { [key: string]: unknown };

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The `$id` of the schema holding every component schema for one direction. */
export const _componentsId = (direction: _Direction): string => `openapi-components-${direction}`;

/**
 * The schema for a direction. `refTarget` resolves a component `$ref` to its OpenAPI schema (to read its `type`, see
 * the `allOf` rule below).
 *
 * Rules beyond the dialect: a property that is `readOnly` (in a request) or `writeOnly` (in a response) must be absent
 * and is not required. `{ allOf: [{ $ref }], type: object }` whose reference is not an object (the Swagger 2
 * conversion wrote every `type: { $ref: '#/…/Type' }` property so: the API sends `"type": "server"`) keeps the
 * reference's type.
 */
export function _toJsonSchema(schema: unknown, direction: _Direction, refTarget: (ref: string) => unknown): unknown {
  if (Array.isArray(schema)) return schema.map((item) => _toJsonSchema(item, direction, refTarget));
  if (!isObject(schema)) return schema;

  if (typeof schema['$ref'] === 'string') {
    const [kind, name] = parseComponentRef(schema['$ref']);
    if (kind !== 'schemas') throw new Error(`A schema refers to a ${kind} component: ${schema['$ref']}`);
    return { $ref: `${_componentsId(direction)}#/definitions/${encodeURIComponent(name)}` };
  }

  const result: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (ANNOTATIONS.has(key) || key.startsWith('x-')) continue;
    if (key === 'properties' && isObject(value)) {
      result[key] = Object.fromEntries(
        Object.entries(value).map(([name, property]) => [
          name,
          _isHidden(property, direction) ? false : _toJsonSchema(property, direction, refTarget),
        ]),
      );
    } else if (key === 'required' && Array.isArray(value) && isObject(schema['properties'])) {
      const properties = schema['properties'];
      result[key] = value.filter((name: string) => !_isHidden(properties[name], direction));
    } else if (key === 'exclusiveMinimum' || key === 'exclusiveMaximum') {
      if (value === true) {
        const bound = key === 'exclusiveMinimum' ? 'minimum' : 'maximum';
        result[key] = schema[bound];
      }
    } else if (['items', 'not', 'additionalProperties', 'allOf', 'anyOf', 'oneOf'].includes(key)) {
      result[key] = _toJsonSchema(value, direction, refTarget);
    } else {
      result[key] = value;
    }
  }
  for (const key of ['exclusiveMinimum', 'exclusiveMaximum'] as const) {
    const bound = key === 'exclusiveMinimum' ? 'minimum' : 'maximum';
    if (schema[key] === true) delete result[bound];
  }

  if (schema['nullable'] === true && schema['type'] !== undefined) {
    result['type'] = [schema['type'], 'null'];
    if (Array.isArray(schema['enum']) && !schema['enum'].includes(null)) result['enum'] = [...schema['enum'], null];
  }

  const allOf = schema['allOf'];
  if (Array.isArray(allOf) && allOf.length === 1 && isObject(allOf[0]) && typeof allOf[0]['$ref'] === 'string') {
    const target = refTarget(allOf[0]['$ref']);
    if (isObject(target) && target['type'] !== undefined && target['type'] !== schema['type']) delete result['type'];
  }
  return result;
}

function _isHidden(property: unknown, direction: _Direction): boolean {
  return isObject(property) && property[direction === 'request' ? 'readOnly' : 'writeOnly'] === true;
}
