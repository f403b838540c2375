import { readFileSync } from 'node:fs';

import type { ChartDefinition } from './chart-definition';
import type { SchemaNode } from './helm-value';
import { OLDEST_SUPPORTED_HELM_3, SUPPORTED_HELM_VERSIONS } from './helm-versions';

/**
 * A placeholder in a chart package's text file: `@NAME@`, upper-case letters, digits and underscores between two
 * `@` (as autoconf and CMake substitute), which no Markdown, shell or Helm template syntax looks like.
 */
const PLACEHOLDER = /@([A-Z][A-Z0-9_]*)@/g;

/**
 * The text of a file of a chart package, read when the chart module loads (at build time), with every `@NAME@`
 * placeholder replaced by `placeholders[NAME]`. Prose and scripts live in files, TypeScript holds only what it
 * computes; by convention a chart package keeps
 *
 * - its README prose in `docs/README.md`, the definition's `readme`:
 *   `readme: readChartText(join(__dirname, '..', 'docs', 'README.md'))`;
 * - the scripts its pods run in `files/` (`files/start.sh`, or `files/<component>/<script>` when several components
 *   have scripts), mounted from a ConfigMap.
 *
 * A placeholder is for what only TypeScript knows (a constant that code uses too, a Helm value); whatever the text
 * can simply say, it says.
 * @param file absolute path of the file, e.g. `join(__dirname, '..', 'files', 'start.sh')` from the package's `src/`
 * @throws when the file holds a placeholder that has no value, or a value has no placeholder in the file
 */
export function readChartText(file: string, placeholders: Readonly<Record<string, string>> = {}): string {
  const used = new Set<string>();
  const text = readFileSync(file, 'utf8').replace(PLACEHOLDER, (match, name: string) => {
    const value = placeholders[name];
    if (value === undefined) throw new Error(`${file}: placeholder ${match} has no value`);
    used.add(name);
    return value;
  });
  const unused = Object.keys(placeholders).filter((name) => !used.has(name));
  if (unused.length > 0) throw new Error(`${file}: no placeholder for ${unused.map((name) => `@${name}@`).join(', ')}`);
  return text;
}

/** One row of the values table. */
export interface ValueRow {
  readonly key: string;
  readonly type: string;
  readonly default: string;
  readonly description: string;
}

function typeName(node: SchemaNode): string {
  if (node.enum !== undefined) return node.enum.map((member) => JSON.stringify(member)).join(' \\| ');
  if (node.anyOf !== undefined) return node.anyOf.map(typeName).join(' \\| ');
  if (node.type === 'array') return `${node.items === undefined ? 'any' : typeName(node.items)}[]`;
  if (node.type === 'object' && node.properties === undefined) return 'map';
  return Array.isArray(node.type) ? node.type.join(' \\| ') : String(node.type ?? 'any');
}

/** Rows for every documented value: nested objects are flattened, list items show as `list[].field`. */
export function valueRows(schema: SchemaNode, prefix = ''): ValueRow[] {
  return Object.entries(schema.properties ?? {}).flatMap(([key, node]) => {
    const path = `${prefix}${key}`;
    if (node.properties !== undefined) return valueRows(node, `${path}.`);
    const row: ValueRow = {
      key: path,
      type: typeName(node),
      default: node.default === undefined ? '' : `\`${JSON.stringify(node.default)}\``,
      description: (node.description ?? '').replace(/\n/g, ' '),
    };
    const items = node.items?.properties !== undefined ? valueRows(node.items, `${path}[].`) : [];
    return [row, ...items];
  });
}

const escapeCell = (text: string): string => text.replace(/\|/g, '\\|');

/** `x.y.z[-pre]` as numbers to sort by; a release sorts after its prereleases. */
function versionKey(version: string): [number, number, number, number] {
  const [core = '', prerelease] = version.split(/-(.*)/s);
  const [major = 0, minor = 0, patch = 0] = core.split('.').map(Number);
  return [major, minor, patch, prerelease === undefined ? 1 : 0];
}

function newestFirst(a: string, b: string): number {
  const [x, y] = [versionKey(a), versionKey(b)];
  return x.reduce((order, part, index) => order || (y[index] as number) - part, 0) || (a < b ? 1 : a > b ? -1 : 0);
}

/**
 * The `## Upgrading` section: the chart's own words on upgrades (an `## Upgrading` section of its README text),
 * then one `### To <version>` note per version, newest first; empty without either.
 */
function upgradingSection(intro: string, upgrading: Readonly<Record<string, string>> = {}): string {
  const versions = Object.keys(upgrading).sort(newestFirst);
  if (versions.length === 0 && intro === '') return '';
  const notes = versions.map((version) => `### To ${version}\n\n${(upgrading[version] ?? '').trim()}\n`);
  return `## Upgrading\n\n${[intro === '' ? '' : `${intro}\n`, ...notes].filter((part) => part !== '').join('\n')}\n`;
}

/** Splits the `## Upgrading` section out of a chart's README text, so that the version notes join it. */
function takeUpgrading(readme: string): { rest: string; intro: string } {
  const match = /^## Upgrading\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(readme);
  if (match === null) return { rest: readme.trim(), intro: '' };
  return { rest: (readme.slice(0, match.index) + readme.slice(match.index + match[0].length)).trim(), intro: (match[1] ?? '').trim() };
}

/** The header table's row on the Pod Security level of a default install, where it is not `restricted`. */
function podSecurityRow(definition: ChartDefinition): string {
  const declared = definition.defaultPodSecurity;
  return declared === undefined ? '' : `| Pod Security | \`${declared.level}\` with the defaults: ${escapeCell(declared.reason)} |\n`;
}

/** The chart README: the definition's own text, install commands, and the values table. */
export function chartReadme(definition: ChartDefinition, schema: SchemaNode, header: string): string {
  const rows = valueRows(schema)
    .map((row) => `| \`${row.key}\` | ${row.type} | ${escapeCell(row.default)} | ${escapeCell(row.description)} |`)
    .join('\n');
  const { rest, intro } = takeUpgrading(definition.readme);
  return `<!-- ${header} -->
# ${definition.name}

${definition.description}

| | |
| --- | --- |
| Chart version | \`${definition.version}\` |
| App version | \`${definition.appVersion}\` |
| Kubernetes | \`${definition.kubeVersion ?? '>=1.27.0-0'}\` |
| Helm | \`${SUPPORTED_HELM_VERSIONS}\`: Helm ${OLDEST_SUPPORTED_HELM_3} or any later Helm 3, and Helm 4 |
${podSecurityRow(definition)}
${rest}

## Uninstalling

\`helm uninstall <release>\` removes every object the release created, generated credentials included: the chart
keeps nothing behind (no \`helm.sh/resource-policy: keep\`), which the tests check on a real API server. Keep a
copy of anything you need first, or give the chart an \`existingSecret\` where it takes one.

${upgradingSection(intro, definition.upgrading)}## Values

Every value is checked by \`values.schema.json\` at install time: a wrong type, an unknown key or a value out of range is refused
with an error naming its path. TypeScript types of the values are in \`values.d.ts\`.

| Key | Type | Default | Description |
| --- | --- | --- | --- |
${rows}
`;
}
