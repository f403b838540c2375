import { mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { type ChartDefinition } from '@meetscale/chart-toolkit';
import { chartFiles, checkValuesSchema, valuesJsonSchema } from '@meetscale/chart-toolkit/build';

import { scaffoldChart, scaffoldFiles } from '../src';

const workspaceRoot = resolve(__dirname, '../../..');

describe('new-chart', () => {
  let root: string;
  // inside the workspace, so that the scaffolded package resolves the workspace's node_modules
  beforeEach(() => {
    root = mkdtempSync(join(workspaceRoot, '.cache', 'new-chart-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('scaffolds a chart package that emits a contract-keeping chart', async () => {
    // GIVEN a scaffolded package
    const files = scaffoldChart({ name: 'demo-thing', root });
    expect(files).toContain('packages/demo-thing/src/chart.ts');
    // WHEN its chart definition is built
    const exported = (await import(join(root, 'packages/demo-thing/src/index.ts'))) as { demoThingChart: ChartDefinition };
    const emitted = await chartFiles(exported.demoThingChart);
    // THEN it holds a workload template and a schema without contract problems
    expect(emitted.map((file) => file.path)).toEqual(
      expect.arrayContaining([
        'Chart.yaml',
        'values.schema.json',
        'templates/demo-thing/deployment.yaml',
        'ci/01-two-replicas-values.yaml',
      ]),
    );
    expect(checkValuesSchema(valuesJsonSchema(exported.demoThingChart.values, 'demo-thing'))).toEqual([]);
  });

  test('tags the package as a chart so synth and the contract tests pick it up', () => {
    const project = JSON.parse(scaffoldFiles({ name: 'logging', scope: 'ops', root })['packages/logging/project.json'] as string) as {
      tags: string[];
    };
    expect(project.tags).toEqual(['type:chart', 'scope:ops']);
  });

  test('refuses names that are not DNS labels and existing packages', () => {
    expect(() => scaffoldFiles({ name: 'Bad_Name', root })).toThrow(
      'Chart name "Bad_Name" must be a lower-case DNS label of 2 to 32 characters',
    );
    expect(() => scaffoldChart({ name: 'haproxy', root: workspaceRoot })).toThrow('packages/haproxy already exists');
  });
});
