import { z } from 'zod';

import { valuesJsonSchema, valuesYaml } from '../src/_internal';
import type { SchemaNode } from '../src/helm-value';
import { documentYaml, wrap } from '../src/values-yaml';

describe('valuesYaml', () => {
  test('writes the defaults in schema order with every key preceded by its description', () => {
    const values = z.strictObject({
      replicaCount: z.number().int().default(2).describe('Replicas.'),
      image: z
        .strictObject({ tag: z.string().default('1.10').describe('Image tag\n(a string).') })
        .prefault({})
        .describe('Image.'),
    });
    const text = valuesYaml(values.parse({}), valuesJsonSchema(values, 'x'), 'Generated.');
    expect(text).toBe(`# yaml-language-server: $schema=values.schema.json
# Generated.

# Replicas.
replicaCount: 2

# Image.
image:
  # Image tag
  # (a string).
  tag: "1.10"
`);
  });
});

describe('valuesYaml writes what the yaml library writes', () => {
  const body = (defaults: unknown, schema: SchemaNode): string =>
    valuesYaml(defaults, schema, 'H').slice('# yaml-language-server: $schema=values.schema.json\n# H\n\n'.length);

  test('defaults of a zod schema: nested maps, records, lists, quoted strings, long and multi-line descriptions', () => {
    // GIVEN a values schema with every kind of field a chart has
    const values = z.strictObject({
      name: z.string().default('').describe('Empty string.'),
      on: z.string().default('on').describe('A YAML 1.1 word.'),
      port: z
        .number()
        .int()
        .default(8080)
        .describe(`A long description. ${'word '.repeat(40)}`),
      ratio: z.number().default(0.5).describe('Two paragraphs.\n\nSecond one.'),
      labels: z.record(z.string(), z.string()).default({ 'app.kubernetes.io/name': 'x', 'needs quotes': 'a: b' }).describe('Map.'),
      list: z
        .array(z.unknown())
        .default([{ a: 1, b: [1, [2]] }, [], {}, 'x y', null])
        .describe('List.'),
      nested: z
        .strictObject({
          inner: z
            .strictObject({ flag: z.boolean().default(true).describe('Flag.') })
            .prefault({})
            .describe('Inner.'),
        })
        .prefault({})
        .describe('Nested.'),
    });
    const defaults = values.parse({});
    const schema = valuesJsonSchema(values, 'x');
    // THEN valuesYaml writes byte for byte what the annotated yaml Document does
    expect(body(defaults, schema)).toBe(documentYaml(defaults, schema));
  });

  test('objects the defaults share become anchors and aliases, wherever they are', () => {
    // GIVEN defaults that share objects: in maps, inside a shared object, in lists, and empty ones
    const shared = { type: 'RuntimeDefault' };
    const schema: SchemaNode = { properties: { a: { description: 'A.' }, b: { description: 'B.' } } };
    const cases: unknown[] = [
      { a: { profile: shared, other: { deep: shared } }, b: { profile: shared } },
      { a: { outer: { shared } }, b: { again: { shared }, twice: shared } },
      { a: [shared], b: shared },
      { a: { x: {} }, b: {} },
      ((empty: object) => ({ a: { empty }, b: { empty } }))({}),
      { a: 'multi\nline', b: 1 },
      { a: { key: undefined, kept: 1 }, b: new Date(0) },
    ];
    // THEN valuesYaml writes byte for byte what the annotated yaml Document does
    for (const defaults of cases) expect(body(defaults, schema)).toBe(documentYaml(defaults, schema));
  });
});

describe('wrap', () => {
  test('breaks at spaces within the width and keeps a longer word whole', () => {
    expect(wrap('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
    expect(wrap('averyveryverylongword x', 5)).toEqual(['averyveryverylongword', 'x']);
  });
});
