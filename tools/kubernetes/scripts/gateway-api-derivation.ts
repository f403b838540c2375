import * as path from 'node:path';

import { CRD_MODULE, type UpstreamCrd, upstreamCrds } from '@meetscale/cluster';

import { crdDefinitionName } from './crd-derivation';
import { type Json, serializeDefinitions, stripDescriptions } from './strip-descriptions';

/** The Go module whose standard-channel CRDs the Gateway API schemas come from. */
export const GATEWAY_API_MODULE = 'sigs.k8s.io/gateway-api';

/** The committed, generated Gateway API schema file. */
export const GENERATED_GATEWAY_API_SCHEMAS: string = path.join(__dirname, '..', 'generated', 'gateway-api-schemas.json');

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

/** The header of the generated file, naming where the CRDs came from. */
export function gatewayApiSchemasComment(sources: readonly string[]): string {
  return (
    `GENERATED FILE, DO NOT EDIT. JSON Schemas of the served versions of the Gateway API CRDs of ${sources.join(', ')} ` +
    `(standard channel, pinned in ${CRD_MODULE}/go.mod), their openAPIV3Schema without descriptions, ` +
    'by `npx nx run kubernetes-schema:derive` (tools/kubernetes/scripts/derive-crd-schemas.ts). ' +
    'The CEL rules (x-kubernetes-validations) are left to the API server.'
  );
}

/**
 * The text of the generated Gateway API schema file for the given CRDs: one definition per served version of
 * each kind, named after the Kubernetes convention (`io.k8s.networking.gateway.v1.HTTPRoute`), with `metadata`
 * referring to the Kubernetes `ObjectMeta` definition.
 */
export function gatewayApiSchemasText(crds: readonly UpstreamCrd[]): string {
  const definitions: { [name: string]: Json } = {};
  for (const { crd } of crds) {
    const spec = crd.spec as CrdSpec;
    for (const version of spec.versions.filter((candidate) => candidate.served)) {
      const schema = stripDescriptions(version.schema.openAPIV3Schema) as { [key: string]: Json };
      const properties = schema.properties as { [key: string]: Json };
      properties.metadata = { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' };
      schema['x-kubernetes-group-version-kind'] = [{ group: spec.group, kind: spec.names.kind, version: version.name }];
      definitions[crdDefinitionName(spec.group, version.name, spec.names.kind)] = schema;
    }
  }
  const sources = [...new Set(crds.map((crd) => crd.source))].sort();
  return serializeDefinitions(gatewayApiSchemasComment(sources), definitions);
}

/** The generated file's text, from the CRDs of the pinned {@link GATEWAY_API_MODULE} (downloaded when needed). */
export function deriveGatewayApiSchemasText(): string {
  return gatewayApiSchemasText(upstreamCrds().filter((crd) => crd.source.startsWith(`${GATEWAY_API_MODULE}@`)));
}
