/**
 * The haproxy.cfg the chart renders, checked by the real HAProxy (`haproxy -c`, Debian's 2.6) after moving every
 * address onto 127.0.0.1, plus the parts of it that values control.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

import { SHARD_HEALTH_PATH } from '@meetscale/haproxy';
import type { HelmMajor } from '@meetscale/helm-binaries';
import YAML from 'yaml';

import { chartDir, configMapEntry, HELM_MAJORS, type Manifest, renderChart, scenarioFiles } from './support/charts';
import { allocateLoopbackPorts, checkConfig, configSection, loopbackConfig, type LoopbackPorts, warnings } from './support/haproxy';

jest.setTimeout(30_000);

const RELEASE = 'test';
const NAMESPACE = 'meetscale';

/**
 * Warnings HAProxy 2.6 prints for the chart's config that are known and accepted; any other warning fails.
 * `no log` in `frontend metrics` beside `option httplog` from `defaults` (reported, see the test report).
 */

interface Shard {
  name: string;
  host: string;
  port?: number;
}

/** The shards a render ends up with: those of the last values file naming shards, else the chart defaults. */
function effectiveShards(valuesFiles: readonly string[]): Shard[] {
  const files = [join(chartDir('haproxy'), 'values.yaml'), ...valuesFiles];
  const withShards = files
    .map((file) => YAML.parse(readFileSync(file, 'utf8')) as { shards?: Shard[] })
    .filter((values) => values.shards !== undefined);
  return withShards.at(-1)?.shards ?? [];
}

/** The same shards, same names and ports, with host 127.0.0.1 (so that running the config resolves no name). */
function shardsOnLoopback(valuesFiles: readonly string[]): Shard[] {
  return effectiveShards(valuesFiles).map((shard) => ({ ...shard, host: '127.0.0.1' }));
}

function render(major: HelmMajor, options: { release?: string; namespace?: string; valuesFiles?: readonly string[]; values?: unknown }) {
  const result = renderChart(major, 'haproxy', { release: RELEASE, namespace: NAMESPACE, ...options });
  if (result.status !== 0) throw new Error(`helm ${major} template failed:\n${result.stderr}`);
  return { manifests: result.manifests, cfg: configMapEntry(result.manifests, 'haproxy.cfg') };
}

/** The StatefulSet's name: its pods are `<name>-<i>`, and each starts HAProxy with `-L <pod name>`. */
function statefulSetName(manifests: readonly Manifest[]): string {
  const statefulSet = manifests.find((manifest) => manifest.kind === 'StatefulSet');
  if (statefulSet === undefined) throw new Error('no StatefulSet rendered');
  return statefulSet.metadata.name;
}

/** Ports for a config that `haproxy -c` only parses (nothing is bound). */
function portsFor(cfg: string): Promise<LoopbackPorts> {
  return allocateLoopbackPorts(cfg);
}

const SCENARIOS: [string, string[]][] = [
  ['default values', []],
  ...scenarioFiles('haproxy').map((file): [string, string[]] => [`ci/${basename(file)}`, [file]]),
];

describe.each(HELM_MAJORS)('haproxy.cfg rendered by Helm %i', (major) => {
  describe.each(SCENARIOS)('with %s', (_scenario, valuesFiles) => {
    test('passes haproxy -c once its addresses are moved onto loopback, with no unexpected warning', async () => {
      // GIVEN the chart rendered with this scenario, its shards kept but on host 127.0.0.1
      const { manifests, cfg } = render(major, { valuesFiles, values: { shards: shardsOnLoopback(valuesFiles) } });
      const config = loopbackConfig(cfg, await portsFor(cfg));

      // WHEN the real HAProxy checks it as the first pod of the StatefulSet would load it
      const result = checkConfig(config.text, `${statefulSetName(manifests)}-0`);

      // THEN it is valid, and warns about nothing beyond the known warnings
      expect(result.output).toContain('Configuration file is valid');
      expect(result.status).toBe(0);
      expect(warnings(result.output)).toEqual([]);
    });
  });

  test('an invalid directive makes haproxy -c fail, so the check can fail', async () => {
    // GIVEN a round-robin render with `balance roundrobin` replaced by an algorithm HAProxy does not know
    const { manifests, cfg } = render(major, { values: { balance: 'roundrobin', shards: shardsOnLoopback([]) } });
    expect(cfg).toContain('  balance roundrobin\n');
    const broken = cfg.replace('  balance roundrobin\n', '  balance nosuchalgo\n');
    const config = loopbackConfig(broken, await portsFor(broken));

    // WHEN HAProxy checks it
    const result = checkConfig(config.text, `${statefulSetName(manifests)}-0`);

    // THEN it is rejected, pointing at the balance line
    const line = config.text.split('\n').indexOf('  balance nosuchalgo') + 1;
    expect(result.status).not.toBe(0);
    expect(result.output).toContain(`haproxy.cfg:${line}] : balance only supports 'roundrobin', 'static-rr', 'leastconn',`);
    expect(result.output).toContain('Fatal errors found in configuration.');
  });

  test('five replicas are five peers named after the pods, each at its own stable DNS name', async () => {
    // GIVEN five replicas in release `edge` of namespace `video`, with a custom cluster domain and peers port
    const values = { replicaCount: 5, clusterDomain: 'corp.internal', containerPorts: { peers: 11000 }, shards: shardsOnLoopback([]) };

    // WHEN the chart is rendered
    const { manifests, cfg } = render(major, { release: 'edge', namespace: 'video', values });

    // THEN the peers section lists exactly edge-haproxy-0..4 at <pod>.<fullname>-peers.<namespace>.svc.<domain>:<port>
    const fullname = statefulSetName(manifests);
    expect(fullname).toBe('edge-haproxy');
    const peers = configSection(cfg, 'peers replicas');
    expect(peers).toEqual(
      [0, 1, 2, 3, 4].map((i) => `peer edge-haproxy-${i} edge-haproxy-${i}.edge-haproxy-peers.video.svc.corp.internal:11000`),
    );
    expect(new Set(peers.map((line) => line.split(' ')[2])).size).toBe(5);
    // AND the headless Service those names live under is the StatefulSet's service
    const statefulSet = manifests.find((manifest) => manifest.kind === 'StatefulSet') as Manifest & { spec: { serviceName: string } };
    expect(statefulSet.spec.serviceName).toBe('edge-haproxy-peers');
    // AND the last pod's HAProxy accepts the config as its own (its name is a peer)
    const config = loopbackConfig(cfg, await portsFor(cfg));
    expect(checkConfig(config.text, 'edge-haproxy-4').status).toBe(0);
  });

  test('three shards are exactly three servers of backend shards, with their names, hosts and ports', () => {
    // GIVEN three shards, one by DNS name and one on the default port
    const shards = [
      { name: 'berlin', host: '10.1.0.5', port: 8080 },
      { name: 'hamburg', host: 'shard-hh-jitsi-shard-web', port: 8443 },
      { name: 'munich', host: '10.1.0.7' },
    ];

    // WHEN the chart is rendered
    const { cfg } = render(major, { values: { shards } });

    // THEN backend shards holds exactly these server lines, in order
    const servers = configSection(cfg, 'backend shards').filter((line) => line.startsWith('server '));
    expect(servers).toEqual(['server berlin 10.1.0.5:8080', 'server hamburg shard-hh-jitsi-shard-web:8443', 'server munich 10.1.0.7:80']);
  });

  test('the stick table takes its key length, size and expiry from the values and is shared through the peers', () => {
    // GIVEN a custom stick table
    const values = { stickTable: { size: '250k', expire: '12h', keyLength: 64 } };

    // WHEN the chart is rendered
    const { cfg } = render(major, { values });

    // THEN the stick table line of backend shards uses them, synchronised over the `replicas` peers section
    const backend = configSection(cfg, 'backend shards');
    expect(backend.filter((line) => line.startsWith('stick-table '))).toEqual([
      'stick-table type string len 64 size 250k expire 12h peers replicas',
    ]);
    // (the whiteboard's `room` is a hash of the page URL, so its requests stay out of the table)
    expect(backend).toContain('stick on urlp(room),lower if has_room !whiteboard');
    expect(configSection(cfg, 'peers replicas').length).toBeGreaterThan(0);
  });

  test('every shard gets the pads and whiteboards whose URL names it, and nothing else routes by that name', () => {
    // GIVEN three shards
    const shards = [
      { name: 'berlin', host: '10.1.0.5' },
      { name: 'hamburg', host: '10.1.0.6' },
      { name: 'munich', host: '10.1.0.7' },
    ];

    // WHEN the chart is rendered
    const backend = configSection(render(major, { values: { shards } }).cfg, 'backend shards');

    // THEN each shard has exactly one use-server rule, on the shard name taken from the pad path or the whiteboard's
    // `shard` parameter, and the pad path loses the shard's name before it reaches the shard
    expect(backend.filter((line) => line.startsWith('use-server '))).toEqual(
      shards.map((shard) => `use-server ${shard.name} if { var(txn.pad_shard) -m str ${shard.name} }`),
    );
    expect(backend).toContain('http-request set-var(txn.pad_shard) path,field(3,/) if pad');
    expect(backend).toContain('http-request set-var(txn.pad_shard) urlp(shard) if whiteboard');
    expect(backend).toContain('http-request set-path %[path,regsub(^/etherpad/[^/]*/,/etherpad/)] if pad');
  });

  test('overriding healthCheck.path changes the health check request', () => {
    // GIVEN the default render and one with another health check path
    const before = configSection(render(major, {}).cfg, 'backend shards');

    // WHEN healthCheck.path is overridden
    const after = configSection(render(major, { values: { healthCheck: { path: '/about/health' } } }).cfg, 'backend shards');

    // THEN the http-check send line requests that path, and only that line changed
    const send = (lines: readonly string[]) => lines.filter((line) => line.startsWith('http-check send '));
    expect(send(before)).toEqual([`http-check send meth GET uri ${SHARD_HEALTH_PATH} ver HTTP/1.1 hdr Host localhost`]);
    expect(send(after)).toEqual(['http-check send meth GET uri /about/health ver HTTP/1.1 hdr Host localhost']);
    expect(after.filter((line) => !before.includes(line))).toEqual(send(after));
  });

  test('by default, shards are checked on the shard health path, and a 404 there takes a shard out of new rooms only', () => {
    // GIVEN / WHEN the chart rendered with its defaults
    const backend = configSection(render(major, {}).cfg, 'backend shards');

    // THEN the health check asks for the path the haproxy package exports for the shards to answer
    expect(SHARD_HEALTH_PATH).toBe('/_meetscale/health');
    expect(backend).toContain(`http-check send meth GET uri ${SHARD_HEALTH_PATH} ver HTTP/1.1 hdr Host localhost`);
    // AND a 200 passes, a 404 puts the shard in NOLB (disable-on-404, before the expect rule), anything else fails
    expect(backend.filter((line) => line.startsWith('http-check ') || line.startsWith('option httpchk'))).toEqual([
      'option httpchk',
      'http-check disable-on-404',
      `http-check send meth GET uri ${SHARD_HEALTH_PATH} ver HTTP/1.1 hdr Host localhost`,
      'http-check expect status 200',
    ]);
    // AND expecting 404 from a shard that takes new rooms is refused, naming the value
    const refused = renderChart(major, 'haproxy', {
      release: RELEASE,
      namespace: NAMESPACE,
      values: { healthCheck: { expectStatus: 404 } },
    });
    expect({ status: refused.status, stdout: refused.stdout }).toEqual({ status: 1, stdout: '' });
    expect(refused.stderr).toContain('healthCheck.expectStatus: 404 is what a shard that cannot host new rooms answers');
  });
});

describe('loopbackConfig (the guard the HAProxy tests rely on)', () => {
  const PORTS: LoopbackPorts = {
    frontendPorts: { metrics: 41001, http: 41002 },
    peerPorts: { 'test-haproxy-0': 41003, 'test-haproxy-1': 41004 },
    nameserverPort: 41005,
  };

  test('changes only the bind, peer and resolv.conf lines of a rendered config', () => {
    // GIVEN the default render with its shard on 127.0.0.1
    const { cfg } = render(3, { values: { shards: shardsOnLoopback([]) } });

    // WHEN it is moved onto loopback
    const config = loopbackConfig(cfg, PORTS);

    // THEN exactly these lines differ, and every other line is kept as rendered
    const before = cfg.split('\n');
    const after = config.text.split('\n');
    expect(after).toHaveLength(before.length);
    const changed = before.flatMap((line, index) => (line === after[index] ? [] : [[line, after[index]]]));
    expect(changed).toEqual([
      ['  parse-resolv-conf', '  nameserver loopback 127.0.0.1:41005'],
      [
        '  peer test-haproxy-0 test-haproxy-0.test-haproxy-peers.meetscale.svc.cluster.local:10000',
        '  peer test-haproxy-0 127.0.0.1:41003',
      ],
      [
        '  peer test-haproxy-1 test-haproxy-1.test-haproxy-peers.meetscale.svc.cluster.local:10000',
        '  peer test-haproxy-1 127.0.0.1:41004',
      ],
      ['  bind :8404', '  bind 127.0.0.1:41001'],
      ['  bind :8080', '  bind 127.0.0.1:41002'],
    ]);
  });

  test('refuses a config whose shard is named by hostname', () => {
    // GIVEN the default render, whose shard is the Service `shard-0-jitsi-shard-web`
    const { cfg } = render(3, {});

    // WHEN / THEN moving it onto loopback throws, naming the line
    const line = cfg.split('\n').indexOf('  server shard-0 shard-0-jitsi-shard-web:80') + 1;
    expect(line).toBeGreaterThan(0);
    expect(() => loopbackConfig(cfg, PORTS)).toThrow(
      `loopbackConfig: haproxy.cfg line ${line} would send traffic off loopback: "server shard-0 shard-0-jitsi-shard-web:80"`,
    );
  });

  test('refuses a config that would log to, resolve through or bind another address', () => {
    // GIVEN configs with an address the rewrites do not touch
    const base = 'global\n  log stdout format raw local0\n\nfrontend http\n  bind :8080\n';
    // WHEN / THEN each is refused
    expect(() => loopbackConfig(base.replace('log stdout', 'log 10.0.0.1:514'), PORTS)).toThrow(
      'line 2 would send traffic off loopback: "log 10.0.0.1:514 format raw local0"',
    );
    expect(() => loopbackConfig(`${base}\nresolvers dns\n  nameserver ns1 10.96.0.10:53\n`, PORTS)).toThrow(
      'line 8 would send traffic off loopback: "nameserver ns1 10.96.0.10:53"',
    );
    expect(() => loopbackConfig(`${base}\npeers p\n  peer unknown 10.0.0.2:10000\n`, PORTS)).toThrow(
      'loopbackConfig: no port given for peer unknown',
    );
    expect(() => loopbackConfig(`${base}\nfrontend other\n  bind :9000\n`, PORTS)).toThrow(
      'loopbackConfig: no port given for frontend other',
    );
    expect(loopbackConfig(base, PORTS).text).toBe('global\n  log stdout format raw local0\n\nfrontend http\n  bind 127.0.0.1:41002\n');
  });
});
