/**
 * A loopback stand-in for the Kibana APIs the logging chart's setup Job uses: `GET /api/status` (what it waits
 * for) and `POST /api/saved_objects/_import` (the saved objects). It checks what Kibana 9 checks, after its source
 * (elastic/kibana):
 * - the route (`src/core/packages/saved-objects/server-internal/src/routes/import.ts`): a `kbn-xsrf` header on
 *   every write, a `multipart/form-data` body with a `file` part whose name ends in `.ndjson`, `overwrite` and
 *   `createNewCopies` not both set, basic auth;
 * - collecting the objects (`.../import-export-server-internal/src/import/lib/collect_saved_objects.ts`): one JSON
 *   object per line, no two with the same type and id, a type that can be imported;
 * - references (`.../import/lib/validate_references.ts`): a reference to an `index-pattern` or a `search` must be
 *   in the file or already saved, else the object fails with `missing_references`;
 * - attributes, against the schema of the version an object's `typeMigrationVersion` names (`search` and
 *   `dashboard` reject unknown attributes: `@kbn/config-schema` objects forbid unknown keys): the `search` schema
 *   of model version 1 (`src/platform/plugins/shared/saved_search/server/saved_objects/schema_legacy.ts`), the
 *   `dashboard` schema of model version 1 (`.../dashboard/server/dashboard_saved_object/schema/v1/v1.ts`), and
 *   the `index-pattern` attributes its mappings and migrations read (`.../data_views/server/saved_objects/`).
 *   Objects of other versions are refused here: the fake knows only these schemas.
 * Attributes Kibana keeps as JSON text (`searchSourceJSON`, `panelsJSON`, `optionsJSON`) must parse, and what they
 * reference by name (`indexRefName`, a panel's `panelRefName` as `<panelIndex>:<panelRefName>`) must be among the
 * object's references, as Kibana's reference injection requires.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

import Ajv, { type ValidateFunction } from 'ajv';

import { listenOnLoopback } from './loopback';

/** A saved object as the import API takes it. */
export interface SavedObject {
  readonly type: string;
  readonly id: string;
  readonly attributes: Record<string, unknown>;
  readonly references: ReadonlyArray<{ name: string; type: string; id: string }>;
  readonly coreMigrationVersion?: string;
  readonly typeMigrationVersion?: string;
  readonly managed?: boolean;
}

/** A running fake Kibana. */
export interface FakeKibana {
  readonly url: string;
  readonly requests: ReadonlyArray<{ method: string; path: string; user: string | undefined; headers: Readonly<Record<string, unknown>> }>;
  /** The saved objects, by `<type>:<id>`. */
  readonly objects: ReadonlyMap<string, SavedObject>;
  /** Every import request that reached the importer: its `overwrite` and the objects of its file. */
  readonly imports: ReadonlyArray<{ overwrite: boolean; objects: unknown[] }>;
  /** Requests answered 400, and objects an import refused, with why. */
  readonly refused: ReadonlyArray<{ method: string; path: string; errors: string[] }>;
  close(): Promise<void>;
}

/** Settings of a fake Kibana. */
export interface FakeKibanaOptions {
  /** Users and their passwords for basic auth (Kibana asks Elasticsearch; the fake knows them itself). */
  readonly users: Readonly<Record<string, string>>;
  /** Whether `GET /api/status` reports Kibana available (200) or not (503). @default true */
  readonly available?: boolean;
}

/** Types Kibana 9 imports (its importable and exportable types), of those a logging setup may send. */
const IMPORTABLE_TYPES = new Set(['index-pattern', 'search', 'dashboard', 'visualization', 'lens', 'tag', 'config']);

/** `@kbn/config-schema` objects: known keys only; `schema.maybe`/defaults make a key optional. */
const object = (properties: Record<string, unknown>, required: string[] = []): Record<string, unknown> => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});
const string = { type: 'string' };
const number = { type: 'number' };
const boolean = { type: 'boolean' };

/** The `search` attributes of model version 1 (`SCHEMA_SEARCH_MODEL_VERSION_1`). */
const SEARCH_V1 = object(
  {
    title: string,
    description: string,
    columns: { type: 'array', items: string },
    sort: {
      anyOf: [
        { type: 'array', items: { type: 'array', items: string, maxItems: 2 } },
        { type: 'array', items: string, maxItems: 2 },
      ],
    },
    grid: object({ columns: { type: 'object', additionalProperties: object({ width: number }) } }),
    rowHeight: number,
    rowsPerPage: number,
    hideChart: boolean,
    breakdownField: string,
    kibanaSavedObjectMeta: object({ searchSourceJSON: string }, ['searchSourceJSON']),
    isTextBasedQuery: boolean,
    usesAdHocDataView: boolean,
    timeRestore: boolean,
    timeRange: object({ from: string, to: string }, ['from', 'to']),
    refreshInterval: object({ pause: boolean, value: number }, ['pause', 'value']),
    viewMode: { enum: ['documents', 'aggregated'] },
    hideAggregatedPreview: boolean,
    hits: number,
    version: number,
    sampleSize: { type: 'number', minimum: 1, maximum: 10000 },
  },
  ['title', 'kibanaSavedObjectMeta'],
);

/** The `dashboard` attributes of model version 1 (`dashboardAttributesSchema` of `schema/v1`). */
const DASHBOARD_V1 = object(
  {
    title: string,
    description: string,
    kibanaSavedObjectMeta: object({ searchSourceJSON: string }),
    timeRestore: boolean,
    timeFrom: string,
    timeTo: string,
    refreshInterval: object({ pause: boolean, value: number, display: string, section: number }, ['pause', 'value']),
    controlGroupInput: {
      type: 'object',
      properties: { panelsJSON: string, controlStyle: string, chainingSystem: string, ignoreParentSettingsJSON: string },
    },
    panelsJSON: string,
    optionsJSON: string,
    hits: number,
    version: number,
  },
  ['title'],
);

/** The `index-pattern` attributes: no schema in Kibana; what its mappings index and its migrations read are strings. */
const INDEX_PATTERN = {
  type: 'object',
  properties: {
    title: string,
    name: string,
    type: string,
    timeFieldName: string,
    fields: string,
    fieldAttrs: string,
    fieldFormatMap: string,
    runtimeFieldMap: string,
    sourceFilters: string,
    typeMeta: string,
    allowNoIndex: boolean,
    allowHidden: boolean,
  },
  required: ['title'],
};

/** The attribute schema per type and `typeMigrationVersion` the fake knows. */
const ATTRIBUTE_SCHEMAS: Readonly<Record<string, Readonly<Record<string, object>>>> = {
  'index-pattern': { '8.0.0': INDEX_PATTERN },
  search: { '10.1.0': SEARCH_V1 },
  dashboard: { '10.1.0': DASHBOARD_V1 },
};

/** Kibana's saved objects core version since 8.8 (`coreMigrationVersion` of every export). */
const CORE_MIGRATION_VERSION = '8.8.0';

/** Reference types Kibana's import checks for existence. */
const VALIDATED_REFERENCE_TYPES = new Set(['index-pattern', 'search']);

/** Dashboard grid columns. */
const GRID_COLUMNS = 48;

interface Part {
  readonly name: string;
  readonly filename: string | undefined;
  readonly content: string;
}

/** The parts of a multipart/form-data body. */
function multipartParts(body: Buffer, contentType: string): Part[] | undefined {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/.exec(contentType);
  if (boundary === null) return undefined;
  const delimiter = `--${boundary[1] ?? boundary[2]}`;
  const text = body.toString('latin1');
  const pieces = text.split(delimiter);
  if (pieces.length < 3 || !(pieces[pieces.length - 1] as string).startsWith('--')) return undefined;
  const parts: Part[] = [];
  for (const piece of pieces.slice(1, -1)) {
    const headerEnd = piece.indexOf('\r\n\r\n');
    if (!piece.startsWith('\r\n') || headerEnd < 0 || !piece.endsWith('\r\n')) return undefined;
    const headers = piece.slice(2, headerEnd);
    const disposition = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    const name = /\bname="([^"]*)"/.exec(disposition)?.[1];
    if (name === undefined) return undefined;
    const filename = /\bfilename="([^"]*)"/.exec(disposition)?.[1];
    const content = Buffer.from(piece.slice(headerEnd + 4, -2), 'latin1').toString('utf8');
    parts.push({ name, filename, content });
  }
  return parts;
}

function jsonText(value: unknown, what: string, errors: string[]): unknown {
  if (typeof value !== 'string') return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    errors.push(`${what} is not JSON text`);
    return undefined;
  }
}

/** What is wrong with one object of an import file (empty when nothing), apart from missing references. */
function objectErrors(candidate: unknown, validators: Map<object, ValidateFunction>, ajv: Ajv): string[] {
  if (candidate === null || typeof candidate !== 'object' || Array.isArray(candidate)) return ['the line is not a JSON object'];
  const object = candidate as Partial<SavedObject> & Record<string, unknown>;
  const errors: string[] = [];
  if (typeof object.type !== 'string' || object.type === '') errors.push('type is missing');
  if (typeof object.id !== 'string' || object.id === '') errors.push('id is missing');
  if (object.attributes === null || typeof object.attributes !== 'object' || Array.isArray(object.attributes))
    errors.push('attributes is not an object');
  const references = object.references;
  if (
    !Array.isArray(references) ||
    references.some((reference: unknown) => {
      const { name, type, id } = (reference ?? {}) as Record<string, unknown>;
      return typeof name !== 'string' || typeof type !== 'string' || typeof id !== 'string';
    })
  ) {
    errors.push('references is not a list of {name, type, id}');
  }
  if (object.coreMigrationVersion !== CORE_MIGRATION_VERSION) errors.push(`coreMigrationVersion is not ${CORE_MIGRATION_VERSION}`);
  if (errors.length > 0) return errors;
  const schema = ATTRIBUTE_SCHEMAS[object.type as string]?.[String(object.typeMigrationVersion)];
  if (schema === undefined) {
    return [`typeMigrationVersion ${String(object.typeMigrationVersion)} of type ${object.type as string} is not one this fake checks`];
  }
  let validate = validators.get(schema);
  if (validate === undefined) validators.set(schema, (validate = ajv.compile(schema)));
  if (!validate(object.attributes)) {
    errors.push(...(validate.errors ?? []).map((error) => `attributes${error.instancePath} ${error.message ?? ''}`));
  }
  const names = new Set((references as SavedObject['references']).map((reference) => reference.name));
  const attributes = object.attributes as Record<string, unknown>;
  const meta = attributes.kibanaSavedObjectMeta as { searchSourceJSON?: unknown } | undefined;
  const searchSource = jsonText(meta?.searchSourceJSON, 'searchSourceJSON', errors) as { indexRefName?: string } | undefined;
  if (searchSource?.indexRefName !== undefined && !names.has(searchSource.indexRefName)) {
    errors.push(`searchSourceJSON names reference ${searchSource.indexRefName}, which is not among the references`);
  }
  jsonText(attributes.optionsJSON, 'optionsJSON', errors);
  const panels = jsonText(attributes.panelsJSON, 'panelsJSON', errors);
  if (panels !== undefined) {
    if (!Array.isArray(panels)) {
      errors.push('panelsJSON is not a list');
    } else {
      for (const panel of panels as Array<Record<string, unknown>>) {
        const grid = panel.gridData as Record<string, unknown> | undefined;
        const index = panel.panelIndex;
        if (typeof index !== 'string' || typeof panel.type !== 'string') errors.push('a panel has no panelIndex or type');
        if (
          grid === undefined ||
          !['x', 'y', 'w', 'h'].every((key) => typeof grid[key] === 'number') ||
          typeof grid.i !== 'string' ||
          (grid.x as number) + (grid.w as number) > GRID_COLUMNS
        ) {
          errors.push(`panel ${String(index)} has no gridData {x, y, w, h, i} within ${GRID_COLUMNS} columns`);
        }
        if (panel.panelRefName !== undefined && !names.has(`${String(index)}:${String(panel.panelRefName)}`)) {
          errors.push(`panel ${String(index)} refers to ${String(index)}:${String(panel.panelRefName)}, which is not among the references`);
        }
      }
    }
  }
  return errors;
}

/** Starts a fake Kibana on 127.0.0.1 (a free port). */
export async function startFakeKibana(options: FakeKibanaOptions): Promise<FakeKibana> {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validators = new Map<object, ValidateFunction>();
  const requests: Array<{ method: string; path: string; user: string | undefined; headers: Record<string, unknown> }> = [];
  const objects = new Map<string, SavedObject>();
  const imports: Array<{ overwrite: boolean; objects: unknown[] }> = [];
  const refused: Array<{ method: string; path: string; errors: string[] }> = [];

  const badRequest = (method: string, path: string, message: string): [number, unknown] => {
    refused.push({ method, path, errors: [message] });
    return [400, { statusCode: 400, error: 'Bad Request', message }];
  };

  const importObjects = (
    method: string,
    path: string,
    query: URLSearchParams,
    request: IncomingMessage,
    body: Buffer,
  ): [number, unknown] => {
    const overwrite = query.get('overwrite') === 'true';
    if (overwrite && query.get('createNewCopies') === 'true')
      return badRequest(method, path, 'cannot use [overwrite] with [createNewCopies]');
    const parts = multipartParts(body, request.headers['content-type'] ?? '');
    if (parts === undefined || !(request.headers['content-type'] ?? '').startsWith('multipart/form-data')) {
      return badRequest(method, path, 'Unsupported Media Type: the body must be multipart/form-data');
    }
    const file = parts.find((part) => part.name === 'file' && part.filename !== undefined);
    if (file === undefined) return badRequest(method, path, '[request body.file]: expected value of type [Stream] but got [undefined]');
    const extension = /(\.[^./]*)$/.exec(file.filename as string)?.[1]?.toLowerCase() ?? '';
    if (extension !== '.ndjson') return badRequest(method, path, `Invalid file extension ${extension}`);
    const candidates: unknown[] = [];
    for (const line of file.content.split('\n')) {
      if (line.trim() === '') continue;
      try {
        candidates.push(JSON.parse(line) as unknown);
      } catch {
        return badRequest(method, path, `Unexpected token in JSON: ${line.slice(0, 40)}`);
      }
    }
    imports.push({ overwrite, objects: candidates });
    const keys = candidates.map((candidate) => {
      const { type, id } = (candidate ?? {}) as { type?: unknown; id?: unknown };
      return `${String(type)}:${String(id)}`;
    });
    const duplicates = keys.filter((key, index) => keys.indexOf(key) !== index);
    if (duplicates.length > 0) return badRequest(method, path, `Non-unique import objects detected: [${duplicates.join(',')}]`);

    const errors: Array<{ id: unknown; type: unknown; error: Record<string, unknown> }> = [];
    const accepted: SavedObject[] = [];
    for (const candidate of candidates) {
      const { type, id } = (candidate ?? {}) as { type?: unknown; id?: unknown };
      if (typeof type === 'string' && !IMPORTABLE_TYPES.has(type)) {
        errors.push({ id, type, error: { type: 'unsupported_type' } });
        continue;
      }
      const problems = objectErrors(candidate, validators, ajv);
      if (problems.length > 0) {
        errors.push({ id, type, error: { type: 'unknown', message: problems.join('; '), statusCode: 400 } });
        continue;
      }
      accepted.push(candidate as SavedObject);
    }
    const inFile = new Set(keys);
    for (const object of [...accepted]) {
      const missing = object.references.filter(
        (reference) =>
          VALIDATED_REFERENCE_TYPES.has(reference.type) &&
          !inFile.has(`${reference.type}:${reference.id}`) &&
          !objects.has(`${reference.type}:${reference.id}`),
      );
      const conflict = !overwrite && objects.has(`${object.type}:${object.id}`);
      if (missing.length > 0 || conflict) {
        accepted.splice(accepted.indexOf(object), 1);
        errors.push({
          id: object.id,
          type: object.type,
          error: conflict
            ? { type: 'conflict' }
            : { type: 'missing_references', references: missing.map(({ type, id }) => ({ type, id })) },
        });
      }
    }
    if (errors.length > 0) {
      refused.push({
        method,
        path,
        errors: errors.map((error) => `${String(error.type)}:${String(error.id)}: ${JSON.stringify(error.error)}`),
      });
    }
    for (const object of accepted) objects.set(`${object.type}:${object.id}`, object);
    return [
      200,
      {
        success: errors.length === 0,
        successCount: accepted.length,
        ...(accepted.length > 0 && {
          successResults: accepted.map((object) => ({ type: object.type, id: object.id, meta: { title: object.attributes.title } })),
        }),
        ...(errors.length > 0 && { errors }),
        warnings: [],
      },
    ];
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const answer = ([status, content]: [number, unknown]): void => {
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      response.end(JSON.stringify(content));
    };
    const header = request.headers.authorization;
    const decoded = header?.startsWith('Basic ') === true ? Buffer.from(header.slice(6), 'base64').toString('utf8') : '';
    const user = decoded.slice(0, Math.max(0, decoded.indexOf(':')));
    const signedIn = decoded.includes(':') && options.users[user] === decoded.slice(decoded.indexOf(':') + 1);
    requests.push({ method, path, user: signedIn ? user : undefined, headers: { ...request.headers } });
    if (!signedIn) {
      answer([401, { statusCode: 401, error: 'Unauthorized', message: 'Unauthorized' }]);
      return;
    }
    if (method !== 'GET' && method !== 'HEAD' && request.headers['kbn-xsrf'] === undefined) {
      answer(badRequest(method, path, 'Request must contain a kbn-xsrf header.'));
      return;
    }
    if (method === 'GET' && path === '/api/status') {
      const available = options.available ?? true;
      answer([
        available ? 200 : 503,
        {
          name: 'fake-kibana',
          version: { number: '9.4.3' },
          status: {
            overall: { level: available ? 'available' : 'unavailable', summary: available ? 'All services are available' : 'Starting' },
          },
        },
      ]);
      return;
    }
    if (method === 'POST' && path === '/api/saved_objects/_import') {
      answer(importObjects(method, path, url.searchParams, request, body));
      return;
    }
    answer([404, { statusCode: 404, error: 'Not Found', message: 'Not Found' }]);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ statusCode: 500, error: 'Internal Server Error', message: String(error) }));
    });
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    objects,
    imports,
    refused,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
