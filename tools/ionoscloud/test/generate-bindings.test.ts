import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { bindingsHeader, generateBindings, INPUTS_FILE } from '../src/generate-bindings';

let output: string;

beforeAll(() => {
  output = fs.mkdtempSync(path.join(os.tmpdir(), 'ionoscloud-bindings-'));
});

afterAll(() => {
  fs.rmSync(output, { recursive: true, force: true });
});

const tsFiles = (folder: string): string[] =>
  fs
    .readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .sort();

describe('generateBindings', () => {
  test('generates typed bindings for every resource of the subset, each file under a DO NOT EDIT header', async () => {
    // GIVEN an empty codeMakerOutput
    // WHEN the bindings are generated from the committed subset
    const result = await generateBindings({ codeMakerOutput: output });

    // THEN
    expect(result).toEqual({ folder: path.join(output, 'providers', 'ionoscloud'), generated: true });
    const files = tsFiles(result.folder);
    expect(files).toContain('k8s-node-pool/index.ts');
    expect(files).toContain('data-ionoscloud-k8s-cluster/index.ts');
    expect(files).toContain('provider/index.ts');
    expect(files).toHaveLength(23);
    for (const file of files) {
      expect(fs.readFileSync(path.join(result.folder, file), 'utf8').startsWith(bindingsHeader())).toBe(true);
    }
    expect(bindingsHeader()).toContain('DO NOT EDIT: run `npx nx run infra:generate`');
    const provider = fs.readFileSync(path.join(result.folder, 'provider', 'index.ts'), 'utf8');
    expect(provider).toContain("providerVersionConstraint: '= 6.7.12'");
    expect(provider).toContain("terraformProviderSource: 'ionos-cloud/ionoscloud'");
    expect(fs.readdirSync(path.join(output, 'providers'))).toEqual(['ionoscloud']);
  });

  test('leaves bindings generated from the same inputs alone, and regenerates them when forced', async () => {
    // GIVEN bindings generated before (previous test)
    const stamp = path.join(output, 'providers', 'ionoscloud', INPUTS_FILE);
    const recorded = fs.readFileSync(stamp, 'utf8');

    // WHEN / THEN
    expect((await generateBindings({ codeMakerOutput: output })).generated).toBe(false);
    expect((await generateBindings({ codeMakerOutput: output, force: true })).generated).toBe(true);
    expect(fs.readFileSync(stamp, 'utf8')).toBe(recorded);
  });

  test('regenerates when the schema changes, and runs safely in parallel', async () => {
    // GIVEN a changed schema (one resource fewer)
    const subset = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'schema', 'ionoscloud-6.7.12.subset.json'), 'utf8')) as {
      provider_schemas: Record<string, { resource_schemas: Record<string, unknown> }>;
    };
    delete Object.values(subset.provider_schemas)[0]?.resource_schemas['ionoscloud_lan'];
    const schemaPath = path.join(output, 'changed.json');
    fs.writeFileSync(schemaPath, JSON.stringify(subset));

    // WHEN two generations race
    const results = await Promise.all([
      generateBindings({ codeMakerOutput: output, schemaPath }),
      generateBindings({ codeMakerOutput: output, schemaPath }),
    ]);

    // THEN exactly one generated, and the bindings follow the new schema
    expect(results.map((result) => result.generated).sort()).toEqual([false, true]);
    expect(tsFiles(path.join(output, 'providers', 'ionoscloud'))).not.toContain('lan/index.ts');
  });
});
