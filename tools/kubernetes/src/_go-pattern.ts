/** An ASCII letter. */
const LETTER = /^[A-Za-z]$/;

/** A letter in the other case. */
function _swapCase(letter: string): string {
  return letter === letter.toLowerCase() ? letter.toUpperCase() : letter.toLowerCase();
}

/** The length of the escape at `start` (a backslash), e.g. 2 for `\d`, 6 for `\p{Lu}`. */
function _escapeLength(pattern: string, start: number): number {
  if ('pP'.includes(pattern[start + 1] ?? '') && pattern[start + 2] === '{') {
    const end = pattern.indexOf('}', start);
    if (end > 0) return end - start + 1;
  }
  return 2;
}

/**
 * The character class at `start` (an opening bracket): its text, with the other case of each letter and letter
 * range added when `caseless`, and its length in the pattern.
 */
function _characterClass(pattern: string, start: number, caseless: boolean): { text: string; length: number } {
  let index = start + 1;
  if (pattern[index] === '^') index += 1;
  const added: string[] = [];
  while (index < pattern.length && pattern[index] !== ']') {
    const char = pattern[index] as string;
    if (char === '\\') {
      index += _escapeLength(pattern, index);
      continue;
    }
    const last = pattern[index + 2];
    if (pattern[index + 1] === '-' && last !== undefined && last !== ']') {
      if (LETTER.test(char) && LETTER.test(last)) added.push(`${_swapCase(char)}-${_swapCase(last)}`);
      index += 3;
      continue;
    }
    if (LETTER.test(char)) added.push(_swapCase(char));
    index += 1;
  }
  if (index >= pattern.length) throw new Error(`unterminated character class in pattern ${JSON.stringify(pattern)}`);
  const body = pattern.slice(start, index);
  return { text: `${body}${caseless ? added.join('') : ''}]`, length: index - start + 1 };
}

/**
 * A Go (RE2) regular expression, as the API server evaluates a CRD's `pattern`, rewritten for JavaScript, which
 * (before ES2025 modifiers) has no inline flags: from a `(?i)` to the end of its group, or in a `(?i:...)` group,
 * each ASCII letter matches both cases (`a` becomes `[aA]`, `[a-c]` becomes `[a-cA-C]`); `(?P<name>` becomes
 * `(?<name>`. A pattern without `(?` is returned as it is.
 * @throws on another inline flag (`(?s)`, `(?m)`, `(?U)`), which no CRD of ours uses
 */
export function goPatternToJs(pattern: string): string {
  if (!pattern.includes('(?')) return pattern;
  const caseless: boolean[] = [false];
  let result = '';
  let index = 0;
  while (index < pattern.length) {
    const char = pattern[index] as string;
    const current = caseless[caseless.length - 1] as boolean;
    if (pattern.startsWith('(?i)', index)) {
      caseless[caseless.length - 1] = true;
      index += 4;
    } else if (pattern.startsWith('(?i:', index) || pattern.startsWith('(?:', index)) {
      caseless.push(current || pattern[index + 2] === 'i');
      result += '(?:';
      index += pattern[index + 2] === 'i' ? 4 : 3;
    } else if (pattern.startsWith('(?P<', index)) {
      caseless.push(current);
      result += '(?<';
      index += 4;
    } else if (pattern.startsWith('(?', index)) {
      throw new Error(`unsupported Go inline flag at ${index} in pattern ${JSON.stringify(pattern)}`);
    } else if (char === '(' || char === ')') {
      if (char === '(') caseless.push(current);
      else if (caseless.length > 1) caseless.pop();
      result += char;
      index += 1;
    } else if (char === '\\') {
      const length = _escapeLength(pattern, index);
      result += pattern.slice(index, index + length);
      index += length;
    } else if (char === '[') {
      const { text, length } = _characterClass(pattern, index, current);
      result += text;
      index += length;
    } else {
      result += current && LETTER.test(char) ? `[${char}${_swapCase(char)}]` : char;
      index += 1;
    }
  }
  return result;
}
