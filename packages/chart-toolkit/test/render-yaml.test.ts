import { App } from 'cdk8s';

import { concatLists, envList, expr, HelmChart, listWhen, omitIfEmpty, onlyWhen, podAnnotations, ternary } from '../src/_internal';
import { YamlWriter } from '../src/render-yaml';

function write(manifest: Record<string, unknown>): { text: string; defines: Map<string, string> } {
  const defines = new Map<string, string>();
  const text = new YamlWriter({ chartName: 'demo', defines }).map(manifest, 0).join('\n');
  return { text, defines };
}

describe('YamlWriter', () => {
  test('writes a map value as a toYaml block, and an optional one inside with', () => {
    // GIVEN a required map value and an optional one
    const { text } = write({
      resources: String(expr('$.Values.resources', 'object')),
      nodeSelector: String(omitIfEmpty(expr('$.Values.nodeSelector', 'object'))),
    });
    // THEN both are block YAML at the right indentation, never inline JSON
    expect(text).toBe(
      [
        'resources:',
        '  {{- toYaml $.Values.resources | nindent 2 }}',
        '{{- with $.Values.nodeSelector }}',
        'nodeSelector:',
        '  {{- toYaml . | nindent 2 }}',
        '{{- end }}',
      ].join('\n'),
    );
  });

  test('writes scalars by type: strings quoted (a fullname may read as a number), component names bare, small integers as is, large ones through int64', () => {
    const { text } = write({
      a: String(expr('$.Values.a', 'string')),
      b: String(expr('(include "demo.componentName" (dict "component" "web" "context" $))', 'string')),
      full: String(expr('(include "demo.fullname" $)', 'string')),
      c: String(expr('$.Values.big', 'integer')),
      d: 'on',
    });
    expect(text).toBe(
      [
        'a: {{ $.Values.a | quote }}',
        'b: {{ include "demo.componentName" (dict "component" "web" "context" $) }}',
        'full: {{ include "demo.fullname" $ | quote }}',
        'c: {{ $.Values.big | int64 }}',
        'd: "on"',
      ].join('\n'),
    );
  });

  test('writes a ternary field as if/else and an onlyWhen field under if', () => {
    const on = expr('$.Values.on', 'boolean');
    const { text } = write({
      port: String(ternary(on, 1, expr('$.Values.port', 'integer'), 'integer')),
      command: String(onlyWhen(on, ['/bin/sh'])),
    });
    expect(text).toBe(
      [
        '{{- if $.Values.on }}',
        'port: 1',
        '{{- else }}',
        'port: {{ $.Values.port | int64 }}',
        '{{- end }}',
        '{{- if $.Values.on }}',
        'command:',
        '  - /bin/sh',
        '{{- end }}',
      ].join('\n'),
    );
  });

  test('writes a list in parts: items, conditional items and a list value spliced in', () => {
    const list = concatLists(
      [{ name: 'http' }],
      listWhen(expr('$.Values.media', 'boolean'), [{ name: 'media' }]),
      expr('$.Values.extra', 'array'),
    );
    const { text } = write({ ports: String(list) });
    expect(text).toBe(
      [
        'ports:',
        '  - name: http',
        '  {{- if $.Values.media }}',
        '  - name: media',
        '  {{- end }}',
        '  {{- with $.Values.extra }}',
        '  {{- toYaml . | nindent 2 }}',
        '  {{- end }}',
      ].join('\n'),
    );
  });

  test('writes env merged by name through a named template of the own entries', () => {
    const env = envList('web.env', [[{ name: 'A', value: 'x' }]], expr('$.Values.extraEnv', 'array'));
    const { text, defines } = write({ env: String(env) });
    expect(text).toBe(
      [
        'env:',
        '  {{- include "demo.mergeByName" (dict "list" (include "demo.web.env" $) "overrides" $.Values.extraEnv) | nindent 2 }}',
      ].join('\n'),
    );
    expect(defines.get('demo.web.env')).toBe('- name: A\n  value: x');
  });

  test('splices helper YAML first and map values last into a map', () => {
    // GIVEN pod annotations (a fixed checksum, then the user's) next to a labels map spread with one more label
    const chart = new HelmChart(new App(), 'demo', { chartName: 'demo', valuesSchema: { type: 'object' } });
    const { text } = write({
      labels: { ...chart.selectorLabels('web'), extra: 'x' },
      annotations: podAnnotations({ 'checksum/config': 'abc' }, expr('$.Values.podAnnotations', 'object')),
    });
    // THEN the labels helper comes first and the user's annotations last, each block YAML
    expect(text).toBe(
      [
        'labels:',
        '  {{- include "demo.selectorLabels" (dict "component" "web" "context" $) | nindent 2 }}',
        '  extra: x',
        'annotations:',
        '  checksum/config: abc',
        '  {{- with $.Values.podAnnotations }}',
        '  {{- toYaml . | nindent 2 }}',
        '  {{- end }}',
      ].join('\n'),
    );
  });

  test('writes a multi-line string as a block scalar keeping its final newline', () => {
    const { text } = write({ data: { 'start.sh': '#!/bin/sh\necho {{ x }}\n' } });
    expect(text).toBe('data:\n  start.sh: |\n    #!/bin/sh\n    echo {{ "{{" }} x }}');
  });

  test('refuses a whole map value as a list item', () => {
    expect(() => write({ items: [String(expr('$.Values.item', 'object'))] })).toThrow('A list item cannot be a whole map or list value');
  });
});
