import { z } from 'zod';

import {
  and,
  checksum,
  concatLists,
  each,
  eq,
  expr,
  expressionOf,
  goValue,
  hasKey,
  listWhen,
  not,
  omitIfEmpty,
  onlyWhen,
  requireUnique,
  ternary,
  textTemplate,
  times,
  valuesJsonSchema,
  when,
} from '../src/_internal';
import { _refsFor } from '../src/helm-value';

describe('template functions', () => {
  test('goValue builds maps, lists and strings holding values as Go expressions', () => {
    const port = expr<number>('$.Values.port', 'integer');
    expect(goValue({ name: `svc-${port}`, ports: [port, 80], on: true })).toBe(
      '(dict "name" (printf "svc-%d" (int64 $.Values.port)) "ports" (list $.Values.port 80) "on" true)',
    );
  });

  test('concatLists joins literal items, conditional items and list values, tolerating a null list', () => {
    const extra = expr<unknown[]>('$.Values.extraEnv', 'array');
    const list = concatLists([{ name: 'A' }], listWhen(expr('$.Values.on', 'boolean'), [{ name: 'B' }]), extra);
    expect(expressionOf(list)).toBe(
      '(concat (list (dict "name" "A")) ((ternary (list (dict "name" "B")) (list) $.Values.on) | default list) ($.Values.extraEnv | default list))',
    );
  });

  test('onlyWhen writes a field under a condition of its own', () => {
    const replicas = onlyWhen(not(expr('$.Values.autoscaling', 'boolean')), expr<number>('$.Values.replicas', 'integer'));
    expect(String(replicas)).toMatch(/^mstpl\d{6}x$/);
    expect(expressionOf(replicas)).toBe('$.Values.replicas');
  });

  test('ternary and checksum accept values and literals alike', () => {
    expect(expressionOf(ternary(expr('$.Values.on', 'boolean'), 'a', expr('$.Values.b', 'string'), 'string'))).toBe(
      '(ternary "a" $.Values.b $.Values.on)',
    );
    // a condition that is not a boolean counts as true unless empty
    expect(expressionOf(ternary(expr('$.Values.name', 'string'), 'a', 'b', 'string'))).toBe(
      '(ternary "a" "b" ($.Values.name | empty | not))',
    );
    // static content is hashed when the chart is built; content holding values cannot be
    expect(checksum({ 'start.sh': 'echo hi' })).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum({ 'start.sh': 'echo hi' })).not.toBe(checksum({ 'start.sh': 'echo ho' }));
    expect(() => checksum({ a: expr('$.Values.a', 'string') })).toThrow('use chart.checksumOf');
  });

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

  test('each goes through a map value by key, typing its entries from the schema', () => {
    const schema = valuesJsonSchema(
      z.strictObject({
        streams: z
          .record(z.string(), z.strictObject({ retention: z.string().describe('retention') }))
          .default({})
          .describe('streams'),
      }),
      'x',
    );
    const refs = _refsFor<{ streams: Record<string, { retention: string }> }>('$.Values', schema);
    const text = each(refs.streams, (stream, name) => `${name}=${stream.retention}\n`);
    expect(textTemplate(text)).toBe('{{ range $index1, $item1 := $.Values.streams }}{{ $index1 }}={{ $item1.retention }}\n{{ end }}');
  });

  test("requireUnique over a map collects every entry's list items; hasKey asks a map for an entry", () => {
    const schema = valuesJsonSchema(
      z.strictObject({
        streams: z
          .record(z.string(), z.strictObject({ containers: z.array(z.string()).default([]).describe('containers') }))
          .default({})
          .describe('streams'),
      }),
      'x',
    );
    const refs = _refsFor<{ streams: Record<string, { containers: string[] }> }>('$.Values', schema);
    expect(textTemplate(requireUnique(refs.streams, 'containers', 'twice'))).toBe(
      '{{- $seen := list }}{{- range $.Values.streams }}{{- range (index . "containers" | default list) }}{{- $seen = append $seen . }}{{- end }}{{- end }}' +
        '{{- if ne (len $seen) (len (uniq $seen)) }}{{- fail "twice" }}{{- end }}',
    );
    expect(expressionOf(hasKey(refs.streams, expr<string>('$.Values.defaultStream', 'string')))).toBe(
      '(hasKey $.Values.streams $.Values.defaultStream)',
    );
  });

  test('each refuses a value that is not a list or map from the schema', () => {
    expect(() => each(expr<unknown[]>('$.Values.x', 'array'), () => '')).toThrow(
      'each(): $.Values.x is not a list or map value from the values schema',
    );
  });

  test('conditions compose as Go template expressions', () => {
    const a = expr('$.Values.a', 'boolean');
    expect(expressionOf(and(a, not(eq(expr('$.Values.mode', 'string'), 'nodePort'))))).toBe(
      '(and $.Values.a (not (eq $.Values.mode "nodePort")))',
    );
  });

  test('eq compares a value with an integer literal as an integer (Helm reads value numbers as float64)', () => {
    expect(expressionOf(eq(expr('$.Values.port', 'integer'), 404))).toBe('(eq (int $.Values.port) 404)');
    expect(expressionOf(eq(expr('$.Values.ratio', 'number'), 0.5))).toBe('(eq $.Values.ratio 0.5)');
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
