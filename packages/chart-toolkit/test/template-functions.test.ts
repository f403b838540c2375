import { z } from 'zod';

import {
  and,
  each,
  eq,
  expr,
  expressionOf,
  mergeMaps,
  not,
  omitIfEmpty,
  requireUnique,
  textTemplate,
  times,
  valuesJsonSchema,
  when,
} from '../src';
import { _refsFor } from '../src/helm-value';

describe('template functions', () => {
  test('times repeats a body with an index', () => {
    const text = times(expr<number>('$.Values.replicaCount', 'integer'), (index) => `peer-${index}\n`);
    expect(textTemplate(text)).toBe('{{ range $index1 := until (int $.Values.replicaCount) }}peer-{{ $index1 | int64 }}\n{{ end }}');
  });

  test('when renders both branches', () => {
    const text = when(expr('$.Values.enabled', 'boolean'), 'on\n', 'off\n');
    expect(textTemplate(text)).toBe('{{ if $.Values.enabled }}on\n{{ else }}off\n{{ end }}');
  });

  test('nested loops get distinct variables', () => {
    const schema = valuesJsonSchema(
      z.strictObject({
        hosts: z
          .array(z.strictObject({ paths: z.array(z.string()).describe('paths') }))
          .default([])
          .describe('hosts'),
      }),
      'x',
    );
    const refs = _refsFor<{ hosts: Array<{ paths: string[] }> }>('$.Values', schema);
    const text = each(refs.hosts, (host) => each(host.paths, (path) => `${path}\n`));
    expect(textTemplate(text)).toBe(
      '{{ range $index1, $item1 := $.Values.hosts }}{{ range $index2, $item2 := $item1.paths }}{{ $item2 }}\n{{ end }}{{ end }}',
    );
  });

  test('each refuses a value that is not a list from the schema', () => {
    expect(() => each(expr<unknown[]>('$.Values.x', 'array'), () => '')).toThrow(
      'each(): $.Values.x is not a list value from the values schema',
    );
  });

  test('conditions compose as Go template expressions', () => {
    const a = expr('$.Values.a', 'boolean');
    expect(expressionOf(and(a, not(eq(expr('$.Values.mode', 'string'), 'nodePort'))))).toBe(
      '(and $.Values.a (not (eq $.Values.mode "nodePort")))',
    );
  });

  test('mergeMaps keeps fixed entries over user entries', () => {
    expect(expressionOf(mergeMaps({ app: 'x' }, expr('$.Values.podLabels', 'object')))).toBe(
      '(merge (dict "app" "x") (deepCopy ($.Values.podLabels | default dict)))',
    );
  });

  test('omitIfEmpty keeps the expression and marks it optional', () => {
    expect(expressionOf(omitIfEmpty(expr('$.Values.className', 'string')))).toBe('$.Values.className');
  });

  test('requireUnique fails rendering on duplicate fields', () => {
    expect(textTemplate(requireUnique(expr('$.Values.shards', 'array'), 'name', 'names must be unique'))).toBe(
      '{{- $seen := list }}{{- range $.Values.shards }}{{- $seen = append $seen (index . "name") }}{{- end }}{{- if ne (len $seen) (len (uniq $seen)) }}{{- fail "names must be unique" }}{{- end }}',
    );
  });
});
