import * as fs from 'node:fs';
import * as path from 'node:path';

import { type Json, serializeDefinitions } from './strip-descriptions';
import { interfaceToSchema } from './typings-to-schema';

/** The custom resources whose schemas are derived, as `[group, version, kind]`. */
export const CRD_KINDS: readonly (readonly [string, string, string])[] = [
  ['monitoring.coreos.com', 'v1', 'ServiceMonitor'],
  ['monitoring.coreos.com', 'v1', 'PodMonitor'],
  ['monitoring.coreos.com', 'v1', 'PrometheusRule'],
];

/** The committed, generated CRD schema file. */
export const GENERATED_CRD_SCHEMAS: string = path.join(__dirname, '..', 'generated', 'prometheus-operator-v1-schemas.json');

/** The folder of the installed `@kubernetes-models/prometheus-operator` (its exports map hides its files). */
function _packageDir(): string {
  return path.dirname(require.resolve('@kubernetes-models/prometheus-operator'));
}

/** The installed version of the package the typings come from. */
function _packageVersion(): string {
  const manifest = path.join(_packageDir(), 'package.json');
  return (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/** The header of the generated file. */
export function crdSchemasComment(): string {
  return (
    'GENERATED FILE, DO NOT EDIT. Structural JSON Schemas of monitoring.coreos.com/v1 ServiceMonitor, PodMonitor ' +
    `and PrometheusRule, derived from the typings of @kubernetes-models/prometheus-operator@${_packageVersion()} ` +
    '(themselves generated from the prometheus-operator CRDs) by `npx nx run kubernetes-schema:derive` ' +
    '(tools/kubernetes/scripts/derive-crd-schemas.ts). They carry property names, nesting and required fields; ' +
    "value types, integer and enum checks are left to the package's own validators."
  );
}

/** The definition name of a custom resource, after the Kubernetes convention (reversed group). */
export function crdDefinitionName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

/**
 * The text of the generated CRD schema file, read from the installed `@kubernetes-models/prometheus-operator`
 * typings. `metadata` refers to the Kubernetes `ObjectMeta` definition.
 */
export function deriveCrdSchemasText(): string {
  const definitions: { [name: string]: Json } = {};
  for (const [group, version, kind] of CRD_KINDS) {
    const typings = path.join(_packageDir(), group, version, `${kind}.d.ts`);
    const schema = interfaceToSchema(typings, fs.readFileSync(typings, 'utf8'), `I${kind}`, {
      IObjectMeta: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
    }) as { [key: string]: Json };
    schema['x-kubernetes-group-version-kind'] = [{ group, kind, version }];
    definitions[crdDefinitionName(group, version, kind)] = schema;
  }
  return serializeDefinitions(crdSchemasComment(), definitions);
}
