/**
 * The web pod's nginx reaches prosody through the address the jitsi-shard chart renders, with the real programs:
 * the chart (real Helm 3) renders XMPP_BOSH_URL_BASE, a real nginx proxies /http-bind and /xmpp-websocket to it the
 * way the jitsi web image does (proxy_pass with variables, so the host is resolved per request through `resolver`),
 * a real dnsmasq on loopback stands in for the cluster DNS, and a node server stands in for prosody.
 *
 * nginx's `resolver` applies no resolv.conf search domains, so a short Service name cannot be resolved: the chart
 * names prosody by `<service>.<namespace>.svc.<clusterDomain>`. The last test shows the short name failing.
 *
 * Everything listens on 127.0.0.1 only and nothing is contacted beyond it: the DNS has no upstream. Helm runs
 * synchronously, but only in beforeAll before any server is started; every other program runs as an async child.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type Manifest, renderChart } from './support/charts';
import { acceptsConnections, pollUntil, sleep } from './support/haproxy';
import {
  DNSMASQ_BIN,
  freeLoopbackPort,
  LOOPBACK,
  type LoopbackDns,
  missingProgramMessage,
  queryA,
  requireProgram,
  startLoopbackDns,
} from './support/loopback-dns';
import { startServerProcess } from './support/processes';

const NGINX_BIN = '/usr/sbin/nginx';
const CHART = 'jitsi-shard';
const RELEASE = 'shard-0';
const NAMESPACE = 'jitsi';
const PROSODY_SERVICE = 'shard-0-jitsi-shard-prosody';
const SETTINGS = 'shard-0-jitsi-shard-web-settings';
const ROOM = 'lesson-7b';
const BOSH_REQUEST = "<body rid='4242' xmlns='http://jabber.org/protocol/httpbind' to='meet.jitsi'/>";
const BOSH_ANSWER = "<body xmlns='http://jabber.org/protocol/httpbind' sid='fake-prosody-session'/>";

jest.setTimeout(15_000);

// ---------------------------------------------------------------------------------------------------------------
// A fake prosody
// ---------------------------------------------------------------------------------------------------------------

/** One request prosody received. */
interface ProsodyRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly host: string | undefined;
  readonly forwardedFor: string | undefined;
  readonly upgrade: string | undefined;
  readonly body: string;
}

interface FakeProsody {
  readonly port: number;
  readonly requests: readonly ProsodyRequest[];
  stop(): Promise<void>;
}

function _record(req: IncomingMessage, body: string): ProsodyRequest {
  const url = new URL(req.url ?? '/', 'http://prosody');
  return {
    method: req.method ?? '',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    host: req.headers.host,
    forwardedFor: req.headers['x-forwarded-for'] as string | undefined,
    upgrade: req.headers.upgrade,
    body,
  };
}

/**
 * Prosody's HTTP port on 127.0.0.1: `POST /http-bind` answers 200 with BOSH_ANSWER; a websocket upgrade on
 * `/xmpp-websocket` answers 101 and then echoes the bytes it receives; anything else 404. Records every request.
 */
async function startFakeProsody(): Promise<FakeProsody> {
  const requests: ProsodyRequest[] = [];
  const upgraded = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded = _record(req, Buffer.concat(chunks).toString('utf8'));
      requests.push(recorded);
      if (recorded.method === 'POST' && recorded.path === '/http-bind') {
        res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
        res.end(BOSH_ANSWER);
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found');
      }
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
    requests.push(_record(req, ''));
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    if (new URL(req.url ?? '/', 'http://prosody').pathname !== '/xmpp-websocket') {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Protocol: xmpp\r\n\r\n');
    socket.pipe(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fake prosody: no port');
  let stopped: Promise<void> | undefined;
  return {
    port: address.port,
    requests,
    stop: () =>
      (stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        upgraded.forEach((socket) => socket.destroy());
      })),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// nginx with the web image's prosody locations
// ---------------------------------------------------------------------------------------------------------------

/**
 * Our own minimal nginx config with the pattern of the jitsi web image (web/rootfs/defaults/meet.conf and
 * nginx.conf): a `resolver`, `set $prefix ""`, and `/http-bind` and `/xmpp-websocket` proxied to
 * `<upstreamBase>/<path>?prefix=$prefix&$args` with Host set to the XMPP domain. Every path is in `dir`.
 */
function nginxConfig(dir: string, listenPort: number, dnsPort: number, upstreamBase: string, xmppDomain: string): string {
  const asRoot = process.getuid?.() === 0;
  return `# written by test/jitsi-shard-web-proxy.test.ts
daemon off;
master_process on;
worker_processes 1;
${asRoot ? 'user nobody nogroup;\n' : ''}pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;

events {
  worker_connections 64;
}

http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;

  # The cluster DNS. nginx resolves a proxy_pass host that has variables through this, per request, and applies
  # no search domains.
  resolver 127.0.0.1:${dnsPort} valid=10s ipv6=off;
  resolver_timeout 2s;

  map $http_upgrade $connection_upgrade {
    default upgrade;
    '' close;
  }

  server {
    listen 127.0.0.1:${listenPort};
    server_name _;

    set $prefix "";

    # BOSH
    location = /http-bind {
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header Host ${xmppDomain};

      proxy_pass ${upstreamBase}/http-bind?prefix=$prefix&$args;
    }

    # XMPP over websocket
    location = /xmpp-websocket {
      tcp_nodelay on;

      proxy_http_version 1.1;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Host ${xmppDomain};
      proxy_set_header X-Forwarded-For $remote_addr;

      proxy_pass ${upstreamBase}/xmpp-websocket?prefix=$prefix&$args;
    }
  }
}
`;
}

interface Nginx {
  readonly port: number;
  /** What `nginx -t` said about the config before it was started. */
  readonly check: { readonly status: number; readonly output: string };
  /** The config it runs. */
  readonly config: string;
  /** Its error log so far. */
  errorLog(): string;
  stop(): Promise<void>;
}

const NGINX_STARTUP_MS = 5_000;

/** Runs a program as an async child, bounded by `timeoutMs`; never throws. */
function run(file: string, args: readonly string[], timeoutMs: number): Promise<{ status: number; output: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, killSignal: 'SIGKILL', encoding: 'utf8' }, (error, stdout, stderr) => {
      const status = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ status, output: `${stdout}${stderr}${error !== null && status === -1 ? `\n${error.message}` : ''}` });
    });
  });
}

/**
 * Writes the config for `upstreamBase` to a fresh directory, checks it with `nginx -t -c <conf> -p <dir>` (throws
 * when that fails), then starts nginx in the foreground in its own process group and waits (5 s bound) until it
 * listens on 127.0.0.1.
 */
async function startNginx(dnsPort: number, upstreamBase: string, xmppDomain: string, started: Nginx[]): Promise<Nginx> {
  requireProgram(NGINX_BIN, 'nginx');
  const dir = mkdtempSync(join(tmpdir(), 'meetscale-nginx-'));
  // The workers drop to nobody when nginx starts as root: they must reach their temp directories below this one.
  chmodSync(dir, 0o755);
  const port = await freeLoopbackPort();
  const config = nginxConfig(dir, port, dnsPort, upstreamBase, xmppDomain);
  const file = join(dir, 'nginx.conf');
  writeFileSync(file, config);
  const check = await run(NGINX_BIN, ['-t', '-c', file, '-p', `${dir}/`], 5_000);
  if (check.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`nginx -t rejected the config:\n${check.output}\n${config}`);
  }

  const server = startServerProcess(NGINX_BIN, ['-c', file, '-p', `${dir}/`]);
  const errorLog = (): string => {
    const path = join(dir, 'error.log');
    return existsSync(path) ? readFileSync(path, 'utf8') : '';
  };
  const handle: Nginx = {
    port,
    check,
    config,
    errorLog,
    stop: () => server.stop(3_000).finally(() => rmSync(dir, { recursive: true, force: true })),
  };
  started.push(handle);

  const deadline = Date.now() + NGINX_STARTUP_MS;
  for (;;) {
    if (server.spawnError !== undefined) throw server.spawnError;
    if (server.exited) throw new Error(`nginx exited during startup:\n${server.output()}\n${errorLog()}`);
    if (await acceptsConnections(port)) return handle;
    if (Date.now() > deadline) throw new Error(`nginx not listening on 127.0.0.1:${port} after ${NGINX_STARTUP_MS} ms:\n${errorLog()}`);
    await sleep(25);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Talking to nginx
// ---------------------------------------------------------------------------------------------------------------

interface Answer {
  readonly status: number;
  readonly body: string;
}

/** POST http://127.0.0.1:<port><path> on a fresh connection, failing after `timeoutMs`. */
function post(port: number, path: string, body: string, timeoutMs = 3_000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: LOOPBACK,
        port,
        path,
        method: 'POST',
        agent: false,
        headers: { connection: 'close', 'content-type': 'text/xml; charset=utf-8', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`POST 127.0.0.1:${port}${path} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Opens a websocket-style upgrade on http://127.0.0.1:<port><path>, sends `message` over the upgraded connection
 * and resolves with the upgrade status and what came back (the fake prosody echoes), failing after `timeoutMs`.
 */
function upgradeAndEcho(port: number, path: string, message: string, timeoutMs = 3_000): Promise<{ status: number; echoed: string }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: LOOPBACK,
      port,
      path,
      method: 'GET',
      agent: false,
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'sec-websocket-protocol': 'xmpp',
      },
    });
    const timer = setTimeout(() => req.destroy(new Error(`upgrade on 127.0.0.1:${port}${path}: no echo after ${timeoutMs} ms`)), timeoutMs);
    req.on('upgrade', (res, socket: Socket, head: Buffer) => {
      let echoed = head.toString('utf8');
      const done = (): void => {
        clearTimeout(timer);
        socket.destroy();
        resolve({ status: res.statusCode ?? 0, echoed });
      };
      socket.on('data', (chunk: Buffer) => {
        echoed += chunk.toString('utf8');
        if (echoed.length >= message.length) done();
      });
      socket.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.write(message);
    });
    req.on('response', (res) => {
      clearTimeout(timer);
      res.resume();
      reject(new Error(`upgrade on 127.0.0.1:${port}${path}: answered ${res.statusCode} instead of switching protocols`));
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end();
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------------------------------

/** The settings ConfigMap's data of a render. */
function settingsOf(manifests: readonly Manifest[]): Record<string, string> {
  const found = manifests.filter((manifest) => manifest.kind === 'ConfigMap' && manifest.metadata.name === SETTINGS);
  if (found.length !== 1) throw new Error(`expected one ConfigMap ${SETTINGS}, found ${found.length}`);
  return (found[0] as Manifest & { data: Record<string, string> }).data;
}

function render(values: unknown): Manifest[] {
  const result = renderChart(3, CHART, { release: RELEASE, namespace: NAMESPACE, values });
  if (result.status !== 0) throw new Error(`helm template failed:\n${result.stderr}`);
  return result.manifests;
}

/** `http://<host>:<port>` with the port replaced, the host kept. */
function withPort(base: string, port: number): string {
  const url = new URL(base);
  return `${url.protocol}//${url.hostname}:${port}`;
}

describe('the jitsi web nginx reaches prosody through the address the chart renders', () => {
  /** The two renders: the default cluster domain and a custom one. */
  const CLUSTER_DOMAINS = ['cluster.local', 'k8s.example'] as const;
  const renders = new Map<string, Manifest[]>();
  const settings = new Map<string, Record<string, string>>();
  let dns: LoopbackDns | undefined;
  let prosody: FakeProsody | undefined;
  const nginxes: Nginx[] = [];

  const bosh = (clusterDomain: string): string => {
    const value = settings.get(clusterDomain)?.XMPP_BOSH_URL_BASE;
    if (value === undefined) throw new Error(`no XMPP_BOSH_URL_BASE rendered for ${clusterDomain}`);
    return value;
  };
  const xmppDomain = (): string => settings.get('cluster.local')?.XMPP_DOMAIN ?? 'meet.jitsi';
  const liveDns = (): LoopbackDns => {
    if (dns === undefined) throw new Error('the loopback DNS did not start');
    return dns;
  };
  const liveProsody = (): FakeProsody => {
    if (prosody === undefined) throw new Error('the fake prosody did not start');
    return prosody;
  };
  /** The DNS log written from `offset` on, once it mentions `text` (polled: the log is read from a pipe). */
  const dnsLogSince = (offset: number, text: string): Promise<string> =>
    pollUntil(
      `the DNS log to mention "${text}"`,
      async () => {
        const log = liveDns().log().slice(offset);
        return log.includes(text) ? log : undefined;
      },
      2_000,
      20,
    );

  beforeAll(async () => {
    // Helm runs synchronously: render everything before any server that must answer is started.
    for (const clusterDomain of CLUSTER_DOMAINS) {
      const manifests = render(clusterDomain === 'cluster.local' ? {} : { clusterDomain });
      renders.set(clusterDomain, manifests);
      settings.set(clusterDomain, settingsOf(manifests));
    }
    requireProgram(NGINX_BIN, 'nginx');
    requireProgram(DNSMASQ_BIN, 'dnsmasq-base');
    dns = await startLoopbackDns(CLUSTER_DOMAINS.map((clusterDomain) => new URL(bosh(clusterDomain)).hostname));
    prosody = await startFakeProsody();
  }, 30_000);

  afterAll(async () => {
    const results = await Promise.allSettled([
      ...nginxes.map((nginx) => nginx.stop()),
      ...(dns === undefined ? [] : [dns.stop()]),
      ...(prosody === undefined ? [] : [prosody.stop()]),
    ]);
    const failed = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed.length > 0) throw new Error(`cleanup failed: ${failed.map((result) => String(result.reason)).join('; ')}`);
  }, 15_000);

  test('nginx and dnsmasq are installed (npm test installs them; they are never skipped)', () => {
    // GIVEN / WHEN the Debian programs this test runs
    // THEN both are there; otherwise the message names npm test's system-deps installer
    expect(existsSync(NGINX_BIN) ? 'installed' : missingProgramMessage(NGINX_BIN, 'nginx')).toBe('installed');
    expect(existsSync(DNSMASQ_BIN) ? 'installed' : missingProgramMessage(DNSMASQ_BIN, 'dnsmasq-base')).toBe('installed');
  });

  test('the chart gives the web pod the fully qualified prosody Service name, in the cluster domain from values', () => {
    // GIVEN the chart rendered as release shard-0 in namespace jitsi, with the default cluster domain and with k8s.example
    const manifests = renders.get('cluster.local') ?? [];
    const service = manifests.find((manifest) => manifest.kind === 'Service' && manifest.metadata.name === PROSODY_SERVICE) as any;
    const web = manifests.find((manifest) => manifest.kind === 'Deployment' && manifest.metadata.name === 'shard-0-jitsi-shard-web') as any;

    // WHEN the settings ConfigMap is read
    // THEN XMPP_BOSH_URL_BASE is <service>.<namespace>.svc.<clusterDomain> on prosody's HTTP port, for each domain
    expect(bosh('cluster.local')).toBe('http://shard-0-jitsi-shard-prosody.jitsi.svc.cluster.local:5280');
    expect(bosh('k8s.example')).toBe('http://shard-0-jitsi-shard-prosody.jitsi.svc.k8s.example:5280');
    // AND that names the prosody Service the chart renders, and a port it exposes
    expect(service?.metadata.namespace).toBe(NAMESPACE);
    expect(service?.spec.ports).toContainEqual(expect.objectContaining({ name: 'http', port: 5280 }));
    // AND the web container gets it from the settings ConfigMap
    expect(web?.spec.template.spec.containers[0].envFrom).toContainEqual({ configMapRef: { name: SETTINGS } });
  });

  test('the loopback cluster DNS answers the fully qualified names only, and NXDOMAIN for everything else', async () => {
    // GIVEN the loopback DNS (no upstream: it can only answer what it is configured with)
    const port = liveDns().port;

    // WHEN it is asked for each rendered host, for the short Service name and for a public name
    // THEN each rendered host is 127.0.0.1; the short name and the public name do not exist
    for (const clusterDomain of CLUSTER_DOMAINS) {
      expect(await queryA(port, new URL(bosh(clusterDomain)).hostname)).toEqual({ rcode: 0, addresses: [LOOPBACK] });
    }
    expect(await queryA(port, PROSODY_SERVICE)).toEqual({ rcode: 3, addresses: [] });
    expect(await queryA(port, 'example.com')).toEqual({ rcode: 3, addresses: [] });
  });

  test.each(CLUSTER_DOMAINS)(
    'with cluster domain %s, POST /http-bind reaches prosody through the name nginx resolves at request time',
    async (clusterDomain) => {
      // GIVEN nginx proxying /http-bind to the rendered XMPP_BOSH_URL_BASE, its port moved to the fake prosody's
      const upstream = withPort(bosh(clusterDomain), liveProsody().port);
      const host = new URL(upstream).hostname;
      const nginx = await startNginx(liveDns().port, upstream, xmppDomain(), nginxes);
      // AND nginx -t accepted the config, whose proxy_pass has variables (so the host is resolved per request)
      expect(nginx.check).toEqual({ status: 0, output: expect.stringContaining('test is successful') });
      expect(nginx.config).toContain(`proxy_pass ${upstream}/http-bind?prefix=$prefix&$args;`);
      const seen = liveProsody().requests.length;
      const dnsLog = liveDns().log().length;

      // WHEN a browser posts a BOSH request for a room
      const answer = await post(nginx.port, `/http-bind?room=${ROOM}`, BOSH_REQUEST);

      // THEN prosody's answer comes back through nginx
      expect(answer).toEqual({ status: 200, body: BOSH_ANSWER });
      // AND prosody got the request with the room, the image's prefix parameter, and the XMPP domain as Host
      expect(liveProsody().requests.slice(seen)).toEqual([
        {
          method: 'POST',
          path: '/http-bind',
          query: { prefix: '', room: ROOM },
          host: xmppDomain(),
          forwardedFor: LOOPBACK,
          upgrade: undefined,
          body: BOSH_REQUEST,
        },
      ]);
      // AND nginx looked the fully qualified name up in the cluster DNS, which answered it
      const log = await dnsLogSince(dnsLog, `config ${host} is ${LOOPBACK}`);
      expect(log).toContain(`query[A] ${host} from ${LOOPBACK}`);
      await nginx.stop();
    },
  );

  test('/xmpp-websocket upgrades through the fully qualified name and carries data both ways', async () => {
    // GIVEN nginx proxying /xmpp-websocket to the rendered XMPP_BOSH_URL_BASE (port moved to the fake prosody's)
    const nginx = await startNginx(liveDns().port, withPort(bosh('cluster.local'), liveProsody().port), xmppDomain(), nginxes);
    const seen = liveProsody().requests.length;

    // WHEN a browser opens the XMPP websocket for a room and sends a stanza
    const stanza = "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='meet.jitsi' version='1.0'/>";
    const result = await upgradeAndEcho(nginx.port, `/xmpp-websocket?room=${ROOM}`, stanza);

    // THEN nginx switched protocols, and the stanza made the round trip through prosody
    expect(result).toEqual({ status: 101, echoed: stanza });
    // AND prosody saw the upgrade with the room and the prefix parameter
    expect(liveProsody().requests.slice(seen)).toEqual([
      expect.objectContaining({ method: 'GET', path: '/xmpp-websocket', query: { prefix: '', room: ROOM }, upgrade: 'websocket' }),
    ]);
    await nginx.stop();
  });

  test('with the short Service name instead, nginx cannot resolve prosody: 502 and nothing reaches prosody', async () => {
    // GIVEN the same nginx config, but naming prosody by its short Service name, as a pod's resolv.conf search
    // domains would complete it
    const short = `http://${PROSODY_SERVICE}:${liveProsody().port}`;
    const nginx = await startNginx(liveDns().port, short, xmppDomain(), nginxes);
    expect(nginx.check.status).toBe(0);
    const seen = liveProsody().requests.length;
    const dnsLog = liveDns().log().length;

    // WHEN a browser posts a BOSH request for a room
    const answer = await post(nginx.port, `/http-bind?room=${ROOM}`, BOSH_REQUEST);

    // THEN nginx answers 502 Bad Gateway
    expect(answer.status).toBe(502);
    // AND its error log says the host could not be resolved
    const errorLog = await pollUntil(
      'the nginx error log to report the failed lookup',
      async () => (nginx.errorLog().includes('could not be resolved') ? nginx.errorLog() : undefined),
      2_000,
      20,
    );
    expect(errorLog).toContain(`${PROSODY_SERVICE} could not be resolved (3: Host not found)`);
    // AND nginx asked the cluster DNS for the bare name, with no search domain appended, and got NXDOMAIN
    const log = await dnsLogSince(dnsLog, `config ${PROSODY_SERVICE} is NXDOMAIN`);
    expect(log).toContain(`query[A] ${PROSODY_SERVICE} from ${LOOPBACK}`);
    expect(log).not.toContain(`${PROSODY_SERVICE}.${NAMESPACE}`);
    // AND prosody received nothing
    expect(liveProsody().requests.slice(seen)).toEqual([]);
    await nginx.stop();
  });
});
