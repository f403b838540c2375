/**
 * Placeholder tokens stand for Helm template expressions while a chart is built with ordinary strings.
 *
 * A value reference (`values.image.tag`) or a template block (`each(...)`) turns into a short token such as
 * `mstpl000042x` wherever JavaScript converts it to a string, so it survives cdk8s serialization inside
 * names, labels, config files and URLs. The renderers later swap each token for the Helm expression it stands
 * for. Tokens use only lowercase letters and digits, so they are valid inside Kubernetes names.
 */

/** The JSON type a Helm expression evaluates to, taken from the values schema. */
export type JsonType = 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array' | 'any';

/** A Go template expression, e.g. `$.Values.image.tag` or `include "haproxy.fullname" $`. */
export interface ValueExpression {
  readonly kind: 'value';
  readonly expression: string;
  readonly type: JsonType;
  /** As a whole manifest field, write the field only when this expression is true (not empty). */
  readonly presentWhen?: string;
  /**
   * How a whole manifest field shows the value: `yaml` when the expression yields YAML text to indent in place
   * (an `include` of a helper), `text` for multi-line text written as a block scalar (a config file).
   */
  readonly style?: 'yaml' | 'text';
  /** An integer small enough to print as is (Helm prints float64 numbers of a million or more as 1e+06). */
  readonly small?: boolean;
  /** As a whole manifest field: `then` when the condition holds, else `otherwise` (undefined: no field). */
  readonly choice?: { readonly condition: string; readonly then: unknown; readonly otherwise: unknown };
  /** As a whole manifest field: a list written item by item, in parts (see `ListPart`). */
  readonly list?: ListValue;
}

/** A part of a list field: literal items (kept only when `when` holds), a list value, or items per element. */
export type ListPart =
  | { readonly items: readonly unknown[]; readonly when?: string }
  | { readonly value: string }
  | { readonly range: string; readonly variable: string; readonly item: unknown };

/** A list field written in parts; with `mergeByName`, its last part replaces the entries of the same name. */
export interface ListValue {
  readonly parts: readonly ListPart[];
  /** Name of the named template holding the fixed entries, when later entries replace earlier ones by name. */
  readonly mergeByName?: string;
}

/** A control structure inside text: `{{ open }}body{{ else }}otherwise{{ end }}`. */
export interface BlockExpression {
  readonly kind: 'block';
  readonly open: string;
  readonly body: string;
  readonly otherwise?: string;
}

/** Template text written as is, for logic the other helpers do not cover (e.g. a `fail` check). */
export interface RawExpression {
  readonly kind: 'raw';
  readonly text: string;
}

export type Expression = ValueExpression | BlockExpression | RawExpression;

const registry = new Map<string, Expression>();
let counter = 0;

const TOKEN_SOURCE = 'mstpl\\d{6,}x';
const ANY_TOKEN = new RegExp(TOKEN_SOURCE);

/** Registers an expression and returns the token that stands for it. */
export function _tokenFor(expression: Expression): string {
  counter += 1;
  const token = `mstpl${String(counter).padStart(6, '0')}x`;
  registry.set(token, expression);
  return token;
}

/** The expression a token stands for; throws on a token this process never issued. */
export function _lookupToken(token: string): Expression {
  const found = registry.get(token);
  if (found === undefined) {
    throw new Error(`Unknown template token "${token}": it was not issued by this build`);
  }
  return found;
}

/** True when the string holds at least one token. */
export function _hasToken(text: string): boolean {
  return ANY_TOKEN.test(text);
}

/** A piece of a tokenized string: literal text or the expression of a token. */
export type Segment = { readonly literal: string } | { readonly token: string; readonly expression: Expression };

/** Splits a string into literal text and token expressions, in order. */
export function _segments(text: string): Segment[] {
  const parts: Segment[] = [];
  let last = 0;
  for (const match of text.matchAll(new RegExp(TOKEN_SOURCE, 'g'))) {
    const index = match.index ?? 0;
    if (index > last) parts.push({ literal: text.slice(last, index) });
    parts.push({ token: match[0], expression: _lookupToken(match[0]) });
    last = index + match[0].length;
  }
  if (last < text.length) parts.push({ literal: text.slice(last) });
  return parts;
}
