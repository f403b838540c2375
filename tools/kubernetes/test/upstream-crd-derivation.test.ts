import * as fs from 'node:fs';

import { type UpstreamCrd, upstreamCrds } from '@meetscale/cluster';

import {
  deriveUpstreamSchemasText,
  generatedSchemasFile,
  UPSTREAM_SCHEMA_SETS,
  type UpstreamSchemaSet,
  upstreamSchemasText,
} from '../scripts/upstream-crd-derivation';

/** The definitions of a generated schema document. */
type Document = { $comment: string; definitions: Record<string, { 'x-kubernetes-group-version-kind': { kind: string }[] }> };

describe.each(Object.values(UPSTREAM_SCHEMA_SETS))('the generated $title schemas', (set) => {
  const crds = upstreamCrds();

  test('equal what the derivation produces from the CRDs of the pinned module', () => {
    // GIVEN the module pinned in tools/cluster/modules/crds/go.mod
    // WHEN the schemas are derived again
    // THEN the committed file is byte for byte the same
    expect(fs.readFileSync(generatedSchemasFile(set), 'utf8') === deriveUpstreamSchemasText(set, crds)).toBe(true);
  }, 120_000);

  test('name the pinned module and hold no description or CEL rule', () => {
    // GIVEN the committed file
    const text = fs.readFileSync(generatedSchemasFile(set), 'utf8');
    const document = JSON.parse(text) as Document;
    const source = crds.find((crd) => crd.source.startsWith(`${set.module}@`))?.source;

    // THEN
    expect(source).toBeDefined();
    expect(document.$comment).toContain(`of ${source} (pinned in tools/cluster/modules/crds/go.mod)`);
    expect(text).not.toContain('"x-kubernetes-validations"');
    expect(text).not.toMatch(/"description":\{"description"|"description":"/);
  });
});

describe('the generated schemas have the kinds the charts and state stacks deploy', () => {
  /** The kinds a generated file declares, as `group/version Kind`. */
  const kinds = (set: UpstreamSchemaSet): string[] => {
    const document = JSON.parse(fs.readFileSync(generatedSchemasFile(set), 'utf8')) as {
      definitions: Record<string, { 'x-kubernetes-group-version-kind': { group: string; version: string; kind: string }[] }>;
    };
    return Object.values(document.definitions).flatMap((definition) =>
      definition['x-kubernetes-group-version-kind'].map(({ group, version, kind }) => `${group}/${version} ${kind}`),
    );
  };

  test.each([
    {
      set: UPSTREAM_SCHEMA_SETS.prometheusOperator,
      expected: [
        'monitoring.coreos.com/v1 ServiceMonitor',
        'monitoring.coreos.com/v1 PodMonitor',
        'monitoring.coreos.com/v1 PrometheusRule',
        'monitoring.coreos.com/v1alpha1 ScrapeConfig',
      ],
    },
    { set: UPSTREAM_SCHEMA_SETS.certManager, expected: ['cert-manager.io/v1 ClusterIssuer', 'cert-manager.io/v1 Certificate'] },
    {
      set: UPSTREAM_SCHEMA_SETS.envoyGateway,
      expected: [
        'gateway.envoyproxy.io/v1alpha1 EnvoyProxy',
        'gateway.envoyproxy.io/v1alpha1 ClientTrafficPolicy',
        'gateway.envoyproxy.io/v1alpha1 BackendTrafficPolicy',
        'gateway.envoyproxy.io/v1alpha1 SecurityPolicy',
      ],
    },
    {
      set: UPSTREAM_SCHEMA_SETS.gatewayApi,
      expected: [
        'gateway.networking.k8s.io/v1 GatewayClass',
        'gateway.networking.k8s.io/v1 Gateway',
        'gateway.networking.k8s.io/v1 HTTPRoute',
      ],
    },
    { set: UPSTREAM_SCHEMA_SETS.eck, expected: ['elasticsearch.k8s.elastic.co/v1 Elasticsearch', 'kibana.k8s.elastic.co/v1 Kibana'] },
  ])('$set.title, and only kinds of its groups', ({ set, expected }) => {
    expect(kinds(set)).toEqual(expect.arrayContaining(expected));
    expect(kinds(set).filter((kind) => !set.groups.some((group) => kind.startsWith(`${group}/`)))).toEqual([]);
  });
});

describe('upstreamSchemasText', () => {
  /** A version of a CRD whose schema has descriptions, a CEL rule and a field named `description`. */
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
            'x-kubernetes-validations': [{ rule: 'has(self.description)', message: 'needs a description' }],
          },
        },
      },
    },
  });
  /** A CRD of `group` from example.com/widgets. */
  const crd = (group: string, kind: string): UpstreamCrd => ({
    source: 'example.com/widgets@v1.2.3',
    file: `crds/${kind}.yaml`,
    crd: {
      metadata: { name: `${kind.toLowerCase()}s.${group}` },
      spec: { group, names: { kind }, versions: [version('v1', true), version('v1alpha1', false)] },
    },
  });
  const set: UpstreamSchemaSet = { title: 'Widgets', module: 'example.com/widgets', groups: ['example.com'], file: 'widgets.json' };

  test('takes each served version of the set groups, drops descriptions and CEL rules, refers metadata to ObjectMeta', () => {
    // GIVEN a CRD of the set's group with a served and an unserved version, and a CRD of another group
    const crds = [crd('example.com', 'Widget'), crd('acme.example.com', 'Order')];

    // WHEN the schema file is derived
    const document = JSON.parse(upstreamSchemasText(set, crds)) as { $comment: string; definitions: Record<string, unknown> };

    // THEN only the served version of the set's group is there, without descriptions and CEL rules (a field named
    // `description` stays)
    expect(document.$comment).toContain('Widgets CRDs (example.com) of example.com/widgets@v1.2.3');
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

  test('refuses a group without CRDs', () => {
    // GIVEN a set naming a group the CRDs do not have (a CRD folder moved upstream)
    // WHEN / THEN
    expect(() => upstreamSchemasText({ ...set, groups: ['example.com', 'other.example.com'] }, [crd('example.com', 'Widget')])).toThrow(
      'no CRD of the group other.example.com among the CRDs of example.com/widgets',
    );
  });

  test('derives a set from the CRDs of its own module only', () => {
    // GIVEN a CRD of the set's group from another module
    const foreign = { ...crd('example.com', 'Gadget'), source: 'example.com/gadgets@v0.1.0' };

    // WHEN / THEN it is not taken
    const document = JSON.parse(deriveUpstreamSchemasText(set, [crd('example.com', 'Widget'), foreign])) as Document;
    expect(Object.keys(document.definitions)).toEqual(['com.example.v1.Widget']);
  });
});
