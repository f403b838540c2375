import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/** A stand-in for the web service of one Jitsi shard, listening on 127.0.0.1. */
export interface FakeShard {
  readonly name: string;
  readonly port: number;
  /** Every request it received, health checks included. */
  readonly requestCount: number;
  /** Requests per `room` URL parameter (as sent, not lower-cased). */
  readonly roomRequests: ReadonlyMap<string, number>;
  readonly healthy: boolean;
  /** Unhealthy: answer 503 to everything, the health check path included. Healthy: 200 again. */
  setHealthy(healthy: boolean): void;
  /** Closes the server and every open connection. Safe to call twice. */
  stop(): Promise<void>;
}

/** Header naming the shard that answered. */
export const SHARD_HEADER = 'x-shard';

/**
 * Starts a fake shard on 127.0.0.1 (a free port): it answers any request with 200, an `x-shard: <name>` header and
 * `<name>` as body, counts requests, and can be switched unhealthy (503 to everything) and back.
 */
export async function startFakeShard(name: string): Promise<FakeShard> {
  let healthy = true;
  let requestCount = 0;
  const roomRequests = new Map<string, number>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requestCount++;
    const room = new URL(req.url ?? '/', 'http://shard').searchParams.get('room');
    if (room !== null) roomRequests.set(room, (roomRequests.get(room) ?? 0) + 1);
    req.resume();
    res.writeHead(healthy ? 200 : 503, { [SHARD_HEADER]: name, 'content-type': 'text/plain' });
    res.end(healthy ? name : `${name} unhealthy`);
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
    roomRequests,
    get healthy() {
      return healthy;
    },
    setHealthy: (value) => {
      healthy = value;
    },
    stop: () =>
      (stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
