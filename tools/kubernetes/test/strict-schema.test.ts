import { strictSchema } from '../src/_strict-schema';

describe('strictSchema', () => {
  test('closes every object that lists properties, at any depth, but not maps or preserved objects', () => {
    // GIVEN nested objects, a map, and an object that preserves unknown fields
    const schema = {
      type: 'object',
      properties: {
        spec: { type: 'object', properties: { list: { type: 'array', items: { properties: { a: {} } } } } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        raw: { type: 'object', properties: { a: {} }, 'x-kubernetes-preserve-unknown-fields': true },
      },
    };

    // WHEN it is made strict
    // THEN
    expect(strictSchema(schema)).toEqual({
      type: 'object',
      additionalProperties: false,
      properties: {
        spec: {
          type: 'object',
          additionalProperties: false,
          properties: { list: { type: 'array', items: { additionalProperties: false, properties: { a: {} } } } },
        },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        raw: { type: 'object', properties: { a: {} } },
      },
    });
  });

  test('turns int-or-string formats and type-only oneOfs and anyOfs into type lists', () => {
    // GIVEN the four spellings of "a number or a string", and an anyOf that contradicts the declared type
    const schema = {
      definitions: {
        Formatted: { format: 'int-or-string' },
        Extension: { 'x-kubernetes-int-or-string': true },
        IntOrString: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
        Overlapping: { oneOf: [{ type: 'integer' }, { type: 'number' }] },
        CrdIntOrString: { anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true },
        Contradicting: { type: 'string', anyOf: [{ type: 'integer' }, { type: 'boolean' }] },
      },
    };

    // WHEN it is made strict
    // THEN the disjoint ones become type lists; an overlapping oneOf and a contradicting anyOf keep their meaning
    expect(strictSchema(schema)).toEqual({
      definitions: {
        Formatted: { type: ['integer', 'string'] },
        Extension: { type: ['integer', 'string'] },
        IntOrString: { type: ['string', 'integer'] },
        Overlapping: { oneOf: [{ type: 'integer' }, { type: 'number' }] },
        CrdIntOrString: { type: ['integer', 'string'] },
        Contradicting: { type: 'string', anyOf: [{ type: 'integer' }, { type: 'boolean' }] },
      },
    });
  });

  test('keeps a field named like a keyword as a field', () => {
    // GIVEN a schema with fields named "properties", "items" and "pattern"
    const schema = { properties: { properties: { type: 'string' }, items: { type: 'string' }, pattern: { type: 'string' } } };

    // WHEN / THEN they stay plain field schemas
    expect(strictSchema(schema)).toEqual({
      additionalProperties: false,
      properties: { properties: { type: 'string' }, items: { type: 'string' }, pattern: { type: 'string' } },
    });
  });

  test('rewrites a Go pattern with an inline flag for JavaScript', () => {
    // GIVEN PrometheusRule's partial_response_strategy, a Go regular expression ajv cannot compile
    const schema = { type: 'string', pattern: '^(?i)(abort|warn)?$' };

    // WHEN / THEN
    expect(strictSchema(schema)).toEqual({ type: 'string', pattern: '^([aA][bB][oO][rR][tT]|[wW][aA][rR][nN])?$' });
  });
});
