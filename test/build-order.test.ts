/**
 * `npm run build` is one pass: every synth that reads another chart's published facts
 * (`@meetscale/chart-values/facts/<chart>`, which that chart's synth writes) runs after that synth. Without the
 * order, Nx runs them side by side, and a changed chart left its readers built from its old facts until a second
 * build.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

import { createProjectGraphAsync, type ProjectGraph } from '@nx/devkit';

const root = resolve(__dirname, '..');

let graph: ProjectGraph;
/** What each synth task waits for, as `nx run-many -t synth` plans it. */
let synthWaitsFor: Record<string, string[]>;

beforeAll(async () => {
  process.env.NX_DAEMON = 'false';
  graph = await createProjectGraphAsync({ exitOnError: false });
  const dir = mkdtempSync(join(tmpdir(), 'build-order-'));
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, NX_DAEMON: 'false' };
    delete env.NODE_OPTIONS;
    const file = join(dir, 'tasks.json');
    const result = spawnSync(process.execPath, [require.resolve('nx/bin/nx'), 'run-many', '-t', 'synth', `--graph=${file}`], {
      cwd: root,
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (result.status !== 0) throw new Error(`nx run-many -t synth --graph failed: ${result.stderr}`);
    synthWaitsFor = (JSON.parse(readFileSync(file, 'utf8')) as { tasks: { dependencies: Record<string, string[]> } }).tasks.dependencies;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 180_000);

/** The TypeScript sources under a folder, without tests. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'test' || name === 'node_modules' ? [] : sources(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The charts whose facts a source file imports as values (type-only imports do not run). */
const factsImported = (source: string): string[] =>
  [...source.matchAll(/^import (?!type )[^;]*? from '@meetscale\/chart-values\/facts\/([a-z0-9-]+)';/gm)].map((match) => match[1] ?? '');

/** The project whose synth writes a chart's facts, from the header of `charts/facts/<chart>.ts`. */
function factsWriter(chart: string): string {
  const header = readFileSync(join(root, 'charts/facts', `${chart}.ts`), 'utf8').split('\n', 1)[0] ?? '';
  const packageRoot = /from (packages\/[a-z0-9-]+)\/src\/facts\.ts/.exec(header)?.[1];
  const project = Object.values(graph.nodes).find((node) => node.data.root === packageRoot);
  if (project === undefined) throw new Error(`no project writes charts/facts/${chart}.ts (header: ${header})`);
  return project.name;
}

/** Whether `task` waits for `other`, directly or through the tasks it waits for. */
function waitsFor(task: string, other: string, seen = new Set<string>()): boolean {
  if (seen.has(task)) return false;
  seen.add(task);
  return (synthWaitsFor[task] ?? []).some((next) => next === other || waitsFor(next, other, seen));
}

/** Each synth task, and the synth tasks of the charts whose facts its project's sources import. */
function factsReaders(): Array<{ task: string; reads: string; writer: string }> {
  return Object.values(graph.nodes)
    .filter((node) => node.data.targets?.synth !== undefined)
    .flatMap((node) =>
      sources(join(root, node.data.root)).flatMap((file) =>
        factsImported(readFileSync(file, 'utf8'))
          .map((chart) => ({ task: `${node.name}:synth`, reads: `${relative(root, file)}: ${chart}`, writer: factsWriter(chart) }))
          .filter(({ writer }) => writer !== node.name)
          .map(({ task, reads, writer }) => ({ task, reads, writer: `${writer}:synth` })),
      ),
    );
}

test('finds the imports of published facts it checks', () => {
  expect(
    factsImported(
      "import { A } from '@meetscale/chart-values/facts/scalelite';\nimport type { B } from '@meetscale/chart-values/facts/haproxy';",
    ),
  ).toEqual(['scalelite']);
  const readers = factsReaders();
  // the monitoring chart reads the bridges' facts, the autoscaler's chart Scalelite's, the infrastructure app all of them
  expect(readers).toContainEqual(expect.objectContaining({ task: 'monitoring:synth', writer: 'jitsi-shard:synth' }));
  expect(readers).toContainEqual(expect.objectContaining({ task: 'bbb-autoscaler-chart:synth', writer: 'scalelite:synth' }));
  expect(readers).toContainEqual(expect.objectContaining({ task: 'infra:synth', writer: 'haproxy:synth' }));
});

test('every synth that reads published facts runs after the synth that writes them', () => {
  const unordered = factsReaders()
    .filter(({ task, writer }) => !waitsFor(task, writer))
    .map(({ task, reads, writer }) => `${task} does not wait for ${writer} (${reads})`);
  expect(unordered).toEqual([]);
});
