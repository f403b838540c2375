import type { OpenApiDocument } from '../src/openapi-subset';
import { OpenApiValidator } from '../src/openapi-validator';

const BASE = 'http://127.0.0.1:8443/cloudapi/v6';
const validator = new OpenApiValidator({ apiBaseUrl: BASE });
const TOKEN = { authorization: 'Bearer secret-token' };
const RATE = { 'X-RateLimit-Remaining': '599', 'X-RateLimit-Limit': '600', 'X-RateLimit-Burst': '50' };
const JSON_TYPE = { 'content-type': 'application/json' };
const VM_STATES = 'NOSTATE, RUNNING, BLOCKED, PAUSED, SHUTDOWN, SHUTOFF, CRASHED, SUSPENDED';

const server = (vmState: string) => ({
  id: 's-1',
  type: 'server',
  href: `${BASE}/datacenters/dc-1/servers/s-1`,
  metadata: { etag: 'e', createdDate: '2026-12-01T06:00:00Z', state: 'AVAILABLE' },
  properties: { name: 'bbb-01', cores: 8, ram: 16384, vmState },
});
const list = { method: 'GET', path: '/datacenters/dc-1/servers' };
const start = { method: 'POST', path: '/datacenters/dc-1/servers/s-1/start' };

describe('OpenApiValidator, requests', () => {
  test('accepts a documented request with token credentials and valid parameters', () => {
    // GIVEN / WHEN / THEN
    expect(validator.validateRequest({ ...list, query: { depth: '1', limit: '1000', offset: '0' }, headers: TOKEN })).toEqual([]);
    expect(validator.validateRequest({ ...start, headers: { Authorization: `Basic ${Buffer.from('u:p').toString('base64')}` } })).toEqual(
      [],
    );
  });

  test('names an unknown path and an unknown method', () => {
    // GIVEN / WHEN / THEN
    expect(validator.validateRequest({ method: 'GET', path: '/datacenters/dc-1', headers: TOKEN })).toEqual([
      'GET /datacenters/dc-1: unknown path',
    ]);
    expect(validator.validateRequest({ method: 'DELETE', path: '/datacenters/dc-1/servers/s-1', headers: TOKEN })).toEqual([
      'DELETE /datacenters/dc-1/servers/s-1: unknown method (the API documents GET on /datacenters/{datacenterId}/servers/{serverId})',
    ]);
  });

  test('refuses invalid and undocumented query parameters, and a request without credentials', () => {
    // GIVEN / WHEN
    const problems = validator.validateRequest({ ...list, query: { depth: '11', limit: 'many', upgradeNeeded: 'yes', sort: 'name' } });

    // THEN
    expect(problems).toEqual([
      'GET /datacenters/dc-1/servers: request query parameter depth: must be <= 10',
      'GET /datacenters/dc-1/servers: request query parameter upgradeNeeded: must be boolean',
      'GET /datacenters/dc-1/servers: request query parameter limit: must be integer',
      'GET /datacenters/dc-1/servers: request query parameter sort is not documented',
      'GET /datacenters/dc-1/servers: request lacks credentials (one of Basic Authentication, Token Authentication)',
    ]);
  });

  test('refuses Basic credentials without a user and password, and a body the operation does not take', () => {
    // GIVEN / WHEN
    const problems = validator.validateRequest({
      ...start,
      headers: { authorization: 'Basic', 'X-Contract-Number': '12.5' },
      body: { force: true },
    });

    // THEN Token Authentication, an apiKey in the Authorization header, accepts any value of it
    expect(problems).toEqual([
      'POST /datacenters/dc-1/servers/s-1/start: request header parameter X-Contract-Number: must be integer',
      'POST /datacenters/dc-1/servers/s-1/start: request has a body, but the operation takes none',
    ]);
  });
});

describe('OpenApiValidator, responses', () => {
  test('accepts a 202 of start with Location and the rate-limit headers, and no body', () => {
    // GIVEN / WHEN / THEN
    expect(validator.validateResponse(start, { status: 202, headers: { ...RATE, Location: `${BASE}/requests/r-1/status` } })).toEqual([]);
  });

  test('names a missing Location header, and one that does not point at a request status', () => {
    // GIVEN / WHEN / THEN
    expect(validator.validateResponse(start, { status: 202, headers: RATE })).toEqual([
      'POST /datacenters/dc-1/servers/s-1/start: response 202 lacks header Location',
    ]);
    expect(
      validator.validateResponse(start, {
        status: 202,
        headers: { ...RATE, location: 'https://api.ionos.com/cloudapi/v6/requests/r-1/status' },
      }),
    ).toEqual([
      'POST /datacenters/dc-1/servers/s-1/start: response 202 header Location: must match https://[apiBaseUri]/requests/[requestId]/status ' +
        `(https://[apiBaseUri] read as ${BASE})`,
    ]);
  });

  test('names rate-limit headers that are missing or no int32', () => {
    // GIVEN / WHEN
    const problems = validator.validateResponse(start, {
      status: 202,
      headers: { 'X-RateLimit-Remaining': 'lots', 'X-RateLimit-Limit': '4294967296', Location: `${BASE}/requests/r-1/status` },
    });

    // THEN
    expect(problems).toEqual([
      'POST /datacenters/dc-1/servers/s-1/start: response 202 lacks header X-RateLimit-Burst',
      'POST /datacenters/dc-1/servers/s-1/start: response 202 header X-RateLimit-Limit: must match format "int32"',
      'POST /datacenters/dc-1/servers/s-1/start: response 202 header X-RateLimit-Remaining: must be integer',
    ]);
  });

  test('accepts the server list at depth 1, its type a string of the Type enum', () => {
    // GIVEN
    const body = { id: 'dc-1-servers', type: 'collection', href: `${BASE}/datacenters/dc-1/servers`, items: [server('RUNNING')] };

    // WHEN / THEN
    expect(validator.validateResponse(list, { status: 200, headers: { ...RATE, ...JSON_TYPE }, body })).toEqual([]);
  });

  test('refuses a body with a vmState the API does not have, a wrong type, a missing property and a relative href', () => {
    // GIVEN
    const wrong = { ...server('ON'), type: 'vm', href: '/datacenters/dc-1/servers/s-1' };
    const incomplete = { id: 's-2', type: 'server' };
    const body = { id: 'dc-1-servers', type: 'collection', items: [wrong, incomplete] };

    // WHEN
    const problems = validator.validateResponse(list, { status: 200, headers: { ...RATE, ...JSON_TYPE }, body });

    // THEN
    expect(problems).toEqual([
      'GET /datacenters/dc-1/servers: response body at /items/0/href: must match format "uri"',
      `GET /datacenters/dc-1/servers: response body at /items/0/properties/vmState: must be one of ${VM_STATES}`,
      expect.stringMatching(/^GET \/datacenters\/dc-1\/servers: response body at \/items\/0\/type: must be one of datacenter, server, /),
      "GET /datacenters/dc-1/servers: response body at /items/1: must have required property 'properties'",
    ]);
  });

  test('refuses a JSON body under another content type, and a missing body', () => {
    // GIVEN / WHEN / THEN
    expect(validator.validateResponse(list, { status: 200, headers: { ...RATE, 'content-type': 'text/html' }, body: '<html>' })).toEqual([
      'GET /datacenters/dc-1/servers: response has Content-Type "text/html", not application/json',
    ]);
    expect(validator.validateResponse(list, { status: 200, headers: RATE })).toEqual([
      'GET /datacenters/dc-1/servers: response 200 lacks its body',
    ]);
  });

  test('reads any other status as the documented default: the Error body', () => {
    // GIVEN / WHEN / THEN
    const error = { httpStatus: 429, messages: [{ errorCode: '003', message: 'The request rate limit was exceeded.' }] };
    expect(validator.validateResponse(start, { status: 429, headers: { ...JSON_TYPE, 'Retry-After': '2' }, body: error })).toEqual([]);
    expect(validator.validateResponse(start, { status: 503, headers: JSON_TYPE, body: { httpStatus: '503' } })).toEqual([
      'POST /datacenters/dc-1/servers/s-1/start: response body at /httpStatus: must be integer',
    ]);
  });

  test('accepts a request status, and refuses a status the API does not have', () => {
    // GIVEN
    const status = (value: string) => ({
      id: 'r-1',
      type: 'request-status',
      href: `${BASE}/requests/r-1/status`,
      metadata: {
        status: value,
        message: 'Request has been successfully executed',
        targets: [{ target: { id: 's-1', type: 'server' }, status: value }],
      },
    });
    const request = { method: 'GET', path: '/requests/r-1/status' };

    // WHEN / THEN
    expect(validator.validateResponse(request, { status: 200, headers: { ...RATE, ...JSON_TYPE }, body: status('DONE') })).toEqual([]);
    expect(validator.validateResponse(request, { status: 200, headers: { ...RATE, ...JSON_TYPE }, body: status('SUCCEEDED') })).toEqual([
      'GET /requests/r-1/status: response body at /metadata/status: must be one of QUEUED, RUNNING, DONE, FAILED',
      'GET /requests/r-1/status: response body at /metadata/targets/0/status: must be one of QUEUED, RUNNING, DONE, FAILED',
    ]);
  });
});

describe('OpenApiValidator, the OpenAPI 3.0 dialect', () => {
  // GIVEN a document using nullable, readOnly, writeOnly, a boolean exclusiveMinimum and oneOf with a discriminator
  const document: OpenApiDocument = {
    openapi: '3.0.3',
    info: { title: 'Dialect', version: '1' },
    servers: [{ url: 'https://example.org' }],
    paths: {
      '/things': {
        post: {
          operationId: 'thingsPost',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
          responses: { '201': { content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } } },
        },
      },
    },
    components: {
      schemas: {
        Thing: {
          type: 'object',
          required: ['id', 'secret', 'size'],
          properties: {
            id: { type: 'string', readOnly: true },
            secret: { type: 'string', writeOnly: true },
            size: { type: 'number', minimum: 0, exclusiveMinimum: true },
            note: { type: 'string', nullable: true, enum: ['a', 'b'] },
            shape: {
              oneOf: [{ $ref: '#/components/schemas/Circle' }, { $ref: '#/components/schemas/Square' }],
              discriminator: { propertyName: 'kind' },
            },
          },
        },
        Circle: {
          type: 'object',
          required: ['kind', 'radius'],
          properties: { kind: { type: 'string', enum: ['circle'] }, radius: { type: 'number' } },
        },
        Square: {
          type: 'object',
          required: ['kind', 'side'],
          properties: { kind: { type: 'string', enum: ['square'] }, side: { type: 'number' } },
        },
      },
    },
  };
  const dialect = new OpenApiValidator({ document });
  const post = { method: 'POST', path: '/things' };

  test('a readOnly property is not required in a request and must not be sent; a writeOnly one likewise in a response', () => {
    // WHEN / THEN
    expect(dialect.validateRequest({ ...post, headers: JSON_TYPE, body: { secret: 's', size: 1 } })).toEqual([]);
    expect(dialect.validateRequest({ ...post, headers: JSON_TYPE, body: { id: 'x', secret: 's', size: 1 } })).toEqual([
      'POST /things: request body at /id: must not be sent (readOnly)',
    ]);
    expect(dialect.validateResponse(post, { status: 201, headers: JSON_TYPE, body: { id: 'x', size: 1 } })).toEqual([]);
    expect(dialect.validateResponse(post, { status: 201, headers: JSON_TYPE, body: { id: 'x', secret: 's', size: 1 } })).toEqual([
      'POST /things: response body at /secret: must not be returned (writeOnly)',
    ]);
  });

  test('nullable admits null, a boolean exclusiveMinimum excludes its minimum, oneOf picks exactly one', () => {
    // WHEN / THEN
    const body = (extra: Record<string, unknown>) => ({ secret: 's', size: 1, ...extra });
    expect(
      dialect.validateRequest({ ...post, headers: JSON_TYPE, body: body({ note: null, shape: { kind: 'circle', radius: 1 } }) }),
    ).toEqual([]);
    expect(dialect.validateRequest({ ...post, headers: JSON_TYPE, body: body({ size: 0, note: 'c' }) })).toEqual([
      'POST /things: request body at /size: must be > 0',
      'POST /things: request body at /note: must be one of a, b, null',
    ]);
    expect(dialect.validateRequest({ ...post, headers: JSON_TYPE, body: body({ shape: { kind: 'circle', side: 1 } }) })).toContain(
      'POST /things: request body at /shape: must match exactly one schema in oneOf',
    );
  });

  test('an undocumented status with no default is named', () => {
    // WHEN / THEN
    expect(dialect.validateResponse(post, { status: 500, headers: JSON_TYPE, body: {} })).toEqual([
      'POST /things: response 500 is not documented',
    ]);
  });
});
