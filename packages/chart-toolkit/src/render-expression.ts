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

/** `(include "x" $)` reads better as `include "x" $` where it stands alone in an action. */
export function unwrap(expression: string): string {
  if (!expression.startsWith('(') || !expression.endsWith(')')) return expression;
  let depth = 0;
  for (let index = 0; index < expression.length; index += 1) {
    const char = expression[index];
    if (char === '"') {
      index += 1;
      while (index < expression.length && expression[index] !== '"') index += expression[index] === '\\' ? 2 : 1;
      continue;
    }
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (depth === 0 && index < expression.length - 1) return expression;
  }
  return expression.slice(1, -1);
}

/** A Go expression yielding the string, with every token replaced by its value (`printf` with `%s` verbs). */
export function goString(text: string): string {
  if (!_hasToken(text)) return JSON.stringify(text);
  const segments = _segments(text);
  for (const segment of segments) {
    if (!('literal' in segment) && segment.expression.kind !== 'value') {
      throw new Error(`A template block (range/if) cannot stand inside a single value: ${JSON.stringify(text)}`);
    }
  }
  const only = segments[0];
  if (segments.length === 1 && only !== undefined && 'token' in only && only.expression.kind === 'value') return asString(only.expression);
  const verb = (segment: (typeof segments)[number]): string => {
    if ('literal' in segment) return segment.literal.replaceAll('%', '%%');
    return segment.expression.kind === 'value' && segment.expression.type === 'integer' ? '%d' : '%s';
  };
  const args = segments.flatMap((segment) => {
    if ('literal' in segment || segment.expression.kind !== 'value') return [];
    const { expression, type } = segment.expression;
    if (type !== 'integer') return [asString(segment.expression)];
    // Loop variables are Go ints already; values read from YAML are float64.
    return [/^\$[A-Za-z0-9]+$/.test(expression) ? expression : `(int64 ${expression})`];
  });
  return `(printf ${JSON.stringify(segments.map(verb).join(''))} ${args.join(' ')})`;
}

/**
 * A block whose text (and `else` text) is whole lines, written as a hand-written template writes it: each action on
 * a line of its own, trimming the line break before it, with the same rendered text as the actions inline. `body`
 * and `otherwise` are the texts already turned into template text, each ending with a line break.
 */
function lineBlock(open: string, body: string, otherwise: string | undefined): string {
  const elseLines = otherwise === undefined ? '' : `\n{{- else }}\n${otherwise.slice(0, -1)}`;
  return `{{- ${open} }}\n${body.slice(0, -1)}${elseLines}\n{{- end }}\n`;
}

/**
 * Raw text (config files, NOTES.txt) with tokens turned into template actions and literal `{{` escaped. A block
 * that starts a line and holds whole lines gets its actions on lines of their own (`lineStart`: the text starts a
 * line).
 */
export function textTemplate(text: string, lineStart = false): string {
  let atLineStart = lineStart;
  return _segments(text)
    .map((segment) => {
      const startsLine = atLineStart;
      if ('literal' in segment) {
        if (segment.literal !== '') atLineStart = segment.literal.endsWith('\n');
        return segment.literal.replaceAll('{{', '{{ "{{" }}');
      }
      const expression = segment.expression;
      atLineStart = false;
      if (expression.kind === 'raw') return expression.text;
      if (expression.kind === 'block') {
        const otherwise = expression.otherwise === undefined || expression.otherwise === '' ? undefined : expression.otherwise;
        if (startsLine) {
          const body = textTemplate(expression.body, true);
          const otherwiseText = otherwise === undefined ? undefined : textTemplate(otherwise, true);
          if (body.endsWith('\n') && (otherwiseText === undefined || otherwiseText.endsWith('\n'))) {
            atLineStart = true;
            return lineBlock(expression.open, body, otherwiseText);
          }
        }
        const inlineOtherwise = expression.otherwise === undefined ? '' : `{{ else }}${textTemplate(expression.otherwise)}`;
        return `{{ ${expression.open} }}${textTemplate(expression.body)}${inlineOtherwise}{{ end }}`;
      }
      switch (expression.type) {
        case 'integer':
          return `{{ ${unwrap(expression.expression)} | int64 }}`;
        case 'object':
        case 'array':
          return `{{ toJson ${expression.expression} }}`;
        default:
          return `{{ ${unwrap(expression.expression)} }}`;
      }
    })
    .join('');
}
