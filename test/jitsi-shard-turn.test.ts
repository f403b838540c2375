/**
 * The jitsi-shard chart's STUN, TURN, bridge addresses and cascading, rendered by real Helm 3 and 4: what prosody
 * hands out to clients (`turn`), that no third party's STUN server is asked by default, what the bridges announce
 * (`jvb.media.advertise`), and the bridge-to-bridge relays of `jvb.cascading` with the NetworkPolicy that admits
 * them only when they are on. The credentials themselves are checked against a real coturn in the coturn tests.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

import YAML from 'yaml';

import { HELM_MAJORS, type Manifest, renderChart, scenarioFiles } from './support/charts';

const CHART = 'jitsi-shard';
const BRIDGES = 'shard-0-jitsi-shard-jvb';

/** Host names of STUN servers run by third parties that the images or lib-jitsi-meet fall back to. */
const THIRD_PARTY_STUN = /jitsi\.net|google\.com|8x8/;

const TURN = {
  enabled: true,
  hosts: ['turn-1.schule.example.org', 'turn-2.schule.example.org'],
  existingSecret: 'coturn-auth',
};

describe.each(HELM_MAJORS)('jitsi-shard TURN, STUN and bridge addresses rendered by Helm %i', (major) => {
  const render = (values: unknown = {}): Manifest[] => {
    const result = renderChart(major, CHART, { release: 'shard-0', namespace: 'jitsi', values });
    if (result.status !== 0) throw new Error(result.stderr);
    return result.manifests;
  };
  const failure = (values: unknown): string => {
    const result = renderChart(major, CHART, { release: 'shard-0', namespace: 'jitsi', values });
    expect({ status: result.status, stdout: result.stdout }).toEqual({ status: 1, stdout: '' });
    return result.stderr;
  };
  const workload = (manifests: Manifest[], component: string): any => {
    const found = manifests.filter(
      (m) => ['Deployment', 'StatefulSet'].includes(m.kind) && m.metadata.name === `shard-0-jitsi-shard-${component}`,
    );
    expect(found).toHaveLength(1);
    return found[0];
  };
  const container = (manifests: Manifest[], component: string): any => workload(manifests, component).spec.template.spec.containers[0];
  const env = (manifests: Manifest[], component: string): Record<string, unknown> =>
    Object.fromEntries(container(manifests, component).env.map((entry: any) => [entry.name, entry.value ?? entry.valueFrom]));

  describe('no third party STUN server by default', () => {
    test('the default install asks none: the bridges do not use STUN and peer-to-peer calls are off', () => {
      const manifests = render();
      expect(JSON.stringify(manifests)).not.toMatch(THIRD_PARTY_STUN);
      expect(env(manifests, 'jvb')).toMatchObject({ JVB_DISABLE_STUN: 'true' });
      expect(env(manifests, 'jvb')).not.toHaveProperty('JVB_STUN_SERVERS');
      // Without `config.p2p.stunServers`, lib-jitsi-meet would ask its built-in third-party servers
      expect(env(manifests, 'web')).toMatchObject({ ENABLE_P2P: 'false' });
      expect(env(manifests, 'web')).not.toHaveProperty('P2P_STUN_SERVERS');
      expect(Object.keys(env(manifests, 'prosody')).filter((name) => /TURN|STUN/.test(name))).toEqual([]);
    });

    test.each(scenarioFiles(CHART).map((file) => [basename(file), file]))('no scenario names one either (%s)', (_name, file) => {
      const values = YAML.parse(readFileSync(file, 'utf8')) ?? {};
      expect(JSON.stringify(render(values))).not.toMatch(THIRD_PARTY_STUN);
    });

    test('advertise stun asks the shard own STUN server, or the servers given, and never guesses one', () => {
      const stun = { media: { advertise: 'stun' } };
      expect(env(render({ turn: TURN, jvb: stun }), 'jvb')).toMatchObject({ JVB_STUN_SERVERS: 'turn-1.schule.example.org:3478' });
      expect(env(render({ turn: { ...TURN, stun: { port: 3479 } }, jvb: stun }), 'jvb')).toMatchObject({
        JVB_STUN_SERVERS: 'turn-1.schule.example.org:3479',
      });
      const given = { media: { advertise: 'stun', stunServers: 'stun.land.example.org:3478,stun2.land.example.org:443' } };
      expect(env(render({ turn: TURN, jvb: given }), 'jvb')).toMatchObject({
        JVB_STUN_SERVERS: 'stun.land.example.org:3478,stun2.land.example.org:443',
      });
      expect(failure({ jvb: stun })).toContain(
        'jvb.media.stunServers: name the STUN servers the bridges ask (or turn on turn.enabled with turn.stun.enabled) when jvb.media.advertise is stun',
      );
      expect(failure({ turn: { ...TURN, stun: { enabled: false } }, jvb: stun })).toContain('jvb.media.stunServers: name the STUN servers');
    });
  });

  describe('TURN for clients behind firewalls', () => {
    test('prosody announces STUN, TURN on UDP and TCP, and TURN over TLS, with the shared secret from the Secret', () => {
      const manifests = render({ turn: TURN });
      expect(env(manifests, 'prosody')).toMatchObject({
        TURN_HOST: 'turn-1.schule.example.org,turn-2.schule.example.org',
        TURN_PORT: '3478',
        TURN_TRANSPORT: 'udp,tcp',
        TURN_TTL: '86400',
        TURN_CREDENTIALS: { secretKeyRef: { name: 'coturn-auth', key: 'static-auth-secret' } },
        TURNS_HOST: 'turn-1.schule.example.org,turn-2.schule.example.org',
        TURNS_PORT: '443',
        STUN_HOST: 'turn-1.schule.example.org',
        STUN_PORT: '3478',
      });
      // AND peer-to-peer calls ask the shard's own STUN server
      expect(env(manifests, 'web')).toMatchObject({ P2P_STUN_SERVERS: 'turn-1.schule.example.org:3478' });
      expect(env(manifests, 'web')).not.toHaveProperty('ENABLE_P2P');
      // AND the secret appears nowhere but as a reference
      expect(JSON.stringify(manifests.filter((m) => m.kind === 'ConfigMap'))).not.toMatch(/TURN|coturn-auth/);
    });

    test('takes ports, transports, lifetime and the Secret key from values; TLS and STUN can be left out', () => {
      const turn = {
        ...TURN,
        port: 3480,
        transports: ['tcp'],
        credentialTtl: 3600,
        secretKey: 'shared',
        tls: { enabled: false },
        stun: { enabled: false },
      };
      const prosody = env(render({ turn }), 'prosody');
      expect(prosody).toMatchObject({
        TURN_PORT: '3480',
        TURN_TRANSPORT: 'tcp',
        TURN_TTL: '3600',
        TURN_CREDENTIALS: { secretKeyRef: { name: 'coturn-auth', key: 'shared' } },
      });
      expect(Object.keys(prosody).filter((name) => /^(TURNS|STUN)_/.test(name))).toEqual([]);
      // AND without the shard's STUN server, peer-to-peer is off again rather than asking a third party
      expect(env(render({ turn }), 'web')).toMatchObject({ ENABLE_P2P: 'false' });
    });

    test('refuses TURN without servers or without the Secret, naming the value', () => {
      expect(failure({ turn: { ...TURN, hosts: [] } })).toContain('turn.hosts: name at least one TURN server when turn.enabled is true');
      expect(failure({ turn: { ...TURN, existingSecret: '' } })).toContain(
        "turn.existingSecret: name the Secret holding the TURN servers' shared secret when turn.enabled is true",
      );
      expect(failure({ turn: { ...TURN, transports: [] } })).toMatch(/turn\.transports|transports/);
    });

    test('a TURN change rolls prosody and web only: the bridge pod template stays byte-identical', () => {
      const bridges = (values: unknown): string => JSON.stringify(workload(render(values), 'jvb').spec.template);
      const before = bridges({ turn: TURN });
      expect(
        bridges({ turn: { ...TURN, credentialTtl: 7200, existingSecret: 'coturn-auth-2', hosts: ['turn-9.schule.example.org'] } }),
      ).toBe(before);
    });
  });

  describe('what the bridges announce', () => {
    test.each(['nodePort', 'hostPort'])('never their pod IPs (%s)', (mode) => {
      expect(env(render({ jvb: { media: { mode } } }), 'jvb')).toMatchObject({ JVB_ADVERTISE_PRIVATE_CANDIDATES: 'false' });
    });

    test('publicAddresses: one ConfigMap per map, mounted where start.sh reads them, in both media modes', () => {
      const publicAddresses = { nodes: { 'media-node-1': '203.0.113.10' }, bridges: { '0': '203.0.113.20' } };
      const manifests = render({ jvb: { media: { advertise: 'publicAddresses', publicAddresses } } });
      const maps = Object.fromEntries(
        manifests
          .filter((m) => m.kind === 'ConfigMap' && /jvb-(nodes|bridges)$/.test(m.metadata.name))
          .map((m: any) => [m.metadata.name, m.data]),
      );
      expect(maps).toEqual({
        [`${BRIDGES}-nodes`]: { 'media-node-1': '203.0.113.10' },
        [`${BRIDGES}-bridges`]: { '0': '203.0.113.20' },
      });
      const bridge = container(manifests, 'jvb');
      expect(bridge.command).toEqual(['/bin/sh', '/scripts/start.sh', '/init']);
      expect(bridge.volumeMounts).toEqual(
        expect.arrayContaining([
          { name: 'nodes-addresses', mountPath: '/public-addresses/nodes', readOnly: true },
          { name: 'bridges-addresses', mountPath: '/public-addresses/bridges', readOnly: true },
        ]),
      );
      expect(env(manifests, 'jvb')).toMatchObject({
        JVB_PUBLIC_ADDRESSES: '/public-addresses',
        NODE_NAME: { fieldRef: { fieldPath: 'spec.nodeName' } },
        JVB_DISABLE_STUN: 'true',
      });
      expect(env(manifests, 'jvb')).not.toHaveProperty('JVB_ADVERTISE_IPS');
      // AND a changed address rolls the bridges
      const annotations = (values: unknown): Record<string, string> => workload(render(values), 'jvb').spec.template.metadata.annotations;
      const changed = { nodes: { 'media-node-1': '203.0.113.99' }, bridges: publicAddresses.bridges };
      expect(
        annotations({ jvb: { media: { advertise: 'publicAddresses', publicAddresses: changed } } })['checksum/nodes-addresses'],
      ).not.toBe(annotations({ jvb: { media: { advertise: 'publicAddresses', publicAddresses } } })['checksum/nodes-addresses']);
      // AND hostPort bridges run start.sh too, for the node entries
      const hostPort = render({
        jvb: { media: { mode: 'hostPort', advertise: 'publicAddresses', publicAddresses: { nodes: publicAddresses.nodes } } },
      });
      expect(container(hostPort, 'jvb').command).toEqual(['/bin/sh', '/scripts/start.sh', '/init']);
      // AND nothing of it is rendered otherwise
      const plain = render();
      expect(plain.filter((m) => /jvb-(nodes|bridges)$/.test(m.metadata.name))).toEqual([]);
      expect(Object.keys(workload(plain, 'jvb').spec.template.metadata.annotations)).toEqual(['checksum/settings', 'checksum/scripts']);
    });

    test('publicAddresses refuses an empty list, bad addresses, and per-bridge entries in hostPort mode', () => {
      expect(failure({ jvb: { media: { advertise: 'publicAddresses' } } })).toContain(
        'jvb.media.publicAddresses: list the public address of every node or bridge when jvb.media.advertise is publicAddresses',
      );
      expect(failure({ jvb: { media: { advertise: 'publicAddresses', publicAddresses: { nodes: { n1: '203.0.113.300' } } } } })).toContain(
        "at '/jvb/media/publicAddresses/nodes/n1': '203.0.113.300' does not match pattern",
      );
      expect(
        failure({
          jvb: { media: { mode: 'hostPort', advertise: 'publicAddresses', publicAddresses: { bridges: { '0': '203.0.113.1' } } } },
        }),
      ).toContain('jvb.media.publicAddresses.bridges: addresses per bridge ordinal need media.mode nodePort');
    });
  });

  describe('cascading', () => {
    const policies = (values: Record<string, unknown>): Record<string, any> =>
      Object.fromEntries(
        render({ networkPolicy: { enabled: true }, ...values })
          .filter((m) => m.kind === 'NetworkPolicy')
          .map((policy: any) => [policy.spec.podSelector.matchLabels['app.kubernetes.io/component'], policy.spec]),
      );
    const bridgesOfThisShard = {
      podSelector: {
        matchLabels: { 'app.kubernetes.io/name': 'jitsi-shard', 'app.kubernetes.io/instance': 'shard-0' },
        matchExpressions: [{ key: 'app.kubernetes.io/component', operator: 'In', values: ['jvb'] }],
      },
    };

    test('is off by default: no relay anywhere, and the bridges admit no media from inside the cluster', () => {
      const manifests = render();
      for (const component of ['jicofo', 'jvb']) expect(env(manifests, component)).not.toHaveProperty('ENABLE_OCTO');
      expect(JSON.stringify(policies({}).jvb.ingress)).not.toContain('"podSelector"');
    });

    test('turns on the relays of jicofo and every bridge, one region, a unique relay id per bridge', () => {
      const manifests = render({ jvb: { cascading: { enabled: true, region: 'bremen', maxBridgeParticipants: 40 } } });
      expect(env(manifests, 'jicofo')).toMatchObject({
        ENABLE_OCTO: '1',
        JICOFO_OCTO_REGION: 'bremen',
        OCTO_BRIDGE_SELECTION_STRATEGY: 'IntraRegionBridgeSelectionStrategy',
        MAX_BRIDGE_PARTICIPANTS: '40',
      });
      expect(env(manifests, 'jvb')).toMatchObject({
        ENABLE_OCTO: '1',
        JVB_OCTO_REGION: 'bremen',
        JVB_OCTO_RELAY_ID: { fieldRef: { fieldPath: 'metadata.name' } },
      });
      // AND without a participant limit only the bridge stress counts
      expect(env(render({ jvb: { cascading: { enabled: true } } }), 'jicofo')).not.toHaveProperty('MAX_BRIDGE_PARTICIPANTS');
    });

    test('the NetworkPolicy admits bridge-to-bridge media on the media ports only when cascading is on', () => {
      const on = policies({ jvb: { cascading: { enabled: true } } }).jvb.ingress;
      expect(on).toContainEqual({ from: [bridgesOfThisShard], ports: [{ port: 30300, endPort: 30309, protocol: 'UDP' }] });
      expect(policies({ jvb: { cascading: { enabled: false } } }).jvb.ingress).not.toContainEqual(
        expect.objectContaining({ from: [bridgesOfThisShard] }),
      );
      // AND the cluster's own networks are the ones excluded from "media from anywhere"
      const custom = policies({ networkPolicy: { enabled: true, clusterNetworks: ['10.244.0.0/16'] } }).jvb.ingress[0];
      expect(custom.from[0]).toEqual({ ipBlock: { cidr: '0.0.0.0/0', except: ['10.244.0.0/16'] } });
    });
  });
});
