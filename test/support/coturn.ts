/**
 * Debian's coturn for the coturn chart's tests: the chart's rendered `turnserver.conf` moved onto 127.0.0.1, the
 * TURN REST API credentials prosody hands out, `turnserver` started as the chart's container starts it, and
 * `turnutils_uclient` / `turnutils_peer` runs.
 */
import { spawn } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import * as dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import * as net from 'node:net';
import { connect } from 'node:tls';

import { type ServerProcess, startServerProcess } from '@meetscale/local-state';

/** The programs of Debian's `coturn` package (4.6.1 in bookworm). */
export const TURNSERVER_BIN = existsSync('/usr/bin/turnserver') ? '/usr/bin/turnserver' : 'turnserver';
export const UCLIENT_BIN = existsSync('/usr/bin/turnutils_uclient') ? '/usr/bin/turnutils_uclient' : 'turnutils_uclient';
export const PEER_BIN = existsSync('/usr/bin/turnutils_peer') ? '/usr/bin/turnutils_peer' : 'turnutils_peer';

export const LOOPBACK = '127.0.0.1';

/**
 * Time-limited TURN credentials as prosody computes them from the shared secret: the username is the expiry as a
 * Unix time (optionally `<expiry>:<user>`), the password `base64(HMAC-SHA1(secret, username))`. This is the TURN
 * REST API scheme (draft-uberti-behave-turn-rest-00, section 2.2) that prosody's `mod_turncredentials`
 * (prosody-modules: `userpart = tostring(os.time() + ttl)`, `base64.encode(hmac_sha1(secret, userpart))`) and
 * `mod_external_services` (its `turn` credentials with `secret`) implement, and coturn's `use-auth-secret` checks.
 */
export function turnRestCredentials(secret: string, expiresAt: number, user?: string): { username: string; password: string } {
  const username = user === undefined ? String(expiresAt) : `${expiresAt}:${user}`;
  return { username, password: createHmac('sha1', secret).update(username).digest('base64') };
}

/** Whether a port is free on 127.0.0.1 for both TCP and UDP right now. */
async function freeForBoth(port: number): Promise<boolean> {
  const tcp = net.createServer();
  const tcpOk = await new Promise<boolean>((resolve) => {
    tcp.once('error', () => resolve(false));
    tcp.listen(port, LOOPBACK, () => resolve(true));
  });
  if (tcpOk) await new Promise<void>((resolve) => tcp.close(() => resolve()));
  if (!tcpOk) return false;
  const udp = dgram.createSocket('udp4');
  const udpOk = await new Promise<boolean>((resolve) => {
    udp.once('error', () => resolve(false));
    udp.bind(port, LOOPBACK, () => resolve(true));
  });
  await new Promise<void>((resolve) => {
    try {
      udp.close(() => resolve());
    } catch {
      resolve();
    }
  });
  return udpOk;
}

/**
 * `count` consecutive ports, each free on 127.0.0.1 for TCP and UDP now, from a random start in 20000-32000 (below
 * the kernel's ephemeral range); at most 50 tries.
 */
export async function freeLoopbackPortRange(count: number): Promise<number[]> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const start = 20_000 + Math.floor(Math.random() * 12_000);
    const ports = Array.from({ length: count }, (_unused, index) => start + index);
    let free = true;
    for (const port of ports) {
      if (!(await freeForBoth(port))) {
        free = false;
        break;
      }
    }
    if (free) return ports;
  }
  throw new Error(`no ${count} consecutive free loopback ports found in 50 tries`);
}

/** A `turnserver` the test started, with its log. */
export interface TurnServer {
  readonly process: ServerProcess;
  readonly port: number;
  readonly tlsPort: number;
  output(): string;
  stop(): Promise<void>;
}

/** Resolves once something accepts TCP connections on the port, polling every 100 ms for at most `ms`. */
export async function waitForTcp(port: number, ms: number, server?: ServerProcess): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (server?.exited === true) throw new Error(`the server exited before listening:\n${server.output()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, LOOPBACK);
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nothing listens on ${LOOPBACK}:${port} after ${ms} ms${server === undefined ? '' : `:\n${server.output()}`}`);
}

/** Starts `turnserver` with these arguments and waits until its TURN port accepts TCP connections. */
export async function startTurnserver(args: readonly string[], port: number, tlsPort: number): Promise<TurnServer> {
  const server = startServerProcess(TURNSERVER_BIN, args);
  try {
    await waitForTcp(port, 10_000, server);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { process: server, port, tlsPort, output: () => server.output(), stop: () => server.stop() };
}

/** Starts `turnutils_peer` (a UDP echo peer) on 127.0.0.1; it answers on `port`. */
export function startPeer(port: number): ServerProcess {
  return startServerProcess(PEER_BIN, ['-L', LOOPBACK, '-p', String(port)]);
}

/** What a client run ended with. */
export interface ClientRun {
  readonly status: number | null;
  readonly output: string;
}

/** Runs a program to its end (killed after `timeoutMs`), keeping its output. */
export function runClient(binary: string, args: readonly string[], timeoutMs = 20_000): Promise<ClientRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-64 * 1024);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}

/** Options of one `turnutils_uclient` run: a relay allocation, then messages to the peer through it. */
export interface UclientOptions {
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly peer: { readonly address: string; readonly port: number };
  /** `udp` (default), `tcp`, or `tls` (TCP with TLS; the port is then coturn's TLS port). */
  readonly transport?: 'udp' | 'tcp' | 'tls';
  /** Messages sent to the peer and expected back. @default 2 */
  readonly messages?: number;
}

/** Runs `turnutils_uclient` for one client allocating an IPv4 relay on 127.0.0.1 and echoing through the peer. */
export function runUclient(options: UclientOptions, timeoutMs = 20_000): Promise<ClientRun> {
  const transport = options.transport ?? 'udp';
  const args = [
    ...(transport === 'udp' ? [] : ['-t']),
    ...(transport === 'tls' ? ['-S'] : []),
    '-p',
    String(options.port),
    '-u',
    options.username,
    '-w',
    options.password,
    '-e',
    options.peer.address,
    '-r',
    String(options.peer.port),
    '-n',
    String(options.messages ?? 2),
    '-m',
    '1',
    // an IPv4 relay, then the server's address
    '-X',
    LOOPBACK,
  ];
  return runClient(UCLIENT_BIN, args, timeoutMs);
}

/** The last count a `turnutils_uclient` run reports under `name` (`tot_send_msgs`, `tot_recv_msgs`). */
function reported(output: string, name: string): number | undefined {
  const last = [...output.matchAll(new RegExp(`${name}=(\\d+)`, 'g'))].at(-1);
  return last === undefined ? undefined : Number(last[1]);
}

/** Messages a `turnutils_uclient` run sent to the peer through its relay. */
export const sentMessages = (output: string): number | undefined => reported(output, 'tot_send_msgs');

/** Messages that came back from the peer through the relay. */
export const receivedMessages = (output: string): number | undefined => reported(output, 'tot_recv_msgs');

/** STUN (RFC 5389) message types and attributes the TLS check uses. */
const STUN_MAGIC = 0x2112a442;
const ALLOCATE_REQUEST = 0x0003;
const ATTRIBUTE = { username: 0x0006, messageIntegrity: 0x0008, errorCode: 0x0009, realm: 0x0014, nonce: 0x0015, transport: 0x0019 };

/** A STUN message: type, transaction id and attributes (type, value), encoded with MESSAGE-INTEGRITY when `key`. */
function stunMessage(type: number, transaction: Buffer, attributes: ReadonlyArray<[number, Buffer]>, key?: Buffer): Buffer {
  const body = Buffer.concat(
    attributes.map(([attribute, value]) => {
      const header = Buffer.alloc(4);
      header.writeUInt16BE(attribute, 0);
      header.writeUInt16BE(value.length, 2);
      return Buffer.concat([header, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
    }),
  );
  const header = (length: number): Buffer => {
    const buffer = Buffer.alloc(20);
    buffer.writeUInt16BE(type, 0);
    buffer.writeUInt16BE(length, 2);
    buffer.writeUInt32BE(STUN_MAGIC, 4);
    transaction.copy(buffer, 8);
    return buffer;
  };
  if (key === undefined) return Buffer.concat([header(body.length), body]);
  // RFC 5389 15.4: the HMAC covers the message up to the attribute, its length counting the attribute (24 bytes).
  const signed = Buffer.concat([header(body.length + 24), body]);
  const integrity = Buffer.alloc(4);
  integrity.writeUInt16BE(ATTRIBUTE.messageIntegrity, 0);
  integrity.writeUInt16BE(20, 2);
  return Buffer.concat([signed, integrity, createHmac('sha1', key).update(signed).digest()]);
}

/** A STUN response: its type and attributes by type. */
interface StunResponse {
  readonly type: number;
  readonly attributes: ReadonlyMap<number, Buffer>;
}

function parseStun(message: Buffer): StunResponse {
  const attributes = new Map<number, Buffer>();
  let offset = 20;
  while (offset + 4 <= message.length) {
    const type = message.readUInt16BE(offset);
    const length = message.readUInt16BE(offset + 2);
    attributes.set(type, message.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length + ((4 - (length % 4)) % 4);
  }
  return { type: message.readUInt16BE(0), attributes };
}

/** The STUN error code of a response (`401`), or undefined for a success. */
export function stunErrorCode(response: StunResponse): number | undefined {
  const value = response.attributes.get(ATTRIBUTE.errorCode);
  return value === undefined ? undefined : (value[2] as number) * 100 + (value[3] as number);
}

/**
 * A TURN Allocate over TLS, as a browser does for a `turns:` URL: the first request is challenged (401 with realm and
 * nonce), the second carries the long-term credential (key MD5(username:realm:password), RFC 5389 15.4). Resolves
 * with the second response and the TLS protocol of the session; at most `timeoutMs`.
 */
export async function allocateOverTls(
  port: number,
  credentials: { username: string; password: string },
  timeoutMs = 5_000,
): Promise<{ response: StunResponse; protocol: string | null }> {
  const socket = connect({ host: LOOPBACK, port, rejectUnauthorized: false, servername: 'turn.example.org' });
  const timer = setTimeout(() => socket.destroy(new Error(`no TURN answer over TLS within ${timeoutMs} ms`)), timeoutMs);
  let pending = Buffer.alloc(0);
  const waiters: Array<(message: Buffer) => void> = [];
  const failures: Array<(error: Error) => void> = [];
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 20 && pending.length >= 20 + pending.readUInt16BE(2)) {
      const length = 20 + pending.readUInt16BE(2);
      const message = pending.subarray(0, length);
      pending = pending.subarray(length);
      waiters.shift()?.(message);
    }
  });
  socket.on('error', (error) => failures.forEach((fail) => fail(error)));
  const exchange = (request: Buffer): Promise<StunResponse> =>
    new Promise((resolve, reject) => {
      waiters.push((message) => resolve(parseStun(message)));
      failures.push(reject);
      socket.write(request);
    });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      failures.push(reject);
    });
    const transport: [number, Buffer] = [ATTRIBUTE.transport, Buffer.from([17, 0, 0, 0])];
    const challenge = await exchange(stunMessage(ALLOCATE_REQUEST, randomBytes(12), [transport]));
    const realm = challenge.attributes.get(ATTRIBUTE.realm);
    const nonce = challenge.attributes.get(ATTRIBUTE.nonce);
    if (stunErrorCode(challenge) !== 401 || realm === undefined || nonce === undefined) {
      throw new Error(`the first Allocate was not challenged with 401, realm and nonce (error ${stunErrorCode(challenge)})`);
    }
    const key = createHash('md5').update(`${credentials.username}:${realm.toString()}:${credentials.password}`).digest();
    const attributes: Array<[number, Buffer]> = [
      [ATTRIBUTE.username, Buffer.from(credentials.username)],
      [ATTRIBUTE.realm, realm],
      [ATTRIBUTE.nonce, nonce],
      transport,
    ];
    const response = await exchange(stunMessage(ALLOCATE_REQUEST, randomBytes(12), attributes, key));
    return { response, protocol: socket.getProtocol() };
  } finally {
    clearTimeout(timer);
    socket.destroy();
  }
}

/** STUN message type of a successful Allocate response. */
export const ALLOCATE_SUCCESS = 0x0103;
