import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/**
 * What a fake shard answers, after the shard health contract (`SHARD_HEALTH_PATH` of the haproxy chart):
 * - `ready`: 200 to everything, the health path included (prosody, jicofo and a bridge are operational);
 * - `cannotHost`: 404 on the health path, 200 to every other request (its web and its rooms still work, but it
 *   cannot host a new room);
 * - `down`: 503 to everything.
 */
export type ShardHealth = 'ready' | 'cannotHost' | 'down';

/** A stand-in for the web service of one Jitsi shard, listening on 127.0.0.1. */
export interface FakeShard {
  readonly name: string;
  readonly port: number;
  /** Every request it received, health checks included. */
  readonly requestCount: number;
  /** Health checks it received (requests of the health path). */
  readonly healthChecks: number;
  /** Requests per `room` URL parameter (as sent, not lower-cased). */
  readonly roomRequests: ReadonlyMap<string, number>;
  readonly health: ShardHealth;
  /** Switches what it answers from the next request on. */
  setHealth(health: ShardHealth): void;
  /** Closes the server and every open connection. Safe to call twice. */
  stop(): Promise<void>;
}

/** Header naming the shard that answered. */
export const SHARD_HEADER = 'x-shard';
/** Header echoing the path and query the shard received (after any rewrite by HAProxy). */
export const PATH_HEADER = 'x-received-path';

/**
 * Starts a fake shard on 127.0.0.1 (a free port), `ready`: it answers with an `x-shard: <name>` header and `<name>`
 * as body, counts requests, and answers `healthPath` (the path only, any query) by its health.
 */
export async function startFakeShard(name: string, healthPath: string): Promise<FakeShard> {
  let health: ShardHealth = 'ready';
  let requestCount = 0;
  let healthChecks = 0;
  const roomRequests = new Map<string, number>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requestCount++;
    const url = new URL(req.url ?? '/', 'http://shard');
    const isHealthCheck = url.pathname === healthPath;
    if (isHealthCheck) healthChecks++;
    const room = url.searchParams.get('room');
    if (room !== null) roomRequests.set(room, (roomRequests.get(room) ?? 0) + 1);
    req.resume();
    const status = health === 'down' ? 503 : health === 'cannotHost' && isHealthCheck ? 404 : 200;
    res.writeHead(status, { [SHARD_HEADER]: name, [PATH_HEADER]: req.url ?? '', 'content-type': 'text/plain' });
    res.end(status === 200 ? name : `${name} ${health}`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error(`fake shard ${name}: no port`);
  let stopped: Promise<void> | undefined;
  return {
    name,
    port: address.port,
    get requestCount() {
      return requestCount;
    },
    get healthChecks() {
      return healthChecks;
    },
    roomRequests,
    get health() {
      return health;
    },
    setHealth: (value) => {
      health = value;
    },
    stop: () =>
      (stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
