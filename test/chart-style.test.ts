import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

import { EMBEDDED_FILE } from '@meetscale/chart-toolkit/build';
import YAML from 'yaml';

import { chartDir, chartNames, renderChart, scenarioFiles } from './support/charts';

/**
 * The emitted charts must read like hand-written Helm (issue: idiomatic charts). These checks measure every
 * chart, so the style cannot regress as charts are added: short structural lines in the templates, and block
 * YAML, not inline JSON, for labels, env, resources and placement in what Helm renders.
 */

const MAX_LINE = 160;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** Lines of a template that are structure: not NOTES.txt prose, not embedded files, not block scalar content. */
function structuralLines(path: string): Array<{ line: number; text: string }> {
  const text = readFileSync(path, 'utf8');
  if (path.endsWith('NOTES.txt') || text.includes(EMBEDDED_FILE)) return [];
  const lines: Array<{ line: number; text: string }> = [];
  let blockIndent: number | undefined;
  text.split('\n').forEach((line, index) => {
    const indent = line.length - line.trimStart().length;
    if (blockIndent !== undefined && (line.trim() === '' || indent > blockIndent)) return;
    blockIndent = /:\s*[|>][-+0-9]*\s*$/.test(line) && !line.trimStart().startsWith('{{') ? indent : undefined;
    lines.push({ line: index + 1, text: line });
  });
  return lines;
}

/** Keys whose values must be block YAML in rendered manifests. */
const BLOCK_KEYS = [
  'labels',
  'annotations',
  'matchLabels',
  'env',
  'envFrom',
  'resources',
  'requests',
  'limits',
  'nodeSelector',
  'tolerations',
  'affinity',
  'topologySpreadConstraints',
  'securityContext',
  'imagePullSecrets',
];
const INLINE_JSON = new RegExp(`^\\s*-?\\s*(${BLOCK_KEYS.join('|')}):\\s*[[{]\\s*[^\\]}\\s]`);

/** A rendered document's keys in order, for the key-order check. */
function keysOf(value: unknown): string[] {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
}

describe.each(chartNames())('chart %s reads like hand-written Helm', (chart) => {
  test(`no structural template line is longer than ${MAX_LINE} characters`, () => {
    const templates = join(chartDir(chart), 'templates');
    const long = files(templates).flatMap((path) =>
      structuralLines(path)
        .filter(({ text }) => text.length > MAX_LINE)
        .map(({ line, text }) => `${relative(templates, path)}:${line} (${text.length}): ${text.slice(0, 100)}…`),
    );
    expect(long).toEqual([]);
  });

  const scenarios = ['defaults', ...scenarioFiles(chart)];
  test.each(scenarios)('rendered with %s: block YAML for labels, env, resources and placement; keys in a readable order', (scenario) => {
    const rendered = renderChart(4, chart, { valuesFiles: scenario === 'defaults' ? [] : [scenario] });
    expect(rendered.stderr).toBe('');
    expect(rendered.status).toBe(0);
    const inline = rendered.stdout.split('\n').filter((line) => INLINE_JSON.test(line));
    expect(inline).toEqual([]);
    for (const document of YAML.parseAllDocuments(rendered.stdout)) {
      const object = document.toJS() as Record<string, unknown> | null;
      if (object === null) continue;
      expect(keysOf(object).slice(0, 3)).toEqual(['apiVersion', 'kind', 'metadata']);
      const metadata = keysOf(object.metadata).filter((key) => ['name', 'namespace', 'labels', 'annotations'].includes(key));
      expect(metadata).toEqual(['name', 'namespace', 'labels', 'annotations'].filter((key) => metadata.includes(key)));
    }
  });
});

describe('the style checks can fail', () => {
  test('a long structural line and an inline JSON label map are caught; embedded files and block scalars are not measured', () => {
    expect(INLINE_JSON.test('  labels: {"app":"x"}')).toBe(true);
    expect(INLINE_JSON.test('    env: [{"name":"A"}]')).toBe(true);
    expect(INLINE_JSON.test('  labels: {}')).toBe(false);
    expect(INLINE_JSON.test('  labels:')).toBe(false);
    const dir = mkdtempSync(join(tmpdir(), 'chart-style-'));
    try {
      const long = `  name: {{ ${'x'.repeat(MAX_LINE)} }}`;
      writeFileSync(join(dir, 'a.yaml'), `data:\n  start.sh: |\n    ${'y'.repeat(MAX_LINE)}\nkind: X\n${long}\n`);
      expect(structuralLines(join(dir, 'a.yaml')).map(({ text }) => text)).toEqual(['data:', '  start.sh: |', 'kind: X', long, '']);
      writeFileSync(join(dir, '_config.tpl'), `{{- /* ${EMBEDDED_FILE} */ -}}\n${long}\n`);
      expect(structuralLines(join(dir, '_config.tpl'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
