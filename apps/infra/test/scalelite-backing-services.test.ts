import './_bindings';

import { releasedVersion } from '@meetscale/releases';
import { TerraformStack, Testing } from 'cdktf';

import { BIGBLUEBUTTON_NAMESPACE } from '../src/scalelite-release';
import { STATE_BASE_RELEASE } from '../src/state-base-releases';
import { RESERVED_LAN_HOSTS, StateDatacenter } from '../src/state-datacenter';
import { bigBlueButtonConfig, exampleStates, helmValuesOf, minimalConfig, resourceOf, synthesize, type Synthesized } from './_stacks';
import { thrownBy } from './_thrown';

/** The resource types that exist only for BigBlueButton. */
const BIGBLUEBUTTON_TYPES = [
  'ionoscloud_inmemorydb_replicaset',
  'ionoscloud_nfs_cluster',
  'ionoscloud_nfs_share',
  'ionoscloud_pg_cluster',
  'ionoscloud_pg_database',
  'kubernetes_persistent_volume_claim_v1',
  'kubernetes_persistent_volume_v1',
  'kubernetes_secret_v1',
  'random_password',
];

/** `<type>.<name>` of every resource of a stack of the given types. */
const addressesOf = (synthesized: Synthesized, types: readonly string[]): string[] =>
  types.flatMap((type) => Object.keys(synthesized.json.resource[type] ?? {}).map((name) => `${type}.${name}`)).sort();

/** The LAN address `<host>` of the private LAN, with its prefix, as the stack writes it. */
const lanCidr = (host: number): string =>
  `\${format("%s/%s", cidrhost(ionoscloud_lan.network_private-lan.ipv4_cidr_block, ${host}), ` +
  `element(split("/", ionoscloud_lan.network_private-lan.ipv4_cidr_block), 1))}`;

const LAN = {
  datacenter_id: '${ionoscloud_datacenter.network_datacenter.id}',
  lan_id: '${ionoscloud_lan.network_private-lan.id}',
};

let on: Synthesized;
let off: Synthesized[];

beforeAll(async () => {
  on = synthesize(bigBlueButtonConfig());
  off = [...(await exampleStates()).map(synthesize), synthesize(minimalConfig())];
});

describe('a state with BigBlueButton', () => {
  test("creates exactly PostgreSQL with Scalelite's database, the In-Memory DB, the NFS cluster and share, two Secrets and the recordings volume", () => {
    // GIVEN the test state with bigbluebutton.enabled / WHEN synthesized / THEN
    expect(addressesOf(on, BIGBLUEBUTTON_TYPES)).toEqual([
      'ionoscloud_inmemorydb_replicaset.bigbluebutton_redis_replica-set',
      'ionoscloud_nfs_cluster.bigbluebutton_nfs_cluster',
      'ionoscloud_nfs_share.bigbluebutton_nfs_share',
      'ionoscloud_pg_cluster.bigbluebutton_postgres_cluster',
      'ionoscloud_pg_database.bigbluebutton_postgres_database',
      'kubernetes_persistent_volume_claim_v1.bigbluebutton_recordings-claim',
      'kubernetes_persistent_volume_v1.bigbluebutton_recordings-volume',
      'kubernetes_secret_v1.bigbluebutton_postgres-secret',
      'kubernetes_secret_v1.bigbluebutton_redis-secret',
      'random_password.bigbluebutton_postgres_password',
      'random_password.bigbluebutton_redis_password',
    ]);
  });

  test("sizes PostgreSQL from the state's configuration, in the state's LAN at a DHCP-free address, with a generated password", () => {
    // GIVEN / WHEN / THEN
    expect(resourceOf(on, 'ionoscloud_pg_cluster', 'bigbluebutton_postgres_cluster')).toMatchObject({
      display_name: 'meetscale-bbbland-scalelite',
      location: 'de/txl',
      postgres_version: '16',
      cores: 4,
      ram: 8192,
      storage_size: 48 * 1024,
      instances: 2,
      storage_type: 'SSD Standard',
      synchronization_mode: 'SYNCHRONOUS',
      connections: { ...LAN, cidr: lanCidr(3) },
      maintenance_window: { day_of_the_week: 'Sunday', time: '01:00:00' },
      credentials: { username: 'scalelite_app', password: '${random_password.bigbluebutton_postgres_password.result}' },
    });
    expect(resourceOf(on, 'ionoscloud_pg_database', 'bigbluebutton_postgres_database')).toMatchObject({
      cluster_id: '${ionoscloud_pg_cluster.bigbluebutton_postgres_cluster.id}',
      name: 'scalelite_production',
      owner: 'scalelite_app',
    });
    expect(resourceOf(on, 'random_password', 'bigbluebutton_postgres_password')).toMatchObject({ length: 40, special: false });
  });

  test('creates a persistent In-Memory DB that never evicts, sized from the configuration, at the next DHCP-free address', () => {
    // GIVEN / WHEN / THEN
    expect(resourceOf(on, 'ionoscloud_inmemorydb_replicaset', 'bigbluebutton_redis_replica-set')).toMatchObject({
      display_name: 'meetscale-bbbland-scalelite',
      location: 'de/txl',
      version: '7.2',
      replicas: 2,
      resources: { cores: 1, ram: 4 },
      persistence_mode: 'AOF',
      eviction_policy: 'noeviction',
      connections: { ...LAN, cidr: lanCidr(4) },
      credentials: { username: 'default', plain_text_password: '${random_password.bigbluebutton_redis_password.result}' },
    });
  });

  test("shares the recordings over NFS with the state's LAN, owned by Scalelite's UID 1000 and GID 2000", () => {
    // GIVEN / WHEN / THEN
    expect(resourceOf(on, 'ionoscloud_nfs_cluster', 'bigbluebutton_nfs_cluster')).toMatchObject({
      name: 'meetscale-bbbland-recordings',
      location: 'de/txl',
      size: 4,
      nfs: { min_version: '4.2' },
      connections: { datacenter_id: LAN.datacenter_id, lan: LAN.lan_id, ip_address: lanCidr(5) },
    });
    expect(resourceOf(on, 'ionoscloud_nfs_share', 'bigbluebutton_nfs_share')).toMatchObject({
      cluster_id: '${ionoscloud_nfs_cluster.bigbluebutton_nfs_cluster.id}',
      name: 'recordings',
      uid: 1000,
      gid: 2000,
      client_groups: [
        {
          ip_networks: ['${ionoscloud_lan.network_private-lan.ipv4_cidr_block}'],
          hosts: [],
          nfs: { squash: 'root-anonymous' },
        },
      ],
    });
  });

  test("hands the passwords to the release's namespace as Secrets, after the state-base release created it", () => {
    // GIVEN / WHEN / THEN
    for (const [name, secret] of [
      ['postgres', 'scalelite-postgres'],
      ['redis', 'scalelite-redis'],
    ] as const) {
      expect(resourceOf(on, 'kubernetes_secret_v1', `bigbluebutton_${name}-secret`)).toMatchObject({
        metadata: { name: secret, namespace: BIGBLUEBUTTON_NAMESPACE },
        type: 'Opaque',
        data: { password: `\${random_password.bigbluebutton_${name}_password.result}` },
        depends_on: [`helm_release.addons_${STATE_BASE_RELEASE}`],
      });
    }
  });

  test('never puts a password into an output: its outputs are those of a state without BigBlueButton', () => {
    // GIVEN the outputs of the stacks with and without BigBlueButton
    const outputs = on.json as unknown as { output: Record<string, { value: unknown; sensitive?: boolean }> };
    const offOutputs = off[off.length - 1]?.json as unknown as { output: Record<string, unknown> };

    // WHEN / THEN the same outputs, none of which names a password, a Secret or the databases' credentials
    expect(Object.keys(outputs.output)).toEqual(Object.keys(offOutputs.output));
    expect(JSON.stringify(outputs.output)).not.toMatch(/random_password|kubernetes_secret_v1|pg_cluster|inmemorydb|credentials/);
  });

  test('mounts the share as a ReadWriteMany volume with NFS 4.2, bound to the claim in the release namespace', () => {
    // GIVEN / WHEN / THEN
    expect(resourceOf(on, 'kubernetes_persistent_volume_v1', 'bigbluebutton_recordings-volume')).toMatchObject({
      metadata: { name: 'meetscale-bbbland-recordings' },
      spec: [
        {
          capacity: { storage: '4Ti' },
          access_modes: ['ReadWriteMany'],
          persistent_volume_reclaim_policy: 'Retain',
          storage_class_name: 'meetscale-nfs',
          mount_options: ['nfsvers=4.2'],
          persistent_volume_source: {
            nfs: {
              server: '${cidrhost(ionoscloud_lan.network_private-lan.ipv4_cidr_block, 5)}',
              path: '${ionoscloud_nfs_share.bigbluebutton_nfs_share.nfs_path}',
            },
          },
          claim_ref: { namespace: BIGBLUEBUTTON_NAMESPACE, name: 'scalelite-recordings' },
        },
      ],
    });
    expect(resourceOf(on, 'kubernetes_persistent_volume_claim_v1', 'bigbluebutton_recordings-claim')).toMatchObject({
      metadata: { name: 'scalelite-recordings', namespace: BIGBLUEBUTTON_NAMESPACE },
      spec: {
        access_modes: ['ReadWriteMany'],
        storage_class_name: 'meetscale-nfs',
        volume_name: '${kubernetes_persistent_volume_v1.bigbluebutton_recordings-volume.metadata[0].name}',
        resources: { requests: { storage: '4Ti' } },
      },
      depends_on: [`helm_release.addons_${STATE_BASE_RELEASE}`],
    });
  });

  test('reaches the cluster with the Kubernetes provider exactly as the Helm provider does, and pins it and random', () => {
    // GIVEN / WHEN
    const providers = on.json as unknown as {
      provider: { helm: [{ kubernetes: unknown }]; kubernetes: [unknown]; random: [unknown] };
      terraform: { required_providers: Record<string, unknown> };
    };

    // THEN
    expect(providers.provider.kubernetes).toEqual([providers.provider.helm[0].kubernetes]);
    expect(providers.provider.random).toEqual([{}]);
    expect(providers.terraform.required_providers).toMatchObject({
      kubernetes: { source: 'kubernetes', version: '2.38.0' },
      random: { source: 'hashicorp/random', version: '3.7.2' },
    });
  });

  test('serves bbb.<domain> through the Gateway: its DNS record, a listener and the namespace at Pod Security restricted', () => {
    // GIVEN / WHEN / THEN
    expect(resourceOf(on, 'ionoscloud_dns_record', 'dns_bbb-a')).toMatchObject({
      name: 'bbb',
      type: 'A',
      content: '${element(ionoscloud_ipblock.ingress-ip.ips, 0)}',
    });
    expect(on.stack.bigBlueButtonHost).toBe('bbb.bbbland.meetscale.example');
    expect(helmValuesOf(on, 'addons_state-gateway')).toMatchObject({
      gateway: { hostnames: ['meet.bbbland.meetscale.example', 'bbb.bbbland.meetscale.example', 'logs.bbbland.meetscale.example'] },
    });
    expect(helmValuesOf(on, `addons_${STATE_BASE_RELEASE}`)).toMatchObject({
      namespaces: expect.arrayContaining([{ name: BIGBLUEBUTTON_NAMESPACE, podSecurity: 'restricted' }]),
    });
  });

  test('matches the snapshot (next to the targeted assertions above)', () => {
    // GIVEN / WHEN / THEN
    expect(on.text).toMatchSnapshot();
  });

  test('installs Scalelite from its last release, after its Secrets and its claim, with their names as values', () => {
    // GIVEN / WHEN the stack of a state with BigBlueButton
    const release = (on.json.resource['helm_release'] ?? {})['bigbluebutton-releases_scalelite'] as Record<string, any> | undefined;
    // THEN the scalelite chart's last release is installed into the BigBlueButton namespace
    expect(release).toMatchObject({
      chart: 'scalelite',
      version: releasedVersion('scalelite'),
      namespace: BIGBLUEBUTTON_NAMESPACE,
    });
    // AND it waits for the Secrets and the recordings claim it names
    const dependsOn = release?.depends_on as string[];
    expect(dependsOn.filter((address) => address.startsWith('kubernetes_secret_v1.')).length).toBe(2);
    expect(dependsOn.some((address) => address.startsWith('kubernetes_persistent_volume_claim_v1.'))).toBe(true);
    const values = helmValuesOf(on, 'bigbluebutton-releases_scalelite') as any;
    expect(values.database.password.existingSecret).toBe('scalelite-postgres');
    expect(values.redis.password.existingSecret).toBe('scalelite-redis');
    expect(values.recordings.existingClaim).toBe('scalelite-recordings');
  });
});

describe('a state without BigBlueButton (the default, and both example states)', () => {
  test('creates none of it: no backing service, Secret, volume, DNS record, namespace, provider or listener', () => {
    // GIVEN the example states and a minimal one
    for (const synthesized of off) {
      // WHEN / THEN
      expect(synthesized.stack.config.bigbluebutton.enabled).toBe(false);
      expect(addressesOf(synthesized, BIGBLUEBUTTON_TYPES)).toEqual([]);
      expect(Object.keys(synthesized.json.resource['ionoscloud_dns_record'] ?? {})).toEqual(['dns_logs-a', 'dns_meet-a']);
      expect(Object.keys((synthesized.json as unknown as { provider: object }).provider).sort()).toEqual(['helm', 'ionoscloud']);
      expect(JSON.stringify(helmValuesOf(synthesized, `addons_${STATE_BASE_RELEASE}`))).not.toContain(BIGBLUEBUTTON_NAMESPACE);
      expect(helmValuesOf(synthesized, 'addons_state-gateway')).toMatchObject({
        gateway: { hostnames: [synthesized.stack.meetingHost, synthesized.stack.kibanaHost] },
      });
      expect(synthesized.stack.scalelite).toBeUndefined();
    }
  });
});

describe('StateDatacenter.reservedAddress', () => {
  test('gives the hosts DHCP never hands out, and refuses the others, since a node could take the address', () => {
    // GIVEN a data center with its private LAN
    const network = new StateDatacenter(new TerraformStack(Testing.app(), 'test'), 'network', {
      name: 'test',
      location: 'de/txl',
      description: 'test',
    });

    // WHEN / THEN
    expect(RESERVED_LAN_HOSTS).toEqual({ first: 3, last: 10 });
    expect(() => network.reservedAddress(3)).not.toThrow();
    expect(() => network.reservedAddress(10)).not.toThrow();
    expect(thrownBy(() => network.reservedAddress(2)).message).toBe("host 2 is outside the LAN's DHCP-free hosts 3-10");
    expect(thrownBy(() => network.reservedAddress(11)).message).toBe("host 11 is outside the LAN's DHCP-free hosts 3-10");
  });
});
