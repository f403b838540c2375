import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

import { _componentsId, type _Direction, _toJsonSchema } from './_openapi-schema';
import { loadOpenApiSubset, type OpenApiDocument, type OpenApiOperation, parseComponentRef } from './openapi-subset';

/** Header values as Node's `IncomingHttpHeaders` holds them; names in any case. */
export type OpenApiHeaders = Readonly<Record<string, string | readonly string[] | number | undefined>>;

/** An HTTP request to the API, its path relative to the server URL (`/datacenters/x/servers`). */
export interface OpenApiHttpRequest {
  /** `GET`, `POST`, ... in any case. */
  readonly method: string;
  /** The path below the API's base URL, without the query: `/datacenters/dc-1/servers/s-1/start`. */
  readonly path: string;
  readonly query?: URLSearchParams | Readonly<Record<string, string>>;
  readonly headers?: OpenApiHeaders;
  /** The parsed JSON body (or its text if it was no JSON); `undefined` when there is none. */
  readonly body?: unknown;
}

/** An HTTP response of the API. */
export interface OpenApiHttpResponse {
  readonly status: number;
  readonly headers?: OpenApiHeaders;
  /** The parsed JSON body (or its text if it was no JSON); `undefined` when the body is empty. */
  readonly body?: unknown;
}

/** The operation a request addresses. */
export interface OpenApiOperationMatch {
  /** The operation's `operationId` (`datacentersServersStartPost`). */
  readonly operationId: string;
  /** Upper case: `POST`. */
  readonly method: string;
  /** The path template: `/datacenters/{datacenterId}/servers/{serverId}/start`. */
  readonly pathTemplate: string;
  /** The path's parameters by name, decoded. */
  readonly pathParameters: Readonly<Record<string, string>>;
}

export interface OpenApiValidatorProps {
  /**
   * The OpenAPI 3.0 document to validate against.
   * @default - the committed IONOS Cloud API v6 subset ({@link loadOpenApiSubset})
   */
  readonly document?: OpenApiDocument;
  /**
   * The API's base URL, which a header pattern written as a URL template (`https://[apiBaseUri]/requests/[requestId]/status`,
   * the `Location` of the IONOS API) is read with.
   * @default - the document's first server URL (`https://api.ionos.com/cloudapi/v6`)
   */
  readonly apiBaseUrl?: string;
}

interface _Parameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header' | 'cookie';
  readonly required?: boolean;
  readonly schema?: unknown;
}

interface _MediaTypes {
  readonly [mediaType: string]: { readonly schema?: unknown };
}

interface _Response {
  readonly headers?: { readonly [name: string]: { readonly schema?: unknown; readonly required?: boolean } };
  readonly content?: _MediaTypes;
}

interface _SecurityScheme {
  readonly type: string;
  readonly scheme?: string;
  readonly in?: string;
  readonly name?: string;
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options', 'trace'];

/**
 * Validates requests to and responses of an API against its OpenAPI 3.0 description (by default the committed IONOS
 * Cloud API v6 subset), with ajv in strict mode and ajv-formats. Every method returns the problems it finds as
 * sentences that start with the method and path (`POST /datacenters/x/servers/y/start: response 202 lacks header
 * Location`); an empty list means valid.
 *
 * Read more strictly than OpenAPI requires, because the IONOS API always sends them and clients rely on them: a
 * documented response header must be present. Undocumented query parameters are refused; undocumented headers are not.
 */
export class OpenApiValidator {
  private readonly document: OpenApiDocument;
  private readonly apiBaseUrl: string;
  private readonly ajv: Ajv;
  private readonly compiled = new Map<unknown, ValidateFunction>();
  /** The URL templates of header patterns, by the regex they were read as (for the error messages). */
  private readonly templates = new Map<string, string>();

  public constructor(props: OpenApiValidatorProps = {}) {
    this.document = props.document ?? loadOpenApiSubset();
    this.apiBaseUrl = (props.apiBaseUrl ?? this.document.servers?.[0]?.url ?? '').replace(/\/+$/, '');
    this.ajv = new Ajv({ strict: true, strictTypes: false, allErrors: true, allowUnionTypes: true });
    addFormats(this.ajv);
    const schemas = this.document.components?.['schemas'] ?? {};
    const refTarget = (ref: string): unknown => {
      const [kind, name] = parseComponentRef(ref);
      return this.document.components?.[kind]?.[name];
    };
    for (const direction of ['request', 'response'] as const) {
      const definitions = Object.fromEntries(
        Object.entries(schemas).map(([name, schema]) => [name, _toJsonSchema(schema, direction, refTarget)]),
      );
      this.ajv.addSchema({ $id: _componentsId(direction), definitions });
    }
  }

  /** The operation for a method and a concrete path, or a sentence saying why there is none. */
  public match(method: string, path: string): OpenApiOperationMatch | string {
    const upper = method.toUpperCase();
    const segments = path.split('/');
    for (const [template, item] of Object.entries(this.document.paths)) {
      const parameters = _matchTemplate(template, segments);
      if (parameters === undefined) continue;
      const operation = item[method.toLowerCase()];
      if (operation === undefined) {
        const documented = Object.keys(item).filter((key) => METHODS.includes(key));
        return `${upper} ${path}: unknown method (the API documents ${documented.map((key) => key.toUpperCase()).join(', ')} on ${template})`;
      }
      return {
        operationId: operation.operationId ?? `${upper} ${template}`,
        method: upper,
        pathTemplate: template,
        pathParameters: parameters,
      };
    }
    return `${upper} ${path}: unknown path`;
  }

  /** What is wrong with a request: unknown path or method, parameters, credentials, body. */
  public validateRequest(request: OpenApiHttpRequest): string[] {
    const prefix = `${request.method.toUpperCase()} ${request.path}`;
    const match = this.match(request.method, request.path);
    if (typeof match === 'string') return [match];
    const operation = this.operation(match);
    const problems: string[] = [];
    const parameters = (operation.parameters ?? []).map((parameter) => this.resolve(parameter) as _Parameter);
    const query = request.query instanceof URLSearchParams ? request.query : new URLSearchParams(request.query ?? {});
    const headers = _lowerCase(request.headers);
    const schemes = this.securitySchemes(operation);

    for (const parameter of parameters) {
      const raw =
        parameter.in === 'path'
          ? match.pathParameters[parameter.name]
          : parameter.in === 'query'
            ? (query.get(parameter.name) ?? undefined)
            : parameter.in === 'header'
              ? headers[parameter.name.toLowerCase()]
              : undefined;
      const where = `request ${parameter.in} parameter ${parameter.name}`;
      if (raw === undefined) {
        if (parameter.required === true) problems.push(`${prefix}: request lacks ${parameter.in} parameter ${parameter.name}`);
        continue;
      }
      problems.push(...this.check(parameter.schema, _coerce(raw, parameter.schema), 'request', `${prefix}: ${where}`));
    }
    const known = new Set(parameters.filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name));
    for (const scheme of schemes.flat()) if (scheme.in === 'query' && scheme.name !== undefined) known.add(scheme.name);
    for (const name of new Set(query.keys())) {
      if (!known.has(name)) problems.push(`${prefix}: request query parameter ${name} is not documented`);
    }

    if (schemes.length > 0 && !schemes.some((all) => all.every((scheme) => _satisfies(scheme, headers, query)))) {
      const names = (operation.security ?? []).map((requirement) => Object.keys(requirement).join(' + '));
      problems.push(`${prefix}: request lacks credentials (one of ${names.join(', ')})`);
    }

    const requestBody = this.resolve(operation.requestBody) as { required?: boolean; content?: _MediaTypes } | undefined;
    if (requestBody === undefined) {
      if (request.body !== undefined) problems.push(`${prefix}: request has a body, but the operation takes none`);
    } else if (request.body === undefined) {
      if (requestBody.required === true) problems.push(`${prefix}: request lacks its body`);
    } else {
      problems.push(...this.checkContent(requestBody.content, headers, request.body, 'request', `${prefix}: request`));
    }
    return problems;
  }

  /** What is wrong with the response to a request: undocumented status, missing or invalid headers, body. */
  public validateResponse(request: Pick<OpenApiHttpRequest, 'method' | 'path'>, response: OpenApiHttpResponse): string[] {
    const prefix = `${request.method.toUpperCase()} ${request.path}`;
    const match = this.match(request.method, request.path);
    if (typeof match === 'string') return [match];
    const operation = this.operation(match);
    const status = String(response.status);
    const key = [status, `${status[0]}XX`, 'default'].find((candidate) => operation.responses[candidate] !== undefined);
    if (key === undefined) return [`${prefix}: response ${status} is not documented`];
    const documented = this.resolve(operation.responses[key]) as _Response;
    const headers = _lowerCase(response.headers);
    const problems: string[] = [];

    for (const [name, header] of Object.entries(documented.headers ?? {})) {
      const raw = headers[name.toLowerCase()];
      if (raw === undefined) {
        problems.push(`${prefix}: response ${status} lacks header ${name}`);
        continue;
      }
      const schema = this.headerSchema(header.schema);
      problems.push(...this.check(schema, _coerce(raw, schema), 'response', `${prefix}: response ${status} header ${name}`));
    }

    const content = documented.content ?? {};
    if (response.body === undefined) {
      if (Object.keys(content).length > 0) problems.push(`${prefix}: response ${status} lacks its body`);
    } else if (Object.keys(content).length === 0) {
      problems.push(`${prefix}: response ${status} has a body, but none is documented`);
    } else {
      problems.push(...this.checkContent(content, headers, response.body, 'response', `${prefix}: response`));
    }
    return problems;
  }

  private operation(match: OpenApiOperationMatch): OpenApiOperation {
    return this.document.paths[match.pathTemplate]?.[match.method.toLowerCase()] as OpenApiOperation;
  }

  /** A parameter, request body or response, following a `$ref` to the components. */
  private resolve(value: unknown): unknown {
    let current = value;
    for (let hops = 0; current !== null && typeof current === 'object' && '$ref' in current; hops++) {
      if (hops > 16) throw new Error('A $ref chain is longer than 16');
      const [kind, name] = parseComponentRef(String((current as { $ref: unknown }).$ref));
      current = this.document.components?.[kind]?.[name];
    }
    return current;
  }

  /** The alternatives of the operation's `security`, each the schemes that must all be satisfied. */
  private securitySchemes(operation: OpenApiOperation): _SecurityScheme[][] {
    return (operation.security ?? []).map((requirement) =>
      Object.keys(requirement).map((name) => {
        const scheme = this.document.components?.['securitySchemes']?.[name] as _SecurityScheme | undefined;
        if (scheme === undefined) throw new Error(`The document has no security scheme "${name}"`);
        return scheme;
      }),
    );
  }

  /** A header schema whose `pattern` is a URL template (`https://[apiBaseUri]/requests/[requestId]/status`) as a regex. */
  private headerSchema(schema: unknown): unknown {
    if (schema === null || typeof schema !== 'object') return schema;
    const pattern = (schema as { pattern?: unknown }).pattern;
    if (typeof pattern !== 'string' || !/\[[a-z][A-Za-z]+\]/.test(pattern)) return schema;
    const regex = pattern
      .replace('https://[apiBaseUri]', '\u0000')
      .split(/(\[[a-z][A-Za-z]+\])/)
      .map((part, index) => (index % 2 === 1 ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')))
      .join('')
      .replace('\u0000', () => this.apiBaseUrl.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
    this.templates.set(`^${regex}$`, `${pattern} (https://[apiBaseUri] read as ${this.apiBaseUrl})`);
    return { ...schema, pattern: `^${regex}$` };
  }

  private checkContent(
    content: _MediaTypes | undefined,
    headers: Record<string, string>,
    body: unknown,
    direction: _Direction,
    prefix: string,
  ): string[] {
    const contentType = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const mediaTypes = Object.keys(content ?? {});
    const mediaType = mediaTypes.find((candidate) => _mediaTypeMatches(candidate, contentType));
    if (mediaType === undefined) {
      return [`${prefix} has Content-Type "${contentType}", not ${mediaTypes.join(' or ')}`];
    }
    return this.check(content?.[mediaType]?.schema, body, direction, `${prefix} body`);
  }

  private check(schema: unknown, value: unknown, direction: _Direction, prefix: string): string[] {
    if (schema === undefined) return [];
    const key = `${direction} ${JSON.stringify(schema)}`;
    let validate = this.compiled.get(key);
    if (validate === undefined) {
      validate = this.ajv.compile(_toJsonSchema(schema, direction, (ref) => this.resolve({ $ref: ref })) as object);
      this.compiled.set(key, validate);
    }
    if (validate(value)) return [];
    const errors = validate.errors ?? [];
    // a value of the wrong type fails its format too; the type says it
    const mistyped = new Set(errors.filter((error) => error.keyword === 'type').map((error) => error.instancePath));
    const named = errors.filter((error) => error.keyword !== 'format' || !mistyped.has(error.instancePath));
    return [...new Set(named.map((error) => `${prefix}${_where(error)}: ${_message(error, direction, this.templates)}`))];
  }
}

/** The path parameters when the concrete path's segments fit the template. */
function _matchTemplate(template: string, segments: readonly string[]): Record<string, string> | undefined {
  const parts = template.split('/');
  if (parts.length !== segments.length) return undefined;
  const parameters: Record<string, string> = {};
  for (const [index, part] of parts.entries()) {
    const segment = segments[index] as string;
    const name = /^\{(.+)\}$/.exec(part)?.[1];
    if (name !== undefined) {
      if (segment === '') return undefined;
      parameters[name] = decodeURIComponent(segment);
    } else if (part !== segment) {
      return undefined;
    }
  }
  return parameters;
}

function _lowerCase(headers: OpenApiHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    result[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return result;
}

/** A parameter's or header's text as the type its schema declares (left as text when it is not one, for ajv to name). */
function _coerce(raw: string, schema: unknown): unknown {
  const type = (schema as { type?: unknown } | undefined)?.type;
  if ((type === 'integer' || type === 'number') && raw.trim() !== '' && !Number.isNaN(Number(raw))) return Number(raw);
  if (type === 'boolean' && (raw === 'true' || raw === 'false')) return raw === 'true';
  return raw;
}

function _satisfies(scheme: _SecurityScheme, headers: Record<string, string>, query: URLSearchParams): boolean {
  if (scheme.type === 'http') {
    const credentials = new RegExp(`^${scheme.scheme ?? ''}\\s+(\\S+)$`, 'i').exec(headers['authorization'] ?? '')?.[1];
    if (credentials === undefined) return false;
    return scheme.scheme?.toLowerCase() !== 'basic' || Buffer.from(credentials, 'base64').toString('utf8').includes(':');
  }
  if (scheme.type === 'apiKey' && scheme.name !== undefined) {
    const value = scheme.in === 'query' ? query.get(scheme.name) : headers[scheme.name.toLowerCase()];
    return value !== null && value !== undefined && value.trim() !== '';
  }
  return false;
}

function _mediaTypeMatches(documented: string, actual: string): boolean {
  if (documented === '*/*') return true;
  if (documented.endsWith('/*')) return actual.startsWith(documented.slice(0, -1));
  return documented.toLowerCase() === actual;
}

function _where(error: ErrorObject): string {
  return error.instancePath === '' ? '' : ` at ${error.instancePath}`;
}

function _message(error: ErrorObject, direction: _Direction, templates: ReadonlyMap<string, string>): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'pattern': {
      const template = templates.get(String(params['pattern']));
      return template === undefined ? (error.message ?? error.keyword) : `must match ${template}`;
    }
    case 'enum':
      return `must be one of ${(params['allowedValues'] as unknown[]).map((value) => String(value)).join(', ')}`;
    case 'false schema':
      return direction === 'request' ? 'must not be sent (readOnly)' : 'must not be returned (writeOnly)';
    default:
      return error.message ?? error.keyword;
  }
}
