import { z } from 'zod';

import { each, expressionOf, type HelmValue, textTemplate, typeOf, valuesJsonSchema } from '../src/_internal';
import { _refsFor } from '../src/helm-value';

const schema = valuesJsonSchema(
  z.strictObject({
    image: z
      .strictObject({ tag: z.string().default('1.0').describe('tag') })
      .prefault({})
      .describe('image'),
    'odd-key': z.number().int().default(1).describe('odd'),
    shards: z
      .array(z.strictObject({ name: z.string().describe('name'), port: z.number().int().default(80).describe('port') }))
      .default([])
      .describe('shards'),
  }),
  'example',
);

describe('value references', () => {
  test('are shaped like the values and render as $.Values paths with their JSON types', () => {
    // GIVEN references built from the schema
    const refs = _refsFor<{ image: { tag: string }; 'odd-key': number; shards: Array<{ name: string; port: number }> }>('$.Values', schema);
    // THEN each value knows its expression and type
    expect(expressionOf(refs.image.tag)).toBe('$.Values.image.tag');
    expect(typeOf(refs.image.tag)).toBe('string');
    expect(expressionOf(refs['odd-key'])).toBe('(index $.Values "odd-key")');
    expect(typeOf(refs['odd-key'])).toBe('integer');
  });

  test('read list element fields with their schema default, which Helm never applies', () => {
    const refs = _refsFor<{ shards: Array<{ name: string; port: number }> }>('$.Values', schema);
    // WHEN a list is expanded
    const text = textTemplate(
      each(refs.shards as HelmValue<Array<{ name: string; port: number }>>, (shard) => `${shard.name}:${shard.port}\n`),
    );
    // THEN a field without default reads directly, one with a default through dig
    expect(text).toBe('{{ range $index1, $item1 := $.Values.shards }}{{ $item1.name }}:{{ dig "port" 80 $item1 | int64 }}\n{{ end }}');
  });
});
