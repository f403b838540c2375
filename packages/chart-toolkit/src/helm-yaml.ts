import type { ToStringOptions } from 'yaml';

import { _yaml } from './_yaml';

/**
 * YAML as Helm reads it. Helm parses with YAML 1.1 rules, where unquoted `y`, `no`, `on` or `off` are
 * booleans and `010` is octal; writing with the 1.1 schema quotes such strings so they stay strings.
 */
export const HELM_YAML_OPTIONS = { version: '1.1', lineWidth: 0 } as const satisfies ToStringOptions & { version: '1.1' };

/** {@link helmYaml} of strings, numbers and booleans: templates write the same few scalars hundreds of times. */
const scalarYaml = new Map<string | number | boolean, string>();

/** Serializes a value as YAML that Helm reads back unchanged. */
export function helmYaml(value: unknown): string {
  const scalar = (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') && !Object.is(value, -0);
  const known = scalar ? scalarYaml.get(value) : undefined;
  if (known !== undefined) return known;
  const text = _yaml.stringify(value, { ...HELM_YAML_OPTIONS, aliasDuplicateObjects: false });
  if (scalar) scalarYaml.set(value, text);
  return text;
}
