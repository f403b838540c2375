/**
 * A loopback fake of the IONOS Cloud API v6, for the operations the autoscaler uses: list and get servers, start,
 * stop, and request status. Every request it receives and every response it sends is validated against the committed
 * OpenAPI subset (tools/ionoscloud); a test that used the fake asserts `violations()` is empty (`expectNoViolations()`).
 *
 * Behaviour, as the real API: credentials required (`Authorization: Bearer <token>` or Basic), `depth` honoured,
 * start and stop answer 202 with `Location: <base>/requests/<id>/status`; the request goes QUEUED → RUNNING → DONE,
 * one step each time it is observed (its status polled or its server read), or FAILED when told; the server is BUSY
 * from the POST until its request ends, and its vmState changes when the request is DONE (RUNNING, or SHUTOFF after a
 * stop).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

// The validator is a tool of the workspace; the module-boundary rule allows this entry point to apps' tests only
// (eslint.config.mjs): validating against the description is the point of the fake.
import { type OpenApiHttpRequest, type OpenApiHttpResponse, OpenApiValidator } from '@meetscale/ionoscloud-bindings/openapi';

import { listenOnLoopback, stopListening } from './loopback';

/** The operations, as tests name them. */
export type IonosOperation = 'listServers' | 'getServer' | 'start' | 'stop' | 'requestStatus';

const OPERATIONS: Readonly<Record<string, IonosOperation>> = {
  datacentersServersGet: 'listServers',
  datacentersServersFindById: 'getServer',
  datacentersServersStartPost: 'start',
  datacentersServersStopPost: 'stop',
  requestsStatusGet: 'requestStatus',
};

/** The path the API is served under, as the real one (`https://api.ionos.com/cloudapi/v6`). */
const API_PATH = '/cloudapi/v6';

export interface FakeServer {
  readonly id: string;
  readonly name: string;
  /** @default 'SHUTOFF' */
  readonly vmState?: string;
  /** `metadata.state` @default 'AVAILABLE' */
  readonly state?: string;
}

export interface IonosFakeProps {
  /** @default 'dc-1' */
  readonly datacenterId?: string;
  readonly servers?: readonly FakeServer[];
  /** The token `Authorization: Bearer` must carry. @default 'test-token' */
  readonly token?: string;
  /** Observations of a request (status polls, reads of its server) answered QUEUED, then RUNNING, before DONE. @default 2 */
  readonly observationsBeforeDone?: number;
}

/** An exchange the fake saw: the operation (undefined for an unknown one), the request and the status it answered. */
export interface IonosExchange {
  readonly operation: IonosOperation | undefined;
  readonly method: string;
  readonly path: string;
  readonly status: number;
}

/** A fault to answer instead of the real response. */
export interface IonosFault {
  /** 429, 500, 503, ..., or `reset`: the request is carried out, then the connection is dropped (a lost response). */
  readonly status: number | 'reset';
  /** How many matching requests get the fault. @default 1 */
  readonly times?: number;
  /** Which requests. @default - every request */
  readonly match?: IonosOperation | ((exchange: { operation: IonosOperation | undefined; method: string; path: string }) => boolean);
  /** Seconds for a `Retry-After` header (the description documents none, so none by default). */
  readonly retryAfterSeconds?: number;
}

interface _Server {
  id: string;
  name: string;
  vmState: string;
  state: string;
}

interface _Request {
  readonly id: string;
  readonly serverId: string;
  readonly action: 'start' | 'stop';
  /** Observations so far. */
  observed: number;
  status: 'QUEUED' | 'RUNNING' | 'DONE' | 'FAILED';
  readonly failure: string | undefined;
}

interface _Reply {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

const RATE_LIMIT = { 'X-RateLimit-Limit': '600', 'X-RateLimit-Burst': '50' };

export class IonosFake {
  /** Starts a fake on 127.0.0.1 and a free port. */
  public static async start(props: IonosFakeProps = {}): Promise<IonosFake> {
    const fake = new IonosFake(props);
    await listenOnLoopback(fake.server);
    return fake;
  }

  public readonly datacenterId: string;
  public readonly token: string;
  private readonly server: http.Server;
  private readonly servers = new Map<string, _Server>();
  private readonly requests = new Map<string, _Request>();
  private readonly faults: { fault: IonosFault; left: number }[] = [];
  private readonly failures: string[] = [];
  private readonly corruptions: { operation: IonosOperation; corrupt: (reply: _Reply) => void }[] = [];
  private readonly exchanges: IonosExchange[] = [];
  private readonly problems: string[] = [];
  private readonly observationsBeforeDone: number;
  private validator: OpenApiValidator | undefined;
  private nextRequest = 1;

  private constructor(props: IonosFakeProps) {
    this.datacenterId = props.datacenterId ?? 'dc-1';
    this.token = props.token ?? 'test-token';
    this.observationsBeforeDone = props.observationsBeforeDone ?? 2;
    for (const server of props.servers ?? []) this.addServer(server);
    this.server = http.createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        this.problems.push(`the fake failed: ${String(error)}`);
        response.destroy();
      });
    });
  }

  /** The API's base URL: `http://127.0.0.1:<port>/cloudapi/v6`. */
  public get baseUrl(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}${API_PATH}`;
  }

  public addServer(server: FakeServer): void {
    this.servers.set(server.id, {
      id: server.id,
      name: server.name,
      vmState: server.vmState ?? 'SHUTOFF',
      state: server.state ?? 'AVAILABLE',
    });
  }

  /** A server as the fake holds it now. */
  public serverState(id: string): { readonly vmState: string; readonly state: string } | undefined {
    const server = this.servers.get(id);
    return server === undefined ? undefined : { vmState: server.vmState, state: server.state };
  }

  /** Answers matching requests with a fault instead (in the order the faults were added). */
  public injectFault(fault: IonosFault): void {
    this.faults.push({ fault, left: fault.times ?? 1 });
  }

  /** The next start or stop request ends FAILED with this message (IONOS's `metadata.message`). */
  public failNextRequest(message: string): void {
    this.failures.push(message);
  }

  /** Changes the next response of an operation before it is validated and sent: a non-conforming fake, on purpose. */
  public corruptNextResponse(
    operation: IonosOperation,
    corrupt: (reply: { status: number; headers: Record<string, string>; body?: unknown }) => void,
  ): void {
    this.corruptions.push({ operation, corrupt });
  }

  /** Requests received for an operation (faulted ones included). */
  public calls(operation: IonosOperation): number {
    return this.exchanges.filter((exchange) => exchange.operation === operation).length;
  }

  /** Every exchange so far. */
  public log(): readonly IonosExchange[] {
    return [...this.exchanges];
  }

  /** Every way a request or response broke the OpenAPI description, and anything else the fake could not serve. */
  public violations(): readonly string[] {
    return [...this.problems];
  }

  /** Fails the calling test with the violations, if any. */
  public expectNoViolations(): void {
    if (this.problems.length > 0) {
      throw new Error(`The IONOS fake saw exchanges that break the Cloud API v6 description:\n${this.problems.join('\n')}`);
    }
  }

  public async close(): Promise<void> {
    await stopListening(this.server);
  }

  private async handle(incoming: http.IncomingMessage, outgoing: http.ServerResponse): Promise<void> {
    const text = await new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      incoming.on('error', reject);
    });
    const url = new URL(incoming.url ?? '/', 'http://127.0.0.1');
    const method = (incoming.method ?? 'GET').toUpperCase();
    const path = url.pathname.startsWith(`${API_PATH}/`) ? url.pathname.slice(API_PATH.length) : url.pathname;
    const validator = (this.validator ??= new OpenApiValidator({ apiBaseUrl: this.baseUrl }));
    const request: OpenApiHttpRequest = {
      method,
      path,
      query: url.searchParams,
      headers: incoming.headers,
      body: text === '' ? undefined : _json(text),
    };

    if (!url.pathname.startsWith(`${API_PATH}/`)) this.problems.push(`${method} ${url.pathname}: not under ${API_PATH}`);
    this.problems.push(...validator.validateRequest(request));
    const match = validator.match(method, path);
    const operation = typeof match === 'string' ? undefined : OPERATIONS[match.operationId];

    const fault = this.takeFault({ operation, method, path });
    let reply: _Reply;
    if (fault !== undefined && fault.status !== 'reset') {
      reply = this.error(fault.status, fault.status === 429 ? 'The request rate limit was exceeded.' : 'The service is not available.');
      reply.headers['X-RateLimit-Remaining'] = '0';
      Object.assign(reply.headers, RATE_LIMIT);
      if (fault.retryAfterSeconds !== undefined) reply.headers['Retry-After'] = String(fault.retryAfterSeconds);
    } else {
      reply = this.serve(operation, match, incoming, url);
    }
    const corruption = this.corruptions.findIndex((candidate) => candidate.operation === operation);
    if (corruption >= 0) {
      this.corruptions[corruption]?.corrupt(reply);
      this.corruptions.splice(corruption, 1);
    }
    this.exchanges.push({ operation, method, path, status: reply.status });
    const response: OpenApiHttpResponse = { status: reply.status, headers: reply.headers, body: reply.body };
    if (typeof match !== 'string') this.problems.push(...validator.validateResponse(request, response));

    if (fault?.status === 'reset') {
      outgoing.destroy();
      return;
    }
    const body = reply.body === undefined ? '' : JSON.stringify(reply.body);
    outgoing.writeHead(reply.status, { ...reply.headers, 'Content-Length': String(Buffer.byteLength(body)) });
    outgoing.end(body);
  }

  private takeFault(exchange: { operation: IonosOperation | undefined; method: string; path: string }): IonosFault | undefined {
    const entry = this.faults.find(({ fault, left }) => {
      if (left <= 0) return false;
      if (fault.match === undefined) return true;
      return typeof fault.match === 'string' ? fault.match === exchange.operation : fault.match(exchange);
    });
    if (entry === undefined) return undefined;
    entry.left -= 1;
    return entry.fault;
  }

  private serve(
    operation: IonosOperation | undefined,
    match: ReturnType<OpenApiValidator['match']>,
    incoming: http.IncomingMessage,
    url: URL,
  ): _Reply {
    if (!this.authorized(incoming.headers.authorization)) return this.error(401, 'Unauthorized');
    if (operation === undefined || typeof match === 'string') return this.error(404, 'Resource does not exist');
    const { datacenterId, serverId, requestId } = match.pathParameters;
    const depth = Number(url.searchParams.get('depth') ?? '0');
    if (datacenterId !== undefined && datacenterId !== this.datacenterId) return this.error(404, 'Resource does not exist');

    switch (operation) {
      case 'listServers': {
        const offset = Number(url.searchParams.get('offset') ?? '0');
        const limit = Number(url.searchParams.get('limit') ?? '1000');
        for (const server of this.servers.values()) this.observeServer(server.id);
        const items = [...this.servers.values()].slice(offset, offset + limit).map((server) => this.serverJson(server, depth - 1));
        const collection = `${this.baseUrl}/datacenters/${this.datacenterId}/servers`;
        return this.ok(200, { id: `${this.datacenterId}-servers`, type: 'collection', href: collection, items, offset, limit });
      }
      case 'getServer': {
        const server = this.servers.get(serverId as string);
        if (server === undefined) return this.error(404, 'Resource does not exist');
        this.observeServer(server.id);
        return this.ok(200, this.serverJson(server, depth));
      }
      case 'start':
      case 'stop': {
        const server = this.servers.get(serverId as string);
        if (server === undefined) return this.error(404, 'Resource does not exist');
        const id = `req-${String(this.nextRequest++).padStart(4, '0')}`;
        this.requests.set(id, {
          id,
          serverId: server.id,
          action: operation,
          observed: 0,
          status: 'QUEUED',
          failure: this.failures.shift(),
        });
        server.state = 'BUSY';
        const reply = this.ok(202, undefined);
        reply.headers['Location'] = `${this.baseUrl}/requests/${id}/status`;
        return reply;
      }
      case 'requestStatus': {
        const request = this.requests.get(requestId as string);
        if (request === undefined) return this.error(404, 'Resource does not exist');
        this.observe(request);
        return this.ok(200, {
          id: request.id,
          type: 'request-status',
          href: `${this.baseUrl}/requests/${request.id}/status`,
          metadata: {
            status: request.status,
            message:
              request.status === 'FAILED'
                ? request.failure
                : request.status === 'DONE'
                  ? 'Request has been successfully executed'
                  : 'Request is being processed',
            targets: [
              {
                target: {
                  id: request.serverId,
                  type: 'server',
                  href: `${this.baseUrl}/datacenters/${this.datacenterId}/servers/${request.serverId}`,
                },
                status: request.status,
              },
            ],
          },
        });
      }
    }
  }

  private observeServer(serverId: string): void {
    for (const request of this.requests.values()) if (request.serverId === serverId) this.observe(request);
  }

  /** One step of a request: QUEUED, RUNNING (observationsBeforeDone in all), then DONE or FAILED. */
  private observe(request: _Request): void {
    if (request.status === 'DONE' || request.status === 'FAILED') return;
    request.observed += 1;
    if (request.observed <= this.observationsBeforeDone) {
      request.status = request.observed === 1 ? 'QUEUED' : 'RUNNING';
      return;
    }
    const server = this.servers.get(request.serverId);
    request.status = request.failure === undefined ? 'DONE' : 'FAILED';
    if (server === undefined) return;
    server.state = 'AVAILABLE';
    if (request.status === 'DONE') server.vmState = request.action === 'start' ? 'RUNNING' : 'SHUTOFF';
  }

  private serverJson(server: _Server, depth: number): unknown {
    const href = `${this.baseUrl}/datacenters/${this.datacenterId}/servers/${server.id}`;
    // a list at depth 0 holds references only, as the real API's (which the description's required properties refuse)
    if (depth < 0) return { id: server.id, type: 'server', href };
    return {
      id: server.id,
      type: 'server',
      href,
      metadata: { etag: 'e0', createdDate: '2026-09-01T06:00:00Z', lastModifiedDate: '2026-12-01T06:00:00Z', state: server.state },
      properties: {
        name: server.name,
        cores: 8,
        ram: 16384,
        availabilityZone: 'AUTO',
        cpuFamily: 'INTEL_SKYLAKE',
        type: 'ENTERPRISE',
        vmState: server.vmState,
      },
      ...(depth >= 1
        ? {
            entities: {
              cdroms: { id: `${server.id}-cdroms`, type: 'collection', href: `${href}/cdroms` },
              volumes: { id: `${server.id}-volumes`, type: 'collection', href: `${href}/volumes` },
              nics: { id: `${server.id}-nics`, type: 'collection', href: `${href}/nics` },
            },
          }
        : {}),
    };
  }

  private authorized(header: string | undefined): boolean {
    if (header === `Bearer ${this.token}`) return true;
    const basic = /^Basic (\S+)$/.exec(header ?? '')?.[1];
    return basic !== undefined && Buffer.from(basic, 'base64').toString('utf8').includes(':');
  }

  private ok(status: number, body: unknown): _Reply {
    const headers: Record<string, string> = { ...RATE_LIMIT, 'X-RateLimit-Remaining': '599' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return { status, headers, body };
  }

  private error(status: number, message: string): _Reply {
    const code = { 401: '315', 404: '309', 429: '003', 500: '100', 503: '101' }[status] ?? '100';
    return {
      status,
      headers: { 'Content-Type': 'application/json' },
      body: { httpStatus: status, messages: [{ errorCode: code, message }] },
    };
  }
}

function _json(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
