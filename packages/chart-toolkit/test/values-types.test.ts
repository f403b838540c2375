import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import ts from 'typescript';
import YAML from 'yaml';
import { z } from 'zod';

import { type SchemaNode, valuesJsonSchema } from '../src/_internal';
import { valuesTypes } from '../src/values-types';

const chartsDir = join(__dirname, '../../../charts');
const committedCharts = readdirSync(chartsDir).filter((name) => existsSync(join(chartsDir, name, 'Chart.yaml')));

const COMPILER_OPTIONS: ts.CompilerOptions = {
  strict: true,
  noUncheckedIndexedAccess: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ['lib.es2022.d.ts'],
  types: [],
};

/** The standard library's parsed files, shared by every compilation of this file. */
const libraryFiles = new Map<string, ts.SourceFile | undefined>();

/** The type errors of `check` (a module that may import `./values`) with `declaration` as `values.d.ts`, in strict mode. */
function typeErrors(declaration: string, check: string): string[] {
  const files = new Map([
    ['/project/values.d.ts', declaration],
    ['/project/check.ts', check],
  ]);
  const host = ts.createCompilerHost(COMPILER_OPTIONS);
  const readLibrary = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion) => {
    const text = files.get(fileName);
    if (text !== undefined) return ts.createSourceFile(fileName, text, languageVersion);
    if (!libraryFiles.has(fileName)) libraryFiles.set(fileName, readLibrary(fileName, languageVersion));
    return libraryFiles.get(fileName);
  };
  host.fileExists = (fileName) => files.has(fileName) || ts.sys.fileExists(fileName);
  host.readFile = (fileName) => files.get(fileName) ?? ts.sys.readFile(fileName);
  host.directoryExists = (directory) => directory === '/project' || ts.sys.directoryExists(directory);
  const program = ts.createProgram(['/project/check.ts'], COMPILER_OPTIONS, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
}

/** The declaration of `TestValues` for a zod values schema, as emit-chart writes it. */
function declarationOf(schema: z.ZodType): string {
  return valuesTypes(valuesJsonSchema(schema, 'test'), 'TestValues', '/* test */');
}

/** The type errors of `const values: TestValues = <value>;` with the declaration of `schema`. */
function errorsAssigning(schema: z.ZodType, value: string): string[] {
  return typeErrors(declarationOf(schema), `import type { TestValues } from './values';\nexport const values: TestValues = ${value};\n`);
}

/** The path of the first integer field that can be set alone (no required sibling on the way), e.g. `['jvb', 'replicas']`. */
function integerPath(node: SchemaNode): string[] | undefined {
  if ((node.required ?? []).length > 0) return undefined;
  for (const [key, property] of Object.entries(node.properties ?? {})) {
    if (property.type === 'integer') return [key];
    const nested = integerPath(property);
    if (nested !== undefined) return [key, ...nested];
  }
  return undefined;
}

describe('valuesTypes on the committed charts', () => {
  test.each(committedCharts)('%s: the declaration compiles and types the defaults and every CI scenario', (chart) => {
    // GIVEN the committed values schema and the values Helm installs with
    const schema = JSON.parse(readFileSync(join(chartsDir, chart, 'values.schema.json'), 'utf8')) as SchemaNode;
    const typeName = `${chart.replace(/(^|-)([a-z0-9])/g, (_match, _dash: string, letter: string) => letter.toUpperCase())}Values`;
    const scenarios = readdirSync(join(chartsDir, chart, 'ci')).map((file) => join(chartsDir, chart, 'ci', file));
    const values = [join(chartsDir, chart, 'values.yaml'), ...scenarios].map((file) => YAML.parse(readFileSync(file, 'utf8')) as unknown);
    // WHEN the declaration is generated and the values are assigned to its type
    const declaration = valuesTypes(schema, typeName, '/* test */');
    const check = [
      `import type { ${typeName} } from './values';`,
      ...values.map((value, index) => `export const values${index}: ${typeName} = ${JSON.stringify(value)};`),
    ].join('\n');
    // THEN it compiles without an error, and the interface is named after the chart
    expect(typeErrors(declaration, check)).toEqual([]);
    expect(declaration).toContain(`export interface ${typeName} {`);
  });

  test.each(committedCharts)('%s: an unknown key and a string for an integer are type errors', (chart) => {
    const schema = JSON.parse(readFileSync(join(chartsDir, chart, 'values.schema.json'), 'utf8')) as SchemaNode;
    const path = integerPath(schema);
    expect(path).toBeDefined();
    const wrongValue = (path ?? []).reduceRight((inner, key) => `{ ${key}: ${inner} }`, "'two'");
    const declaration = valuesTypes(schema, 'ChartValues', '/* test */');
    const errors = typeErrors(
      declaration,
      [
        "import type { ChartValues } from './values';",
        'export const unknownKey: ChartValues = { notAValuesKey: 1 };',
        `export const wrongType: ChartValues = ${wrongValue};`,
      ].join('\n'),
    );
    expect(errors).toEqual([
      "Object literal may only specify known properties, and 'notAValuesKey' does not exist in type 'ChartValues'.",
      "Type 'string' is not assignable to type 'number'.",
    ]);
  });
});

describe('valuesTypes', () => {
  test('minimal: an interface with a documented, defaulted optional field', () => {
    const declaration = declarationOf(z.strictObject({ replicaCount: z.number().int().default(1).describe('Replicas.') }));
    expect(declaration).toBe(
      [
        '/* test */',
        '',
        'export interface TestValues {',
        '  /**',
        '   * Replicas.',
        '   *',
        '   * @default 1',
        '   */',
        '  replicaCount?: number;',
        '}',
        '',
      ].join('\n'),
    );
  });

  test('a field without default is required; one with a default or optional may be left out', () => {
    const schema = z.strictObject({ host: z.string(), port: z.number().default(80), path: z.string().optional() });
    expect(declarationOf(schema)).toContain('  host: string;\n  /**\n   * @default 80\n   */\n  port?: number;\n  path?: string;\n');
    expect(errorsAssigning(schema, "{ host: 'a' }")).toEqual([]);
    expect(errorsAssigning(schema, '{ port: 1 }')).toEqual([
      "Property 'host' is missing in type '{ port: number; }' but required in type 'TestValues'.",
    ]);
  });

  test('an enum is a union of its literals', () => {
    const schema = z.strictObject({ pullPolicy: z.enum(['Always', 'IfNotPresent']) });
    expect(declarationOf(schema)).toContain("  pullPolicy: 'Always' | 'IfNotPresent';\n");
    expect(errorsAssigning(schema, "{ pullPolicy: 'Always' }")).toEqual([]);
    expect(errorsAssigning(schema, "{ pullPolicy: 'Sometimes' }")).toEqual([
      'Type \'"Sometimes"\' is not assignable to type \'"Always" | "IfNotPresent"\'.',
    ]);
  });

  test('a union and a nullable type accept each member and nothing else', () => {
    const schema = z.strictObject({ port: z.union([z.string(), z.number().int()]), secret: z.string().nullable() });
    expect(declarationOf(schema)).toContain('  port: string | number;\n  secret: string | null;\n');
    expect(errorsAssigning(schema, "{ port: 'http', secret: null }")).toEqual([]);
    expect(errorsAssigning(schema, '{ port: true, secret: null }')).toEqual([
      "Type 'boolean' is not assignable to type 'string | number'.",
    ]);
  });

  test('a discriminated union of objects breaks into one member per line, as prettier prints it', () => {
    const schema = z.strictObject({
      auth: z.discriminatedUnion('mode', [z.strictObject({ mode: z.literal('none') }), z.strictObject({ mode: z.literal('jwt') })]),
    });
    expect(declarationOf(schema)).toContain(
      ['  auth:', '    | {', "        mode: 'none';", '      }', '    | {', "        mode: 'jwt';", '      };', ''].join('\n'),
    );
    expect(errorsAssigning(schema, "{ auth: { mode: 'jwt' } }")).toEqual([]);
    expect(errorsAssigning(schema, "{ auth: { mode: 'oauth' } }")).toEqual([
      'Type \'"oauth"\' is not assignable to type \'"none" | "jwt"\'.',
    ]);
  });

  test('a record is an index signature over its value type; an object stays closed to unknown keys', () => {
    const schema = z.strictObject({ labels: z.record(z.string(), z.string()), image: z.strictObject({ tag: z.string() }) });
    expect(declarationOf(schema)).toContain('  labels: {\n    [key: string]: string;\n  };\n');
    expect(errorsAssigning(schema, "{ labels: { app: 'x' }, image: { tag: '1' } }")).toEqual([]);
    expect(errorsAssigning(schema, "{ labels: { app: 1 }, image: { tag: '1', digest: 'x' } }")).toEqual([
      "Type 'number' is not assignable to type 'string'.",
      "Object literal may only specify known properties, and 'digest' does not exist in type '{ tag: string; }'.",
    ]);
  });

  test('a record over enum keys and an open object', () => {
    const schema = z.strictObject({
      limits: z.partialRecord(z.enum(['cpu', 'memory']), z.string()),
      extra: z.looseObject({ name: z.string() }),
    });
    expect(declarationOf(schema)).toContain("  limits: {\n    [key in 'cpu' | 'memory']?: string;\n  };\n");
    expect(declarationOf(schema)).toContain('  extra: {\n    name: string;\n    [key: string]: unknown;\n  };\n');
    expect(errorsAssigning(schema, "{ limits: { cpu: '1' }, extra: { name: 'a', more: 1 } }")).toEqual([]);
    expect(errorsAssigning(schema, "{ limits: { gpu: '1' }, extra: { name: 'a' } }")).toEqual([
      "Object literal may only specify known properties, and 'gpu' does not exist in type '{ cpu?: string | undefined; memory?: string | undefined; }'.",
    ]);
  });

  test('arrays, tuples and minItems: a list that must not be empty rejects []', () => {
    const schema = z.strictObject({
      hosts: z.array(z.string()).min(1),
      ports: z.array(z.number()),
      pair: z.tuple([z.string(), z.number()]),
    });
    const declaration = declarationOf(schema);
    expect(declaration).toContain('  hosts: [string, ...string[]];\n');
    expect(declaration).toContain('  ports: number[];\n');
    expect(declaration).toContain('  pair: [string, number];\n');
    expect(errorsAssigning(schema, "{ hosts: ['a'], ports: [], pair: ['a', 1] }")).toEqual([]);
    expect(errorsAssigning(schema, "{ hosts: [], ports: ['1'], pair: ['a', 1] }")).toEqual([
      "Type '[]' is not assignable to type '[string, ...string[]]'.\n  Source has 0 element(s) but target requires 1.",
      "Type 'string' is not assignable to type 'number'.",
    ]);
  });

  test('const, boolean, unknown and a description with a comment end', () => {
    const schema = z.strictObject({
      kind: z.literal('shard'),
      enabled: z.boolean().default(false).describe('Ends */ here.'),
      extra: z.unknown(),
    });
    const declaration = declarationOf(schema);
    expect(declaration).toContain("  kind: 'shard';\n");
    expect(declaration).toContain('   * Ends *\\/ here.\n   *\n   * @default false\n   */\n  enabled?: boolean;\n');
    expect(declaration).toContain('  extra: unknown;\n');
    expect(errorsAssigning(schema, "{ kind: 'shard', extra: 1 }")).toEqual([]);
    expect(errorsAssigning(schema, "{ kind: 'pod', extra: 1 }")).toEqual(['Type \'"pod"\' is not assignable to type \'"shard"\'.']);
  });

  test('an object type that recurs is declared once, by name, where it is used, and one used once stays inline', () => {
    // GIVEN two components (not alike) with the same service-account block, and a block used once
    const serviceAccount = () =>
      z
        .strictObject({
          create: z.boolean().default(false).describe('Create a ServiceAccount.'),
          name: z.string().default('').describe('Its name.'),
          annotations: z.record(z.string(), z.string()).default({}).describe('Its annotations.'),
        })
        .prefault({})
        .describe('The service account.');
    const declaration = declarationOf(
      z.strictObject({
        web: z
          .strictObject({ port: z.number().int().default(80).describe('Port.'), serviceAccount: serviceAccount() })
          .prefault({})
          .describe('Web.'),
        jvb: z
          .strictObject({ replicas: z.number().int().default(1).describe('Bridges.'), serviceAccount: serviceAccount() })
          .prefault({})
          .describe('Bridges.'),
        tls: z
          .strictObject({
            enabled: z.boolean().default(false).describe('On.'),
            secretName: z.string().default('').describe('Secret.'),
            issuer: z.string().default('').describe('Issuer.'),
          })
          .prefault({})
          .describe('TLS.'),
      }),
    );
    // THEN the block is one interface, named after its key and saying where it is used, that both fields refer to
    expect(declaration.match(/^export interface \w+/gm)).toEqual([
      'export interface TestValues',
      'export interface TestValuesServiceAccount',
    ]);
    expect(declaration).toContain(
      ' * The type of `web.serviceAccount` and `jvb.serviceAccount`.\n */\nexport interface TestValuesServiceAccount {',
    );
    expect(declaration.match(/serviceAccount\?: TestValuesServiceAccount;/g)).toHaveLength(2);
    // AND the block used once is written where it is used
    expect(declaration).toMatch(/ {2}tls\?: \{\n/);
    // AND it types values as before: a wrong field in the shared block is an error
    expect(
      errorsAssigning(z.strictObject({ a: serviceAccount(), b: serviceAccount() }), '{ a: { create: true }, b: { name: 1 } }'),
    ).toEqual(["Type 'number' is not assignable to type 'string'."]);
  });

  test('fails, naming the path, on a keyword it cannot express', () => {
    const schema: SchemaNode = { type: 'object', properties: { a: { not: { type: 'string' } } }, additionalProperties: false };
    expect(() => valuesTypes(schema, 'TestValues', '/* test */')).toThrow(
      'values types: a uses the JSON Schema keyword "not", which values.d.ts cannot express yet',
    );
  });
});
