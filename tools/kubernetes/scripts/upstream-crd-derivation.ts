import * as path from 'node:path';

import { CRD_MODULE, type UpstreamCrd, upstreamCrds } from '@meetscale/cluster';

import { type Json, serializeDefinitions, stripAnnotations } from './strip-descriptions';

/** A generated schema file: the CRDs of some API groups of one upstream module pinned in {@link CRD_MODULE}. */
export interface UpstreamSchemaSet {
  /** What the CRDs are, for the file's header, e.g. `Gateway API (standard channel)`. */
  readonly title: string;
  /** The Go module the CRDs come from (one of `UPSTREAM_CRD_SOURCES` of tools/cluster). */
  readonly module: string;
  /** The API groups whose CRDs are taken; each must have at least one. */
  readonly groups: readonly string[];
  /** The generated file, in tools/kubernetes/generated/. */
  readonly file: string;
}

/**
 * The custom resources with schemas derived from their upstream CRDs. cert-manager's `acme.cert-manager.io`
 * kinds (Order, Challenge) are left out: cert-manager creates them, no chart or stack renders them. Of ECK's CRDs
 * (all installed on the test control plane) only Elasticsearch and Kibana are taken, the kinds the logging chart
 * renders; another ECK kind (Beat, Agent, ...) is one more group here.
 */
export const UPSTREAM_SCHEMA_SETS = {
  prometheusOperator: {
    title: 'Prometheus Operator',
    module: 'github.com/prometheus-operator/prometheus-operator',
    groups: ['monitoring.coreos.com'],
    file: 'prometheus-operator-schemas.json',
  },
  gatewayApi: {
    title: 'Gateway API (standard channel)',
    module: 'sigs.k8s.io/gateway-api',
    groups: ['gateway.networking.k8s.io'],
    file: 'gateway-api-schemas.json',
  },
  certManager: {
    title: 'cert-manager',
    module: 'github.com/cert-manager/cert-manager',
    groups: ['cert-manager.io'],
    file: 'cert-manager-schemas.json',
  },
  envoyGateway: {
    title: 'Envoy Gateway',
    module: 'github.com/envoyproxy/gateway',
    groups: ['gateway.envoyproxy.io'],
    file: 'envoy-gateway-schemas.json',
  },
  eck: {
    title: 'ECK (Elastic Cloud on Kubernetes)',
    module: 'github.com/elastic/cloud-on-k8s/v3',
    groups: ['elasticsearch.k8s.elastic.co', 'kibana.k8s.elastic.co'],
    file: 'eck-schemas.json',
  },
} as const satisfies Record<string, UpstreamSchemaSet>;

/** The definition name of a custom resource, after the Kubernetes convention (reversed group). */
export function crdDefinitionName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

/** The committed, generated file of a schema set. */
export function generatedSchemasFile(set: UpstreamSchemaSet): string {
  return path.join(__dirname, '..', 'generated', set.file);
}

/**
 * What the derivation drops from a CRD's schema: the documentation, and the CEL rules, which the offline
 * validator does not evaluate (the API server does).
 */
const DROPPED: ReadonlySet<string> = new Set(['description', 'x-kubernetes-validations']);

/** The version of a CRD the schemas are read from. */
interface CrdVersion {
  readonly name: string;
  readonly served: boolean;
  readonly schema: { readonly openAPIV3Schema: { [key: string]: Json } };
}

/** The part of a CustomResourceDefinition's spec the derivation reads. */
interface CrdSpec {
  readonly group: string;
  readonly names: { readonly kind: string };
  readonly versions: readonly CrdVersion[];
}

/** The header of a generated file, naming where the CRDs came from. */
export function upstreamSchemasComment(set: UpstreamSchemaSet, sources: readonly string[]): string {
  return (
    `GENERATED FILE, DO NOT EDIT. JSON Schemas of the served versions of the ${set.title} CRDs ` +
    `(${set.groups.join(', ')}) of ${sources.join(', ')} (pinned in ${CRD_MODULE}/go.mod), their openAPIV3Schema ` +
    'without descriptions and CEL rules, by `npx nx run kubernetes-schema:derive` (tools/kubernetes/scripts/derive-crd-schemas.ts). ' +
    'The CEL rules (x-kubernetes-validations) are left to the API server.'
  );
}

/**
 * The text of a set's generated schema file for the given CRDs (those of other groups are skipped): one
 * definition per served version of each kind, without descriptions and CEL rules, named after the Kubernetes convention
 * (`io.k8s.networking.gateway.v1.HTTPRoute`), with `metadata` referring to the Kubernetes `ObjectMeta` definition.
 * @throws if one of the set's groups has no CRD among them, so a moved or renamed CRD folder is noticed
 */
export function upstreamSchemasText(set: UpstreamSchemaSet, crds: readonly UpstreamCrd[]): string {
  const definitions: { [name: string]: Json } = {};
  const taken = crds.filter(({ crd }) => set.groups.includes((crd.spec as CrdSpec).group));
  for (const group of set.groups) {
    if (!taken.some(({ crd }) => (crd.spec as CrdSpec).group === group)) {
      throw new Error(`no CRD of the group ${group} among the CRDs of ${set.module}`);
    }
  }
  for (const { crd } of taken) {
    const spec = crd.spec as CrdSpec;
    for (const version of spec.versions.filter((candidate) => candidate.served)) {
      const schema = stripAnnotations(version.schema.openAPIV3Schema, DROPPED) as { [key: string]: Json };
      const properties = schema.properties as { [key: string]: Json };
      properties.metadata = { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' };
      schema['x-kubernetes-group-version-kind'] = [{ group: spec.group, kind: spec.names.kind, version: version.name }];
      definitions[crdDefinitionName(spec.group, version.name, spec.names.kind)] = schema;
    }
  }
  const sources = [...new Set(taken.map((crd) => crd.source))].sort();
  return serializeDefinitions(upstreamSchemasComment(set, sources), definitions);
}

/**
 * A set's generated file text, from the CRDs of its pinned module (downloaded when needed).
 * @param crds - the upstream CRDs to read from; by default all of tools/cluster's `upstreamCrds()`
 */
export function deriveUpstreamSchemasText(set: UpstreamSchemaSet, crds: readonly UpstreamCrd[] = upstreamCrds()): string {
  return upstreamSchemasText(
    set,
    crds.filter((crd) => crd.source.startsWith(`${set.module}@`)),
  );
}
