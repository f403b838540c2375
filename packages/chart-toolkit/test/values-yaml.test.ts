import { z } from 'zod';

import { valuesJsonSchema, valuesYaml } from '../src/_internal';
import { wrap } from '../src/values-yaml';

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

describe('wrap', () => {
  test('breaks at spaces within the width and keeps a longer word whole', () => {
    expect(wrap('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
    expect(wrap('averyveryverylongword x', 5)).toEqual(['averyveryverylongword', 'x']);
  });
});
