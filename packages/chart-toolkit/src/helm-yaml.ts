import type { ToStringOptions } from 'yaml';

import { _yaml } from './_yaml';

/**
 * YAML as Helm reads it. Helm parses with YAML 1.1 rules, where unquoted `y`, `no`, `on` or `off` are
 * booleans and `010` is octal; writing with the 1.1 schema quotes such strings so they stay strings.
 */
export const HELM_YAML_OPTIONS = { version: '1.1', lineWidth: 0 } as const satisfies ToStringOptions & { version: '1.1' };

/** {@link helmYaml} of strings, numbers and booleans: templates write the same few scalars hundreds of times. */
const scalarYaml = new Map<string | number | boolean, string>();

/** What the yaml library writes for a value, with the options Helm needs. */
function yamlLibrary(value: unknown): string {
  return _yaml.stringify(value, { ...HELM_YAML_OPTIONS, aliasDuplicateObjects: false });
}

/**
 * Strings yaml writes as they are: a letter, then letters, digits and `_./-`, which holds no YAML indicator and,
 * starting with a letter, reads as no number or date; only YAML 1.1's words for booleans and null need quotes.
 */
const PLAIN_WORD = /^[A-Za-z][A-Za-z0-9_./-]*$/;
const YAML_11_WORD = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL)$/;

/** Whether yaml writes a scalar as JavaScript prints it: plain words, booleans, integers (but -0, written `-0`). */
function writtenAsIs(value: string | number | boolean): boolean {
  if (typeof value === 'string') return PLAIN_WORD.test(value) && !YAML_11_WORD.test(value);
  return typeof value === 'boolean' || (Number.isSafeInteger(value) && !Object.is(value, -0));
}

/** A scalar as yaml writes it on its own; asks yaml once per distinct value (-0 is no Map key distinct from 0). */
function scalarText(value: string | number | boolean): string {
  if (writtenAsIs(value)) return `${value}\n`;
  const known = scalarYaml.get(value);
  if (known !== undefined) return known;
  const text = yamlLibrary(value);
  if (!Object.is(value, -0)) scalarYaml.set(value, text);
  return text;
}

/** Keys that need no quoting or explicit-key syntax anywhere: a letter, then letters, digits and `_./-`. */
const WORD_KEY = /^[A-Za-z][A-Za-z0-9_./-]{0,200}$/;

/** @internal Whether yaml writes a map key as it is (`key:`), in any block map. */
export function isPlainKey(key: string): boolean {
  return WORD_KEY.test(key) && scalarText(key) === `${key}\n`;
}

/** @internal A plain object (not a Date, Map or class instance, which yaml writes in its own ways). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/**
 * @internal A value as a single-line YAML scalar, exactly as yaml writes it in a block map or list, or undefined when it is
 * not one (a collection, a multi-line string, undefined). yaml writes a single-line scalar the same wherever it
 * stands in block context (quoting depends on the text only, and lineWidth 0 never folds), so its text on its own is it.
 */
export function inlineScalar(value: unknown): string | undefined {
  if (value === null) return 'null';
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return undefined;
  // Not a block scalar (`|-`, which yaml also uses for a lone `---` or `...`): its lines depend on where it stands.
  const text = scalarText(value).slice(0, -1);
  return text.includes('\n') ? undefined : text;
}

/**
 * The lines of a map or list in yaml's block style (two spaces, list items indented under their key), or undefined
 * when any part needs more of yaml's rules than this covers: then the whole value goes to the yaml library.
 */
function blockLines(value: unknown, indent: string): string[] | undefined {
  const lines: string[] = [];
  if (Array.isArray(value)) {
    for (const item of value) {
      const scalar = inlineScalar(item);
      if (scalar !== undefined) {
        lines.push(`${indent}- ${scalar}`);
        continue;
      }
      const empty = emptyCollection(item);
      if (empty !== undefined) {
        lines.push(`${indent}- ${empty}`);
        continue;
      }
      const nested = blockLines(item, `${indent}  `);
      if (nested === undefined) return undefined;
      // The first line of a nested map or list goes on the dash line: `- key: value`, `- - item`.
      lines.push(`${indent}- ${(nested[0] ?? '').slice(indent.length + 2)}`, ...nested.slice(1));
    }
    return lines;
  }
  if (!isPlainObject(value)) return undefined;
  for (const [key, field] of Object.entries(value)) {
    if (!isPlainKey(key)) return undefined;
    const scalar = inlineScalar(field) ?? emptyCollection(field);
    if (scalar !== undefined) {
      lines.push(`${indent}${key}: ${scalar}`);
      continue;
    }
    // yaml indents a list under its key, like a map.
    const nested = blockLines(field, `${indent}  `);
    if (nested === undefined) return undefined;
    lines.push(`${indent}${key}:`, ...nested);
  }
  return lines;
}

/** @internal `[]` or `{}` for an empty list or plain object, as yaml writes them in flow style. */
export function emptyCollection(value: unknown): string | undefined {
  if (Array.isArray(value)) return value.length === 0 ? '[]' : undefined;
  return isPlainObject(value) && Object.keys(value).length === 0 ? '{}' : undefined;
}

/**
 * Serializes a value as YAML that Helm reads back unchanged. JSON-like data of plain keys and single-line scalars
 * (every `ci/` scenario, Chart.yaml, most template scalars) is written here, exactly as the yaml library writes it
 * and several times faster; anything else goes to the yaml library, as does every scalar's quoting.
 */
export function helmYaml(value: unknown): string {
  const scalar = inlineScalar(value) ?? emptyCollection(value);
  if (scalar !== undefined) return `${scalar}\n`;
  const lines = blockLines(value, '');
  return lines === undefined ? yamlLibrary(value) : `${lines.join('\n')}\n`;
}
