import './_bindings';

import * as fs from 'node:fs';
import * as path from 'node:path';

import { Testing } from 'cdktf';

import { checkAgainstSchema, ionosTypesOf, readIonosSubset, type SynthesizedStack } from './_provider-schema';
import { bigBlueButtonConfig, bigBlueButtonPoolConfig, exampleStates, minimalConfig, synthesize, type Synthesized } from './_stacks';

/** The provider versions `cdktf.json` pins, by provider source. */
function pinnedProviders(): Record<string, string> {
  const config = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'cdktf.json'), 'utf8')) as { terraformProviders: string[] };
  return Object.fromEntries(
    config.terraformProviders.map((constraint) => {
      const [source = '', version = ''] = constraint.split('@');
      return [source, version.replace(/^=\s*/, '')];
    }),
  );
}

const IONOS_VERSION = pinnedProviders()['ionos-cloud/ionoscloud'] ?? '';
const subset = readIonosSubset(IONOS_VERSION);

let stacks: Synthesized[];

beforeAll(async () => {
  stacks = [
    ...(await exampleStates()).map(synthesize),
    synthesize(minimalConfig()),
    synthesize(bigBlueButtonConfig()),
    synthesize(bigBlueButtonPoolConfig()),
  ];
});

describe('the synthesized stacks', () => {
  test('pin the IONOS provider at the version of the committed schema subset, and Helm, Kubernetes and random at the prebuilt bindings', () => {
    // GIVEN cdktf.json and the committed subset
    // WHEN / THEN the versions agree, and every stack requires exactly these
    expect(IONOS_VERSION).toBe('6.7.12');
    expect(subset.version).toBe(IONOS_VERSION);
    expect(pinnedProviders()['hashicorp/helm']).toBe('3.1.1');
    for (const [source, pkg] of [
      ['hashicorp/kubernetes', '@cdktf/provider-kubernetes'],
      ['hashicorp/random', '@cdktf/provider-random'],
    ] as const) {
      const manifest = JSON.parse(fs.readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as {
        cdktf: { provider: { version: string } };
      };
      expect(pinnedProviders()[source]).toBe(manifest.cdktf.provider.version);
    }
    for (const { json } of stacks) {
      expect(json).toMatchObject({
        terraform: {
          required_providers: { ionoscloud: { source: 'ionos-cloud/ionoscloud', version: '6.7.12' }, helm: { version: '3.1.1' } },
        },
      });
    }
  });

  test('conform to the provider schema subset in every IONOS resource, data source and provider block', () => {
    // GIVEN every example state's stack, a minimal one, one with BigBlueButton and one with its server pool
    // WHEN each is checked against the committed subset
    const problems = stacks.flatMap(({ stack, json }) => checkAgainstSchema(json, subset).map((problem) => `${stack.node.id}: ${problem}`));

    // THEN there is nothing to report
    expect(problems).toEqual([]);
    // the 13 types of every state, PostgreSQL (cluster, database), In-Memory DB and NFS (cluster, share) with BigBlueButton,
    // and the servers and their second NICs with a BigBlueButton server pool
    const typeCount = (config: (typeof stacks)[number]['stack']['config']): number =>
      config.bigbluebutton.enabled ? (config.bigbluebutton.servers === undefined ? 18 : 20) : 13;
    for (const { stack, json } of stacks) expect(ionosTypesOf(json)).toHaveLength(typeCount(stack.config));
  });

  test('use every resource and data source of the subset, so the subset holds nothing the app does not use', () => {
    // GIVEN the types the stacks use
    const used = new Set(stacks.flatMap(({ json }) => ionosTypesOf(json)));

    // WHEN / THEN they are exactly the subset's
    const inSubset = [
      ...Object.keys(subset.schemas.resource_schemas).map((type) => `resource.${type}`),
      ...Object.keys(subset.schemas.data_source_schemas).map((type) => `data.${type}`),
    ];
    expect([...used].sort()).toEqual(inSubset.sort());
  });
});

describe('checkAgainstSchema', () => {
  test('catches a typo that reaches a synthesized stack through an escape hatch', () => {
    // GIVEN a stack whose media pool gets a misspelt attribute the bindings would have refused
    const config = minimalConfig();
    const synthesized = synthesize(config);
    const media = synthesized.stack.cluster.nodePools[1];
    media?.pool.addOverride('ram_sise', 4096);

    // WHEN it is synthesized again and checked
    const json = JSON.parse(Testing.synth(synthesized.stack)) as SynthesizedStack;

    // THEN
    expect(checkAgainstSchema(json, subset)).toEqual([
      'resource.ionoscloud_k8s_node_pool.kubernetes_media-pool_pool.ram_sise: no such attribute or block',
    ]);
  });

  const nodePool = (overrides: Record<string, unknown>): SynthesizedStack => ({
    resource: {
      ionoscloud_k8s_node_pool: {
        media: {
          k8s_cluster_id: '${ionoscloud_k8s_cluster.cluster.id}',
          datacenter_id: '${ionoscloud_datacenter.dc.id}',
          name: 'media',
          k8s_version: '1.33.3',
          availability_zone: 'AUTO',
          cores_count: 9,
          ram_size: 4096,
          storage_size: 50,
          storage_type: 'SSD',
          node_count: 2,
          auto_scaling: { min_node_count: 2, max_node_count: 10 },
          lans: [{ id: '${ionoscloud_lan.private.id}', dhcp: true }],
          lifecycle: { ignore_changes: ['node_count'] },
          depends_on: ['ionoscloud_lan.private'],
          '//': { metadata: { path: 'x/media' } },
          ...overrides,
        },
      },
    },
  });

  test('accepts a node pool that conforms, with meta-arguments and expressions', () => {
    // GIVEN / WHEN / THEN
    expect(checkAgainstSchema(nodePool({}), subset)).toEqual([]);
  });

  test('reports a misspelt attribute', () => {
    // GIVEN a typo in an attribute name (and so the real attribute missing)
    const { cores_count: _coresCount, ...pool } = nodePool({}).resource?.['ionoscloud_k8s_node_pool']?.['media'] ?? {};
    const stack: SynthesizedStack = { resource: { ionoscloud_k8s_node_pool: { media: { ...pool, cores_cont: 9 } } } };

    // WHEN / THEN
    expect(checkAgainstSchema(stack, subset)).toEqual([
      'resource.ionoscloud_k8s_node_pool.media.cores_cont: no such attribute or block',
      'resource.ionoscloud_k8s_node_pool.media: missing required attribute "cores_count"',
    ]);
  });

  test('reports a misspelt attribute inside a block, a wrong type and a computed-only attribute', () => {
    // GIVEN
    const stack = nodePool({
      auto_scaling: { min_node_count: 2, max_node_cnt: 10 },
      ram_size: '4 GB',
      labels: { pool: 1 },
      id: 'fixed',
    });
    const ipBlock: SynthesizedStack = {
      resource: { ionoscloud_ipblock: { ingress: { location: 'de/fra', size: 1, ips: ['192.0.2.1'] } } },
    };

    // WHEN / THEN
    expect(checkAgainstSchema(stack, subset)).toEqual([
      'resource.ionoscloud_k8s_node_pool.media.ram_size: expected number, got string "4 GB"',
      'resource.ionoscloud_k8s_node_pool.media.auto_scaling.max_node_cnt: no such attribute or block',
      'resource.ionoscloud_k8s_node_pool.media.auto_scaling: missing required attribute "max_node_count"',
      'resource.ionoscloud_k8s_node_pool.media.labels.pool: expected string, got number 1',
    ]);
    expect(checkAgainstSchema(ipBlock, subset)).toEqual([
      'resource.ionoscloud_ipblock.ingress.ips: computed-only attribute, cannot be set',
    ]);
  });

  test('reports too many blocks, an unknown resource type and a misspelt provider setting', () => {
    // GIVEN
    const stack: SynthesizedStack = {
      provider: { ionoscloud: [{ s3_regoin: 'eu-central-3' }] },
      resource: {
        ionoscloud_k8s_cluster: {
          cluster: {
            name: 'c',
            maintenance_window: [
              { day_of_the_week: 'Sunday', time: '01:00:00Z' },
              { day_of_the_week: 'Monday', time: '01:00:00Z' },
            ],
          },
        },
        ionoscloud_cube_server: { vm: { name: 'vm' } },
        helm_release: { ignored: { name: 'not an IONOS resource' } },
      },
    };

    // WHEN / THEN
    expect(checkAgainstSchema(stack, subset)).toEqual([
      'provider.ionoscloud[0].s3_regoin: no such attribute or block',
      'resource.ionoscloud_k8s_cluster.cluster.maintenance_window: at most 1 "maintenance_window" block(s) allowed, got 2',
      'resource.ionoscloud_cube_server.vm: ionoscloud_cube_server is not in the provider schema subset',
    ]);
  });
});
