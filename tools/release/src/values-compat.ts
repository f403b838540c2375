/**
 * What a values file written for one chart version meets in the next: the two `values.schema.json` documents
 * (draft-07, as the chart toolkit emits them) compared value by value. Paths read as in the README values table:
 * `jvb.media.mode`, `list[].field`, and `map.*` for the entries of a free-form map.
 */

/** The part of a JSON Schema node the comparison reads. */
export interface ValuesSchemaNode {
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly properties?: Readonly<Record<string, ValuesSchemaNode>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | ValuesSchemaNode;
  readonly items?: boolean | ValuesSchemaNode;
  readonly anyOf?: readonly ValuesSchemaNode[];
  readonly oneOf?: readonly ValuesSchemaNode[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
}

/**
 * How a values file that was valid before is hit: a value it may set is gone, a type or enum member it may use is
 * refused now (or a bound is tighter, or a value became required), or the value now means something else.
 */
export type ValueChangeKind = 'removed' | 'narrowed' | 'enum-removed' | 'required' | 'changes-meaning';

/** One incompatible change of a value. */
export interface ValueChange {
  /** Dotted path of the value, as in the README values table. */
  readonly path: string;
  readonly kind: ValueChangeKind;
  /** A sentence naming the path and what a values file has to change. */
  readonly message: string;
}

const JSON_TYPES = ['array', 'boolean', 'integer', 'null', 'number', 'object', 'string'] as const;

/** A node with its `anyOf`/`oneOf` alternatives merged: the comparison asks what the union accepts. */
interface _Flat {
  readonly types: ReadonlySet<string>;
  readonly enum: readonly unknown[] | undefined;
  readonly properties: ReadonlyMap<string, ValuesSchemaNode>;
  readonly required: ReadonlySet<string>;
  /** `false` when the object is closed, a schema for the entries of a map, `true` when any key goes. */
  readonly additional: boolean | ValuesSchemaNode;
  readonly items: ValuesSchemaNode | undefined;
  readonly node: ValuesSchemaNode;
}

function _nodeTypes(node: ValuesSchemaNode): string[] {
  if (node.type !== undefined) return typeof node.type === 'string' ? [node.type] : [...node.type];
  if (node.enum !== undefined)
    return node.enum.map((member) => (member === null ? 'null' : Array.isArray(member) ? 'array' : typeof member));
  return [...JSON_TYPES];
}

function _schema(node: boolean | ValuesSchemaNode | undefined): ValuesSchemaNode {
  if (node === false) return { type: [] };
  return node === true || node === undefined ? {} : node;
}

function _flatten(node: ValuesSchemaNode): _Flat {
  const alternatives = [...(node.anyOf ?? []), ...(node.oneOf ?? [])];
  const parts = alternatives.length > 0 ? alternatives : [node];
  const properties = new Map<string, ValuesSchemaNode>();
  for (const part of parts)
    for (const [key, child] of Object.entries(part.properties ?? {})) if (!properties.has(key)) properties.set(key, child);
  const closed = parts.every((part) => part.additionalProperties === false);
  const map = parts.find((part) => typeof part.additionalProperties === 'object')?.additionalProperties;
  const items = parts.find((part) => part.items !== undefined)?.items;
  return {
    types: new Set(parts.flatMap(_nodeTypes)),
    enum: parts.every((part) => part.enum !== undefined) ? parts.flatMap((part) => part.enum ?? []) : undefined,
    properties,
    required: new Set(alternatives.length > 0 ? [] : (node.required ?? [])),
    additional: closed ? false : (map ?? true),
    items: items === undefined ? undefined : _schema(items),
    node,
  };
}

/** Whether a schema accepting `types` accepts every value of JSON type `type` (integers are numbers). */
function _accepts(types: ReadonlySet<string>, type: string): boolean {
  return types.has(type) || (type === 'integer' && types.has('number'));
}

function _typeList(types: ReadonlySet<string>): string {
  if (types.size === 0) return 'nothing';
  if (JSON_TYPES.every((type) => types.has(type))) return 'any type';
  return [...types].sort().join(' or ');
}

function _members(values: readonly unknown[]): string {
  return values.map((value) => JSON.stringify(value)).join(', ');
}

/** How a message names a value: its path in backticks, or the top level of the values. */
function _name(path: string): string {
  return path === '' ? 'the top level of the values' : `\`${path}\``;
}

type _Report = (path: string, kind: ValueChangeKind, message: string) => void;

const _BOUNDS = [
  { key: 'minimum', lower: true, rule: (n: number) => `be at least ${n}` },
  { key: 'maximum', lower: false, rule: (n: number) => `be at most ${n}` },
  { key: 'minLength', lower: true, rule: (n: number) => `be at least ${n} characters long` },
  { key: 'maxLength', lower: false, rule: (n: number) => `be at most ${n} characters long` },
  { key: 'minItems', lower: true, rule: (n: number) => `hold at least ${n} items` },
  { key: 'maxItems', lower: false, rule: (n: number) => `hold at most ${n} items` },
] as const;

function _compareBounds(path: string, before: ValuesSchemaNode, after: ValuesSchemaNode, report: _Report): void {
  for (const { key, lower, rule } of _BOUNDS) {
    const [old, now] = [before[key], after[key]];
    if (now === undefined || (old !== undefined && (lower ? now <= old : now >= old))) continue;
    const was = old === undefined ? `there was no ${key}` : `it had to ${rule(old)}`;
    report(path, 'narrowed', `${_name(path)} must now ${rule(now)} (${was})`);
  }
}

function _compareObjects(path: string, before: _Flat, after: _Flat, report: _Report): void {
  const prefix = path === '' ? '' : `${path}.`;
  for (const [key, old] of before.properties) {
    const now = after.properties.get(key);
    if (now === undefined) {
      const effect = after.additional === false ? 'Helm now refuses values files that set it' : 'values files that set it are now ignored';
      report(`${prefix}${key}`, 'removed', `\`${prefix}${key}\` was removed: ${effect}`);
    } else {
      _compare(`${prefix}${key}`, old, now, report);
    }
  }
  for (const key of after.required) {
    if (!before.required.has(key)) {
      report(`${prefix}${key}`, 'required', `\`${prefix}${key}\` is now required: values files without it are refused`);
    }
  }
  if (before.additional !== false && after.additional === false) {
    const listed = [...after.properties.keys()].join(', ');
    report(path, 'narrowed', `${_name(path)} no longer accepts keys other than ${listed === '' ? 'none' : listed}`);
  } else if (typeof after.additional === 'object' && before.additional !== false) {
    _compare(`${prefix}*`, _schema(before.additional), after.additional, report);
  }
}

function _compare(path: string, beforeNode: ValuesSchemaNode, afterNode: ValuesSchemaNode, report: _Report): void {
  const before = _flatten(beforeNode);
  const after = _flatten(afterNode);
  const lost = [...before.types].filter((type) => !_accepts(after.types, type));
  const kept = [...before.types].filter((type) => _accepts(after.types, type) || (type === 'number' && after.types.has('integer')));
  if (before.types.size > 0 && kept.length === 0) {
    report(
      path,
      'changes-meaning',
      `${_name(path)} changes meaning: it was ${_typeList(before.types)} and is now ${_typeList(after.types)}, so a values file that sets it must be rewritten`,
    );
    return;
  }
  if (lost.length > 0) {
    report(
      path,
      'narrowed',
      `${_name(path)} no longer accepts ${lost.sort().join(' or ')}: it was ${_typeList(before.types)} and is now ${_typeList(after.types)}`,
    );
  }
  if (after.enum !== undefined) {
    if (before.enum === undefined) {
      report(path, 'narrowed', `${_name(path)} now accepts only ${_members(after.enum)}`);
    } else {
      const accepted = new Set(after.enum.map((member) => JSON.stringify(member)));
      const removed = before.enum.filter((member) => !accepted.has(JSON.stringify(member)));
      if (removed.length > 0) {
        report(path, 'enum-removed', `${_name(path)} no longer accepts ${_members(removed)}: it accepts ${_members(after.enum)}`);
      }
    }
  }
  _compareBounds(path, before.node, after.node, report);
  if (_accepts(before.types, 'object') && _accepts(after.types, 'object')) _compareObjects(path, before, after, report);
  if (_accepts(before.types, 'array') && _accepts(after.types, 'array') && after.items !== undefined) {
    _compare(`${path}[]`, before.items ?? {}, after.items, report);
  }
}

/**
 * The incompatible changes between two `values.schema.json` documents: for each, the value path and a sentence a
 * developer can act on. Values that appear, widen or gain enum members are compatible and not listed.
 */
export function valueChanges(oldSchema: ValuesSchemaNode, newSchema: ValuesSchemaNode): ValueChange[] {
  const changes: ValueChange[] = [];
  _compare('', oldSchema, newSchema, (path, kind, message) => changes.push({ path, kind, message }));
  return changes;
}
