/**
 * A loopback stand-in for the Elasticsearch APIs the logging chart uses: cluster health (what the setup Job waits
 * for), `PUT _ilm/policy`, `PUT _index_template`, `PUT _security/role`, `PUT _security/user` (the setup Job) and
 * `_bulk` (the shipper). It checks HTTP basic auth against its users, and every body against Elasticsearch's own
 * API description: JSON Schemas generated from the request types of the official client `@elastic/elasticsearch`
 * (see `elasticsearch-schemas.ts` for the client version). A body that does not fit is answered 400 as
 * Elasticsearch answers it and recorded in `refused`. `_bulk` also applies the rules of data streams: a target
 * matching an index template with `data_stream` (the built-in `logs` template matches `logs-*-*`) takes `create`
 * actions only, of documents with an `@timestamp`; a refused item is answered in the item, as Elasticsearch does.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';

import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

import { type ElasticsearchSchemaName, elasticsearchSchemas } from './elasticsearch-schemas';
import { listenOnLoopback } from './loopback';

/** A running fake Elasticsearch. */
export interface FakeElasticsearch {
  readonly url: string; // http://127.0.0.1:<port>
  readonly requests: ReadonlyArray<{ method: string; path: string; body: unknown; user: string | undefined }>;
  readonly policies: ReadonlyMap<string, unknown>; // PUT _ilm/policy bodies by name
  readonly indexTemplates: ReadonlyMap<string, unknown>;
  readonly roles: ReadonlyMap<string, unknown>;
  readonly users: ReadonlyMap<string, unknown>; // bodies (with password)
  readonly dataStreams: ReadonlyMap<string, unknown[]>; // documents written by _bulk, by target
  readonly refused: ReadonlyArray<{ method: string; path: string; errors: string[] }>; // answered 400: not the API's format
  close(): Promise<void>;
}

/** Settings of a fake Elasticsearch. */
export interface FakeElasticsearchOptions {
  /** Users and their passwords for basic auth. A user the API creates (`PUT _security/user`) may sign in too. */
  readonly users: Readonly<Record<string, string>>;
  /**
   * What `GET _cluster/health` reports: a cluster status, or `unavailable` for the 503 of a node that has no
   * elected master yet (what a starting cluster answers).
   * @default 'green'
   */
  readonly clusterStatus?: 'green' | 'yellow' | 'red' | 'unavailable';
}

/** Built-in users of Elasticsearch: the user API may change their passwords only ("Built-in users" in the docs). */
const RESERVED_USERS = new Set([
  'elastic',
  'kibana',
  'kibana_system',
  'logstash_system',
  'beats_system',
  'apm_system',
  'remote_monitoring_user',
]);

/** The shortest password the native realm takes (`Validation.Users` of Elasticsearch). */
const MIN_PASSWORD_LENGTH = 6;

/** The built-in index template with a data stream that Elasticsearch installs for logs: `logs-*-*`, priority 100. */
const BUILT_IN_DATA_STREAM_PATTERNS = ['logs-*-*'];

const MAX_BODY_BYTES = 64 * 1024 * 1024;

interface EsError {
  readonly status: number;
  readonly type: string;
  readonly reason: string;
}

function errorBody({ status, type, reason }: EsError): unknown {
  return { error: { root_cause: [{ type, reason }], type, reason }, status };
}

function describe(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}${paramsOf(error)}`);
}

function paramsOf(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (typeof params.additionalProperty === 'string') return ` (${params.additionalProperty})`;
  if (Array.isArray(params.allowedValues)) return ` (${params.allowedValues.join(', ')})`;
  return '';
}

/** `*` of an index pattern as a regular expression. */
function patternMatches(pattern: string, name: string): boolean {
  const expression = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${expression}$`).test(name);
}

function basicUser(request: IncomingMessage): { user: string; password: string } | undefined {
  const header = request.headers.authorization;
  if (header === undefined || !header.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error(`body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const body = Buffer.concat(chunks);
  return request.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
}

function timestampOk(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}

/** Starts a fake Elasticsearch on 127.0.0.1 (a free port). */
export async function startFakeElasticsearch(options: FakeElasticsearchOptions): Promise<FakeElasticsearch> {
  const schemas = elasticsearchSchemas();
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validators = new Map<ElasticsearchSchemaName, ValidateFunction>();
  const validator = (name: ElasticsearchSchemaName): ValidateFunction => {
    let found = validators.get(name);
    if (found === undefined) validators.set(name, (found = ajv.compile(schemas[name])));
    return found;
  };

  const passwords = new Map(Object.entries(options.users));
  const requests: Array<{ method: string; path: string; body: unknown; user: string | undefined }> = [];
  const policies = new Map<string, unknown>();
  const indexTemplates = new Map<string, unknown>();
  const roles = new Map<string, unknown>();
  const users = new Map<string, unknown>();
  const dataStreams = new Map<string, unknown[]>();
  const refused: Array<{ method: string; path: string; errors: string[] }> = [];
  let seqNo = 0;

  const isDataStream = (target: string): boolean =>
    BUILT_IN_DATA_STREAM_PATTERNS.some((pattern) => patternMatches(pattern, target)) ||
    [...indexTemplates.values()].some((template) => {
      const { index_patterns: patterns, data_stream: dataStream } = template as {
        index_patterns?: string | string[];
        data_stream?: unknown;
      };
      return dataStream !== undefined && [patterns ?? []].flat().some((pattern) => patternMatches(pattern, target));
    });

  /** Answers 400 for a body that is not the API's format, and records why. */
  const refuse = (method: string, path: string, errors: string[], type = 'x_content_parse_exception'): [number, unknown] => {
    refused.push({ method, path, errors });
    return [400, errorBody({ status: 400, type, reason: errors.join('; ') })];
  };

  const checked = (method: string, path: string, name: ElasticsearchSchemaName, body: unknown): string[] => {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return ['request body is required and must be a JSON object'];
    const validate = validator(name);
    return validate(body) ? [] : describe(validate.errors);
  };

  const health = (): [number, unknown] => {
    const status = options.clusterStatus ?? 'green';
    if (status === 'unavailable') {
      return [503, errorBody({ status: 503, type: 'master_not_discovered_exception', reason: 'no master node is elected yet' })];
    }
    return [200, { cluster_name: 'fake', status, timed_out: false, number_of_nodes: 1, number_of_data_nodes: 1 }];
  };

  const bulk = (method: string, path: string, text: string, defaultIndex: string | undefined): [number, unknown] => {
    if (!text.endsWith('\n'))
      return refuse(method, path, ['The bulk request must be terminated by a newline [\\n]'], 'illegal_argument_exception');
    const lines = text.slice(0, -1).split('\n');
    const parsed: unknown[] = [];
    const operations: Array<{ kind: string; meta: { _index?: string; _id?: string }; source?: unknown; line: number }> = [];
    for (let index = 0; index < lines.length; index += 1) {
      const lineNumber = index + 1;
      let action: unknown;
      try {
        action = JSON.parse(lines[index] as string);
      } catch {
        return refuse(method, path, [`Malformed action/metadata line [${lineNumber}], expected a JSON object`]);
      }
      parsed.push(action);
      const errors = checked(method, path, 'BulkAction', action);
      if (errors.length > 0)
        return refuse(
          method,
          path,
          errors.map((error) => `action/metadata line [${lineNumber}]: ${error}`),
        );
      const [kind, meta] = Object.entries(action as Record<string, { _index?: string; _id?: string }>)[0] as [string, { _index?: string }];
      if (kind === 'delete') {
        operations.push({ kind, meta, line: lineNumber });
        continue;
      }
      index += 1;
      if (index >= lines.length)
        return refuse(method, path, [`action/metadata line [${lineNumber}] has no document line after it`], 'illegal_argument_exception');
      let source: unknown;
      try {
        source = JSON.parse(lines[index] as string);
      } catch {
        return refuse(method, path, [`line [${index + 1}]: the document is not JSON`], 'document_parsing_exception');
      }
      parsed.push(source);
      operations.push({ kind, meta, source, line: lineNumber });
    }
    const missing = operations.filter((operation) => (operation.meta._index ?? defaultIndex) === undefined);
    if (missing.length > 0)
      return refuse(
        method,
        path,
        missing.map(() => 'index is missing'),
        'action_request_validation_exception',
      );
    requests[requests.length - 1] = { ...(requests[requests.length - 1] as (typeof requests)[number]), body: parsed };

    const items = operations.map(({ kind, meta, source, line }) => {
      const target = (meta._index ?? defaultIndex) as string;
      const dataStream = isDataStream(target);
      const fail = (type: string, reason: string): unknown => {
        refused.push({ method, path, errors: [`item of line [${line}] for ${target}: ${reason}`] });
        return { [kind]: { _index: target, _id: meta._id ?? null, status: 400, error: { type, reason } } };
      };
      if (dataStream && kind !== 'create') {
        return fail('illegal_argument_exception', `only write ops with an op_type of create are allowed in data streams`);
      }
      if (source === null || typeof source !== 'object' || Array.isArray(source)) {
        return fail('document_parsing_exception', 'the document must be a JSON object');
      }
      if (dataStream && !timestampOk((source as Record<string, unknown>)['@timestamp'])) {
        return fail('document_parsing_exception', 'data stream timestamp field [@timestamp] is missing');
      }
      const documents = dataStreams.get(target) ?? [];
      documents.push(source);
      dataStreams.set(target, documents);
      const day = new Date().toISOString().slice(0, 10).replace(/-/g, '.');
      return {
        [kind]: {
          _index: dataStream ? `.ds-${target}-${day}-000001` : target,
          _id: meta._id ?? randomBytes(10).toString('base64url'),
          _version: 1,
          result: 'created',
          _shards: { total: 1, successful: 1, failed: 0 },
          _seq_no: seqNo++,
          _primary_term: 1,
          status: 201,
        },
      };
    });
    const errors = items.some((item) => (Object.values(item as object)[0] as { status: number }).status >= 400);
    return [200, { errors, took: 1, items }];
  };

  const route = (method: string, path: string, body: unknown, raw: string): [number, unknown] => {
    let match: RegExpMatchArray | null;
    if (method === 'GET' && path === '/')
      return [200, { name: 'fake', cluster_name: 'fake', version: { number: '9.4.3' }, tagline: 'You Know, for Search' }];
    if (method === 'GET' && path === '/_cluster/health') return health();
    if (method === 'PUT' && (match = path.match(/^\/_ilm\/policy\/([^/]+)$/)) !== null) {
      const errors = checked(method, path, 'IlmPutLifecycle', body);
      if (errors.length > 0) return refuse(method, path, errors);
      policies.set(decodeURIComponent(match[1] as string), body);
      return [200, { acknowledged: true }];
    }
    if (method === 'PUT' && (match = path.match(/^\/_index_template\/([^/]+)$/)) !== null) {
      const errors = checked(method, path, 'IndicesPutIndexTemplate', body);
      // required by Elasticsearch's parser of a composable index template, optional in the types
      if (errors.length === 0 && (body as { index_patterns?: unknown }).index_patterns === undefined)
        errors.push('index_patterns is missing');
      if (errors.length > 0) return refuse(method, path, errors);
      indexTemplates.set(decodeURIComponent(match[1] as string), body);
      return [200, { acknowledged: true }];
    }
    if (method === 'PUT' && (match = path.match(/^\/_security\/role\/([^/]+)$/)) !== null) {
      const errors = checked(method, path, 'SecurityPutRole', body);
      if (errors.length > 0) return refuse(method, path, errors);
      const name = decodeURIComponent(match[1] as string);
      const created = !roles.has(name);
      roles.set(name, body);
      return [200, { role: { created } }];
    }
    if (method === 'PUT' && (match = path.match(/^\/_security\/user\/([^/]+)$/)) !== null) {
      const name = decodeURIComponent(match[1] as string);
      const errors = checked(method, path, 'SecurityPutUser', body);
      if (errors.length > 0) return refuse(method, path, errors);
      const password = (body as { password?: string }).password;
      if (RESERVED_USERS.has(name)) {
        return refuse(method, path, [`user [${name}] is reserved and only the password can be changed`], 'illegal_argument_exception');
      }
      if (password !== undefined && password.length < MIN_PASSWORD_LENGTH) {
        return refuse(
          method,
          path,
          [`passwords must be at least [${MIN_PASSWORD_LENGTH}] characters long`],
          'action_request_validation_exception',
        );
      }
      if (password === undefined && !users.has(name)) {
        return refuse(
          method,
          path,
          ['password must be specified unless you are updating an existing user'],
          'action_request_validation_exception',
        );
      }
      const created = !users.has(name);
      users.set(name, body);
      if (password !== undefined) passwords.set(name, password);
      return [200, { created }];
    }
    if ((method === 'POST' || method === 'PUT') && (match = path.match(/^(?:\/([^/_][^/]*))?\/_bulk$/)) !== null) {
      return bulk(method, path, raw, match[1] === undefined ? undefined : decodeURIComponent(match[1]));
    }
    return [
      400,
      errorBody({ status: 400, type: 'illegal_argument_exception', reason: `no handler found for uri [${path}] and method [${method}]` }),
    ];
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const method = request.method ?? 'GET';
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(body));
    };
    let raw: string;
    try {
      raw = (await readBody(request)).toString('utf8');
    } catch (error) {
      answer(400, errorBody({ status: 400, type: 'parse_exception', reason: String(error) }));
      return;
    }
    const credentials = basicUser(request);
    const signedIn = credentials !== undefined && passwords.get(credentials.user) === credentials.password;
    let body: unknown = raw;
    if (raw !== '' && !path.endsWith('/_bulk')) {
      try {
        body = JSON.parse(raw) as unknown;
      } catch {
        body = raw;
      }
    }
    requests.push({ method, path, body, user: signedIn ? credentials.user : undefined });
    if (!signedIn) {
      const reason =
        credentials === undefined
          ? `missing authentication credentials for REST request [${path}]`
          : `unable to authenticate user [${credentials.user}] for REST request [${path}]`;
      answer(401, errorBody({ status: 401, type: 'security_exception', reason }), {
        'www-authenticate': 'Basic realm="security", charset="UTF-8"',
      });
      return;
    }
    if (typeof body === 'string' && body !== '' && !path.endsWith('/_bulk')) {
      const [status, errorAnswer] = refuse(method, path, ['request body is not JSON'], 'not_x_content_exception');
      answer(status, errorAnswer);
      return;
    }
    const [status, answerBody] = route(method, path, raw === '' ? undefined : body, raw);
    answer(status, answerBody);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify(errorBody({ status: 500, type: 'exception', reason: String(error) })));
    });
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    policies,
    indexTemplates,
    roles,
    users,
    dataStreams,
    refused,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
