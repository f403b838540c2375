import YAML, { isMap, isScalar, type YAMLMap } from 'yaml';

import type { SchemaNode } from './helm-value';
import { HELM_YAML_OPTIONS } from './helm-yaml';

function comment(description: string | undefined): string | undefined {
  if (description === undefined) return undefined;
  return description
    .split('\n')
    .map((line) => ` ${line}`.trimEnd())
    .join('\n');
}

function annotate(map: YAMLMap, schema: SchemaNode, topLevel: boolean): void {
  map.items.forEach((pair, index) => {
    if (!isScalar(pair.key)) return;
    const property = schema.properties?.[String(pair.key.value)];
    if (property === undefined) return;
    const text = comment(property.description);
    if (text !== undefined) pair.key.commentBefore = text;
    if (topLevel && index > 0) pair.key.spaceBefore = true;
    if (isMap(pair.value)) annotate(pair.value, property, false);
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
  const document = new YAML.Document(ordered(defaults, schema), { version: '1.1' });
  if (isMap(document.contents)) annotate(document.contents, schema, true);
  const body = document.toString(HELM_YAML_OPTIONS);
  return `# yaml-language-server: $schema=values.schema.json\n# ${header}\n\n${body}`;
}
