import type { YAMLMap } from 'yaml';

import { _yaml } from './_yaml';
import type { SchemaNode } from './helm-value';
import { HELM_YAML_OPTIONS } from './helm-yaml';

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

/** `values.yaml`: the defaults, every key preceded by its description from the schema. */
export function valuesYaml(defaults: unknown, schema: SchemaNode, header: string): string {
  const document = new _yaml.Document(ordered(defaults, schema), { version: '1.1' });
  if (_yaml.isMap(document.contents)) annotate(document.contents, schema, 0);
  const body = document.toString(HELM_YAML_OPTIONS);
  return `# yaml-language-server: $schema=values.schema.json\n# ${header}\n\n${body}`;
}
