import { expr, goString, textTemplate, when, yamlScalarTemplate } from '../src';

describe('goString', () => {
  test('quotes a plain string as a Go string literal', () => {
    expect(goString('a "b"')).toBe('"a \\"b\\""');
  });

  test('prints literals and values together, integers without float formatting', () => {
    // GIVEN a string holding a string value and an integer value
    const text = `${expr('$.Values.host', 'string')}:${expr('$.Values.port', 'integer')}`;
    // THEN it prints them in order, the integer through int64
    expect(goString(text)).toBe('(print $.Values.host ":" ($.Values.port | int64 | toString))');
  });

  test('refuses a template block inside a single value', () => {
    const block = when(expr('$.Values.on', 'boolean'), 'x');
    expect(() => goString(`name-${block}`)).toThrow('A template block (range/if) cannot stand inside a single value: "name-');
  });
});

describe('yamlScalarTemplate', () => {
  test('leaves plain strings alone', () => {
    expect(yamlScalarTemplate('plain')).toBeUndefined();
  });

  test('renders a string that is exactly one value with toJson, keeping its type', () => {
    expect(yamlScalarTemplate(String(expr('$.Values.replicaCount', 'integer')))).toBe('{{ toJson $.Values.replicaCount }}');
  });

  test('renders a string with a value inside as one JSON-quoted string', () => {
    expect(yamlScalarTemplate(`${expr('$.Values.image.repository', 'string')}:${expr('$.Values.image.tag', 'string')}`)).toBe(
      '{{ (print $.Values.image.repository ":" $.Values.image.tag) | toJson }}',
    );
  });

  test('escapes a literal {{ so Helm does not read it as a template', () => {
    expect(yamlScalarTemplate('{{ $labels.instance }}')).toBe('{{ "{{ $labels.instance }}" | toJson }}');
  });
});

describe('textTemplate', () => {
  test('renders values raw, integers through int64 and objects as JSON', () => {
    const text = `maxconn ${expr('$.Values.max', 'integer')} name ${expr('$.Values.name', 'string')} map ${expr('$.Values.labels', 'object')}`;
    expect(textTemplate(text)).toBe('maxconn {{ $.Values.max | int64 }} name {{ $.Values.name }} map {{ toJson $.Values.labels }}');
  });

  test('escapes literal {{ in text', () => {
    expect(textTemplate('summary: {{ $value }}')).toBe('summary: {{ "{{" }} $value }}');
  });
});
