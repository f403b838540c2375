import { expr, goString, textTemplate, when } from '../src/_internal';

describe('goString', () => {
  test('quotes a plain string as a Go string literal', () => {
    expect(goString('a "b"')).toBe('"a \\"b\\""');
  });

  test('prints literals and values together, integers without float formatting', () => {
    // GIVEN a string holding a string value and an integer value
    const text = `${expr('$.Values.host', 'string')}:${expr('$.Values.port', 'integer')}`;
    // THEN it formats them in order with printf, the integer as an int64 (Helm reads YAML numbers as float64)
    expect(goString(text)).toBe('(printf "%s:%d" $.Values.host (int64 $.Values.port))');
  });

  test('refuses a template block inside a single value', () => {
    const block = when(expr('$.Values.on', 'boolean'), 'x');
    expect(() => goString(`name-${block}`)).toThrow('A template block (range/if) cannot stand inside a single value: "name-');
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
