import * as fs from 'node:fs';

import {
  deriveSubsetText,
  PROVIDER_FQPN,
  SHARED_SOURCE_PATH,
  SUBSET_COMMENT,
  SUBSET_DATA_SOURCES,
  SUBSET_PATH,
  SUBSET_RESOURCES,
} from '../src/subset';
import type { ProviderSchemaDocument } from '../src/terraform-schema';

/** The full dump beside the workspace (`../shared`); absent in a fresh clone, where the comparison is skipped. */
const testWithSource = fs.existsSync(SHARED_SOURCE_PATH) ? test : test.skip;

const committed = (): ProviderSchemaDocument => JSON.parse(fs.readFileSync(SUBSET_PATH, 'utf8')) as ProviderSchemaDocument;

describe('the committed IONOS schema subset', () => {
  testWithSource('equals what the derivation produces from ../shared', () => {
    // GIVEN the full schema dump beside the workspace
    // WHEN it is derived again
    const derived = deriveSubsetText(fs.readFileSync(SHARED_SOURCE_PATH, 'utf8'));

    // THEN the committed file is byte for byte the same
    expect(fs.readFileSync(SUBSET_PATH, 'utf8') === derived).toBe(true);
  });

  test('holds the provider, the listed resources and data sources, and its version', () => {
    // GIVEN / WHEN the committed subset
    const subset = committed();
    const provider = subset.provider_schemas[PROVIDER_FQPN];

    // THEN
    expect(Object.keys(subset)).toEqual(['$comment', 'format_version', 'provider_schemas', 'provider_versions']);
    expect(subset.$comment).toBe(SUBSET_COMMENT);
    expect(Object.keys(subset.provider_schemas)).toEqual([PROVIDER_FQPN]);
    expect(subset.provider_versions).toEqual({ [PROVIDER_FQPN]: '6.7.12' });
    expect(Object.keys(provider?.resource_schemas ?? {})).toEqual([...SUBSET_RESOURCES].sort());
    expect(Object.keys(provider?.data_source_schemas ?? {})).toEqual([...SUBSET_DATA_SOURCES]);
    expect(Object.keys(provider?.provider.block.attributes ?? {})).toContain('token');
  });

  test('keeps facts only: no prose, but attributes that are named description', () => {
    // GIVEN / WHEN the committed text
    const text = fs.readFileSync(SUBSET_PATH, 'utf8');
    const provider = committed().provider_schemas[PROVIDER_FQPN];

    // THEN the only "description" keys are the attributes of that name (data center, DNS zone, NFS share client group)
    expect(text).not.toContain('description_kind');
    expect(text.match(/"description":/g)).toHaveLength(3);
    expect(provider?.resource_schemas?.['ionoscloud_datacenter']?.block.attributes?.['description']).toEqual({
      computed: true,
      optional: true,
      type: 'string',
    });
    expect(provider?.resource_schemas?.['ionoscloud_k8s_node_pool']?.block.block_types?.['auto_scaling']).toEqual({
      block: {
        attributes: {
          max_node_count: { required: true, type: 'number' },
          min_node_count: { required: true, type: 'number' },
        },
      },
      max_items: 1,
      nesting_mode: 'list',
    });
  });
});

describe('deriveSubsetText', () => {
  const source = (resources: Record<string, unknown>) =>
    JSON.stringify({
      format_version: '1.0',
      provider_schemas: {
        [PROVIDER_FQPN]: {
          provider: { version: 0, block: { attributes: { token: { type: 'string', optional: true, description: 'The token.' } } } },
          resource_schemas: resources,
          data_source_schemas: Object.fromEntries(SUBSET_DATA_SOURCES.map((type) => [type, { version: 0, block: {} }])),
        },
      },
    });
  const everyResource = (schema: unknown) => Object.fromEntries(SUBSET_RESOURCES.map((type) => [type, schema]));

  test('drops prose at every depth, keeps facts and type field names, sorts keys, and leaves other resources out', () => {
    // GIVEN a resource schema with descriptions on blocks, attributes and nested blocks, and an unused resource
    const resource = {
      version: 1,
      block: {
        description: 'A thing.',
        description_kind: 'plain',
        attributes: {
          size: { type: 'number', required: true, description: 'How big.', description_kind: 'plain' },
          description: { type: 'string', optional: true, description: 'Free text.' },
          shape: { type: ['object', { sides: 'number', description: 'string' }], computed: true, sensitive: true },
        },
        block_types: {
          window: {
            nesting_mode: 'list',
            max_items: 1,
            block: { attributes: { day: { type: 'string', required: true, description: 'Day.' } } },
          },
        },
      },
    };
    const input = source({ ...everyResource(resource), ionoscloud_cube_server: resource });

    // WHEN it is derived
    const derived = JSON.parse(deriveSubsetText(input)) as ProviderSchemaDocument;

    // THEN
    const provider = derived.provider_schemas[PROVIDER_FQPN];
    expect(Object.keys(provider?.resource_schemas ?? {})).not.toContain('ionoscloud_cube_server');
    expect(provider?.provider).toEqual({ version: 0, block: { attributes: { token: { optional: true, type: 'string' } } } });
    expect(JSON.stringify(provider?.resource_schemas?.['ionoscloud_lan'])).toBe(
      JSON.stringify({
        version: 1,
        block: {
          attributes: {
            description: { optional: true, type: 'string' },
            shape: { computed: true, sensitive: true, type: ['object', { description: 'string', sides: 'number' }] },
            size: { required: true, type: 'number' },
          },
          block_types: {
            window: { block: { attributes: { day: { required: true, type: 'string' } } }, max_items: 1, nesting_mode: 'list' },
          },
        },
      }),
    );
  });

  test('rejects a source that lacks a resource the app uses', () => {
    // GIVEN a dump without the node pools
    const resources = everyResource({ version: 0, block: {} });
    delete resources['ionoscloud_k8s_node_pool'];

    // WHEN / THEN
    expect(() => deriveSubsetText(source(resources))).toThrow(new Error('The source schema has no resource "ionoscloud_k8s_node_pool"'));
  });

  test('rejects a source without the IONOS provider', () => {
    // GIVEN / WHEN / THEN
    expect(() => deriveSubsetText('{"format_version":"1.0","provider_schemas":{}}')).toThrow(
      new Error('The source holds no provider "registry.terraform.io/ionos-cloud/ionoscloud"'),
    );
  });
});
