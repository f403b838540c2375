import { _tokenFor, type JsonType, type ValueExpression } from './_tokens';

const EXPRESSION = Symbol('meetscale.expression');
const TYPE = Symbol('meetscale.type');
const SCHEMA = Symbol('meetscale.schema');
const FIELD = Symbol('meetscale.field');

/** How a value shows as a whole manifest field (see `ValueExpression`). */
export type FieldOptions = Pick<ValueExpression, 'presentWhen' | 'style' | 'small' | 'choice' | 'list'>;

/** A JSON Schema node as zod emits it (draft-07); only the keys the toolkit reads are typed. */
export interface SchemaNode {
  readonly type?: string | readonly string[];
  readonly description?: string;
  readonly default?: unknown;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly required?: readonly string[];
  readonly items?: SchemaNode;
  readonly additionalProperties?: boolean | SchemaNode;
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly SchemaNode[];
  readonly [key: string]: unknown;
}

/**
 * A value known only when Helm renders the chart: a Go template expression with the JSON type it yields.
 *
 * Converting it to a string (a template literal, `String(v)`, JSON) gives a token that the chart renderers
 * replace with the expression, so a HelmValue can stand anywhere a string can: names, labels, config files.
 * Internals are kept under symbols so that value keys such as `type` or `name` stay free for the values tree.
 */
export class HelmValue<T = unknown> {
  /** Phantom field carrying the TypeScript type of the value; never set. */
  declare readonly __valueType?: T;
  private readonly [EXPRESSION]: string;
  private readonly [TYPE]: JsonType;
  private readonly [SCHEMA]: SchemaNode | undefined;
  private readonly [FIELD]: FieldOptions;

  /**
   * @param field how the value shows as a whole manifest field (left out when empty, a block, a list in parts)
   */
  public constructor(expression: string, type: JsonType, schema?: SchemaNode, field: FieldOptions = {}) {
    this[EXPRESSION] = expression;
    this[TYPE] = type;
    this[SCHEMA] = schema;
    this[FIELD] = field;
  }

  /** The token standing for this value inside strings. */
  public toString(): string {
    return _tokenFor({ kind: 'value', expression: this[EXPRESSION], type: this[TYPE], ...this[FIELD] });
  }

  /** JSON serialization yields the token as well, so values survive `JSON.stringify` and cdk8s. */
  public toJSON(): string {
    return this.toString();
  }
}

/** The Go template expression of a value, e.g. `$.Values.image.tag`. */
export function expressionOf(value: HelmValue<unknown>): string {
  return (value as unknown as Record<symbol, string>)[EXPRESSION] as string;
}

/** The JSON type of a value. */
export function typeOf(value: HelmValue<unknown>): JsonType {
  return (value as unknown as Record<symbol, JsonType>)[TYPE] as JsonType;
}

/** The schema node a value reference was made from, when it came from the values schema. */
export function schemaOf(value: HelmValue<unknown>): SchemaNode | undefined {
  return (value as unknown as Record<symbol, SchemaNode | undefined>)[SCHEMA];
}

/** How a value shows as a whole manifest field. */
export function fieldOf(value: HelmValue<unknown>): FieldOptions {
  return (value as unknown as Record<symbol, FieldOptions>)[FIELD] as FieldOptions;
}

/** True for a HelmValue. */
export function isHelmValue(candidate: unknown): candidate is HelmValue<unknown> {
  return candidate instanceof HelmValue;
}

/**
 * References to every value of a chart, shaped like the values themselves: `refs.image.tag` is a
 * `HelmValue<string>` that renders as `$.Values.image.tag`.
 */
export type Refs<T> = HelmValue<T> &
  (NonNullable<T> extends readonly unknown[]
    ? unknown
    : NonNullable<T> extends Record<string, unknown>
      ? { readonly [K in keyof NonNullable<T>]-?: Refs<NonNullable<T>[K]> }
      : unknown);

/** The JSON type a schema node describes, `any` when it allows several. */
export function _jsonTypeOf(schema: SchemaNode): JsonType {
  const declared = schema.type;
  if (typeof declared === 'string' && declared !== 'null') return declared as JsonType;
  if (Array.isArray(declared)) {
    const nonNull = declared.filter((candidate) => candidate !== 'null');
    if (nonNull.length === 1) return nonNull[0] as JsonType;
  }
  if (schema.enum !== undefined && schema.enum.every((member) => typeof member === 'string')) return 'string';
  return 'any';
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The expression selecting `key` of `parent`, with `index` for keys Go templates cannot spell with a dot. */
export function _child(parent: string, key: string): string {
  return IDENTIFIER.test(key) ? `${parent}.${key}` : `(index ${parent} ${JSON.stringify(key)})`;
}

/**
 * A default as a Go literal: a long list one element a line (Go templates allow line breaks inside an action), so the
 * template stays readable.
 */
function _defaultLiteral(value: unknown): string {
  const literal = _goLiteral(value);
  if (!Array.isArray(value) || literal.length <= 100) return literal;
  return `(list\n${value.map((item) => `  ${_goLiteral(item)}`).join('\n')})`;
}

/**
 * A schema node's default with the defaults of its object's fields filled in: an object that defaults to `{}`
 * (zod's `prefault({})`) stands for the defaults of its fields, which Helm does not apply inside a list element.
 */
function _filledDefault(schema: SchemaNode): unknown {
  const own = schema.default;
  if (own === null || typeof own !== 'object' || Array.isArray(own) || schema.properties === undefined) return own;
  const filled: Record<string, unknown> = { ...(own as Record<string, unknown>) };
  for (const [key, child] of Object.entries(schema.properties)) {
    if (!(key in filled) && child.default !== undefined) filled[key] = _filledDefault(child);
  }
  return filled;
}

/** A Go literal of a JSON value: strings quoted, lists and maps decoded from JSON. */
export function _goLiteral(value: unknown): string {
  if (Array.isArray(value)) return `(list ${value.map(_goLiteral).join(' ')})`.replace(' )', ')');
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([key, item]) => `${JSON.stringify(key)} ${_goLiteral(item)}`);
    return `(dict ${entries.join(' ')})`.replace(' )', ')');
  }
  return JSON.stringify(value);
}

/** Where a list element's reference tree starts: its loop variable and the keys walked from it. */
interface ItemRoot {
  readonly variable: string;
  readonly keys: readonly string[];
}

/**
 * Builds the reference tree for a schema node rooted at a Go expression (`$.Values`, `$item1`, ...).
 *
 * Inside a list element (`item`), Helm has applied no defaults (it never applies JSON Schema defaults, and
 * values.yaml cannot hold defaults for elements a user adds), so a field with a schema default reads
 * `(dig "key" <default> $item)`, which also survives a missing parent object.
 */
export function _refsFor<T>(expression: string, schema: SchemaNode, item?: ItemRoot): Refs<T> {
  const small = typeof schema.maximum === 'number' && schema.maximum < 1_000_000;
  const value = new HelmValue<T>(expression, _jsonTypeOf(schema), schema, small ? { small } : {});
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const childItem = item === undefined ? undefined : { variable: item.variable, keys: [...item.keys, key] };
    const childExpression =
      childItem !== undefined && child.default !== undefined
        ? `(dig ${childItem.keys.map((segment) => JSON.stringify(segment)).join(' ')} ${_defaultLiteral(_filledDefault(child))} ${childItem.variable})`
        : _child(expression, key);
    Object.defineProperty(value, key, {
      value: _refsFor(childExpression, child, childItem),
      enumerable: true,
    });
  }
  return value as Refs<T>;
}
