/**
 * The jitsi-shard videobridge scripts, run for real with /bin/sh and curl: `start.sh` (nodePort mode: the bridge's
 * UDP port from its StatefulSet ordinal, then exec of the image's entrypoint) and `graceful-shutdown.sh` (the
 * preStop hook) against a fake bridge on 127.0.0.1. Scripts run asynchronously (the fake answers from this
 * thread), each bounded by a timeout and killed with its process group if still running after a test.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { GRACEFUL_SHUTDOWN_SCRIPT, START_SCRIPT } from '@meetscale/jitsi-shard';

import { type RunningScript, scriptEnv, ShellScripts } from './support/shell-script';

jest.setTimeout(15_000);

/** Bound of every script run: the slowest case polls for about 3 s. */
const RUN_TIMEOUT_MS = 8_000;
const NODE_PORT_BASE = 30_300;

let dir: string;
let startScript: string;
let shutdownScript: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'jitsi-shard-scripts-'));
  startScript = join(dir, 'start.sh');
  shutdownScript = join(dir, 'graceful-shutdown.sh');
  writeFileSync(startScript, START_SCRIPT);
  writeFileSync(shutdownScript, GRACEFUL_SHUTDOWN_SCRIPT);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const scripts = new ShellScripts(RUN_TIMEOUT_MS);
afterEach(() => scripts.killAll());

/** Runs a script with the real /bin/sh in its own process group, without blocking this thread. */
const runScript = (script: string, args: string[], env: NodeJS.ProcessEnv): RunningScript => scripts.run(script, args, { cwd: dir, env });

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('start.sh (nodePort mode)', () => {
  const startEnv = (hostname: string, inherited: Record<string, string> = {}): NodeJS.ProcessEnv =>
    scriptEnv({ HOSTNAME: hostname, JVB_NODE_PORT_BASE: String(NODE_PORT_BASE), ...inherited });

  test.each([
    [0, 30_300, {}],
    [3, 30_303, {}],
    [12, 30_312, {}],
    // JVB_PORT already in the environment (as the hostPort mode sets it): start.sh must override it
    [3, 30_303, { JVB_PORT: '10000' }],
  ])('bridge %i listens on port %i, in the process that ran start.sh (extra environment %j)', async (ordinal, port, inherited) => {
    // GIVEN the pod of StatefulSet ordinal <ordinal> and the NodePort base 30300
    const hostname = `shard-0-jitsi-shard-jvb-${ordinal}`;
    // WHEN start.sh execs a command that prints the port it sees and its own PID
    const run = runScript(startScript, ['/bin/sh', '-c', 'echo "port=$JVB_PORT pid=$$"'], startEnv(hostname, inherited));
    const result = await run.done;
    // THEN the command sees base + ordinal, and runs with the PID of the shell that ran start.sh (exec, not a child)
    expect(result.timedOut).toBe(false);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n')).toEqual([
      `start.sh: bridge ${ordinal} listens on UDP port ${port}`,
      `port=${port} pid=${run.pid}`,
      '',
    ]);
  });

  test('the arguments reach the exec’d command verbatim: spaces, empty, globs and $ kept', async () => {
    // GIVEN arguments that word splitting, globbing or expansion would alter
    const args = ['two words', '', '  padded  ', '*', '$HOME', 'a"b\'c'];
    // WHEN start.sh execs a command that prints each argument it got between brackets
    const result = await runScript(
      startScript,
      ['/bin/sh', '-c', 'for arg do printf "<%s>\\n" "$arg"; done', 'argv0', ...args],
      startEnv('shard-0-jitsi-shard-jvb-1'),
    ).done;
    // THEN the command got exactly those arguments (the `*` was not matched against start.sh's directory)
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n').slice(1)).toEqual([...args.map((arg) => `<${arg}>`), '']);
  });

  test.each(['shard-0-jitsi-shard-jvb-abc12x', 'web', 'shard-0-jitsi-shard-jvb-'])(
    'a pod name without a trailing ordinal (%s) fails before running the command',
    async (hostname) => {
      // GIVEN a HOSTNAME that does not end in a StatefulSet ordinal
      const marker = join(dir, `ran-${hostname}`);
      // WHEN start.sh is asked to exec a command that leaves a marker file
      const result = await runScript(startScript, ['/bin/sh', '-c', 'touch "$0"', marker], startEnv(hostname)).done;
      // THEN it fails with a message naming the pod, and the command never ran
      expect(result.timedOut).toBe(false);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toBe(`start.sh: pod name ${hostname} does not end in a StatefulSet ordinal\n`);
      expect(result.stdout).toBe('');
      expect(existsSync(marker)).toBe(false);
    },
  );
});

test('start.sh fails without a base port or public addresses instead of listening on the ordinal alone', async () => {
  // GIVEN a bridge pod name but neither JVB_NODE_PORT_BASE nor JVB_PUBLIC_ADDRESSES
  const marker = join(dir, 'ran-without-base');
  const result = await runScript(startScript, ['/bin/sh', '-c', 'touch "$0"', marker], scriptEnv({ HOSTNAME: 'shard-0-jitsi-shard-jvb-3' }))
    .done;
  // THEN it fails naming both variables, and the command never ran
  expect(result.status).not.toBe(0);
  expect(result.stderr).toBe('start.sh: neither JVB_NODE_PORT_BASE nor JVB_PUBLIC_ADDRESSES is set: nothing to prepare\n');
  expect(existsSync(marker)).toBe(false);
});

describe('start.sh (advertise publicAddresses)', () => {
  /** The two mounted ConfigMaps: one file per node name and per bridge ordinal, holding the address. */
  const addressDir = (nodes: Record<string, string>, bridges: Record<string, string>): string => {
    const root = mkdtempSync(join(dir, 'addresses-'));
    for (const [kind, map] of [
      ['nodes', nodes],
      ['bridges', bridges],
    ] as const) {
      mkdirSync(join(root, kind));
      for (const [key, address] of Object.entries(map)) writeFileSync(join(root, kind, key), address);
    }
    return root;
  };
  const printAddress = ['/bin/sh', '-c', 'echo "advertise=$JVB_ADVERTISE_IPS port=${JVB_PORT:-unset}"'];

  test.each([
    // nodePort mode: the bridge's own entry wins over its node's
    ['bridge 2 with its own entry', { JVB_NODE_PORT_BASE: '30300' }, 'shard-0-jitsi-shard-jvb-2', '203.0.113.22', 'bridge 2', '30302'],
    // nodePort mode: no entry for the bridge, its node's entry
    ['bridge 1 on node media-b', { JVB_NODE_PORT_BASE: '30300' }, 'shard-0-jitsi-shard-jvb-1', '203.0.113.2', 'node media-b', '30301'],
    // hostPort mode: Deployment pods have no ordinal; only the node counts
    ['a hostPort bridge on node media-b', {}, 'shard-0-jitsi-shard-jvb-7d9f8-x2x4k', '203.0.113.2', 'node media-b', 'unset'],
  ])('%s announces its listed address', async (_name, modeEnv, hostname, address, entry, port) => {
    // GIVEN addresses for nodes media-a and media-b and for bridge 2, and a bridge on node media-b
    const addresses = addressDir({ 'media-a': '203.0.113.1', 'media-b': '203.0.113.2' }, { '2': '203.0.113.22' });
    const env = scriptEnv({ HOSTNAME: hostname, NODE_NAME: 'media-b', JVB_PUBLIC_ADDRESSES: addresses, ...modeEnv });
    // WHEN start.sh execs a command that prints what the bridge would announce
    const result = await runScript(startScript, printAddress, env).done;
    // THEN the command sees the listed address in JVB_ADVERTISE_IPS (and in nodePort mode its port)
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`start.sh: announcing ${address} (the entry of ${entry})\n`);
    expect(result.stdout.endsWith(`advertise=${address} port=${port}\n`)).toBe(true);
  });

  test('a bridge with no entry for itself or its node refuses to start, naming both', async () => {
    // GIVEN addresses for node media-a only, and bridge 4 on node media-c
    const addresses = addressDir({ 'media-a': '203.0.113.1' }, {});
    const marker = join(dir, 'ran-without-address');
    const env = scriptEnv({
      HOSTNAME: 'shard-0-jitsi-shard-jvb-4',
      NODE_NAME: 'media-c',
      JVB_PUBLIC_ADDRESSES: addresses,
      JVB_NODE_PORT_BASE: '30300',
    });
    // WHEN start.sh runs
    const result = await runScript(startScript, ['/bin/sh', '-c', 'touch "$0"', marker], env).done;
    // THEN it fails naming the node and the bridge, and the bridge never started
    expect(result.status).not.toBe(0);
    expect(result.stderr).toBe('start.sh: jvb.media.publicAddresses lists no address for node media-c or bridge 4\n');
    expect(existsSync(marker)).toBe(false);
  });

  test('without NODE_NAME it fails naming the variable', async () => {
    const addresses = addressDir({ 'media-a': '203.0.113.1' }, {});
    const result = await runScript(startScript, printAddress, scriptEnv({ HOSTNAME: 'jvb-x', JVB_PUBLIC_ADDRESSES: addresses })).done;
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('start.sh: NODE_NAME is not set');
  });
});

describe('graceful-shutdown.sh (preStop hook)', () => {
  interface Recorded {
    method: string;
    path: string;
    contentType: string | undefined;
    body: string;
    at: number;
  }
  interface Answer {
    status: number;
    body: string;
    /** Stop listening once this answer is sent: the bridge "stops answering". */
    thenClose?: boolean;
  }
  interface FakeBridge {
    url: string;
    requests: Recorded[];
    close: () => Promise<void>;
  }

  const bridges: FakeBridge[] = [];
  afterEach(async () => {
    await Promise.all(bridges.map((bridge) => bridge.close()));
    bridges.length = 0;
  });

  function closeServer(server: Server): Promise<void> {
    return new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** A fake bridge on 127.0.0.1 that records every request and answers with `answer`. */
  async function startFakeBridge(answer: (request: Recorded, earlier: Recorded[]) => Answer): Promise<FakeBridge> {
    const requests: Recorded[] = [];
    let closing: Promise<void> | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const recorded: Recorded = {
          method: req.method ?? '',
          path: req.url ?? '',
          contentType: req.headers['content-type'],
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
        };
        const reply = answer(recorded, [...requests]);
        requests.push(recorded);
        res.writeHead(reply.status, { 'Content-Type': 'text/plain; version=0.0.4', Connection: 'close' });
        res.end(reply.body, () => {
          if (reply.thenClose) closing ??= closeServer(server);
        });
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const bridge: FakeBridge = {
      url: `http://127.0.0.1:${port}`,
      requests,
      close: () => (closing ??= closeServer(server)),
    };
    bridges.push(bridge);
    return bridge;
  }

  /**
   * The bridge's Prometheus text with the participant gauge (or without it), among metrics whose names contain
   * it or resemble it. The look-alikes read 0, so a script that mistook one for the gauge would stop at once.
   */
  function metricsText(localEndpoints: string | undefined): string {
    return [
      '# HELP jitsi_jvb_endpoints The number of endpoints, local and relayed.',
      '# TYPE jitsi_jvb_endpoints gauge',
      'jitsi_jvb_endpoints 7.0',
      '# HELP jitsi_jvb_local_endpoints_total The number of local endpoints ever created.',
      '# TYPE jitsi_jvb_local_endpoints_total counter',
      'jitsi_jvb_local_endpoints_total 0.0',
      'jitsi_jvb_relayed_local_endpoints 0.0',
      ...(localEndpoints === undefined
        ? []
        : [
            '# HELP jitsi_jvb_local_endpoints The number of local endpoints.',
            '# TYPE jitsi_jvb_local_endpoints gauge',
            `jitsi_jvb_local_endpoints ${localEndpoints}`,
          ]),
      '# HELP jitsi_jvb_conferences The number of conferences.',
      '# TYPE jitsi_jvb_conferences gauge',
      'jitsi_jvb_conferences 2.0',
      '',
    ].join('\n');
  }

  const shutdownEnv = (bridge: FakeBridge): NodeJS.ProcessEnv => scriptEnv({ JVB_REST_URL: bridge.url, SHUTDOWN_POLL_SECONDS: '1' });
  const calls = (bridge: FakeBridge): string[] => bridge.requests.map((request) => `${request.method} ${request.path}`);
  const metricsGets = (bridge: FakeBridge): Recorded[] => bridge.requests.filter((request) => request.path === '/metrics');
  const SHUTDOWN_OK: Answer = { status: 200, body: '' };

  test('asks for a graceful shutdown, then polls the participant gauge until it reads 0', async () => {
    // GIVEN a bridge whose participants leave: the gauge reads 3, then 1, then 0
    const counts = ['3.0', '1.0', '0.0'];
    const bridge = await startFakeBridge((request, earlier) => {
      if (request.method === 'POST' && request.path === '/colibri/shutdown') return SHUTDOWN_OK;
      if (request.method === 'GET' && request.path === '/metrics') {
        const polls = earlier.filter((before) => before.path === '/metrics').length;
        return { status: 200, body: metricsText(counts[Math.min(polls, counts.length - 1)]) };
      }
      return { status: 404, body: 'not found' };
    });
    // WHEN the preStop hook runs
    const result = await runScript(shutdownScript, [], shutdownEnv(bridge)).done;
    // THEN it ends on its own, successfully
    expect(result.timedOut).toBe(false);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    // AND it sent exactly one shutdown request, before the first poll, then polled exactly until the gauge read 0
    expect(calls(bridge)).toEqual(['POST /colibri/shutdown', 'GET /metrics', 'GET /metrics', 'GET /metrics']);
    const [shutdown] = bridge.requests;
    expect(shutdown?.contentType).toBe('application/json');
    expect(shutdown?.body).toBe('{"graceful-shutdown": true}');
    expect(JSON.parse(shutdown?.body ?? '')).toEqual({ 'graceful-shutdown': true });
    // AND the polls were SHUTDOWN_POLL_SECONDS apart
    const times = metricsGets(bridge).map((request) => request.at);
    for (let i = 1; i < times.length; i++) {
      expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThanOrEqual(900);
      expect((times[i] as number) - (times[i - 1] as number)).toBeLessThan(2_500);
    }
    // AND it reported the participants left at each poll
    expect(result.stdout).toMatch(/\b3 participant\(s\) left[\s\S]*\b1 participant\(s\) left[\s\S]*no participant left/);
  });

  test.each([
    ['answers 404', { status: 404, body: 'Not Found' }],
    ['answers 503', { status: 503, body: 'Service Unavailable' }],
  ])('when the bridge refuses the shutdown request (%s), it returns at once without polling', async (_label, refusal) => {
    // GIVEN a bridge that refuses POST /colibri/shutdown (e.g. the shutdown API is disabled)
    const bridge = await startFakeBridge((request) => (request.path === '/metrics' ? { status: 200, body: metricsText('5.0') } : refusal));
    // WHEN the preStop hook runs
    const result = await runScript(shutdownScript, [], shutdownEnv(bridge)).done;
    // THEN it succeeds at once, says why on stderr, and never polled the participants
    expect(result.timedOut).toBe(false);
    expect(result.status).toBe(0);
    expect(result.ms).toBeLessThan(2_000);
    expect(result.stderr).toMatch(/graceful-shutdown: the bridge refused the shutdown request/);
    expect(result.stdout).toBe('');
    expect(calls(bridge)).toEqual(['POST /colibri/shutdown']);
  });

  test('when no bridge listens at all, it returns at once', async () => {
    // GIVEN a loopback port where nothing listens any more
    const bridge = await startFakeBridge(() => SHUTDOWN_OK);
    await bridge.close();
    // WHEN the preStop hook runs
    const result = await runScript(shutdownScript, [], shutdownEnv(bridge)).done;
    // THEN it succeeds at once, with the refusal on stderr
    expect(result.status).toBe(0);
    expect(result.ms).toBeLessThan(2_000);
    expect(result.stderr).toMatch(/refused the shutdown request/);
    expect(bridge.requests).toEqual([]);
  });

  test('when the bridge accepts the shutdown and then answers its metrics with 500, it stops after that poll', async () => {
    // GIVEN a bridge that accepts the shutdown request, then fails every metrics request
    const bridge = await startFakeBridge((request) => (request.path === '/colibri/shutdown' ? SHUTDOWN_OK : { status: 500, body: 'boom' }));
    // WHEN the preStop hook runs
    const result = await runScript(shutdownScript, [], shutdownEnv(bridge)).done;
    // THEN it succeeds after one failed poll, without waiting a poll interval
    expect(result.timedOut).toBe(false);
    expect(result.status).toBe(0);
    expect(result.ms).toBeLessThan(1_000);
    expect(calls(bridge)).toEqual(['POST /colibri/shutdown', 'GET /metrics']);
    expect(result.stdout).toMatch(/the bridge has stopped answering; done/);
  });

  test('when the bridge stops listening right after accepting the shutdown, it stops after one failed poll', async () => {
    // GIVEN a bridge that closes its port once it has answered the shutdown request
    const bridge = await startFakeBridge(() => ({ ...SHUTDOWN_OK, thenClose: true }));
    // WHEN the preStop hook runs
    const result = await runScript(shutdownScript, [], shutdownEnv(bridge)).done;
    // THEN the poll found nobody, and the hook succeeded at once
    expect(result.timedOut).toBe(false);
    expect(result.status).toBe(0);
    expect(result.ms).toBeLessThan(1_000);
    expect(calls(bridge)).toEqual(['POST /colibri/shutdown']);
    expect(result.stdout).toMatch(/the bridge has stopped answering; done/);
  });

  test('while the metrics lack the participant gauge, it keeps polling; it stops once the gauge reads 0', async () => {
    // GIVEN a bridge whose metrics do not contain jitsi_jvb_local_endpoints (only look-alikes reading 0)
    const bridgeState: { gauge: string | undefined } = { gauge: undefined };
    const bridge = await startFakeBridge((request) =>
      request.path === '/colibri/shutdown' ? SHUTDOWN_OK : { status: 200, body: metricsText(bridgeState.gauge) },
    );
    // WHEN the preStop hook has run for 2.5 s
    const run = runScript(shutdownScript, [], shutdownEnv(bridge));
    await sleep(2_500);
    // THEN it is still waiting, having polled more than once, counting an unknown number of participants
    expect(run.stillRunning()).toBe(true);
    const pollsWithoutGauge = metricsGets(bridge).length;
    expect(pollsWithoutGauge).toBeGreaterThanOrEqual(2);
    // WHEN the gauge appears, reading 0
    bridgeState.gauge = '0';
    const result = await run.done;
    // THEN the next poll ends the hook, successfully
    expect(result.timedOut).toBe(false);
    expect(result.status).toBe(0);
    expect(metricsGets(bridge).length).toBe(pollsWithoutGauge + 1);
    expect(calls(bridge)[0]).toBe('POST /colibri/shutdown');
    expect(result.stdout).toMatch(/an unknown number of participant\(s\) left/);
    expect(result.stdout).toMatch(/no participant left; done\n$/);
  });
});
