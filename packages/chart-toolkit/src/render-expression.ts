import { _hasToken, _segments, type ValueExpression } from './_tokens';

/**
 * Renderers from token-bearing strings to Helm template text, one per context a string can land in:
 * a Go expression (inside another expression), a YAML scalar, or raw text (a config file, NOTES.txt).
 */

/** The Go expression of a value when it is needed as a string. */
function asString(value: ValueExpression): string {
  switch (value.type) {
    case 'string':
      return value.expression;
    case 'integer':
      // Helm reads YAML numbers as float64; `toString` of 1000000.0 would give "1e+06".
      return `(${value.expression} | int64 | toString)`;
    case 'object':
    case 'array':
      return `(${value.expression} | toJson)`;
    default:
      return `(${value.expression} | toString)`;
  }
}

/** A Go expression yielding the string, with every token replaced by its value. */
export function goString(text: string): string {
  if (!_hasToken(text)) return JSON.stringify(text);
  const parts = _segments(text).map((segment) => {
    if ('literal' in segment) return JSON.stringify(segment.literal);
    if (segment.expression.kind !== 'value') {
      throw new Error(`A template block (range/if) cannot stand inside a single value: ${JSON.stringify(text)}`);
    }
    return asString(segment.expression);
  });
  return parts.length === 1 ? (parts[0] as string) : `(print ${parts.join(' ')})`;
}

/**
 * The Helm template text for a string that is a YAML scalar in a manifest, or undefined when the string is
 * plain. A string that is exactly one value token becomes `{{ toJson EXPR }}`, which keeps numbers, booleans,
 * objects and lists typed; any other string holding a token (or a literal `{{`) is printed and quoted as JSON.
 */
export function yamlScalarTemplate(text: string): string | undefined {
  if (!_hasToken(text)) {
    return text.includes('{{') ? `{{ ${JSON.stringify(text)} | toJson }}` : undefined;
  }
  const segments = _segments(text);
  const only = segments[0];
  if (segments.length === 1 && only !== undefined && 'token' in only && only.expression.kind === 'value') {
    return `{{ toJson ${only.expression.expression} }}`;
  }
  return `{{ ${goString(text)} | toJson }}`;
}

/** The expression of a string that is exactly one value token whose field is left out when empty. */
export function omittableExpression(text: string): string | undefined {
  const segments = _hasToken(text) ? _segments(text) : [];
  const only = segments[0];
  if (segments.length !== 1 || only === undefined || !('token' in only) || only.expression.kind !== 'value') return undefined;
  return only.expression.presentWhen;
}

/** Raw text (config files, NOTES.txt) with tokens turned into template actions and literal `{{` escaped. */
export function textTemplate(text: string): string {
  return _segments(text)
    .map((segment) => {
      if ('literal' in segment) return segment.literal.replaceAll('{{', '{{ "{{" }}');
      const expression = segment.expression;
      if (expression.kind === 'raw') return expression.text;
      if (expression.kind === 'block') {
        const otherwise = expression.otherwise === undefined ? '' : `{{ else }}${textTemplate(expression.otherwise)}`;
        return `{{ ${expression.open} }}${textTemplate(expression.body)}${otherwise}{{ end }}`;
      }
      switch (expression.type) {
        case 'integer':
          return `{{ ${expression.expression} | int64 }}`;
        case 'object':
        case 'array':
          return `{{ toJson ${expression.expression} }}`;
        default:
          return `{{ ${expression.expression} }}`;
      }
    })
    .join('');
}
