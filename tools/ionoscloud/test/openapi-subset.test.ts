import * as fs from 'node:fs';

import {
  deriveOpenApiSubsetText,
  OPENAPI_COMMIT,
  OPENAPI_SHARED_SOURCE_PATH,
  OPENAPI_SUBSET_COMMENT,
  OPENAPI_SUBSET_FILE,
  OPENAPI_SUBSET_OPERATIONS,
  OPENAPI_SUBSET_PATH,
  type OpenApiDocument,
  parseComponentRef,
} from '../src/openapi-subset';

/** The full description beside the workspace (`../shared`); absent in a fresh clone, where the comparison is skipped. */
const testWithSource = fs.existsSync(OPENAPI_SHARED_SOURCE_PATH) ? test : test.skip;

const committed = (): OpenApiDocument => JSON.parse(fs.readFileSync(OPENAPI_SUBSET_PATH, 'utf8')) as OpenApiDocument;

/** Every `$ref` in a value. */
const refsIn = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.flatMap(refsIn)
    : value !== null && typeof value === 'object'
      ? Object.entries(value).flatMap(([key, child]) => (key === '$ref' ? [String(child)] : refsIn(child)))
      : [];

describe('the committed IONOS Cloud API v6 OpenAPI subset', () => {
  testWithSource('equals what the derivation produces from ../shared', () => {
    // GIVEN the full description beside the workspace
    // WHEN it is derived again
    const derived = deriveOpenApiSubsetText(fs.readFileSync(OPENAPI_SHARED_SOURCE_PATH, 'utf8'));

    // THEN the committed file is byte for byte the same
    expect(fs.readFileSync(OPENAPI_SUBSET_PATH, 'utf8') === derived).toBe(true);
  });

  test('is named with the commit it came from and says how to derive it again', () => {
    // GIVEN / WHEN the committed subset
    const subset = committed();

    // THEN
    expect(OPENAPI_SUBSET_FILE).toBe('schema/cloudapi-v6-ba208578.subset.json');
    expect(subset.$comment).toBe(OPENAPI_SUBSET_COMMENT);
    expect(subset.$comment).toContain(`ionos-cloud/sdk-go api/openapi.yaml at commit ${OPENAPI_COMMIT}`);
    expect(subset.$comment).toContain('npx nx run ionoscloud-bindings:derive-openapi');
    expect(subset.openapi).toBe('3.0.1');
    expect(subset.servers).toEqual([{ url: 'https://api.ionos.com/cloudapi/v6' }]);
  });

  test('holds exactly the operations the autoscaler uses', () => {
    // GIVEN / WHEN the committed subset
    const operations = Object.entries(committed().paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => `${method.toUpperCase()} ${path} ${operation.operationId}`),
    );

    // THEN
    expect(operations).toEqual([
      'GET /datacenters/{datacenterId}/servers datacentersServersGet',
      'GET /datacenters/{datacenterId}/servers/{serverId} datacentersServersFindById',
      'POST /datacenters/{datacenterId}/servers/{serverId}/start datacentersServersStartPost',
      'POST /datacenters/{datacenterId}/servers/{serverId}/stop datacentersServersStopPost',
      'GET /requests/{requestId}/status requestsStatusGet',
    ]);
    expect(OPENAPI_SUBSET_OPERATIONS).toHaveLength(operations.length);
  });

  test('keeps parameters, response headers and bodies of each operation', () => {
    // GIVEN / WHEN the committed subset
    const { paths } = committed();
    const list = paths['/datacenters/{datacenterId}/servers']?.['get'];
    const start = paths['/datacenters/{datacenterId}/servers/{serverId}/start']?.['post'];

    // THEN the list takes depth, and start answers 202 with Location and the rate-limit headers, no body
    expect(list?.parameters).toContainEqual({
      in: 'query',
      name: 'depth',
      schema: { default: 0, format: 'int32', maximum: 10, minimum: 0, type: 'integer' },
    });
    expect(start?.responses['202']).toEqual({
      content: {},
      headers: {
        Location: { schema: { pattern: 'https://[apiBaseUri]/requests/[requestId]/status', type: 'string' } },
        'X-RateLimit-Burst': { schema: { format: 'int32', type: 'integer' } },
        'X-RateLimit-Limit': { schema: { format: 'int32', type: 'integer' } },
        'X-RateLimit-Remaining': { schema: { format: 'int32', type: 'integer' } },
      },
    });
    expect(start?.responses['default']).toEqual({ content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
    expect(start?.security).toEqual([{ 'Basic Authentication': [] }, { 'Token Authentication': [] }]);
  });

  test('is closed: every $ref resolves to a component in the subset, and every component is referenced', () => {
    // GIVEN the committed subset
    const subset = committed();
    const schemas = subset.components?.['schemas'] ?? {};

    // WHEN its references are followed
    const refs = new Set(refsIn(subset));
    const dangling = [...refs].filter((ref) => {
      const [kind, name] = parseComponentRef(ref);
      return subset.components?.[kind]?.[name] === undefined;
    });

    // THEN none dangles, and the subset holds no schema that nothing refers to
    expect(dangling).toEqual([]);
    expect(Object.keys(schemas).filter((name) => !refs.has(`#/components/schemas/${name}`))).toEqual([]);
    expect(Object.keys(schemas)).toEqual(
      expect.arrayContaining(['Servers', 'Server', 'ServerProperties', 'RequestStatus', 'Error', 'Type']),
    );
    expect(Object.keys(subset.components?.['securitySchemes'] ?? {})).toEqual(['Basic Authentication', 'Token Authentication']);
  });

  test('keeps facts only: no prose, but properties that are named description', () => {
    // GIVEN / WHEN the committed text
    const text = fs.readFileSync(OPENAPI_SUBSET_PATH, 'utf8');
    const schemas = committed().components?.['schemas'] as Record<string, { properties?: Record<string, unknown> }>;

    // THEN the only "description" key is the image property of that name
    expect(text).not.toMatch(/"(summary|example|examples|tags)":/);
    expect(text.match(/"description":/g)).toHaveLength(1);
    expect(schemas['ImageProperties']?.properties?.['description']).toEqual({ type: 'string' });
  });
});

describe('deriveOpenApiSubsetText', () => {
  const operation = (operationId: string, extra: Record<string, unknown> = {}) => ({
    operationId,
    summary: 'Prose.',
    description: 'More prose.',
    tags: ['Servers'],
    responses: { '200': { description: 'OK', content: { 'application/json': { schema: { $ref: '#/components/schemas/A' } } } } },
    ...extra,
  });
  const source = (paths: Record<string, unknown>, schemas: Record<string, unknown>) =>
    JSON.stringify({
      openapi: '3.0.1',
      info: { title: 'T', version: '6.0', description: 'Long.' },
      servers: [{ url: 'https://example.org/v6', description: 'x' }],
      paths,
      components: {
        schemas,
        securitySchemes: { Token: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'Bearer.' } },
      },
    });
  test('keeps the operations and the closure of their references, drops prose and unused components', () => {
    // GIVEN the five operations, one with a security requirement, A -> B -> C referenced, D not, and another method
    const paths: Record<string, Record<string, unknown>> = {};
    for (const { method, path } of OPENAPI_SUBSET_OPERATIONS) {
      paths[path] = { ...paths[path], [method]: operation(`${method}-${path}`, { security: [{ Token: [] }] }) };
    }
    paths['/datacenters/{datacenterId}/servers'] = { ...paths['/datacenters/{datacenterId}/servers'], post: operation('create') };
    const schemas = {
      A: { type: 'object', description: 'A.', properties: { b: { $ref: '#/components/schemas/B' }, description: { type: 'string' } } },
      B: { type: 'array', items: { $ref: '#/components/schemas/C' }, example: [1] },
      C: { type: 'integer', nullable: true },
      D: { type: 'string' },
    };

    // WHEN it is derived
    const derived = JSON.parse(deriveOpenApiSubsetText(source(paths, schemas))) as OpenApiDocument;

    // THEN
    expect(Object.keys(derived.components?.['schemas'] ?? {})).toEqual(['A', 'B', 'C']);
    expect(derived.components?.['schemas']?.['A']).toEqual({
      properties: { b: { $ref: '#/components/schemas/B' }, description: { type: 'string' } },
      type: 'object',
    });
    expect(derived.components?.['schemas']?.['B']).toEqual({ items: { $ref: '#/components/schemas/C' }, type: 'array' });
    expect(derived.components?.['securitySchemes']).toEqual({ Token: { in: 'header', name: 'Authorization', type: 'apiKey' } });
    expect(Object.keys(derived.paths['/datacenters/{datacenterId}/servers'] ?? {})).toEqual(['get']);
    expect(derived.info).toEqual({ title: 'T', version: '6.0' });
    expect(derived.servers).toEqual([{ url: 'https://example.org/v6' }]);
    expect(derived.paths['/requests/{requestId}/status']?.['get']).toEqual({
      operationId: 'get-/requests/{requestId}/status',
      responses: { '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/A' } } } } },
      security: [{ Token: [] }],
    });
  });

  test('rejects a source that lacks an operation the autoscaler uses', () => {
    // GIVEN / WHEN / THEN
    expect(() => deriveOpenApiSubsetText(source({}, {}))).toThrow(
      new Error('The source description has no operation GET /datacenters/{datacenterId}/servers'),
    );
  });

  test('rejects a dangling reference', () => {
    // GIVEN every operation answering with a schema the source lacks
    const paths: Record<string, Record<string, unknown>> = {};
    for (const { method, path } of OPENAPI_SUBSET_OPERATIONS) paths[path] = { ...paths[path], [method]: operation(method) };

    // WHEN / THEN
    expect(() => deriveOpenApiSubsetText(source(paths, {}))).toThrow(
      new Error('The source description has no component for $ref "#/components/schemas/A"'),
    );
  });
});
