import * as fs from 'node:fs';
import * as path from 'node:path';

import { parse } from 'yaml';

import { sharedIonosFile } from './subset';

/** Where the OpenAPI description comes from. */
export const OPENAPI_SOURCE = 'ionos-cloud/sdk-go api/openapi.yaml';

/** The sdk-go commit the description was taken from (the last that shipped it; SDK v6.1.4, 2023-01-31). */
export const OPENAPI_COMMIT = 'ba208578f658e9625842fd5414ab5058e878c3a6';

/** The committed subset, relative to this tool's folder; named with the source commit. */
export const OPENAPI_SUBSET_FILE = `schema/cloudapi-v6-${OPENAPI_COMMIT.slice(0, 8)}.subset.json`;

/** The committed subset. */
export const OPENAPI_SUBSET_PATH: string = path.join(__dirname, '..', OPENAPI_SUBSET_FILE);

/** The full description beside the workspace, read only when the derivation is run by hand. */
export const OPENAPI_SHARED_SOURCE_PATH: string = sharedIonosFile('cloudapi-v6-openapi.yaml');

/** An operation of the API: an HTTP method (lower case, as OpenAPI keys it) on a path template. */
export interface OpenApiOperationRef {
  readonly method: 'get' | 'put' | 'post' | 'patch' | 'delete';
  readonly path: string;
}

/** The operations the BigBlueButton autoscaler uses: the subset holds these and no others. */
export const OPENAPI_SUBSET_OPERATIONS: readonly OpenApiOperationRef[] = [
  { method: 'get', path: '/datacenters/{datacenterId}/servers' },
  { method: 'get', path: '/datacenters/{datacenterId}/servers/{serverId}' },
  { method: 'post', path: '/datacenters/{datacenterId}/servers/{serverId}/start' },
  { method: 'post', path: '/datacenters/{datacenterId}/servers/{serverId}/stop' },
  { method: 'get', path: '/requests/{requestId}/status' },
];

/** The `$comment` the subset starts with. */
export const OPENAPI_SUBSET_COMMENT =
  `GENERATED FILE, DO NOT EDIT. Subset of the IONOS Cloud API v6 OpenAPI 3.0 description (${OPENAPI_SOURCE} at ` +
  `commit ${OPENAPI_COMMIT}, Apache-2.0): the operations the BigBlueButton autoscaler uses, with their parameters, ` +
  `responses and security schemes, and every component they reference, transitively; descriptions, summaries, tags ` +
  `and examples dropped, keys sorted. Derived from ../shared/ionoscloud/cloudapi-v6-openapi.yaml by ` +
  `\`npx nx run ionoscloud-bindings:derive-openapi\` (tools/ionoscloud/src/cli.ts derive-openapi).`;

/** An OpenAPI 3.0 document, as far as the subset and its validator read it. */
export interface OpenApiDocument {
  readonly $comment?: string;
  readonly openapi: string;
  readonly info: { readonly title: string; readonly version: string };
  readonly servers?: readonly { readonly url: string }[];
  readonly paths: { readonly [path: string]: { readonly [method: string]: OpenApiOperation } };
  readonly components?: { readonly [kind: string]: { readonly [name: string]: unknown } };
}

/** An operation object of an OpenAPI 3.0 document. */
export interface OpenApiOperation {
  readonly operationId?: string;
  readonly parameters?: readonly unknown[];
  readonly requestBody?: unknown;
  readonly responses: { readonly [status: string]: unknown };
  readonly security?: readonly { readonly [scheme: string]: readonly string[] }[];
}

/** Prose, dropped everywhere except where the key is a name (a schema property called `description`). */
const PROSE = new Set(['description', 'summary', 'example', 'examples', 'tags', 'externalDocs']);

/** Keys whose value maps names to schemas: their own keys are data, never dropped. */
const NAME_MAPS = new Set(['properties', 'patternProperties']);

/** The value with prose dropped and object keys sorted, at every depth. */
function _facts(value: unknown, isNameMap = false): unknown {
  if (Array.isArray(value)) return value.map((item) => _facts(item));
  if (value === null || typeof value !== 'object') return value;
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    if (!isNameMap && PROSE.has(key)) continue;
    result[key] = _facts((value as Record<string, unknown>)[key], !isNameMap && NAME_MAPS.has(key));
  }
  return result;
}

/** Every `$ref` string in a value. */
function _refs(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const item of value) _refs(item, found);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string') found.push(child);
      else _refs(child, found);
    }
  }
  return found;
}

/** `#/components/<kind>/<name>` as [kind, name]; JSON-pointer escapes decoded. */
export function parseComponentRef(ref: string): [string, string] {
  const match = /^#\/components\/([^/]+)\/([^/]+)$/.exec(ref);
  if (match === null) {
    throw new Error(`Unsupported $ref "${ref}": only #/components/<kind>/<name> references are followed`);
  }
  const unescape = (part: string) => decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~');
  return [unescape(match[1] as string), unescape(match[2] as string)];
}

/**
 * The committed subset for the full description: the operations of {@link OPENAPI_SUBSET_OPERATIONS} (other methods
 * of their paths left out), the transitive closure of the components they reference, and the security schemes they
 * name; prose dropped, keys sorted. Serialised with two-space indentation and a final newline.
 * @throws if the source lacks an operation, or a reference dangles
 */
export function deriveOpenApiSubsetText(sourceText: string): string {
  const source = parse(sourceText, { maxAliasCount: -1 }) as OpenApiDocument;
  const paths: Record<string, Record<string, unknown>> = {};
  const pending: string[] = [];
  const schemeNames = new Set<string>();

  for (const { method, path: template } of OPENAPI_SUBSET_OPERATIONS) {
    const operation = source.paths?.[template]?.[method];
    if (operation === undefined) {
      throw new Error(`The source description has no operation ${method.toUpperCase()} ${template}`);
    }
    (paths[template] ??= {})[method] = _facts(operation);
    pending.push(..._refs(operation));
    for (const requirement of operation.security ?? []) {
      for (const name of Object.keys(requirement)) schemeNames.add(name);
    }
  }

  const components: Record<string, Record<string, unknown>> = {};
  const seen = new Set<string>();
  while (pending.length > 0) {
    const ref = pending.pop() as string;
    if (seen.has(ref)) continue;
    seen.add(ref);
    const [kind, name] = parseComponentRef(ref);
    const target = source.components?.[kind]?.[name];
    if (target === undefined) {
      throw new Error(`The source description has no component for $ref "${ref}"`);
    }
    (components[kind] ??= {})[name] = _facts(target);
    pending.push(..._refs(target));
  }
  for (const name of schemeNames) {
    const scheme = source.components?.['securitySchemes']?.[name];
    if (scheme === undefined) {
      throw new Error(`The source description has no security scheme "${name}"`);
    }
    (components['securitySchemes'] ??= {})[name] = _facts(scheme);
  }

  const subset: OpenApiDocument = {
    $comment: OPENAPI_SUBSET_COMMENT,
    openapi: source.openapi,
    info: { title: source.info.title, version: source.info.version },
    servers: (source.servers ?? []).map((server) => ({ url: server.url })),
    paths: _facts(paths) as OpenApiDocument['paths'],
    components: _facts(components) as OpenApiDocument['components'],
  };
  return `${JSON.stringify(subset, null, 2)}\n`;
}

/** The committed subset, parsed. */
export function loadOpenApiSubset(): OpenApiDocument {
  return JSON.parse(fs.readFileSync(OPENAPI_SUBSET_PATH, 'utf8')) as OpenApiDocument;
}
