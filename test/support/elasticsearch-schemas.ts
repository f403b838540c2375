/**
 * JSON Schemas of Elasticsearch request bodies, generated from the TypeScript types of the official client,
 * `@elastic/elasticsearch` (a devDependency of this workspace, pinned to the Elastic Stack version the logging chart
 * runs, 9.4.3), whose `lib/api/types.d.ts` is generated from Elasticsearch's own API specification
 * (elastic/elasticsearch-specification). Which fields of a request type go into the body is what the client itself
 * sends as body: the `body` list of each API's accepted parameters in `lib/api/api/<namespace>.js`, read at run time
 * from the installed client.
 *
 * `ts-json-schema-generator` (pinned, 2.4.0: later releases need Node 22) needs some seconds to load the 49,000-line
 * types file, so the schemas are cached in `.cache/elasticsearch-schemas/`, keyed by both packages' versions and the
 * type source below.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { WORKSPACE_ROOT } from './charts';

/** The request bodies the fake Elasticsearch checks, by the client's API name. */
const BODY_APIS = {
  IlmPutLifecycle: { api: 'ilm.put_lifecycle', module: 'ilm', type: 'IlmPutLifecycleRequest' },
  IndicesPutIndexTemplate: { api: 'indices.put_index_template', module: 'indices', type: 'IndicesPutIndexTemplateRequest' },
  SecurityPutRole: { api: 'security.put_role', module: 'security', type: 'SecurityPutRoleRequest' },
  SecurityPutUser: { api: 'security.put_user', module: 'security', type: 'SecurityPutUserRequest' },
} as const;

/** Names of the generated schemas: the request bodies above, and one action line of a `_bulk` request. */
export type ElasticsearchSchemaName = keyof typeof BODY_APIS | 'BulkAction';

/** A JSON Schema document (draft-07, with its own `definitions`). */
export type JsonSchema = Record<string, unknown>;

const CLIENT = '@elastic/elasticsearch';
const GENERATOR = 'ts-json-schema-generator';

function packageVersion(name: string): string {
  return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
}

/** The body fields of one API, as the installed client splits a request into path, query and body. */
function bodyFields(module: string, api: string): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { kAcceptedParams } = require(`${CLIENT}/lib/symbols`) as { kAcceptedParams: symbol };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Api = (require(`${CLIENT}/lib/api/api/${module}`) as { default: new (transport: unknown) => object }).default;
  const accepted = (new Api({}) as Record<symbol, Record<string, { body: string[] }>>)[kAcceptedParams]?.[api];
  if (accepted === undefined) throw new Error(`${CLIENT} ${packageVersion(CLIENT)} has no API ${api}`);
  return accepted.body;
}

/** TypeScript declaring each schema's type from the client's types. */
function typeSource(): string {
  // by path: the source is written outside the workspace package that depends on the client, where npm may have put it
  const types = join(dirname(require.resolve(`${CLIENT}/package.json`)), 'lib/api/types');
  const lines = [`import type * as T from '${types}';`];
  for (const [name, { module, api, type }] of Object.entries(BODY_APIS)) {
    const fields = bodyFields(module, api)
      .map((field) => `'${field}'`)
      .join(' | ');
    lines.push(`export type ${name} = Pick<T.${type}, ${fields}>;`);
  }
  lines.push('export type BulkAction = T.BulkOperationContainer;');
  return `${lines.join('\n')}\n`;
}

/** Version of {@link refine}: a change to it must change this, so that cached schemas are made again. */
const REFINEMENTS = 1;

/**
 * What the types cannot say and Elasticsearch checks, added to the generated schemas:
 * - `Duration` and `ByteSize` are plain strings in the types; Elasticsearch parses them with the units of its API
 *   conventions ("Time units": d, h, m, s, ms, micros, nanos; "Byte size units": b, kb, mb, gb, tb, pb), and
 *   accepts -1 and 0 as durations.
 * - A bulk action line is `ExactlyOne<...>` of index/create/update/delete in the types, whose branches leave
 *   their one key optional; Elasticsearch requires exactly one.
 */
function refine(name: ElasticsearchSchemaName, schema: JsonSchema): JsonSchema {
  const definitions = (schema.definitions ?? {}) as Record<string, JsonSchema>;
  if (definitions.Duration !== undefined) {
    definitions.Duration = {
      anyOf: [
        { type: 'string', pattern: '^(-1|0|[0-9]+(\\.[0-9]+)?(d|h|m|s|ms|micros|nanos))$' },
        { type: 'number', enum: [-1, 0] },
      ],
    };
  }
  if (definitions.ByteSize !== undefined) {
    definitions.ByteSize = {
      anyOf: [{ type: 'number' }, { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?([bB]|[kKmMgGtTpP][bB])$' }],
    };
  }
  if (name === 'BulkAction') {
    const container = definitions.BulkOperationContainer as { anyOf: Array<{ properties: Record<string, unknown> }> };
    container.anyOf = container.anyOf.map((branch) => ({ ...branch, required: Object.keys(branch.properties) }));
  }
  return schema;
}

function generate(source: string, dir: string): Record<ElasticsearchSchemaName, JsonSchema> {
  const file = join(dir, `types-${process.pid}.ts`);
  writeFileSync(file, source);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createGenerator } = require(GENERATOR) as typeof import('ts-json-schema-generator');
    const generator = createGenerator({
      path: file,
      type: '*',
      expose: 'export',
      topRef: false,
      jsDoc: 'none',
      additionalProperties: false,
      skipTypeCheck: true,
    });
    const names: ElasticsearchSchemaName[] = [...(Object.keys(BODY_APIS) as Array<keyof typeof BODY_APIS>), 'BulkAction'];
    return Object.fromEntries(names.map((name) => [name, refine(name, generator.createSchema(name) as JsonSchema)])) as Record<
      ElasticsearchSchemaName,
      JsonSchema
    >;
  } finally {
    rmSync(file, { force: true });
  }
}

let loaded: Record<ElasticsearchSchemaName, JsonSchema> | undefined;

/** The schemas, from the cache when it has them for the installed client and generator, else generated (slow). */
export function elasticsearchSchemas(): Record<ElasticsearchSchemaName, JsonSchema> {
  if (loaded !== undefined) return loaded;
  const source = typeSource();
  const key = createHash('sha256')
    .update(`${packageVersion(CLIENT)}\n${packageVersion(GENERATOR)}\n${REFINEMENTS}\n${source}`)
    .digest('hex')
    .slice(0, 16);
  const dir = join(WORKSPACE_ROOT, '.cache', 'elasticsearch-schemas');
  const cached = join(dir, `client-${packageVersion(CLIENT)}-${key}.json`);
  if (existsSync(cached)) {
    loaded = JSON.parse(readFileSync(cached, 'utf8')) as Record<ElasticsearchSchemaName, JsonSchema>;
    return loaded;
  }
  mkdirSync(dir, { recursive: true });
  loaded = generate(source, dir);
  // written whole, then renamed: a jest worker reading concurrently sees the old state or the new file
  const partial = `${cached}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify(loaded));
  renameSync(partial, cached);
  return loaded;
}

/** The version of `@elastic/elasticsearch` whose types the schemas come from. */
export function elasticsearchClientVersion(): string {
  return packageVersion(CLIENT);
}
