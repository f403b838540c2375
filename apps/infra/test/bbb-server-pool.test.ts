import './_bindings';

import { autoscalingPolicy } from '@meetscale/bbb-autoscaling';
import { DefaultTokenResolver, StringConcat, Tokenization } from 'cdktf';

import { BBB_SERVER_SECRETS } from '../src/bbb-server-pool';
import { BIGBLUEBUTTON_NAMESPACE } from '../src/scalelite-release';
import { STATE_BASE_RELEASE } from '../src/state-base-releases';
import { parseStateConfig } from '../src/state-config';
import {
  bigBlueButtonConfig,
  bigBlueButtonPoolConfig,
  bigBlueButtonPoolState,
  exampleStates,
  minimalConfig,
  modelSizingOf,
  resourceOf,
  synthesize,
  type Synthesized,
} from './_stacks';
import { thrownBy } from './_thrown';

/** The resource types that exist only for the server pool. */
const POOL_TYPES = ['ionoscloud_server', 'ionoscloud_nic'];

const HOSTS = ['bbb-01', 'bbb-02', 'bbb-03'];

const namesOf = (synthesized: Synthesized, type: string): string[] => Object.keys(synthesized.json.resource[type] ?? {}).sort();

/** A firewall rule as the stack writes it; `source_ip` only where set. */
const rule = (name: string, protocol: string, start: number, end: number, source?: string) => ({
  name,
  protocol,
  port_range_start: start,
  port_range_end: end,
  type: 'INGRESS',
  ...(source === undefined ? {} : { source_ip: source }),
});

let pool: Synthesized;

beforeAll(() => {
  pool = synthesize(bigBlueButtonPoolConfig());
});

describe('a state with a BigBlueButton server pool', () => {
  test('creates one server, reserved IP, A record, private NIC and shared secret per server, named <hostPrefix>-01 onwards', () => {
    // GIVEN the test state with bigbluebutton.servers.count 3 / WHEN synthesized / THEN
    expect(namesOf(pool, 'ionoscloud_server')).toEqual(HOSTS.map((host) => `bbb-pool_${host}`));
    expect(namesOf(pool, 'ionoscloud_nic')).toEqual(HOSTS.map((host) => `bbb-pool_${host}-private-nic`));
    expect(namesOf(pool, 'ionoscloud_ipblock')).toEqual([...HOSTS.map((host) => `bbb-pool_${host}-ip`), 'ingress-ip']);
    expect(namesOf(pool, 'ionoscloud_dns_record')).toEqual([
      'dns_bbb-01-a',
      'dns_bbb-02-a',
      'dns_bbb-03-a',
      'dns_bbb-a',
      'dns_logs-a',
      'dns_meet-a',
    ]);
    expect(namesOf(pool, 'random_password').filter((name) => name.startsWith('bbb-pool_'))).toEqual(
      HOSTS.flatMap((host) => [`bbb-pool_${host}-root-password`, `bbb-pool_${host}-secret`]),
    );
  });

  test("sizes each server from the configuration, boots Ubuntu 22.04 with its cloud-config, and gives it a reserved IP and a name in the state's zone", () => {
    // GIVEN / WHEN / THEN
    for (const host of HOSTS) {
      expect(resourceOf(pool, 'ionoscloud_server', `bbb-pool_${host}`)).toMatchObject({
        datacenter_id: '${ionoscloud_datacenter.network_datacenter.id}',
        name: host,
        hostname: host,
        type: 'ENTERPRISE',
        cores: 6,
        ram: 12288,
        cpu_family: 'INTEL_SKYLAKE',
        image_name: 'ubuntu:22.04',
        image_password: `\${random_password.bbb-pool_${host}-root-password.result}`,
        volume: { disk_type: 'SSD Standard', size: 320, user_data: `\${base64encode(local.bbb-pool_${host}-user-data)}` },
        nic: {
          lan: '${ionoscloud_lan.bbb-pool_public-lan.id}',
          dhcp: true,
          ips: [`\${element(ionoscloud_ipblock.bbb-pool_${host}-ip.ips, 0)}`],
        },
        depends_on: [`ionoscloud_dns_record.dns_${host}-a`],
      });
      expect(resourceOf(pool, 'ionoscloud_ipblock', `bbb-pool_${host}-ip`)).toEqual({
        name: `meetscale-bbbland-${host}`,
        location: 'de/txl',
        size: 1,
      });
      expect(resourceOf(pool, 'ionoscloud_dns_record', `dns_${host}-a`)).toMatchObject({
        zone_id: '${ionoscloud_dns_zone.dns_zone.id}',
        name: host,
        type: 'A',
        content: `\${element(ionoscloud_ipblock.bbb-pool_${host}-ip.ips, 0)}`,
      });
      const locals = (pool.json as unknown as { locals: Record<string, string> }).locals;
      expect(locals[`bbb-pool_${host}-user-data`]).toMatch(
        new RegExp(`^#cloud-config\\nhostname: ${host}\\nfqdn: ${host}\\.bbbland\\.meetscale\\.example\\n`),
      );
    }
    expect(resourceOf(pool, 'ionoscloud_lan', 'bbb-pool_public-lan')).toEqual({
      datacenter_id: '${ionoscloud_datacenter.network_datacenter.id}',
      name: 'meetscale-bbbland-bbb-public',
      public: true,
    });
  });

  test('leaves the power state to the autoscaler: Terraform ignores vm_state (and the user data, read once at the first boot)', () => {
    // GIVEN / WHEN / THEN
    for (const host of HOSTS) {
      expect(resourceOf(pool, 'ionoscloud_server', `bbb-pool_${host}`)['lifecycle']).toEqual({
        ignore_changes: ['vm_state', 'volume[0].user_data'],
      });
      expect(resourceOf(pool, 'ionoscloud_server', `bbb-pool_${host}`)).not.toHaveProperty('vm_state');
    }
  });

  test("admits on the public NIC exactly SSH from the admin networks, HTTP, HTTPS, BigBlueButton's media and TURN ports, and the exporters from the monitoring networks", () => {
    // GIVEN / WHEN / THEN
    for (const host of HOSTS) {
      const nic = resourceOf(pool, 'ionoscloud_server', `bbb-pool_${host}`)['nic'] as Record<string, unknown>;
      expect(nic['firewall_active']).toBe(true);
      expect(nic['firewall_type']).toBe('INGRESS');
      expect(nic['firewall']).toEqual([
        rule('ssh', 'TCP', 22, 22, '192.0.2.10/32'),
        rule('ssh', 'TCP', 22, 22, '192.0.2.64/26'),
        rule('http', 'TCP', 80, 80),
        rule('https', 'TCP', 443, 443),
        rule('media', 'UDP', 16384, 32768),
        rule('turn', 'UDP', 3478, 3478),
        rule('node-exporter', 'TCP', 9100, 9100, '198.51.100.0/24'),
        rule('bigbluebutton-exporter', 'TCP', 9688, 9688, '198.51.100.0/24'),
      ]);
    }
  });

  test('closes SSH entirely when no admin network is configured', () => {
    // GIVEN a pool without adminCidrs / WHEN synthesized
    const closed = synthesize(bigBlueButtonPoolConfig({ adminCidrs: undefined, count: 1 }));
    const firewall = (resourceOf(closed, 'ionoscloud_server', 'bbb-pool_bbb-01')['nic'] as { firewall: Array<{ name: string }> }).firewall;

    // THEN
    expect(firewall.map((entry) => entry.name)).toEqual(['http', 'https', 'media', 'turn', 'node-exporter', 'bigbluebutton-exporter']);
  });

  test("joins each server to the state's private LAN (the recordings share) with a NIC whose firewall admits nothing", () => {
    // GIVEN / WHEN / THEN
    for (const host of HOSTS) {
      expect(resourceOf(pool, 'ionoscloud_nic', `bbb-pool_${host}-private-nic`)).toEqual({
        datacenter_id: '${ionoscloud_datacenter.network_datacenter.id}',
        server_id: `\${ionoscloud_server.bbb-pool_${host}.id}`,
        name: `${host}-private`,
        lan: '${ionoscloud_lan.network_private-lan.id}',
        dhcp: true,
        firewall_active: true,
        firewall_type: 'INGRESS',
      });
    }
  });

  test("generates each server's shared secret and hands them all to Scalelite's namespace in one Secret, keyed by the servers' fully qualified names", () => {
    // GIVEN / WHEN / THEN
    for (const host of HOSTS) {
      expect(resourceOf(pool, 'random_password', `bbb-pool_${host}-secret`)).toEqual({ length: 40, special: false });
    }
    expect(resourceOf(pool, 'kubernetes_secret_v1', 'bbb-pool_secrets')).toEqual({
      metadata: {
        name: BBB_SERVER_SECRETS,
        namespace: BIGBLUEBUTTON_NAMESPACE,
        labels: { 'app.kubernetes.io/managed-by': 'terraform', 'meetscale.io/state': 'bbbland' },
      },
      type: 'Opaque',
      data: Object.fromEntries(
        HOSTS.map((host) => [`${host}.bbbland.meetscale.example`, `\${random_password.bbb-pool_${host}-secret.result}`]),
      ),
      depends_on: [`helm_release.addons_${STATE_BASE_RELEASE}`],
    });
    // AND writes the same secret into the server's settings, never into an output
    const locals = (pool.json as unknown as { locals: Record<string, string> }).locals;
    expect(locals['bbb-pool_bbb-02-user-data']).toContain("BBB_SECRET='${random_password.bbb-pool_bbb-02-secret.result}'");
    const outputs = (pool.json as unknown as { output: Record<string, unknown> }).output;
    expect(JSON.stringify(outputs)).not.toMatch(/random_password|kubernetes_secret_v1|user-data/);
    expect(outputs['bigbluebutton_servers']).toMatchObject({
      value: Object.fromEntries(HOSTS.map((host) => [host, `\${element(ionoscloud_ipblock.bbb-pool_${host}-ip.ips, 0)}`])),
    });
  });

  test("describes the pool for the autoscaler's release: data center, each server's id, name, FQDN and API URL, and the Secret", () => {
    // GIVEN / WHEN the stack's description, resolved to Terraform expressions
    const poolConstruct = pool.stack.bbbServerPool;
    expect(poolConstruct).toBeDefined();
    const description = Tokenization.resolve(poolConstruct?.description, {
      scope: pool.stack,
      resolver: new DefaultTokenResolver(new StringConcat()),
    }) as unknown;

    // THEN
    expect(description).toEqual({
      datacenterId: '${ionoscloud_datacenter.network_datacenter.id}',
      servers: HOSTS.map((host) => ({
        name: host,
        fqdn: `${host}.bbbland.meetscale.example`,
        serverId: `\${ionoscloud_server.bbb-pool_${host}.id}`,
        apiUrl: `https://${host}.bbbland.meetscale.example/bigbluebutton/api/`,
      })),
      secret: { name: 'bigbluebutton-server-secrets', namespace: 'bigbluebutton' },
    });
  });

  test('numbers the servers with as many digits as the count needs, at least two', () => {
    // GIVEN a pool of 100 servers with its own host prefix / WHEN synthesized
    const large = synthesize(bigBlueButtonPoolConfig({ count: 100, hostPrefix: 'room' }));
    const names = namesOf(large, 'ionoscloud_server');

    // THEN
    expect(names).toHaveLength(100);
    expect(names.slice(0, 2)).toEqual(['bbb-pool_room-001', 'bbb-pool_room-002']);
    expect(names).toContain('bbb-pool_room-100');
  });
});

describe('a state without a server pool', () => {
  test('creates no server, NIC, server secret or output: BigBlueButton off, or on without servers', async () => {
    // GIVEN the example states without BigBlueButton, a minimal state, and the BigBlueButton state without servers
    const states = [...(await exampleStates()).filter((state) => !state.bigbluebutton.enabled), minimalConfig(), bigBlueButtonConfig()];
    for (const config of states) {
      // WHEN
      const synthesized = synthesize(config);

      // THEN
      for (const type of POOL_TYPES) expect(namesOf(synthesized, type)).toEqual([]);
      expect(namesOf(synthesized, 'kubernetes_secret_v1')).not.toContain('bbb-pool_secrets');
      expect(namesOf(synthesized, 'ionoscloud_dns_record').filter((name) => /^dns_bbb-\d+-a$/.test(name))).toEqual([]);
      expect((synthesized.json as unknown as { output: object }).output).not.toHaveProperty('bigbluebutton_servers');
      expect(synthesized.stack.bbbServerPool).toBeUndefined();
    }
  });
});

describe('the servers configuration', () => {
  const problemsOf = (servers: Record<string, unknown>, bigbluebutton: Record<string, unknown> = {}): string => {
    const input = bigBlueButtonPoolState(servers);
    return thrownBy(() =>
      parseStateConfig({ ...input, bigbluebutton: { ...(input.bigbluebutton as object), ...bigbluebutton } }, 'states/x.ts'),
    ).message;
  };

  test('refuses sizes IONOS or bbb-install.sh refuse, naming each value', () => {
    // GIVEN / WHEN / THEN
    expect(problemsOf({ count: 0, cores: 2, ramMb: 16000, diskGb: 20 })).toBe(
      [
        'Invalid state configuration in states/x.ts:',
        '  - bigbluebutton.servers.count: 0 servers: a pool has at least 1',
        '  - bigbluebutton.servers.cores: 2 cores are fewer than the 4 bbb-install.sh requires',
        '  - bigbluebutton.servers.ramMb: 16000 MB is not a multiple of 256 (IONOS sizes server RAM in steps of 256 MB)',
        '  - bigbluebutton.servers.diskGb: 20 GB is less than the 50 GB a BigBlueButton server needs',
      ].join('\n'),
    );
    expect(problemsOf({ count: 1.5, ramMb: 2048 })).toBe(
      [
        'Invalid state configuration in states/x.ts:',
        '  - bigbluebutton.servers.count: 1.5 is not a whole number of servers',
        '  - bigbluebutton.servers.ramMb: 2048 MB is less than the 4096 MB bbb-install.sh requires',
      ].join('\n'),
    );
  });

  test('refuses a bad host prefix, CPU family, network or SSH key, and a pool without monitoring networks', () => {
    // GIVEN / WHEN / THEN
    expect(problemsOf({ hostPrefix: 'BBB', cpuFamily: 'intel', adminCidrs: ['10.0.0.1'], monitoringCidrs: [], sshKeys: ['hello'] })).toBe(
      [
        'Invalid state configuration in states/x.ts:',
        '  - bigbluebutton.servers.cpuFamily: "intel" is not an IONOS CPU family such as INTEL_SKYLAKE',
        '  - bigbluebutton.servers.hostPrefix: "BBB" is not a DNS label of at most 59 characters starting with a letter',
        '  - bigbluebutton.servers.adminCidrs[0]: "10.0.0.1" is not an IPv4 CIDR block (IONOS firewall rules match IPv4 sources)',
        '  - bigbluebutton.servers.monitoringCidrs: list at least one CIDR block: Prometheus scrapes the exporters from there',
        '  - bigbluebutton.servers.sshKeys[0]: "hello" is not an SSH public key line such as "ssh-ed25519 AAAA... comment"',
      ].join('\n'),
    );
  });

  test('refuses a server pool while BigBlueButton is off, and unknown keys', () => {
    // GIVEN / WHEN / THEN
    expect(problemsOf({}, { enabled: false })).toBe(
      ['Invalid state configuration in states/x.ts:', '  - bigbluebutton.servers: a server pool needs bigbluebutton.enabled: true'].join(
        '\n',
      ),
    );
    expect(problemsOf({ ram: 4096 })).toBe(
      ['Invalid state configuration in states/x.ts:', '  - bigbluebutton.servers: Unrecognized key: "ram"'].join('\n'),
    );
  });

  test('defaults the host prefix to bbb, SSH to closed and the keys to none', () => {
    // GIVEN a pool with only what is required
    const config = parseStateConfig(
      {
        ...bigBlueButtonPoolState(),
        bigbluebutton: { enabled: true, servers: { count: 2, cores: 8, ramMb: 16384, diskGb: 100, monitoringCidrs: ['198.51.100.0/24'] } },
      },
      'test',
    );

    // WHEN / THEN
    expect(config.bigbluebutton.servers).toEqual({
      count: 2,
      cores: 8,
      ramMb: 16384,
      diskGb: 100,
      hostPrefix: 'bbb',
      adminCidrs: [],
      monitoringCidrs: ['198.51.100.0/24'],
      sshKeys: [],
      // the policy library's defaults, the bounds from the sizing: the state gives no policy; the model's off-peak
      // servers at most the pool, which the autoscaler may run whole
      autoscaler: {
        dryRun: false,
        policy: autoscalingPolicy.parse({
          minServers: Math.min(modelSizingOf(bigBlueButtonPoolState()).bigbluebutton?.servers.minServers ?? 0, 2),
          maxServers: 2,
        }),
      },
    });
  });
});
