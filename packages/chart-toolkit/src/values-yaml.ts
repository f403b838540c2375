import type { YAMLMap } from 'yaml';

import { _yaml } from './_yaml';
import type { SchemaNode } from './helm-value';
import { emptyCollection, HELM_YAML_OPTIONS, inlineScalar, isPlainKey, isPlainObject } from './helm-yaml';

/** Longest comment line in values.yaml, before the `#`. */
const COMMENT_WIDTH = 110;

/** Breaks a line into lines of at most `width` characters at spaces (a longer word stays whole). */
export function wrap(line: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of line.split(' ')) {
    if (current !== '' && current.length + 1 + word.length > width) {
      lines.push(current);
      current = word;
    } else {
      current = current === '' ? word : `${current} ${word}`;
    }
  }
  return [...lines, current];
}

function comment(description: string | undefined, indent: number): string | undefined {
  if (description === undefined) return undefined;
  return description
    .split('\n')
    .flatMap((line) => wrap(line, COMMENT_WIDTH - indent))
    .map((line) => ` ${line}`.trimEnd())
    .join('\n');
}

function annotate(map: YAMLMap, schema: SchemaNode, depth: number): void {
  map.items.forEach((pair, index) => {
    if (!_yaml.isScalar(pair.key)) return;
    const property = schema.properties?.[String(pair.key.value)];
    if (property === undefined) return;
    const text = comment(property.description, depth * 2);
    if (text !== undefined) pair.key.commentBefore = text;
    if (depth === 0 && index > 0) pair.key.spaceBefore = true;
    if (_yaml.isMap(pair.value)) annotate(pair.value, property, depth + 1);
  });
}

/** Orders the keys of the defaults as the schema lists them, so values.yaml reads like the schema. */
function ordered(value: unknown, schema: SchemaNode | undefined): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || schema?.properties === undefined) return value;
  const record = value as Record<string, unknown>;
  const keys = [
    ...Object.keys(schema.properties).filter((key) => key in record),
    ...Object.keys(record).filter((key) => !(key in (schema.properties ?? {}))),
  ];
  const properties = schema.properties;
  return Object.fromEntries(keys.map((key) => [key, ordered(record[key], properties[key])]));
}

/**
 * @internal The body of values.yaml as the yaml library writes it: a Document of the ordered defaults, annotated.
 * {@link valuesYaml} writes the same text itself when it can.
 */
export function documentYaml(defaults: unknown, schema: SchemaNode): string {
  const document = new _yaml.Document(ordered(defaults, schema), { version: '1.1' });
  if (_yaml.isMap(document.contents)) annotate(document.contents, schema, 0);
  return document.toString(HELM_YAML_OPTIONS);
}

/**
 * The anchors yaml gives objects that occur more than once (defaults share objects, such as a security context's
 * `seccompProfile`), named `a1`, `a2`, ... in the order yaml meets their second occurrence: depth first, in key order.
 */
function anchorsOf(value: unknown): Map<object, string> {
  const seen = new Set<object>();
  const anchors = new Map<object, string>();
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (seen.has(node)) {
      if (!anchors.has(node)) anchors.set(node, `a${anchors.size + 1}`);
      return;
    }
    seen.add(node);
    for (const child of Array.isArray(node) ? node : Object.values(node)) visit(child);
  };
  visit(value);
  return anchors;
}

/**
 * Writes {@link documentYaml}'s text directly, several times faster than building and printing a yaml Document,
 * for defaults of plain keys and single-line scalars (scalars' text still comes from yaml); returns undefined for
 * anything else (a multi-line string, a shared object inside a list, ...), which then goes to {@link documentYaml}.
 */
class ValuesWriter {
  private readonly anchors: Map<object, string>;
  private readonly anchored = new Set<object>();

  public constructor(values: unknown) {
    this.anchors = anchorsOf(values);
  }

  /** The lines of a map, each key preceded by its description as annotate() places it. */
  public map(map: Record<string, unknown>, schema: SchemaNode | undefined, depth: number): string[] | undefined {
    const indent = '  '.repeat(depth);
    const lines: string[] = [];
    let index = 0;
    for (const [key, value] of Object.entries(map)) {
      if (value === undefined) continue; // yaml leaves the key out
      if (!isPlainKey(key)) return undefined;
      const property = schema?.properties?.[key];
      if (property !== undefined) {
        if (depth === 0 && index > 0) lines.push('');
        const text = comment(property.description, depth * 2);
        if (text?.startsWith('\n') === true) return undefined; // yaml drops leading blank lines of a comment
        // As yaml writes a comment before a key: `#` before each line that has text, blank lines left empty.
        if (text) lines.push(...text.split('\n').map((line) => (line === '' ? '' : `${indent}#${line}`)));
      }
      index++;
      const entry = this.value(value, property, depth + 1);
      if (entry === undefined) return undefined;
      lines.push(entry.inline === undefined ? `${indent}${key}:` : `${indent}${key}: ${entry.inline}`, ...entry.lines);
    }
    return lines;
  }

  /** A map value: inline (a scalar, `{}`, `[]`, an alias, an anchor before a block) and the lines of its block. */
  private value(value: unknown, schema: SchemaNode | undefined, depth: number): { inline?: string; lines: string[] } | undefined {
    const scalar = inlineScalar(value) ?? emptyCollection(value);
    const anchor = typeof value === 'object' && value !== null ? this.anchors.get(value) : undefined;
    if (anchor !== undefined) {
      if (this.anchored.has(value as object)) return { inline: `*${anchor}`, lines: [] };
      this.anchored.add(value as object);
      if (scalar !== undefined) return undefined; // `&a1 {}`: rare enough to leave to yaml
    }
    if (scalar !== undefined) return { inline: scalar, lines: [] };
    const lines = isPlainObject(value) ? this.map(value, schema, depth) : Array.isArray(value) ? this.list(value, depth) : undefined;
    if (lines === undefined) return undefined;
    return anchor === undefined ? { lines } : { inline: `&${anchor}`, lines };
  }

  /** The lines of a list (yaml indents it under its key), whose items carry no comments. */
  private list(items: readonly unknown[], depth: number): string[] | undefined {
    const indent = '  '.repeat(depth);
    const lines: string[] = [];
    for (const item of items) {
      if (typeof item === 'object' && item !== null && this.anchors.has(item)) return undefined;
      const scalar = inlineScalar(item) ?? emptyCollection(item);
      if (scalar !== undefined) {
        lines.push(`${indent}- ${scalar}`);
        continue;
      }
      const nested = isPlainObject(item)
        ? this.map(item, undefined, depth + 1)
        : Array.isArray(item)
          ? this.list(item, depth + 1)
          : undefined;
      if (nested === undefined) return undefined;
      // The first line of a nested map or list goes on the dash line: `- key: value`, `- - item`.
      lines.push(`${indent}- ${(nested[0] ?? '').slice(indent.length + 2)}`, ...nested.slice(1));
    }
    return lines;
  }
}

/** `values.yaml`: the defaults, every key preceded by its description from the schema. */
export function valuesYaml(defaults: unknown, schema: SchemaNode, header: string): string {
  const values = ordered(defaults, schema);
  const lines = isPlainObject(values) && Object.keys(values).length > 0 ? new ValuesWriter(values).map(values, schema, 0) : undefined;
  const body = lines === undefined ? documentYaml(defaults, schema) : `${lines.join('\n')}\n`;
  return `# yaml-language-server: $schema=values.schema.json\n# ${header}\n\n${body}`;
}
