/**
 * The Nx module-boundary rules really constrain: imports across the tag rules fail lint with the rule's message,
 * allowed ones pass. The code is linted as the text of an existing file of each project (the rule finds a file's
 * project in Nx's file map, so it skips unknown paths); nothing is written.
 */
import { resolve } from 'node:path';

import { createProjectGraphAsync } from '@nx/devkit';
import { ESLint } from 'eslint';

const root = resolve(__dirname, '..');
let eslint: ESLint;

beforeAll(async () => {
  // the rule reads the cached project graph; make sure there is one
  process.env.NX_DAEMON = 'false';
  await createProjectGraphAsync({ exitOnError: false });
  eslint = new ESLint({ cwd: root });
}, 60_000);

async function boundaryMessages(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(root, file) });
  return (result?.messages ?? []).filter((message) => message.ruleId === '@nx/enforce-module-boundaries').map((message) => message.message);
}

test('a chart package may not import the infrastructure app', async () => {
  const messages = await boundaryMessages(
    'packages/haproxy/src/index.ts',
    "import { MeetscaleStack } from '@meetscale/infra';\nexport const x = MeetscaleStack;\n",
  );
  expect(messages).toEqual(['Imports of apps are forbidden']);
  // and a tool, which the tag rules forbid for charts
  const tool = await boundaryMessages(
    'packages/haproxy/src/index.ts',
    "import { synth } from '@meetscale/synth';\nexport const x = synth;\n",
  );
  expect(tool).toEqual([
    expect.stringContaining('A project tagged with "type:chart" can only depend on libs tagged with "type:lib", "type:artifact"'),
  ]);
});

test("a chart package may read another chart's published facts, not its package", async () => {
  const facts = await boundaryMessages(
    'packages/monitoring/src/index.ts',
    "import { JITSI_SHARD_CHART } from '@meetscale/chart-values/facts/jitsi-shard';\nexport const x = JITSI_SHARD_CHART;\n",
  );
  expect(facts).toEqual([]);
  const chartPackage = await boundaryMessages(
    'packages/monitoring/src/index.ts',
    "import { jitsiShardChart } from '@meetscale/jitsi-shard';\nexport const x = jitsiShardChart;\n",
  );
  expect(chartPackage).toEqual([
    expect.stringContaining('A project tagged with "type:chart" can only depend on libs tagged with "type:lib", "type:artifact"'),
  ]);
});

test('the infrastructure app may not import a chart package, only the generated chart artifacts', async () => {
  const chartPackage = await boundaryMessages(
    'apps/infra/src/index.ts',
    "import { haproxyChart } from '@meetscale/haproxy';\nexport const x = haproxyChart;\n",
  );
  expect(chartPackage).toEqual([
    expect.stringContaining('A project tagged with "type:app" can only depend on libs tagged with "type:lib", "type:artifact"'),
  ]);
  const artifact = await boundaryMessages(
    'apps/infra/src/index.ts',
    "import type { HaproxyValues } from '@meetscale/chart-values/haproxy';\nexport type X = HaproxyValues;\n",
  );
  expect(artifact).toEqual([]);
  const facts = await boundaryMessages(
    'apps/infra/src/index.ts',
    "import { JITSI_SHARD_CHART } from '@meetscale/chart-values/facts/jitsi-shard';\nexport const x = JITSI_SHARD_CHART;\n",
  );
  expect(facts).toEqual([]);
});

test('shared code may not import domain code, and domain code may import shared code', async () => {
  expect(
    await boundaryMessages(
      'packages/haproxy/src/index.ts',
      "import { defineChart } from '@meetscale/chart-toolkit';\nexport const x = defineChart;\n",
    ),
  ).toEqual([]);
  const scoped = await boundaryMessages(
    'tools/synth/src/main.ts',
    "import { haproxyChart } from '@meetscale/haproxy';\nexport const x = haproxyChart;\n",
  );
  expect(scoped).toEqual([
    expect.stringContaining('A project tagged with "scope:shared" can only depend on libs tagged with "scope:shared"'),
  ]);
});
