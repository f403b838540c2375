import * as fs from 'node:fs';

import type { UpstreamCrd } from '@meetscale/cluster';

import { deriveGatewayApiSchemasText, gatewayApiSchemasText, GENERATED_GATEWAY_API_SCHEMAS } from '../scripts/gateway-api-derivation';

describe('the generated Gateway API schemas', () => {
  test('equal what the derivation produces from the CRDs of the pinned sigs.k8s.io/gateway-api', () => {
    // GIVEN the module pinned in tools/cluster/modules/crds/go.mod
    // WHEN the schemas are derived again
    // THEN the committed file is byte for byte the same
    expect(fs.readFileSync(GENERATED_GATEWAY_API_SCHEMAS, 'utf8') === deriveGatewayApiSchemasText()).toBe(true);
  }, 120_000);
});

describe('gatewayApiSchemasText', () => {
  test('takes each served version, drops descriptions, refers metadata to ObjectMeta and declares the kind', () => {
    // GIVEN a CRD with a served and an unserved version
    const version = (name: string, served: boolean) => ({
      name,
      served,
      schema: {
        openAPIV3Schema: {
          description: 'A widget.',
          type: 'object',
          properties: {
            metadata: { type: 'object' },
            spec: {
              description: 'What it does.',
              type: 'object',
              properties: { description: { type: 'string' } },
              required: ['description'],
            },
          },
        },
      },
    });
    const crd: UpstreamCrd = {
      source: 'example.com/widgets@v1.2.3',
      file: 'crds/widgets.yaml',
      crd: {
        metadata: { name: 'widgets.example.com' },
        spec: { group: 'example.com', names: { kind: 'Widget' }, versions: [version('v1', true), version('v1alpha1', false)] },
      },
    };

    // WHEN the schema file is derived
    const document = JSON.parse(gatewayApiSchemasText([crd])) as { $comment: string; definitions: Record<string, unknown> };

    // THEN only the served version is there, without descriptions (a field named `description` stays)
    expect(document.$comment).toContain('Gateway API CRDs of example.com/widgets@v1.2.3');
    expect(document.definitions).toEqual({
      'com.example.v1.Widget': {
        type: 'object',
        properties: {
          metadata: { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' },
          spec: { type: 'object', properties: { description: { type: 'string' } }, required: ['description'] },
        },
        'x-kubernetes-group-version-kind': [{ group: 'example.com', kind: 'Widget', version: 'v1' }],
      },
    });
  });
});
