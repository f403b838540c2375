import './_bindings';

import { figure } from '@meetscale/capacity';

import { DEFAULT_CHART_REGISTRY, parseStateConfig, StateConfigError } from '../src/state-config';
import { minimalState } from './_stacks';
import { thrownBy } from './_thrown';

describe('parseStateConfig', () => {
  test('fills in the defaults of a minimal configuration', () => {
    // GIVEN the smallest valid configuration
    // WHEN it is parsed
    const config = parseStateConfig(minimalState(), 'states/testland.ts');

    // THEN the optional settings have their defaults
    expect(config.meetingHost).toBe('meet');
    expect(config.certificates).toEqual({ acmeEmail: 'platform@testland.meetscale.example', acmeServer: 'production' });
    expect(config.nodePools.system).toEqual({ cores: 4, ramMb: 8192, minNodes: 1, maxNodes: 2, availabilityZone: 'AUTO', storageGb: 100 });
    expect(config.nodePools.media).toEqual({
      minNodes: 1,
      maxNodes: 2,
      availabilityZone: 'AUTO',
      // the capacity model's media node: an 8-core bridge and the node's own core and 2 GB
      cores: figure('mediaNodeCores'),
      ramMb: figure('mediaNodeRamGb') * 1024,
      reservedPublicIps: false,
      storageGb: 50,
    });
    // (one shard and a pool of 1 to 2 nodes: 1 to 2 bridges)
    expect(config.jitsi).toEqual({ shards: 1, haproxyReplicas: 2, bridgeAutoscaling: { minReplicas: 1, maxReplicas: 2 } });
    expect(config.peakLoad).toEqual({
      participants: 40,
      jitsiShare: 1,
      bbbShare: 0,
      conferenceSize: figure('defaultConferenceSize'),
      video: '720p',
      lastN: figure('defaultLastN'),
    });
    expect(config.objectStorage).toEqual({ region: 'eu-central-3', backupRetentionDays: 30 });
    expect(config.monitoring).toEqual({ retention: '15d', prometheusReplicas: 1 });
    expect(config.charts).toEqual({ registry: DEFAULT_CHART_REGISTRY });
    expect(config.logging).toEqual({
      enabled: true,
      host: 'logs',
      elasticsearch: { layout: 'small', storageClass: 'ionos-enterprise-ssd' },
      retention: {},
      clientAddresses: 'truncate',
      users: [],
    });
    expect(config.bigbluebutton).toEqual({
      enabled: false,
      host: 'bbb',
      scalelite: {
        postgres: {
          version: '16',
          cores: 2,
          ramMb: 4096,
          storageGb: 20,
          instances: 1,
          storageType: 'SSD Standard',
          synchronizationMode: 'ASYNCHRONOUS',
        },
        redis: { version: '7.2', cores: 1, ramGb: 2, replicas: 1, persistence: 'RDB_AOF' },
        nfs: { sizeTib: 2 },
      },
    });
  });

  test("takes the state's own chart registry, and rejects one that is no OCI location, naming it", () => {
    // GIVEN a fork's registry, and two mistakes: an HTTPS URL and a location with a tag
    const own = parseStateConfig({ ...minimalState(), charts: { registry: 'oci://registry.bremen.de:5443/meetscale/charts' } }, 's.ts');
    const https = thrownBy(() => parseStateConfig({ ...minimalState(), charts: { registry: 'https://ghcr.io/meetscale' } }, 's.ts'));
    const tagged = thrownBy(() => parseStateConfig({ ...minimalState(), charts: { registry: 'oci://ghcr.io/meetscale:1.0' } }, 's.ts'));

    // THEN the own registry is used as given, the mistakes are refused with the value named
    expect(own.charts.registry).toBe('oci://registry.bremen.de:5443/meetscale/charts');
    for (const [error, value] of [
      [https, 'https://ghcr.io/meetscale'],
      [tagged, 'oci://ghcr.io/meetscale:1.0'],
    ] as const) {
      expect(error.message).toContain(
        `  - charts.registry: "${value}" is not an OCI registry location such as oci://registry.example.de/meetscale/charts`,
      );
    }
  });

  test('rejects an unknown location, naming the known ones', () => {
    // GIVEN a location IONOS does not have
    const input = { ...minimalState(), location: 'de/muc' };

    // WHEN / THEN
    const error = thrownBy(() => parseStateConfig(input, 'states/testland.ts'));
    expect(error).toBeInstanceOf(StateConfigError);
    expect(error.message).toBe(
      'Invalid state configuration in states/testland.ts:\n' +
        '  - location: unknown IONOS location "de/muc"; expected one of de/fra, de/fra/2, de/txl, es/vit, fr/par, gb/bhx, gb/lhr, us/ewr, us/las, us/mci',
    );
  });

  test('rejects a node pool whose minimum exceeds its maximum', () => {
    // GIVEN a media pool that could never satisfy its bounds
    const input = minimalState({
      nodePools: { system: { cores: 4, ramMb: 8192, minNodes: 1, maxNodes: 2 }, media: { minNodes: 8, maxNodes: 4 } },
    });

    // WHEN / THEN
    expect(thrownBy(() => parseStateConfig(input, 'states/testland.ts')).message).toBe(
      'Invalid state configuration in states/testland.ts:\n  - nodePools.media: minNodes (8) exceeds maxNodes (4)',
    );
  });

  test('rejects a malformed domain', () => {
    // GIVEN a domain with an empty label
    const input = minimalState({ domain: 'meet..example' });

    // WHEN / THEN
    expect(thrownBy(() => parseStateConfig(input, 'states/testland.ts')).message).toBe(
      'Invalid state configuration in states/testland.ts:\n' +
        '  - domain: "meet..example" is not a valid domain name (lowercase labels of letters, digits and hyphens, separated by dots)',
    );
  });

  test('takes alert e-mail with a relay and a team, and names each malformed part', () => {
    // GIVEN a state's alerting, and one with a bad relay, a bad address and no team
    const alerting = {
      smtp: { smarthost: 'smtp.example.org:587', from: 'alerts@example.org' },
      team: ['team@example.org'],
    };
    const config = parseStateConfig({ ...minimalState(), monitoring: { alerting } }, 's.ts');
    const error = thrownBy(() =>
      parseStateConfig(
        { ...minimalState(), monitoring: { alerting: { smtp: { smarthost: 'smtp.example.org', from: 'alerts' }, team: [] } } },
        's.ts',
      ),
    );

    // THEN the first is taken with nobody on call, and every problem of the second is named
    expect(config.monitoring.alerting).toEqual({ ...alerting, onCall: [] });
    expect(error.message).toContain('  - monitoring.alerting.smtp.smarthost: "smtp.example.org" is not an SMTP relay host:port');
    expect(error.message).toContain('  - monitoring.alerting.smtp.from: "alerts" is not an e-mail address');
    expect(error.message).toContain('  - monitoring.alerting.team: name at least one address of the team');
  });

  test('rejects a malformed ACME e-mail address', () => {
    // GIVEN a contact address without a domain
    const input = minimalState({ certificates: { acmeEmail: 'platform-team' } });

    // WHEN / THEN
    expect(thrownBy(() => parseStateConfig(input, 'states/testland.ts')).message).toBe(
      'Invalid state configuration in states/testland.ts:\n  - certificates.acmeEmail: "platform-team" is not an e-mail address',
    );
  });

  test('rejects an unknown ACME server, naming the known ones', () => {
    // GIVEN a server name that is neither of Let's Encrypt's directories
    const input = { ...minimalState(), certificates: { acmeEmail: 'platform@testland.meetscale.example', acmeServer: 'prod' } };

    // WHEN / THEN
    expect(thrownBy(() => parseStateConfig(input, 'states/testland.ts')).message).toBe(
      'Invalid state configuration in states/testland.ts:\n  - certificates.acmeServer: unknown ACME server "prod"; expected one of production, staging',
    );
  });

  test('requires the certificates section', () => {
    // GIVEN a configuration without the ACME account's contact
    const { certificates: _omitted, ...input } = minimalState();

    // WHEN / THEN
    expect(thrownBy(() => parseStateConfig(input, 'states/testland.ts')).message).toBe(
      'Invalid state configuration in states/testland.ts:\n  - certificates: Invalid input: expected object, received undefined',
    );
  });

  test('lists every problem at once, including misspelt keys and malformed values', () => {
    // GIVEN a configuration with several mistakes
    const input = {
      ...minimalState({ domain: 'Testland.DE' }),
      kubernetes: { version: '1.33', maintenanceWindow: { day: 'Sonntag', time: '1:00' }, apiAllowList: ['10.0.0.0/33'] },
      jitsi: { shard: 2 },
    };

    // WHEN / THEN
    expect(thrownBy(() => parseStateConfig(input, 'states/testland.ts')).message).toBe(
      [
        'Invalid state configuration in states/testland.ts:',
        '  - domain: "Testland.DE" is not a valid domain name (lowercase labels of letters, digits and hyphens, separated by dots)',
        '  - kubernetes.version: "1.33" is not a Kubernetes version of the form 1.33.3',
        '  - kubernetes.maintenanceWindow.day: unknown day "Sonntag"; expected one of Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday',
        '  - kubernetes.maintenanceWindow.time: "1:00" is not a UTC time of the form HH:MM:SSZ',
        '  - kubernetes.apiAllowList[0]: "10.0.0.0/33" is not a CIDR block',
        '  - jitsi: Unrecognized key: "shard"',
      ].join('\n'),
    );
  });

  test('requires at least one network in the API allow-list', () => {
    // GIVEN an empty allow-list, which would lock Terraform out of the cluster
    const input = minimalState({
      kubernetes: { version: '1.33.3', maintenanceWindow: { day: 'Sunday', time: '01:00:00Z' }, apiAllowList: [] },
    });

    // WHEN / THEN
    expect(thrownBy(() => parseStateConfig(input, 'states/testland.ts')).message).toBe(
      'Invalid state configuration in states/testland.ts:\n  - kubernetes.apiAllowList: list at least one CIDR block: Terraform must reach the API server',
    );
  });

  test("takes BigBlueButton's sizes, filling in the rest, and names each malformed one by its path", () => {
    // GIVEN BigBlueButton switched on with some sizes, and a configuration with a mistake in every service
    const peakLoad = { participants: 40, jitsiShare: 0.5, bbbShare: 0.5 };
    const sized = parseStateConfig(
      minimalState({ peakLoad, bigbluebutton: { enabled: true, scalelite: { postgres: { instances: 3 }, nfs: { sizeTib: 8 } } } }),
      's.ts',
    );
    const input = minimalState({
      peakLoad,
      bigbluebutton: {
        enabled: true,
        scalelite: {
          postgres: { ramMb: 3000, storageGb: 15, storageType: 'NVMe' } as never,
          redis: { persistence: 'None', version: '7' } as never,
          nfs: { sizeTib: 1 },
        },
      },
    });

    // WHEN / THEN
    expect(sized.bigbluebutton.scalelite.postgres).toMatchObject({ instances: 3, cores: 2, ramMb: 4096 });
    expect(sized.bigbluebutton.scalelite.nfs).toEqual({ sizeTib: 8 });
    expect(thrownBy(() => parseStateConfig(input, 'states/testland.ts')).message).toBe(
      [
        'Invalid state configuration in states/testland.ts:',
        '  - bigbluebutton.scalelite.postgres.ramMb: 3000 MB is not a multiple of 1024',
        '  - bigbluebutton.scalelite.postgres.storageGb: 15 GB is not a multiple of 2 (IONOS takes PostgreSQL storage in steps of 2048 MB)',
        '  - bigbluebutton.scalelite.postgres.storageType: unknown PostgreSQL storage type "NVMe"; expected one of SSD Standard, SSD Premium, HDD',
        '  - bigbluebutton.scalelite.redis.version: "7" is not an In-Memory DB version such as 7.2',
        '  - bigbluebutton.scalelite.redis.persistence: unknown In-Memory DB persistence mode "None"; expected one of RDB, AOF, RDB_AOF',
        '  - bigbluebutton.scalelite.nfs.sizeTib: 1 TiB is below the IONOS minimum of 2 TiB',
      ].join('\n'),
    );
  });

  test('rejects BigBlueButton where IONOS does not offer its backing services, naming the locations that do', () => {
    // GIVEN a state in a location without NFS and DBaaS, with BigBlueButton on, and the same state with it off
    const input = minimalState({
      location: 'de/fra/2',
      peakLoad: { participants: 40, jitsiShare: 0.5, bbbShare: 0.5 },
      bigbluebutton: { enabled: true },
    });

    // WHEN / THEN only the one with BigBlueButton is refused
    expect(
      parseStateConfig({ ...input, peakLoad: { participants: 40, jitsiShare: 1 }, bigbluebutton: { enabled: false } }, 's.ts').location,
    ).toBe('de/fra/2');
    expect(thrownBy(() => parseStateConfig(input, 'states/testland.ts')).message).toBe(
      'Invalid state configuration in states/testland.ts:\n' +
        '  - bigbluebutton.enabled: IONOS offers PostgreSQL, In-Memory DB and NFS together only in de/fra, de/txl, es/vit, gb/lhr, us/ewr, us/las, ' +
        'not in the state\'s location "de/fra/2"',
    );
  });

  test('rejects misspelt keys in the BigBlueButton section', () => {
    // GIVEN
    const input = minimalState({ bigbluebutton: { enable: true, scalelite: { redis: { ram: 4 } } } as never });

    // WHEN / THEN
    expect(thrownBy(() => parseStateConfig(input, 'states/testland.ts')).message).toBe(
      [
        'Invalid state configuration in states/testland.ts:',
        '  - bigbluebutton.scalelite.redis: Unrecognized key: "ram"',
        '  - bigbluebutton: Unrecognized key: "enable"',
      ].join('\n'),
    );
  });

  test("takes a state's logging: production layout, retention per stream, masking and Kibana users", () => {
    // GIVEN a state with three system nodes and its logging section
    const config = parseStateConfig(
      minimalState({
        nodePools: { system: { cores: 8, ramMb: 32768, minNodes: 3, maxNodes: 6 }, media: { minNodes: 1, maxNodes: 2 } },
        logging: {
          host: 'kibana',
          elasticsearch: { layout: 'production', dataNodes: 3, storageGb: 500, storageClass: 'ionos-enterprise-hdd' },
          retention: { access: '3d', platform: '36h' },
          clientAddresses: 'remove',
          users: [{ username: 'ops', passwordSecret: 'logging-user-ops' }],
        },
      }),
      's.ts',
    );

    // THEN it is taken as written, a user's role defaulting to the chart's reader role
    expect(config.logging).toEqual({
      enabled: true,
      host: 'kibana',
      elasticsearch: { layout: 'production', dataNodes: 3, storageGb: 500, storageClass: 'ionos-enterprise-hdd' },
      retention: { access: '3d', platform: '36h' },
      clientAddresses: 'remove',
      users: [{ username: 'ops', roles: ['meetscale-log-reader'], passwordSecret: 'logging-user-ops' }],
    });
  });

  test('refuses a logging section that would keep whole client addresses, or is malformed, naming each problem', () => {
    // GIVEN a logging section with a mistake in every part
    const input = minimalState({
      logging: {
        host: 'Logs',
        elasticsearch: { layout: 'large', dataNodes: 1, storageClass: 'standard' },
        retention: { access: '7 days', acess: '3d' },
        clientAddresses: 'keep',
        users: [
          { username: 'ops', passwordSecret: 'ops-password' },
          { username: 'ops', roles: [], passwordSecret: 'Ops_Password' },
        ],
      } as never,
    });

    // WHEN / THEN
    expect(thrownBy(() => parseStateConfig(input, 'states/testland.ts')).message).toBe(
      [
        'Invalid state configuration in states/testland.ts:',
        '  - logging.host: "Logs" is not a DNS label',
        '  - logging.elasticsearch.layout: unknown Elasticsearch layout "large"; expected one of small, production',
        '  - logging.elasticsearch.dataNodes: Too small: expected number to be >=2',
        '  - logging.elasticsearch.storageClass: unknown IONOS storage class "standard"; expected one of ionos-enterprise-ssd, ionos-enterprise-hdd',
        '  - logging.retention.access: "7 days" is not a retention such as 7d or 36h',
        '  - logging.clientAddresses: client addresses are personal data of pupils: a state stores them truncated or removed, not "keep"',
        '  - logging.users[1].roles: give the user at least one role',
        '  - logging.users[1].passwordSecret: "Ops_Password" is not a Secret name',
      ].join('\n'),
    );
  });

  test('refuses an unknown stream, data nodes of the small layout and a user listed twice', () => {
    // GIVEN a well-formed logging section that contradicts itself
    const input = minimalState({
      logging: {
        elasticsearch: { dataNodes: 3 },
        retention: { acess: '3d' },
        users: [
          { username: 'ops', passwordSecret: 'a' },
          { username: 'ops', passwordSecret: 'b' },
        ],
      },
    });

    // WHEN / THEN
    expect(thrownBy(() => parseStateConfig(input, 'states/testland.ts')).message).toBe(
      [
        'Invalid state configuration in states/testland.ts:',
        '  - logging.retention.acess: unknown stream "acess"; expected one of access, jitsi, turn, bigbluebutton, platform',
        '  - logging.elasticsearch.dataNodes: data nodes of their own are the production layout’s; the small layout runs one node',
        '  - logging.users[1].username: "ops" is listed twice',
      ].join('\n'),
    );
  });

  test("refuses the production layout on a system pool of fewer than three nodes, and Kibana on another service's host", () => {
    // GIVEN a two-node system pool (the minimal state's) with the production layout, and Kibana at the meeting host
    const input = minimalState({ logging: { host: 'meet', elasticsearch: { layout: 'production' } } });

    // WHEN / THEN
    expect(thrownBy(() => parseStateConfig(input, 'states/testland.ts')).message).toBe(
      [
        'Invalid state configuration in states/testland.ts:',
        "  - logging.elasticsearch.layout: the production layout's 3 master nodes need a system pool of at least 3 nodes, but nodePools.system.minNodes is 1",
        '  - logging.host: "meet" is the host name of the meetings already',
      ].join('\n'),
    );
    // AND with logging off, neither is a problem
    expect(
      parseStateConfig({ ...input, logging: { enabled: false, host: 'meet', elasticsearch: { layout: 'production' } } }, 's.ts').logging
        .enabled,
    ).toBe(false);
  });
});
