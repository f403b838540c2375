/**
 * The coturn chart's rendered `turnserver.conf` in Debian's real coturn, on 127.0.0.1: `turnserver` started with the
 * arguments of the chart's container (the shared secret on the command line, as Kubernetes expands it from the
 * Secret), `turnutils_uclient` allocating relays with credentials computed as prosody computes them, refused with
 * wrong or expired ones, and refused a relay to a peer in the chart's denied ranges. Every server is stopped in
 * afterAll; every wait is bounded.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DEFAULT_DENIED_PEER_IPS } from '@meetscale/coturn';
import type { ServerProcess } from '@meetscale/local-state';

import { configMapEntry, type Manifest, renderChart } from './support/charts';
import {
  ALLOCATE_SUCCESS,
  allocateOverTls,
  freeLoopbackPortRange,
  LOOPBACK,
  receivedMessages,
  runUclient,
  sentMessages,
  startPeer,
  startTurnserver,
  stunErrorCode,
  turnRestCredentials,
  type TurnServer,
} from './support/coturn';

jest.setTimeout(60_000);

const RELEASE = 'turn';
const NAMESPACE = 'meetscale';
/** The shared secret the test gives coturn, as the Secret would; `$` and quotes on purpose (no shell in between). */
const SECRET = 'test-Secret_$(not-expanded)"quoted"';
/** The chart's own path of `turnserver.conf` in the container, and of the TLS Secret and state directory. */
const CHART_CONFIG = '/etc/coturn/turnserver.conf';
const CHART_TLS_DIR = '/etc/coturn/tls';
const CHART_STATE_DIR = '/var/lib/coturn';

let scratch = '';
let rendered: Manifest[] = [];
const servers: TurnServer[] = [];
const peers: ServerProcess[] = [];
/** The echo peer's port. */
let peerPort = 0;

/** The chart's container arguments, with the config path and the Kubernetes `$(VAR)` expansion of the secret. */
function containerArgs(config: string): string[] {
  const daemonSet = rendered.find((manifest) => manifest.kind === 'DaemonSet') as any;
  const container = daemonSet.spec.template.spec.containers[0];
  expect(container.command).toEqual(['turnserver']);
  return (container.args as string[]).map((arg) => arg.replace(CHART_CONFIG, config).replace('$(TURN_STATIC_AUTH_SECRET)', SECRET));
}

/**
 * What loopback needs of the rendered configuration, and nothing else; each change is listed:
 * - the listening ports move to free high ports, coturn listens and relays on 127.0.0.1 only, and relays take a
 *   small free port range;
 * - the certificate is a self-signed one made by the test, the pid file and SQLite database go to the test's
 *   scratch directory (the paths of the pod's mounts do not exist here);
 * - the `prometheus` lines go: Debian's coturn 4.6.1 is built without the exporter and logs "Bad configuration
 *   format: prometheus" (the image's coturn 4.17.0 has it);
 * - coturn 4.6 refuses loopback peers unless `allow-loopback-peers` is given, whatever the denied ranges say; the
 *   test lifts that built-in refusal, so that only the chart's `denied-peer-ip` lines decide over 127.0.0.1, and
 *   `allowPeer` adds one `allowed-peer-ip` for the test's echo peer (a relay to loopback is the only relay this
 *   machine may make).
 */
function loopbackConfig(chartConfig: string, ports: readonly number[], allowPeer: string | undefined): string {
  const [turn, tls, ...relay] = ports;
  const lines = chartConfig
    .split('\n')
    .filter((line) => !line.startsWith('prometheus'))
    .map((line) =>
      line
        .replace(/^listening-port=.*/, `listening-port=${turn}`)
        .replace(/^tls-listening-port=.*/, `tls-listening-port=${tls}`)
        .replace(/^min-port=.*/, `min-port=${relay[0]}`)
        .replace(/^max-port=.*/, `max-port=${relay.at(-1)}`)
        .replace(CHART_TLS_DIR, scratch)
        .replace(CHART_STATE_DIR, scratch),
    );
  return [
    ...lines,
    '# loopback adaptation of the test',
    `listening-ip=${LOOPBACK}`,
    `relay-ip=${LOOPBACK}`,
    `userdb=${join(scratch, 'turndb')}`,
    'allow-loopback-peers',
    ...(allowPeer === undefined ? [] : [`allowed-peer-ip=${allowPeer}`]),
    // the 401/403 lines of refused requests are logged at verbose level only
    'verbose',
    '',
  ].join('\n');
}

async function startChartCoturn(name: string, allowPeer: string | undefined): Promise<TurnServer> {
  // [turn, tls, relay range of 64]
  const ports = await freeLoopbackPortRange(2 + 64);
  const config = join(scratch, `${name}.conf`);
  writeFileSync(config, loopbackConfig(configMapEntry(rendered, 'turnserver.conf'), ports, allowPeer));
  const server = await startTurnserver(containerArgs(config), ports[0] as number, ports[1] as number);
  servers.push(server);
  return server;
}

/** Credentials valid for ten minutes, as prosody hands them out. */
const fresh = (secret = SECRET) => turnRestCredentials(secret, Math.floor(Date.now() / 1000) + 600, 'pupil');

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'meetscale-coturn-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=turn.example.org',
      '-keyout',
      join(scratch, 'tls.key'),
      '-out',
      join(scratch, 'tls.crt'),
    ],
    { stdio: 'ignore' },
  );
  const render = renderChart(4, 'coturn', { release: RELEASE, namespace: NAMESPACE });
  expect(render.stderr).toBe('');
  rendered = render.manifests;
  [peerPort] = (await freeLoopbackPortRange(2)) as [number];
});

afterAll(async () => {
  await Promise.all([...servers.map((server) => server.stop()), ...peers.map((peer) => peer.stop())]);
  if (scratch !== '') rmSync(scratch, { recursive: true, force: true });
});

describe('GIVEN the rendered turnserver.conf with the test echo peer 127.0.0.1 allowed', () => {
  let server: TurnServer;
  let peer: { address: string; port: number };

  beforeAll(async () => {
    server = await startChartCoturn('allowed-peer', LOOPBACK);
    peer = { address: LOOPBACK, port: peerPort };
    peers.push(startPeer(peer.port));
  });

  test('THEN coturn read every line of it and denies every range of the chart, IPv4 and IPv6', () => {
    expect(server.output()).not.toMatch(/Bad configuration format|Wrong address format/);
    const denied = [...server.output().matchAll(/Black listing: (\S+)/g)].map((match) => match[1]);
    expect(new Set(denied)).toEqual(new Set(DEFAULT_DENIED_PEER_IPS));
  });

  test.each(['udp', 'tcp'] as const)(
    'WHEN a client allocates over %s with credentials computed as prosody does THEN its messages come back through the relay',
    async (transport) => {
      const run = await runUclient({ ...fresh(), port: server.port, transport, peer });
      expect({ status: run.status, sent: sentMessages(run.output) }).toEqual({ status: 0, sent: expect.any(Number) });
      expect(sentMessages(run.output)).toBeGreaterThan(0);
      expect(receivedMessages(run.output)).toBe(sentMessages(run.output));
    },
  );

  // Over TLS the test's own TURN client allocates (test/support/coturn.ts): Debian's turnutils_uclient 4.6.1 stalls
  // now and then after a TLS allocation, before its messages, though coturn has allocated and refreshed.
  test('WHEN a client allocates over TLS on the TLS port THEN coturn allocates a relay in a TLS 1.2 or newer session', async () => {
    const { response, protocol } = await allocateOverTls(server.tlsPort, fresh());
    expect({ type: response.type, error: stunErrorCode(response), protocol }).toEqual({
      type: ALLOCATE_SUCCESS,
      error: undefined,
      protocol: expect.stringMatching(/^TLSv1\.[23]$/),
    });
  });

  test('WHEN a client allocates over TLS with a password signed with another secret THEN coturn answers 401', async () => {
    const { response } = await allocateOverTls(server.tlsPort, fresh('another-secret'));
    expect(stunErrorCode(response)).toBe(401);
  });

  test('WHEN a client uses a password signed with another secret THEN the allocation is refused with 401', async () => {
    const credentials = { ...fresh('another-secret') };
    const run = await runUclient({ ...credentials, port: server.port, peer });
    expect(run.status).not.toBe(0);
    expect(run.output).toMatch(/Cannot complete Allocation/);
    expect(server.output()).toContain(`user <${credentials.username}>: incoming packet message processed, error 401: Unauthorized`);
  });

  test('WHEN a client presents credentials whose expiry has passed THEN the allocation is refused with 401', async () => {
    const expired = turnRestCredentials(SECRET, Math.floor(Date.now() / 1000) - 60, 'pupil');
    const run = await runUclient({ ...expired, port: server.port, peer });
    expect(run.status).not.toBe(0);
    expect(server.output()).toContain(`user <${expired.username}>: incoming packet message processed, error 401: Unauthorized`);
  });
});

describe('GIVEN the rendered turnserver.conf with its denied peer ranges unchanged', () => {
  let server: TurnServer;

  beforeAll(async () => {
    server = await startChartCoturn('denied-peer', undefined);
  });

  test('WHEN a client with valid credentials asks to relay to 127.0.0.1 (in the denied 127.0.0.0/8) THEN coturn refuses with 403', async () => {
    const run = await runUclient({ ...fresh(), port: server.port, peer: { address: LOOPBACK, port: peerPort } });
    expect(run.output).toMatch(/error 403 \(Forbidden IP\)/);
    expect(receivedMessages(run.output) ?? 0).toBe(0);
  });
});
