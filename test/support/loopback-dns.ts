import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startServerProcess } from '@meetscale/local-state';

/** The dnsmasq binary (Debian's dnsmasq-base). */
export const DNSMASQ_BIN = '/usr/sbin/dnsmasq';

/** The only address the loopback DNS listens on and answers with. */
export const LOOPBACK = '127.0.0.1';

/** How a missing Debian program is reported: it is installed by `npm test`'s first step, not skipped. */
export function missingProgramMessage(binary: string, debianPackage: string): string {
  return (
    `${binary} is not installed. It is a system dependency of the test suite: \`npm test\` installs it first ` +
    `(bash tools/system-deps/ensure.sh installs every Debian package tools/system-deps/debian-packages.txt lists), ` +
    `or install it yourself: sudo apt-get install -y --no-install-recommends ${debianPackage}`
  );
}

/** Throws a clear error naming the installer when a binary is missing. */
export function requireProgram(binary: string, debianPackage: string): void {
  if (!existsSync(binary)) throw new Error(missingProgramMessage(binary, debianPackage));
}

/**
 * A loopback port free for both UDP and TCP on 127.0.0.1 (dnsmasq serves DNS over both on one port): a UDP socket
 * is bound to port 0, then a TCP server tries the same port; both are closed before returning. Bounded attempts.
 */
export async function freeLoopbackPort(attempts = 20): Promise<number> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const udp = createSocket('udp4');
    const tcp = createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(0, LOOPBACK, () => resolve());
      });
      const port = udp.address().port;
      const tcpFree = await new Promise<boolean>((resolve) => {
        tcp.once('error', () => resolve(false));
        tcp.listen(port, LOOPBACK, () => resolve(true));
      });
      if (tcpFree) return port;
    } finally {
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      await new Promise<void>((resolve) => (tcp.listening ? tcp.close(() => resolve()) : resolve()));
    }
  }
  throw new Error(`freeLoopbackPort: no port free for both UDP and TCP after ${attempts} attempts`);
}

// ---------------------------------------------------------------------------------------------------------------
// A minimal DNS client (A queries over UDP), to check the loopback DNS without any system resolver
// ---------------------------------------------------------------------------------------------------------------

/** The answer to an A query. */
export interface DnsAnswer {
  /** RCODE: 0 NOERROR, 3 NXDOMAIN, 5 REFUSED. */
  readonly rcode: number;
  /** The IPv4 addresses of the A records in the answer section. */
  readonly addresses: readonly string[];
}

function _encodeQuery(id: number, name: string): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2); // standard query, recursion desired
  header.writeUInt16BE(1, 4); // one question
  const labels = name
    .split('.')
    .filter((label) => label.length > 0)
    .map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, 'ascii')]));
  const tail = Buffer.alloc(5);
  tail.writeUInt16BE(1, 1); // QTYPE A
  tail.writeUInt16BE(1, 3); // QCLASS IN
  return Buffer.concat([header, ...labels, tail]);
}

/** Offset just past a (possibly compressed) name starting at `offset`. */
function _skipName(message: Buffer, offset: number): number {
  let at = offset;
  for (let guard = 0; guard < 128; guard++) {
    const length = message.readUInt8(at);
    if (length === 0) return at + 1;
    if ((length & 0xc0) === 0xc0) return at + 2;
    at += 1 + length;
  }
  throw new Error('DNS answer: name too long');
}

function _decodeAnswer(message: Buffer, id: number): DnsAnswer {
  if (message.length < 12 || message.readUInt16BE(0) !== id) throw new Error('DNS answer: wrong id or too short');
  const rcode = message.readUInt16BE(2) & 0x0f;
  const questions = message.readUInt16BE(4);
  const answers = message.readUInt16BE(6);
  let at = 12;
  for (let i = 0; i < questions; i++) at = _skipName(message, at) + 4;
  const addresses: string[] = [];
  for (let i = 0; i < answers; i++) {
    at = _skipName(message, at);
    const type = message.readUInt16BE(at);
    const length = message.readUInt16BE(at + 8);
    if (type === 1 && length === 4) addresses.push(Array.from(message.subarray(at + 10, at + 14)).join('.'));
    at += 10 + length;
  }
  return { rcode, addresses };
}

/** Sends one A query for `name` to 127.0.0.1:<port> over UDP and decodes the answer (fails after `timeoutMs`). */
export function queryA(port: number, name: string, timeoutMs = 1_000): Promise<DnsAnswer> {
  const id = Math.floor(Math.random() * 0xffff);
  const socket = createSocket('udp4');
  return new Promise<DnsAnswer>((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`DNS query for ${name} on port ${port}: no answer after ${timeoutMs} ms`)), timeoutMs);
    const finish = (error: Error | undefined, answer?: DnsAnswer): void => {
      clearTimeout(timer);
      socket.close();
      if (error !== undefined) reject(error);
      else resolve(answer as DnsAnswer);
    };
    socket.once('error', (error) => finish(error));
    socket.once('message', (message) => {
      try {
        finish(undefined, _decodeAnswer(message, id));
      } catch (error) {
        finish(error as Error);
      }
    });
    socket.send(_encodeQuery(id, name), port, LOOPBACK);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The loopback "cluster DNS"
// ---------------------------------------------------------------------------------------------------------------

/** A running dnsmasq that answers a few names with 127.0.0.1 and NXDOMAIN for everything else. */
export interface LoopbackDns {
  readonly port: number;
  readonly pid: number;
  /** Whether the process has exited. */
  readonly exited: boolean;
  /** Its log so far (started, every query and its answer: `--log-queries` to stderr). */
  log(): string;
  /** SIGTERM to its process group, SIGKILL after 2 s; removes its directory. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts dnsmasq as a loopback stand-in for the cluster DNS: listening on 127.0.0.1:<free port> only (UDP and TCP),
 * answering each of `names` (and names below it) with 127.0.0.1 and everything else with NXDOMAIN. It reads no
 * config file, no /etc/hosts and no resolv.conf, and has no upstream server, so it forwards nothing anywhere.
 * It stays in the foreground (`--keep-in-foreground`, not the debug mode `--no-daemon`, which would never drop
 * root) and, when started as root, drops to nobody:nogroup. Resolves once it answers (5 s bound).
 */
export async function startLoopbackDns(names: readonly string[], startupMs = 5_000): Promise<LoopbackDns> {
  requireProgram(DNSMASQ_BIN, 'dnsmasq-base');
  const port = await freeLoopbackPort();
  const dir = mkdtempSync(join(tmpdir(), 'meetscale-dns-'));
  const args = [
    '--keep-in-foreground',
    '--conf-file=/dev/null',
    '--no-resolv',
    '--no-hosts',
    '--no-poll',
    '--bind-interfaces',
    `--listen-address=${LOOPBACK}`,
    `--port=${port}`,
    `--pid-file=${join(dir, 'dnsmasq.pid')}`,
    '--log-facility=-',
    '--log-queries',
    // Every name: NXDOMAIN (an address without an IP). The longer matches below win over it.
    '--address=/#/',
    ...names.map((name) => `--address=/${name}/${LOOPBACK}`),
    ...(process.getuid?.() === 0 ? ['--user=nobody', '--group=nogroup'] : []),
  ];
  const server = startServerProcess(DNSMASQ_BIN, args);
  const handle: LoopbackDns = {
    port,
    pid: server.child.pid ?? -1,
    get exited() {
      return server.exited;
    },
    log: () => server.output(),
    stop: () => server.stop().finally(() => rmSync(dir, { recursive: true, force: true })),
  };

  try {
    const deadline = Date.now() + startupMs;
    const probe = names[0] ?? 'probe.invalid';
    for (;;) {
      if (server.spawnError !== undefined) throw server.spawnError;
      if (handle.exited) throw new Error(`dnsmasq exited during startup:\n${server.output()}`);
      const answered = await queryA(port, probe, 200).then(
        () => true,
        () => false,
      );
      if (answered) break;
      if (Date.now() > deadline) throw new Error(`dnsmasq does not answer on 127.0.0.1:${port} after ${startupMs} ms:\n${server.output()}`);
    }
    return handle;
  } catch (error) {
    await handle.stop();
    throw error;
  }
}
