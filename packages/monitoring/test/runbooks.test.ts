import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import YAML from 'yaml';

/**
 * The runbooks every alert links (`<rules.runbookBaseUrl>/<alert>.md`): one per alert, none without an alert, each in
 * the same five parts, all listed in the index, and each tuned by values the chart really has. The alerts are read
 * from the text of `src/alerts.ts`, so this test renders nothing.
 */

const PACKAGE = join(__dirname, '..');
const RUNBOOKS = join(PACKAGE, 'runbooks');
const INDEX = 'README.md';

/** Every alert of the rules with its severity: the first `severity:` after its `alert:` in `src/alerts.ts`. */
const ALERTS: ReadonlyArray<{ readonly name: string; readonly severity: string }> = (() => {
  const source = readFileSync(join(PACKAGE, 'src/alerts.ts'), 'utf8');
  return [...source.matchAll(/alert: '([A-Za-z0-9]+)'/g)].map((match) => ({
    name: match[1] ?? '',
    severity: /severity: '([a-z]+)'/.exec(source.slice(match.index))?.[1] ?? '',
  }));
})();

const NAMES = ALERTS.map((alert) => alert.name);

/** The chart's values with their defaults, as users set them. */
const VALUES = YAML.parse(readFileSync(join(PACKAGE, '../../charts/monitoring/values.yaml'), 'utf8')) as Record<string, unknown>;

const RUNBOOK_FILES = readdirSync(RUNBOOKS).filter((file) => file.endsWith('.md') && file !== INDEX);
const runbook = (name: string): string => readFileSync(join(RUNBOOKS, `${name}.md`), 'utf8');

/** The Markdown lines outside fenced code blocks (whose `# comments` are no headings); a fence may open a list item. */
function proseLines(markdown: string): string[] {
  let fenced = false;
  return markdown.split('\n').filter((line) => {
    if (/^\s*(?:(?:[-*+]|\d+[.)])\s+)?```/.test(line)) {
      fenced = !fenced;
      return false;
    }
    return !fenced;
  });
}

const headings = (markdown: string): string[] => proseLines(markdown).filter((line) => /^#{1,6} /.test(line));

/** The prose of the part under `heading` up to the next heading. */
function part(markdown: string, heading: string): string {
  const lines = proseLines(markdown);
  const start = lines.indexOf(heading);
  if (start === -1) return '';
  const end = lines.findIndex((line, index) => index > start && /^#{1,6} /.test(line));
  return lines.slice(start + 1, end === -1 ? undefined : end).join('\n');
}

/** Dotted paths written in code spans, such as `jitsi.bridgeStress.for`. */
const dottedPaths = (markdown: string): string[] =>
  [...markdown.matchAll(/`([a-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)+)`/g)].map((match) => match[1] ?? '');

/** Whether a dotted path names a key of the chart's values (whatever its value). */
function inValues(path: string): boolean {
  let node: unknown = VALUES;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null || Array.isArray(node) || !Object.hasOwn(node, key)) return false;
    node = (node as Record<string, unknown>)[key];
  }
  return true;
}

/** The rows of the index table: the alert each links, where the link points, and its severity. */
const INDEX_ROWS = proseLines(readFileSync(join(RUNBOOKS, INDEX), 'utf8'))
  .filter((line) => line.startsWith('|'))
  .map((line) => line.split('|').map((cell) => cell.trim()))
  .map(([, first = '', severity = '']) => ({ link: /^\[([^\]]*)\]\(([^)]*)\)$/.exec(first), severity }))
  .filter((row) => row.link !== null)
  .map((row) => ({ name: row.link?.[1] ?? '', target: row.link?.[2] ?? '', severity: row.severity }));

describe('the runbooks of the monitoring chart', () => {
  test('GIVEN src/alerts.ts THEN the alert names are found, each once', () => {
    expect(NAMES.length).toBeGreaterThanOrEqual(17);
    expect(new Set(NAMES).size).toBe(NAMES.length);
    expect(ALERTS.filter((alert) => !['critical', 'warning'].includes(alert.severity))).toEqual([]);
  });

  test('GIVEN every alert THEN it has a runbook file named after it', () => {
    expect(NAMES.filter((name) => !RUNBOOK_FILES.includes(`${name}.md`))).toEqual([]);
  });

  test('GIVEN every runbook file THEN it belongs to an alert', () => {
    expect(RUNBOOK_FILES.filter((file) => !NAMES.includes(file.replace(/\.md$/, '')))).toEqual([]);
  });

  test.each(NAMES)('GIVEN the runbook of %s THEN it has the title, a lead, Impact, Diagnosis, Mitigation and Tuning, in order', (name) => {
    const text = runbook(name);
    expect(headings(text)).toEqual([`# ${name}`, '## Impact', '## Diagnosis', '## Mitigation', '## Tuning']);
    expect(part(text, `# ${name}`).trim()).not.toBe('');
    for (const heading of ['## Impact', '## Diagnosis', '## Mitigation', '## Tuning']) expect(part(text, heading).trim()).not.toBe('');
  });

  test.each(NAMES)(
    "GIVEN the runbook of %s THEN its Tuning names a value of the chart, and every path into the chart's values exists",
    (name) => {
      const tuning = dottedPaths(part(runbook(name), '## Tuning'));
      expect(tuning.filter(inValues)).not.toEqual([]);
      // A path that starts like one of the chart's values must be one; other charts' values (`jvb.autoscaling...`) pass.
      const topLevel = Object.keys(VALUES);
      expect(tuning.filter((path) => topLevel.includes(path.split('.')[0] ?? '') && !inValues(path))).toEqual([]);
    },
  );

  test('GIVEN the index THEN it lists every alert exactly once, linked to its runbook, with the severity of its rule', () => {
    const listed = INDEX_ROWS.map((row) => row.name);
    expect(listed.filter((name, index) => listed.indexOf(name) !== index)).toEqual([]);
    expect([...listed].sort()).toEqual([...NAMES].sort());
    expect(INDEX_ROWS.filter((row) => row.target !== `${row.name}.md`)).toEqual([]);
    const severityOf = new Map(ALERTS.map((alert) => [alert.name, alert.severity]));
    expect(INDEX_ROWS.filter((row) => row.severity !== severityOf.get(row.name))).toEqual([]);
  });

  test('GIVEN the reading of the runbooks THEN code blocks are no headings and dotted paths resolve as values do', () => {
    expect(headings('# A\n```sh\n# a comment\n```\n## B\n3. ```sh\n   # another\n   ```\n## C')).toEqual(['# A', '## B', '## C']);
    expect(dottedPaths('raise `jitsi.bridgeStress.for` or `mediaPool.maxNodes`, not `for`')).toEqual([
      'jitsi.bridgeStress.for',
      'mediaPool.maxNodes',
    ]);
    expect(inValues('jitsi.bridgeStress.for')).toBe(true);
    expect(inValues('rules.labels')).toBe(true);
    expect(inValues('jitsi.bridgeStress.for.more')).toBe(false);
    expect(inValues('jitsi.nothing')).toBe(false);
  });
});
