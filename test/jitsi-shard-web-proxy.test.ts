/**
 * The web pod's nginx reaches prosody through the address the jitsi-shard chart renders, with the real programs:
 * the chart (real Helm 3) renders XMPP_BOSH_URL_BASE, a real nginx proxies /http-bind and /xmpp-websocket to it the
 * way the jitsi web image does (proxy_pass with variables, so the host is resolved per request through `resolver`),
 * a real dnsmasq on loopback stands in for the cluster DNS, and a node server stands in for prosody.
 *
 * nginx's `resolver` applies no resolv.conf search domains, so a short Service name cannot be resolved: the chart
 * names prosody by `<service>.<namespace>.svc.<clusterDomain>`. The last test shows the short name failing.
 *
 * The same nginx includes the files the chart mounts into the image's `nginx-custom/` include: the shard health path
 * HAProxy checks (against a fake jicofo as well) and the user's `web.nginxSnippet`, each checked with `nginx -t`.
 *
 * Everything listens on 127.0.0.1 only and nothing is contacted beyond it: the DNS has no upstream. Helm runs
 * synchronously, but only in beforeAll before any server is started; every other program runs as an async child.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { SHARD_HEALTH_PATH } from '@meetscale/haproxy';
import { startServerProcess } from '@meetscale/local-state';

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

const NGINX_BIN = '/usr/sbin/nginx';
const CHART = 'jitsi-shard';
const RELEASE = 'shard-0';
const NAMESPACE = 'jitsi';
const PROSODY_SERVICE = 'shard-0-jitsi-shard-prosody';
const SETTINGS = 'shard-0-jitsi-shard-web-settings';
const WEB_CONFIG = 'shard-0-jitsi-shard-web-config';
const JICOFO_HOST = 'shard-0-jitsi-shard-jicofo.jitsi.svc.cluster.local';
const PROSODY_HOST = 'shard-0-jitsi-shard-prosody.jitsi.svc.cluster.local';
const ROOM = 'lesson-7b';
/** `web.nginxSnippet` values: a school's imprint redirect, and the same with a typo. */
const SNIPPETS = {
  imprint: 'location = /impressum {\n    add_header X-Snippet imprint always;\n    return 302 https://schule.example.org/impressum;\n}\n',
  broken: 'location = /impressum {\n    retrun 302 https://schule.example.org/impressum;\n}\n',
} as const;
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
 * Prosody's HTTP port on 127.0.0.1: `POST /http-bind` answers 200 with BOSH_ANSWER, `GET /http-bind` 200 with a
 * page (as prosody's mod_bosh does; the readiness probe and web's health path ask it); a websocket upgrade on
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
      } else if (recorded.method === 'GET' && recorded.path === '/http-bind') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html><body>It works! Now point your BOSH client to this URL.</body></html>');
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
// A fake jicofo
// ---------------------------------------------------------------------------------------------------------------

/** What jicofo's `/about/health` answers: 200 with at least one operational bridge, 500 without. */
type JicofoHealth = 'healthy' | 'noBridge';

interface FakeJicofo {
  readonly port: number;
  health: JicofoHealth;
  readonly requests: ReadonlyArray<{ readonly method: string; readonly path: string }>;
  stop(): Promise<void>;
}

/**
 * jicofo's REST port on 127.0.0.1: `GET /about/health` answers as jicofo does (jicofo doc/health-checks.md and
 * its health checker): 200 with an empty JSON body while healthy, 500 "No operational bridges available (total
 * bridge count: 0)" without a bridge. Records every request.
 */
async function startFakeJicofo(): Promise<FakeJicofo> {
  const requests: Array<{ method: string; path: string }> = [];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://jicofo').pathname;
    requests.push({ method: req.method ?? '', path });
    req.resume();
    if (path !== '/about/health') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    } else if (fake.health === 'healthy') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '0' });
      res.end();
    } else {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('No operational bridges available (total bridge count: 0)');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fake jicofo: no port');
  let stopped: Promise<void> | undefined;
  const fake: FakeJicofo = {
    port: address.port,
    health: 'healthy',
    requests,
    stop: () =>
      (stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
  return fake;
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
  // The files the chart mounts into /config/nginx-custom/, which meet.conf includes in the server block.
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

    # The image's 404 page and its include of /run/web/config/nginx-custom/*.conf (copied from /config).
    root ${dir}/html;
    error_page 404 /static/404.html;
    include ${dir}/nginx-custom/*.conf;

    # The image's tenant location (meet.conf, ENABLE_SUBDOMAINS): a regex that also matches /_meetscale/health.
    location ~ ^/([^/?&:'"]+)/(.*)$ {
      return 200 "the app page of tenant $1\n";
    }

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
 * Writes the config for `upstreamBase` and the `nginx-custom/` files (name: content) to a fresh directory and runs
 * `nginx -t -c <conf> -p <dir>` on it (bounded to 5 s).
 */
async function writeNginx(
  dnsPort: number,
  upstreamBase: string,
  xmppDomain: string,
  custom: Readonly<Record<string, string>>,
): Promise<{ dir: string; file: string; port: number; config: string; check: { status: number; output: string } }> {
  requireProgram(NGINX_BIN, 'nginx');
  const dir = mkdtempSync(join(tmpdir(), 'meetscale-nginx-'));
  // The workers drop to nobody when nginx starts as root: they must reach their temp directories below this one.
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'nginx-custom'));
  mkdirSync(join(dir, 'html', 'static'), { recursive: true });
  writeFileSync(join(dir, 'html', 'static', '404.html'), 'the app 404 page\n');
  for (const [name, content] of Object.entries(custom)) writeFileSync(join(dir, 'nginx-custom', name), content);
  const port = await freeLoopbackPort();
  const config = nginxConfig(dir, port, dnsPort, upstreamBase, xmppDomain);
  const file = join(dir, 'nginx.conf');
  writeFileSync(file, config);
  const check = await run(NGINX_BIN, ['-t', '-c', file, '-p', `${dir}/`], 5_000);
  return { dir, file, port, config, check };
}

/**
 * Writes the config for `upstreamBase` to a fresh directory, checks it with `nginx -t -c <conf> -p <dir>` (throws
 * when that fails), then starts nginx in the foreground in its own process group and waits (5 s bound) until it
 * listens on 127.0.0.1.
 */
async function startNginx(
  dnsPort: number,
  upstreamBase: string,
  xmppDomain: string,
  started: Nginx[],
  custom: Readonly<Record<string, string>> = {},
): Promise<Nginx> {
  const { dir, file, port, config, check } = await writeNginx(dnsPort, upstreamBase, xmppDomain, custom);
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

/** GET http://127.0.0.1:<port><path> on a fresh connection, failing after `timeoutMs`. */
function get(port: number, path: string, timeoutMs = 8_000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: LOOPBACK, port, path, method: 'GET', agent: false, headers: { connection: 'close' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET 127.0.0.1:${port}${path} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
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

/** The files of the web ConfigMap of a render, which the web pod mounts into /config. */
function webFilesOf(manifests: readonly Manifest[]): Record<string, string> {
  const found = manifests.filter((manifest) => manifest.kind === 'ConfigMap' && manifest.metadata.name === WEB_CONFIG);
  if (found.length !== 1) throw new Error(`expected one ConfigMap ${WEB_CONFIG}, found ${found.length}`);
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
  /** Renders with a user's nginx snippet, by SNIPPETS key. */
  const snippetRenders = new Map<string, Manifest[]>();
  const settings = new Map<string, Record<string, string>>();
  let dns: LoopbackDns | undefined;
  let prosody: FakeProsody | undefined;
  let jicofo: FakeJicofo | undefined;
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
    for (const [name, nginxSnippet] of Object.entries(SNIPPETS)) snippetRenders.set(name, render({ web: { nginxSnippet } }));
    requireProgram(NGINX_BIN, 'nginx');
    requireProgram(DNSMASQ_BIN, 'dnsmasq-base');
    dns = await startLoopbackDns([...CLUSTER_DOMAINS.map((clusterDomain) => new URL(bosh(clusterDomain)).hostname), JICOFO_HOST]);
    prosody = await startFakeProsody();
    jicofo = await startFakeJicofo();
  }, 30_000);

  afterAll(async () => {
    const results = await Promise.allSettled([
      ...nginxes.map((nginx) => nginx.stop()),
      ...(dns === undefined ? [] : [dns.stop()]),
      ...(prosody === undefined ? [] : [prosody.stop()]),
      ...(jicofo === undefined ? [] : [jicofo.stop()]),
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
      expect.objectContaining({
        method: 'GET',
        path: '/xmpp-websocket',
        query: { prefix: '', room: ROOM },
        upgrade: 'websocket',
        // the client's address, which prosody takes as the client's when web's pod address is a trusted proxy
        forwardedFor: LOOPBACK,
      }),
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

  describe('the shard health path HAProxy checks', () => {
    const liveJicofo = (): FakeJicofo => {
      if (jicofo === undefined) throw new Error('the fake jicofo did not start');
      return jicofo;
    };
    /** The chart's health include as rendered, its prosody and jicofo ports moved to the given loopback ports. */
    const healthInclude = (ports: { prosody: number; jicofo: number }): Record<string, string> => {
      const rendered = webFilesOf(renders.get('cluster.local') ?? [])['meetscale-health.conf'] ?? '';
      expect(rendered).toContain(`"http://${PROSODY_HOST}:5280"`);
      expect(rendered).toContain(`"http://${JICOFO_HOST}:8888"`);
      const moved = rendered
        .replace(`"http://${PROSODY_HOST}:5280"`, `"http://${PROSODY_HOST}:${ports.prosody}"`)
        .replace(`"http://${JICOFO_HOST}:8888"`, `"http://${JICOFO_HOST}:${ports.jicofo}"`);
      return { 'meetscale-health.conf': moved };
    };

    test('the web pod mounts the include where the image copies it into the nginx server block', () => {
      const web = (renders.get('cluster.local') ?? []).find(
        (manifest) => manifest.kind === 'Deployment' && manifest.metadata.name === 'shard-0-jitsi-shard-web',
      ) as any;
      const pod = web.spec.template.spec;
      expect(pod.containers[0].volumeMounts).toContainEqual({
        name: 'config',
        mountPath: '/config/nginx-custom/meetscale-health.conf',
        subPath: 'meetscale-health.conf',
        readOnly: true,
      });
      expect(pod.volumes).toContainEqual({ name: 'config', configMap: { name: WEB_CONFIG } });
      expect(web.spec.template.metadata.annotations['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
    });

    test('without the include, the image tenant location would answer the path with 200 (why it is an exact match)', async () => {
      const nginx = await startNginx(liveDns().port, withPort(bosh('cluster.local'), liveProsody().port), xmppDomain(), nginxes);
      expect(await get(nginx.port, '/_meetscale/health')).toEqual({ status: 200, body: 'the app page of tenant _meetscale\n' });
      await nginx.stop();
    });

    test.each([
      ['prosody, jicofo and a bridge are up', { prosody: 'up', jicofo: 'healthy' }, 200],
      ['jicofo has no operational bridge (500)', { prosody: 'up', jicofo: 'noBridge' }, 404],
      ['jicofo is down', { prosody: 'up', jicofo: 'down' }, 404],
      ['prosody is down', { prosody: 'down', jicofo: 'healthy' }, 404],
    ] as const)('%s', async (_name, state, status) => {
      // GIVEN the rendered include, with prosody and jicofo on loopback, or on a port nothing listens on when down
      const ports = {
        prosody: state.prosody === 'up' ? liveProsody().port : await freeLoopbackPort(),
        jicofo: state.jicofo === 'down' ? await freeLoopbackPort() : liveJicofo().port,
      };
      if (state.jicofo !== 'down') liveJicofo().health = state.jicofo;
      const nginx = await startNginx(
        liveDns().port,
        withPort(bosh('cluster.local'), liveProsody().port),
        xmppDomain(),
        nginxes,
        healthInclude(ports),
      );
      expect(nginx.check.status).toBe(0);
      const prosodySeen = liveProsody().requests.length;
      const jicofoSeen = liveJicofo().requests.length;

      // WHEN HAProxy asks the shard's health path (the path the haproxy chart checks)
      const answer = await get(nginx.port, SHARD_HEALTH_PATH);

      // THEN nginx answers 200 only when the shard can host a new room, otherwise 404 with a body of its own
      expect(answer).toEqual(status === 200 ? { status: 200, body: '' } : { status: 404, body: 'this shard cannot host a new room\n' });
      // AND it asked prosody's BOSH (unless prosody is down) and jicofo's health (only after prosody answered)
      expect(liveProsody().requests.slice(prosodySeen)).toEqual(
        state.prosody === 'up' ? [expect.objectContaining({ method: 'GET', path: '/http-bind' })] : [],
      );
      expect(liveJicofo().requests.slice(jicofoSeen)).toEqual(
        state.prosody === 'up' && state.jicofo !== 'down' ? [{ method: 'GET', path: '/about/health' }] : [],
      );
      // AND the internal prosody check is not reachable from outside
      expect((await get(nginx.port, `${SHARD_HEALTH_PATH}/prosody`)).status).toBe(404);
      await nginx.stop();
      liveJicofo().health = 'healthy';
    });
  });

  describe("the user's nginx snippet", () => {
    /** The web ConfigMap's nginx include files of a snippet render, as the pod mounts them into nginx-custom/. */
    const includesOf = (name: keyof typeof SNIPPETS): Record<string, string> => {
      const files = webFilesOf(snippetRenders.get(name) ?? []);
      expect(files['custom.conf']).toBe(SNIPPETS[name]);
      return { 'custom.conf': files['custom.conf'] ?? '', 'meetscale-health.conf': files['meetscale-health.conf'] ?? '' };
    };

    test('is rendered once into the include, passes nginx -t beside the health path, and is live', async () => {
      const nginx = await startNginx(
        liveDns().port,
        withPort(bosh('cluster.local'), liveProsody().port),
        xmppDomain(),
        nginxes,
        includesOf('imprint'),
      );
      expect(nginx.check).toEqual({ status: 0, output: expect.stringContaining('test is successful') });
      const answer = await new Promise<{ status: number; location: string | undefined; snippet: string | undefined }>((resolve, reject) => {
        const req = request({ host: LOOPBACK, port: nginx.port, path: '/impressum', method: 'GET', agent: false }, (res) => {
          res.resume();
          resolve({
            status: res.statusCode ?? 0,
            location: res.headers.location,
            snippet: res.headers['x-snippet'] as string | undefined,
          });
        });
        req.setTimeout(3_000, () => req.destroy(new Error('GET /impressum timed out')));
        req.on('error', reject);
        req.end();
      });
      expect(answer).toEqual({ status: 302, location: 'https://schule.example.org/impressum', snippet: 'imprint' });
      await nginx.stop();
    });

    test('with a typo, nginx -t refuses the configuration and names the directive', async () => {
      const { dir, check } = await writeNginx(
        liveDns().port,
        withPort(bosh('cluster.local'), liveProsody().port),
        xmppDomain(),
        includesOf('broken'),
      );
      rmSync(dir, { recursive: true, force: true });
      expect(check.status).not.toBe(0);
      expect(check.output).toContain('unknown directive "retrun"');
      expect(check.output).toContain('custom.conf:2');
    });
  });
});
