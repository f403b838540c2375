import type { SchemaNode } from './helm-value';

/** Prettier's `printWidth` in this repository; longer unions and tuples break over several lines. */
const WIDTH = 140;

/** Longest default, as a TypeScript literal, that the doc comment of a field shows. */
const DEFAULT_WIDTH = 80;

/** Keywords that only validate values (patterns, bounds, formats) or document them: no TypeScript type for them. */
const VALIDATION_KEYWORDS = new Set([
  '$schema',
  '$comment',
  '$id',
  'title',
  'description',
  'default',
  'examples',
  'deprecated',
  'readOnly',
  'writeOnly',
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'contentEncoding',
  'contentMediaType',
  // rules across fields (`if`/`then`/`else`): they refuse values, they add no type
  'if',
  'then',
  'else',
]);

/** Keywords that shape the TypeScript type. */
const TYPE_KEYWORDS = new Set([
  'type',
  'enum',
  'const',
  'properties',
  'required',
  'additionalProperties',
  'propertyNames',
  'items',
  'additionalItems',
  'anyOf',
  'oneOf',
  'allOf',
  '$ref',
  'definitions',
]);

/** Tuples are written out up to this many required items (`minItems`); longer minimums give a plain array. */
const MAX_TUPLE_MINIMUM = 8;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Object types of at least this many lines that recur are declared once, by name (see {@link sharedTypes}). */
const SHARED_MIN_LINES = 8;

interface Context {
  /** TypeScript names of the schema's `definitions`, by JSON pointer (`#/definitions/x`). */
  readonly refs: ReadonlyMap<string, string>;
  /** Names of the object types declared once and referred to by name, by their inline text (see {@link inlineKey}). */
  readonly shared: ReadonlyMap<string, string>;
  /** When set, every object type rendered is recorded here: its inline text, path and schema. */
  readonly seen?: Array<{ readonly key: string; readonly path: string; readonly node: SchemaNode }>;
}

/** A string literal the way prettier writes it here: single quotes, double ones when that saves escapes. */
function stringLiteral(text: string): string {
  const json = JSON.stringify(text);
  if (text.includes("'") && !text.includes('"')) return json;
  return `'${json.slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
}

/** A JSON value as a one-line TypeScript literal, for literal types and `@default`. */
function literal(value: unknown): string {
  if (typeof value === 'string') return stringLiteral(value);
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return '{}';
    return `{ ${entries.map(([key, item]) => `${propertyKey(key)}: ${literal(item)}`).join(', ')} }`;
  }
  throw new Error(`values types: ${String(value)} is not a JSON value`);
}

function propertyKey(key: string): string {
  return IDENTIFIER.test(key) ? key : stringLiteral(key);
}

function isMultiline(text: string): boolean {
  return text.includes('\n');
}

/** `/** ... *\/` lines at `indent`: the description, then the tags (`@default`, `@minItems`, ...). */
function docComment(node: SchemaNode, indent: string): string {
  const paragraphs: string[] = [];
  if (typeof node.description === 'string' && node.description.trim() !== '') paragraphs.push(node.description.trim());
  const tags: string[] = [];
  if (node.deprecated === true) tags.push('@deprecated');
  // An object's fields document their own defaults; `@default {}` would say nothing.
  if (node.default !== undefined && node.properties === undefined) {
    const shown = literal(node.default);
    if (shown.length <= DEFAULT_WIDTH) tags.push(`@default ${shown}`);
  }
  if (typeof node.minItems === 'number') tags.push(`@minItems ${node.minItems}`);
  if (typeof node.maxItems === 'number') tags.push(`@maxItems ${node.maxItems}`);
  if (tags.length > 0) paragraphs.push(tags.join('\n'));
  if (paragraphs.length === 0) return '';
  const lines = paragraphs
    .join('\n\n')
    .replace(/\*\//g, '*\\/')
    .split('\n')
    .map((line) => `${indent} *${line.trimEnd() === '' ? '' : ` ${line.trimEnd()}`}`);
  return `${indent}/**\n${lines.join('\n')}\n${indent} */\n`;
}

function checkKeywords(node: SchemaNode, path: string): void {
  for (const keyword of Object.keys(node)) {
    if (!VALIDATION_KEYWORDS.has(keyword) && !TYPE_KEYWORDS.has(keyword)) {
      throw new Error(`values types: ${path} uses the JSON Schema keyword "${keyword}", which values.d.ts cannot express yet`);
    }
  }
}

/** Renders the members of a union, given the indentation of their first line and the characters before it. */
type Members = (indent: string, prefixLength: number) => readonly string[];

/**
 * A union on one line when it fits after `prefixLength` characters, hugging a single object type with `null`
 * as prettier does (`{ ... } | null`); otherwise one `| member` per line, the result starting with a newline.
 */
function union(members: Members, indent: string, prefixLength: number): string {
  const hugged = [...new Set(members(indent, prefixLength))];
  if (hugged.length === 1) return hugged[0] ?? 'never';
  const inline = hugged.join(' | ');
  if (!isMultiline(inline) && prefixLength + inline.length + 1 <= WIDTH) return inline;
  const objects = hugged.filter(isMultiline);
  if (objects.length === 1 && hugged.every((member) => isMultiline(member) || member === 'null' || member === 'undefined')) {
    return inline;
  }
  const broken = [...new Set(members(`${indent}    `, indent.length + 4))];
  return broken.map((member) => `\n${indent}  | ${member}`).join('');
}

/** Whether a type has a `|` or `&` outside brackets, so it needs parentheses before `[]`. */
function isCompound(type: string): boolean {
  let depth = 0;
  let quoted = false;
  for (let index = 0; index < type.length; index += 1) {
    const character = type[index];
    if (quoted) {
      if (character === '\\') index += 1;
      else if (character === "'") quoted = false;
    } else if (character === "'") quoted = true;
    else if (character === '{' || character === '[' || character === '(') depth += 1;
    else if (character === '}' || character === ']' || character === ')') depth -= 1;
    else if (depth === 0 && (character === '|' || character === '&')) return true;
  }
  return false;
}

/** Wraps a union for use before `[]` or after `...`: `(A | B)`; a broken union closes on its own line. */
function parenthesised(type: string, indent: string): string {
  if (type.startsWith('\n')) return `(${type}\n${indent})`;
  return isCompound(type) ? `(${type})` : type;
}

/**
 * Renders the TypeScript type of a schema node. `indent` is the indentation of the line the type starts on;
 * `prefixLength` the characters before it on that line. A broken union starts with a newline.
 */
function typeOf(node: SchemaNode, context: Context, path: string, indent: string, prefixLength: number): string {
  checkKeywords(node, path);
  const ref = node.$ref;
  if (typeof ref === 'string') {
    const name = context.refs.get(ref);
    if (name === undefined) throw new Error(`values types: ${path} refers to ${ref}, which the schema does not define`);
    return name;
  }
  if ('const' in node) return literal(node.const);
  const { enum: values } = node;
  if (values !== undefined) return union(() => values.map(literal), indent, prefixLength);
  const variants = node.anyOf ?? (node.oneOf as readonly SchemaNode[] | undefined);
  const allOf = (node.allOf as SchemaNode[] | undefined)?.map((part, index) =>
    typeOf(part, context, `${path}&${index}`, indent, prefixLength),
  );
  if (variants !== undefined && allOf !== undefined) throw new Error(`values types: ${path} combines anyOf/oneOf with allOf`);
  if (variants !== undefined || allOf !== undefined) {
    if (node.type !== undefined || node.properties !== undefined || node.items !== undefined) {
      throw new Error(`values types: ${path} combines anyOf/oneOf/allOf with its own type`);
    }
    if (variants !== undefined) {
      return union(
        (memberIndent, memberPrefix) =>
          variants.map((variant, index) => typeOf(variant, context, `${path}|${index}`, memberIndent, memberPrefix)),
        indent,
        prefixLength,
      );
    }
    return (allOf ?? []).map((part) => parenthesised(part, indent)).join(' & ');
  }
  const types = typeof node.type === 'string' ? [node.type] : node.type;
  if (types === undefined) {
    if (node.properties !== undefined || node.additionalProperties !== undefined) return objectType(node, context, path, indent);
    if (node.items !== undefined) return arrayType(node, context, path, indent, prefixLength);
    return 'unknown';
  }
  return union(
    (memberIndent, memberPrefix) => types.map((type) => singleType(type, node, context, path, memberIndent, memberPrefix)),
    indent,
    prefixLength,
  );
}

function singleType(type: string, node: SchemaNode, context: Context, path: string, indent: string, prefixLength: number): string {
  switch (type) {
    case 'string':
      return 'string';
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'object':
      return objectType(node, context, path, indent);
    case 'array':
      return arrayType(node, context, path, indent, prefixLength);
    default:
      throw new Error(`values types: ${path} has the unknown JSON Schema type "${type}"`);
  }
}

/** A member line of an object type: `key?: type;`, a broken union continuing on the next lines. */
function member(signature: string, type: string): string {
  return `${signature}:${type.startsWith('\n') ? '' : ' '}${type};\n`;
}

/** An object type's text when written inline at the top level, with no shared names: equal texts, equal types. */
function inlineKey(node: SchemaNode, context: Context, path: string): string {
  return objectBody(node, { refs: context.refs, shared: new Map() }, path, '');
}

function objectType(node: SchemaNode, context: Context, path: string, indent: string): string {
  if (context.seen !== undefined && node.properties !== undefined) context.seen.push({ key: inlineKey(node, context, path), path, node });
  if (context.shared.size > 0 && node.properties !== undefined) {
    const name = context.shared.get(inlineKey(node, context, path));
    if (name !== undefined) return name;
  }
  return objectBody(node, context, path, indent);
}

function objectBody(node: SchemaNode, context: Context, path: string, indent: string): string {
  const inner = `${indent}  `;
  const required = new Set(node.required ?? []);
  let body = '';
  for (const [key, property] of Object.entries(node.properties ?? {})) {
    const signature = `${inner}${propertyKey(key)}${required.has(key) ? '' : '?'}`;
    const type = typeOf(property, context, path === '' ? key : `${path}.${key}`, inner, signature.length + 2);
    body += docComment(property, inner) + member(signature, type);
  }
  const additional = node.additionalProperties;
  const keys = node.propertyNames as SchemaNode | undefined;
  if (additional !== undefined && additional !== false) {
    const values =
      additional === true || node.properties !== undefined
        ? 'unknown'
        : typeOf(additional, context, `${path}[key]`, inner, inner.length + 16);
    if (keys?.enum !== undefined) {
      // A record over fixed keys (`z.record(z.enum([...]), ...)`): optional unless every key is required.
      const optional = keys.enum.some((key) => !required.has(String(key)));
      const signature = `${inner}[key in ${keys.enum.map(literal).join(' | ')}]${optional ? '?' : ''}`;
      body += member(signature, values);
    } else {
      body += member(`${inner}[key: string]`, values);
    }
  }
  if (body === '') return 'Record<string, never>';
  return `{\n${body}${indent}}`;
}

function isTuple(items: SchemaNode | readonly SchemaNode[] | undefined): items is readonly SchemaNode[] {
  return Array.isArray(items);
}

function arrayType(node: SchemaNode, context: Context, path: string, indent: string, prefixLength: number): string {
  const minimum = typeof node.minItems === 'number' ? node.minItems : 0;
  const items = node.items as SchemaNode | readonly SchemaNode[] | undefined;
  const inner = `${indent}  `;
  const element = (schema: SchemaNode | boolean | undefined, elementPath: string, elementIndent: string, elementPrefix: number): string =>
    typeof schema === 'object'
      ? parenthesised(typeOf(schema, context, elementPath, elementIndent, elementPrefix), elementIndent)
      : 'unknown';
  if (isTuple(items)) {
    // A tuple (`z.tuple`): the listed items, then `additionalItems` as the rest.
    const listed = items.map((item, index) => `${element(item, `${path}[${index}]`, inner, inner.length)}${index < minimum ? '' : '?'}`);
    const additional = node.additionalItems as boolean | SchemaNode | undefined;
    const rest = additional === false ? [] : [`...${element(additional, `${path}[]`, inner, inner.length + 3)}[]`];
    return tuple([...listed, ...rest], indent, prefixLength);
  }
  if (minimum === 0 || minimum > MAX_TUPLE_MINIMUM) return `${element(items, `${path}[]`, indent, prefixLength)}[]`;
  // At least `minItems` items: `[T, ...T[]]`, so an empty list is a type error too.
  const first = element(items, `${path}[]`, inner, inner.length);
  const rest = `...${element(items, `${path}[]`, inner, inner.length + 3)}[]`;
  return tuple([...Array.from({ length: minimum }, () => first), rest], indent, prefixLength);
}

function tuple(elements: readonly string[], indent: string, prefixLength: number): string {
  const inline = `[${elements.join(', ')}]`;
  if (!isMultiline(inline) && prefixLength + inline.length + 1 <= WIDTH) return inline;
  return `[\n${elements.map((element) => `${indent}  ${element},`).join('\n')}\n${indent}]`;
}

/** `Resources` for `web.resources`, `TolerationsItem` for `web.tolerations[]`: a type name for a values path. */
function pascalCase(segment: string): string {
  const item = segment.endsWith('[]');
  const words = segment
    .replace(/\[\]$/, '')
    .replace(/(^|[^A-Za-z0-9])([A-Za-z0-9])/g, (_match, _separator: string, letter: string) => letter.toUpperCase());
  return `${words.charAt(0).toUpperCase()}${words.slice(1)}${item ? 'Item' : ''}`;
}

/** The segments of a values path (`web.tolerations[]` -> `web`, `tolerations[]`). */
const segments = (path: string): string[] => path.split('.').filter((segment) => segment !== '');

/** Whether `path` lies inside the value at `outer` (`web.resources` inside `web`). */
const inside = (path: string, outer: string): boolean => path.startsWith(`${outer}.`) || path.startsWith(`${outer}[]`);

/**
 * The object types to declare once and refer to by name, as repeated blocks are in hand-written types: each of
 * at least {@link SHARED_MIN_LINES} lines that the file would otherwise spell out more than once (the resources, probes
 * and service account of every workload component, say). Larger types are chosen first; a type is counted once per
 * place it is written after that (inside a shared type it is written once, however often that type is used). Each is
 * named `<typeName><Key>` after its first path, with more of the path where two types would get one name.
 */
function sharedTypes(
  root: SchemaNode,
  context: Context,
  typeName: string,
): Map<string, { name: string; node: SchemaNode; paths: string[] }> {
  const seen: Array<{ key: string; path: string; node: SchemaNode }> = [];
  typeOf(root, { ...context, seen }, '', '', 0);
  const places = new Map<string, string[]>();
  const nodes = new Map<string, SchemaNode>();
  for (const { key, path, node } of seen) {
    // a union is rendered twice (inline, then broken over lines when too long): each path counts once
    if (places.get(key)?.includes(path) === true) continue;
    places.set(key, [...(places.get(key) ?? []), path]);
    if (!nodes.has(key)) nodes.set(key, node);
  }
  const candidates = [...places.entries()]
    .filter(([key, paths]) => paths.length > 1 && key.split('\n').length >= SHARED_MIN_LINES)
    .sort(([a], [b]) => b.length - a.length);
  const chosen: Array<{ key: string; first: string; paths: string[] }> = [];
  for (const [key, paths] of candidates) {
    // the places it is written: outside every chosen type, and inside the first use of each chosen type
    const written = paths.filter((path) => {
      const container = chosen.find((type) => type.paths.some((outer) => inside(path, outer)));
      return container === undefined || container.paths.some((outer) => outer === container.first && inside(path, outer));
    });
    if (written.length > 1) chosen.push({ key, first: paths[0] ?? '', paths });
  }
  const names = new Map<string, { name: string; node: SchemaNode; paths: string[] }>();
  const taken = new Set<string>();
  for (const { key, first, paths } of chosen) {
    const parts = segments(first);
    let name = '';
    for (let count = 1; count <= parts.length && (name === '' || taken.has(name)); count += 1) {
      name = `${typeName}${parts.slice(-count).map(pascalCase).join('')}`;
    }
    for (let suffix = 2; taken.has(name); suffix += 1) name = `${typeName}${parts.map(pascalCase).join('')}${suffix}`;
    taken.add(name);
    names.set(key, { name, node: nodes.get(key) as SchemaNode, paths });
  }
  return names;
}

/** Where a shared type is used, for its doc comment: `The type of \`web.resources\`, \`jvb.resources\` and 2 more.` */
function sharedDescription(paths: readonly string[]): string {
  const shown = paths.slice(0, 3).map((path) => (path.endsWith('[]') ? `each item of \`${path.slice(0, -2)}\`` : `\`${path}\``));
  const more = paths.length > shown.length ? ` and ${paths.length - shown.length} more` : '';
  const list = shown.length > 1 && more === '' ? `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}` : shown.join(', ');
  return `The type of ${list}${more}.`;
}

/** `HaproxyValuesProbe` for the definition `probe` of `HaproxyValues`. */
function definitionName(typeName: string, key: string): string {
  return `${typeName}${key.replace(/(^|[^A-Za-z0-9])([A-Za-z0-9])/g, (_match, _separator: string, letter: string) => letter.toUpperCase())}`;
}

/**
 * `values.d.ts`: the TypeScript declaration of a chart's values, from the draft-07 JSON Schema zod emits for
 * them. The root object becomes `export interface <typeName>`, nested objects inline types, but for those that
 * recur, declared once as `export interface <typeName><Key>` (see {@link sharedTypes}); each field keeps
 * its description and default as a doc comment. Objects without `additionalProperties` are closed, as zod's
 * strict objects are. Throws, naming the path, on a keyword it cannot express, so no field silently loses
 * its type.
 */
export function valuesTypes(schema: SchemaNode, typeName: string, banner: string): string {
  const definitions = Object.entries((schema.definitions as Record<string, SchemaNode> | undefined) ?? {});
  const refs = new Map([
    ['#', typeName],
    ...definitions.map(([key]): [string, string] => [`#/definitions/${key}`, definitionName(typeName, key)]),
  ]);
  const { description: _description, ...root } = schema;
  const shared = sharedTypes(root, { refs, shared: new Map() }, typeName);
  const context: Context = { refs, shared: new Map([...shared].map(([key, { name }]) => [key, name])) };
  const declarations: string[] = [];
  const rootType = typeOf(root, context, '', '', `export type ${typeName} = `.length);
  const rootDoc = docComment({ description: schema.description }, '');
  if (rootType.startsWith('{\n')) {
    declarations.push(`${rootDoc}export interface ${typeName} ${rootType}\n`);
  } else {
    declarations.push(`${rootDoc}export type ${typeName} =${rootType.startsWith('\n') ? '' : ' '}${rootType};\n`);
  }
  for (const { name, node, paths } of shared.values()) {
    // the body itself is written out (objectType would name it), its own shared parts by name
    declarations.push(
      `${docComment({ description: sharedDescription(paths) }, '')}export interface ${name} ${objectBody(node, context, name, '')}\n`,
    );
  }
  for (const [key, definition] of definitions) {
    const name = definitionName(typeName, key);
    const type = typeOf(definition, context, `#/definitions/${key}`, '', `export type ${name} = `.length);
    declarations.push(`${docComment(definition, '')}export type ${name} =${type.startsWith('\n') ? '' : ' '}${type};\n`);
  }
  return `${banner}\n\n${declarations.join('\n')}`;
}
