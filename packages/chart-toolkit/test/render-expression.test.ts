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

  test('writes a block of whole lines with its actions on lines of their own, trimming the line break before each', () => {
    // GIVEN a line, an optional block of two lines holding a nested optional line, and a last line
    const on = expr('$.Values.on', 'boolean');
    const inner = expr('$.Values.inner', 'boolean');
    const text = `first\n${when(on, `a\n${when(inner, 'b\n')}c\n`)}last\n`;
    // THEN each action stands on its own line, as a hand-written template has it
    expect(textTemplate(text)).toBe('first\n{{- if $.Values.on }}\na\n{{- if $.Values.inner }}\nb\n{{- end }}\nc\n{{- end }}\nlast\n');
  });

  test('keeps a block inline when it does not start a line or does not end one', () => {
    const on = expr('$.Values.on', 'boolean');
    expect(textTemplate(`x=${when(on, '1\n')}y\n`)).toBe('x={{ if $.Values.on }}1\n{{ end }}y\n');
    expect(textTemplate(`x\n${when(on, 'y', 'z')}\n`)).toBe('x\n{{ if $.Values.on }}y{{ else }}z{{ end }}\n');
  });
});
