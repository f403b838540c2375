import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startServerProcess } from '@meetscale/local-state';

/** The HAProxy binary the tests run (Debian's HAProxy 2.6, built with the Prometheus exporter). */
export const HAPROXY_BIN = existsSync('/usr/sbin/haproxy') ? '/usr/sbin/haproxy' : 'haproxy';

/** The only address a config run by these tests may name. */
export const LOOPBACK = '127.0.0.1';

const LOOPBACK_ADDRESS = /^127\.0\.0\.1:[0-9]{1,5}$/;

// ---------------------------------------------------------------------------------------------------------------
// Reading a config
// ---------------------------------------------------------------------------------------------------------------

/** A section of haproxy.cfg: its header (`backend shards`) and its lines, trimmed, without blanks and comments. */
export interface ConfigSection {
  readonly header: string;
  readonly lines: readonly string[];
}

function _isHeader(line: string): boolean {
  return line.length > 0 && !/^\s/.test(line) && !line.startsWith('#');
}

/** The sections of a config, in order. */
export function configSections(cfg: string): ConfigSection[] {
  const sections: { header: string; lines: string[] }[] = [];
  for (const raw of cfg.split('\n')) {
    if (_isHeader(raw)) {
      sections.push({ header: raw.trim().split(/\s+/).join(' '), lines: [] });
      continue;
    }
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    sections.at(-1)?.lines.push(line);
  }
  return sections;
}

/** The lines of the one section with this header (`peers replicas`); throws when there is not exactly one. */
export function configSection(cfg: string, header: string): readonly string[] {
  const found = configSections(cfg).filter((section) => section.header === header);
  if (found.length !== 1) throw new Error(`expected exactly one section "${header}", found ${found.length}`);
  return (found[0] as ConfigSection).lines;
}

/** Names of the frontends and listen sections (the sections whose `bind` lines loopbackConfig rewrites). */
export function frontendNames(cfg: string): string[] {
  return configSections(cfg)
    .map((section) => section.header.split(' '))
    .filter(([kind, name]) => (kind === 'frontend' || kind === 'listen') && name !== undefined)
    .map(([, name]) => name as string);
}

/** Names of the peers of every `peers` section. */
export function peerNames(cfg: string): string[] {
  return configSections(cfg)
    .filter((section) => section.header.startsWith('peers '))
    .flatMap((section) => section.lines.filter((line) => line.startsWith('peer ')).map((line) => line.split(/\s+/)[1] as string));
}

// ---------------------------------------------------------------------------------------------------------------
// Moving a config onto loopback
// ---------------------------------------------------------------------------------------------------------------

/** The loopback ports a rendered config is moved to. */
export interface LoopbackPorts {
  /** Port per frontend (and listen section) name, e.g. `{ http: 41234, metrics: 41235 }`. */
  readonly frontendPorts: Readonly<Record<string, number>>;
  /** Port per peer name; every replica of one setup must get the same map. */
  readonly peerPorts: Readonly<Record<string, number>>;
  /** UDP port of the nameserver that replaces `parse-resolv-conf`; nothing listens there. */
  readonly nameserverPort: number;
}

/** A config moved onto loopback, with the ports it now uses. */
export interface LoopbackConfig extends LoopbackPorts {
  readonly text: string;
}

/**
 * Rewrites a rendered haproxy.cfg so that running it sends no traffic off 127.0.0.1:
 * - `bind <addr>` in frontend/listen `X` becomes `bind 127.0.0.1:<frontendPorts[X]>` (options kept),
 * - `peer <name> <addr>` becomes `peer <name> 127.0.0.1:<peerPorts[name]>` (options kept),
 * - `parse-resolv-conf` becomes `nameserver loopback 127.0.0.1:<nameserverPort>`.
 * Every other line is kept byte for byte. Throws when a frontend or peer has no port, when a frontend has more
 * than one bind line, and when, after rewriting, a `bind`, `peer`, `server`, `nameserver`, `mailer` or `log` line
 * still names an address other than 127.0.0.1 (shard servers named by hostname included: pass IPs).
 */
export function loopbackConfig(renderedCfg: string, ports: LoopbackPorts): LoopbackConfig {
  const lines = renderedCfg.split('\n');
  let kind = '';
  let name = '';
  const bound = new Set<string>();
  const rewritten = lines.map((raw) => {
    if (_isHeader(raw)) {
      [kind = '', name = ''] = raw.trim().split(/\s+/);
      return raw;
    }
    const indent = /^\s*/.exec(raw)?.[0] ?? '';
    const tokens = raw.trim().split(/\s+/);
    if ((kind === 'frontend' || kind === 'listen') && tokens[0] === 'bind') {
      const port = ports.frontendPorts[name];
      if (port === undefined) throw new Error(`loopbackConfig: no port given for ${kind} ${name}`);
      if (bound.has(name)) throw new Error(`loopbackConfig: ${kind} ${name} has more than one bind line`);
      bound.add(name);
      return [`${indent}bind`, `${LOOPBACK}:${port}`, ...tokens.slice(2)].join(' ');
    }
    if (kind === 'peers' && tokens[0] === 'peer' && tokens[1] !== undefined) {
      const port = ports.peerPorts[tokens[1]];
      if (port === undefined) throw new Error(`loopbackConfig: no port given for peer ${tokens[1]}`);
      return [`${indent}peer`, tokens[1], `${LOOPBACK}:${port}`, ...tokens.slice(3)].join(' ');
    }
    if (kind === 'resolvers' && tokens[0] === 'parse-resolv-conf') {
      return `${indent}nameserver loopback ${LOOPBACK}:${ports.nameserverPort}`;
    }
    return raw;
  });
  rewritten.forEach((line, index) => {
    const leak = _offLoopback(line);
    if (leak) throw new Error(`loopbackConfig: haproxy.cfg line ${index + 1} would send traffic off loopback: "${line.trim()}"`);
  });
  return { text: rewritten.join('\n'), ...ports };
}

/** Whether a config line names (or makes HAProxy look up) an address other than 127.0.0.1. */
function _offLoopback(line: string): boolean {
  const tokens = line.trim().split(/\s+/);
  const notLoopback = (address: string | undefined): boolean => address === undefined || !LOOPBACK_ADDRESS.test(address);
  switch (tokens[0]) {
    case 'bind':
      return (tokens[1] ?? '').split(',').some(notLoopback);
    case 'peer':
    case 'server':
    case 'nameserver':
    case 'mailer':
      return notLoopback(tokens[2]);
    case 'parse-resolv-conf':
      return true;
    case 'log':
      return !(['stdout', 'stderr', 'global'].includes(tokens[1] ?? '') || LOOPBACK_ADDRESS.test(tokens[1] ?? ''));
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Ports
// ---------------------------------------------------------------------------------------------------------------

/** `count` distinct free TCP ports on 127.0.0.1 (listened on at once with port 0, then closed), none in `exclude`. */
export async function freeTcpPorts(count: number, exclude: Iterable<number> = []): Promise<number[]> {
  const excluded = new Set(exclude);
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let attempt = 0; ports.length < count && attempt < count + 50; attempt++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, LOOPBACK, () => resolve());
      });
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('freeTcpPorts: no port');
      if (!excluded.has(address.port)) ports.push(address.port);
    }
    if (ports.length < count) throw new Error(`freeTcpPorts: found ${ports.length} of ${count} ports`);
    return ports;
  } finally {
    await Promise.all(
      servers.map((server) => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()))),
    );
  }
}

/** A free UDP port on 127.0.0.1 (bound with port 0, then closed). */
export async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, LOOPBACK, () => resolve());
    });
    return socket.address().port;
  } finally {
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}

/**
 * Free loopback ports for every frontend and peer of a config. Ports given in `shared` are kept (the peer ports
 * and nameserver of a replica that must join the same peers); new ones avoid `exclude` and the shared ones.
 */
export async function allocateLoopbackPorts(
  cfg: string,
  shared: Partial<LoopbackPorts> = {},
  exclude: Iterable<number> = [],
): Promise<LoopbackPorts> {
  const taken = new Set([...exclude, ...Object.values(shared.frontendPorts ?? {}), ...Object.values(shared.peerPorts ?? {})]);
  const frontends = frontendNames(cfg).filter((name) => shared.frontendPorts?.[name] === undefined);
  const peers = peerNames(cfg).filter((name) => shared.peerPorts?.[name] === undefined);
  const fresh = await freeTcpPorts(frontends.length + peers.length, taken);
  return {
    frontendPorts: { ...shared.frontendPorts, ...Object.fromEntries(frontends.map((name, index) => [name, fresh[index] as number])) },
    peerPorts: {
      ...shared.peerPorts,
      ...Object.fromEntries(peers.map((name, index) => [name, fresh[frontends.length + index] as number])),
    },
    nameserverPort: shared.nameserverPort ?? (await freeUdpPort()),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Running HAProxy
// ---------------------------------------------------------------------------------------------------------------

/** What `haproxy -c` said. */
export interface CheckResult {
  /** Exit status; -1 when HAProxy could not run or timed out. */
  readonly status: number;
  /** Standard output and standard error. */
  readonly output: string;
}

/** Runs `haproxy -c -f <file> [-L <localPeerName>]` on a config text (10 s bound). */
export function checkConfig(cfgText: string, localPeerName?: string): CheckResult {
  const dir = mkdtempSync(join(tmpdir(), 'meetscale-haproxy-check-'));
  try {
    const file = join(dir, 'haproxy.cfg');
    writeFileSync(file, cfgText);
    const args = ['-c', '-f', file, ...(localPeerName === undefined ? [] : ['-L', localPeerName])];
    const result = spawnSync(HAPROXY_BIN, args, { encoding: 'utf8', timeout: 10_000, killSignal: 'SIGKILL' });
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? `\n${result.error.message}` : ''}`;
    return { status: result.status ?? -1, output };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The `[WARNING]` lines of HAProxy output, without the process id. */
export function warnings(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('[WARNING]'))
    .map((line) => line.replace(/^\[WARNING\]\s+\(\d+\)\s*:\s*/, ''));
}

/** A running HAProxy. */
export interface HaproxyHandle {
  readonly pid: number;
  /** The local peer name it was started with (`-L`). */
  readonly peerName: string;
  /** Port per frontend name (`http`, `metrics`). */
  readonly ports: Readonly<Record<string, number>>;
  /** Whether the process has exited. */
  readonly exited: boolean;
  /** The last 64 KiB of its standard output and error (the request log included). */
  output(): string;
  /**
   * Runs a command on the master CLI (`-S`) and returns its answer; prefix worker commands with `@1`
   * (`@1 show table shards`). Commands run one at a time over one connection, each bounded by `timeoutMs`.
   */
  cli(command: string, timeoutMs?: number): Promise<string>;
  /** SIGTERM to its process group, SIGKILL after 3 s; resolves once it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/** Whether something accepts TCP connections on 127.0.0.1:port (500 ms bound). */
export function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: LOOPBACK, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const MASTER_PROMPT = 'master> ';

/**
 * A master CLI connection in prompt mode. HAProxy 2.6's master CLI accepts a single connection, so one is kept
 * open and commands are queued on it.
 */
class _MasterCli {
  private socket: Socket | undefined;
  private buffer = '';
  private queue: Promise<unknown> = Promise.resolve();
  private waiter: ((error?: Error) => void) | undefined;

  constructor(private readonly path: string) {}

  run(command: string, timeoutMs: number): Promise<string> {
    const next = this.queue.then(() => this.exchange(`${command}\n`, timeoutMs));
    this.queue = next.catch(() => undefined);
    return next;
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private async exchange(text: string, timeoutMs: number): Promise<string> {
    if (this.socket === undefined) {
      const socket = connect(this.path);
      this.socket = socket;
      socket.setEncoding('utf8');
      // Events of a socket already replaced (after an error or a timeout) must not settle the current command.
      socket.on('data', (chunk: string) => {
        if (this.socket !== socket) return;
        this.buffer += chunk;
        if (this.buffer.endsWith(MASTER_PROMPT)) this.waiter?.();
      });
      socket.on('error', (error) => this.socket === socket && this.waiter?.(error));
      socket.on('close', () => this.socket === socket && this.waiter?.(new Error('master CLI closed the connection')));
      await this.roundTrip(socket, 'prompt\n', timeoutMs);
    }
    const answer = await this.roundTrip(this.socket, text, timeoutMs);
    return answer.slice(0, -MASTER_PROMPT.length).replace(/\n+$/, '');
  }

  private roundTrip(socket: Socket, text: string, timeoutMs: number): Promise<string> {
    this.buffer = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`master CLI: no answer to "${text.trim()}" after ${timeoutMs} ms`)), timeoutMs);
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        this.waiter = undefined;
        if (error === undefined) return resolve(this.buffer);
        this.close();
        reject(error);
      };
      this.waiter = finish;
      socket.write(text);
    });
  }
}

/**
 * Starts `haproxy -W -db -S <master socket> -f <file> -L <localPeerName>` (master-worker, as the pods run it, plus a
 * master CLI on a unix socket) in its own process group and waits (5 s bound) until every frontend port accepts
 * connections. Throws (after stopping it) when it exits or does not listen in time.
 */
export async function startHaproxy(config: LoopbackConfig, localPeerName: string, startupMs = 5_000): Promise<HaproxyHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'meetscale-haproxy-run-'));
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, config.text);
  const cli = new _MasterCli(join(dir, 'master.sock'));
  const server = startServerProcess(HAPROXY_BIN, ['-W', '-db', '-S', join(dir, 'master.sock'), '-f', file, '-L', localPeerName]);
  let stopped: Promise<void> | undefined;
  const handle: HaproxyHandle = {
    pid: server.child.pid ?? -1,
    peerName: localPeerName,
    ports: config.frontendPorts,
    get exited() {
      return server.exited;
    },
    output: () => server.output(),
    cli: (command, timeoutMs = 2_000) => cli.run(command, timeoutMs),
    stop: () =>
      (stopped ??= (async () => {
        try {
          cli.close();
          await server.stop(3_000);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      })()),
  };

  try {
    const deadline = Date.now() + startupMs;
    for (const [frontend, port] of Object.entries(config.frontendPorts)) {
      for (;;) {
        if (server.spawnError !== undefined) throw server.spawnError;
        if (handle.exited) throw new Error(`haproxy -L ${localPeerName} exited during startup:\n${server.output()}`);
        if (await acceptsConnections(port)) break;
        if (Date.now() > deadline)
          throw new Error(
            `haproxy -L ${localPeerName}: frontend ${frontend} not listening on ${port} after ${startupMs} ms:\n${server.output()}`,
          );
        await sleep(25);
      }
    }
    return handle;
  } catch (error) {
    await handle.stop();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Talking to it
// ---------------------------------------------------------------------------------------------------------------

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** An HTTP answer. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** GET http://127.0.0.1:<port><path> on a fresh connection (`Connection: close`), failing after `timeoutMs`. */
export function httpGet(port: number, path: string, timeoutMs = 2_000): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: LOOPBACK, port, path, method: 'GET', agent: false, headers: { connection: 'close' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET 127.0.0.1:${port}${path} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Calls `probe` every `intervalMs` until it returns a value other than `undefined`, and returns that value; throws
 * after `timeoutMs` (the last probe error, if any, in the message). Both the count and the time are bounded.
 */
export async function pollUntil<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 5_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  const maxAttempts = Math.ceil(timeoutMs / intervalMs) + 1;
  let lastError: unknown;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) break;
    await sleep(intervalMs);
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastError instanceof Error ? ` (last error: ${lastError.message})` : ''}`,
  );
}

/** The value of one Prometheus sample (`name{labels}` exactly as HAProxy prints it), or undefined. */
export function metricValue(metricsText: string, sample: string): number | undefined {
  const line = metricsText.split('\n').find((candidate) => candidate.startsWith(`${sample} `));
  return line === undefined ? undefined : Number(line.slice(sample.length + 1));
}

/**
 * States of a server in `haproxy_server_status`: `NOLB` is a server answering 404 to its health check under
 * `http-check disable-on-404` (it keeps persistent traffic only).
 */
export type ServerState = 'UP' | 'DOWN' | 'NOLB' | 'MAINT' | 'DRAIN';

/** The `haproxy_server_status` sample of one server in one state (1 when the server is in it). */
export function serverStatusSample(backend: string, server: string, state: ServerState): string {
  return `haproxy_server_status{proxy="${backend}",server="${server}",state="${state}"}`;
}

/** The state of one server in a replica's metrics: the `haproxy_server_status` sample that is 1, if any. */
export function serverState(metricsText: string, backend: string, server: string): string | undefined {
  return _stateSetTo1(metricsText, 'haproxy_server_status', backend, server);
}

/**
 * The result of a server's last health check in a replica's metrics (`haproxy_server_check_status`, the sample that
 * is 1): `L7OK` (expected status), `L7OKC` (404 under `disable-on-404`, "conditionally passed"), `L7STS` (another
 * status), `L4CON` (refused), ...
 */
export function serverCheckStatus(metricsText: string, backend: string, server: string): string | undefined {
  return _stateSetTo1(metricsText, 'haproxy_server_check_status', backend, server);
}

/** The `state` label of the one sample of a per-server state metric whose value is 1. */
function _stateSetTo1(metricsText: string, metric: string, backend: string, server: string): string | undefined {
  const prefix = `${metric}{proxy="${backend}",server="${server}",state="`;
  const line = metricsText.split('\n').find((candidate) => candidate.startsWith(prefix) && candidate.endsWith('} 1'));
  return line?.slice(prefix.length, line.indexOf('"', prefix.length));
}
