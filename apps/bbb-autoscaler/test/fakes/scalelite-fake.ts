/**
 * A loopback fake of Scalelite's admin REST API, behaving as blindsidenetworks/scalelite v1.8.5 (@ 7498a81) does:
 *
 * - routes: config/routes.rb, scope `scalelite/api` (GET getServers, GET getServerInfo, POST addServer, updateServer,
 *   deleteServer, panicServer); any other path is `errors#unsupported_request` (XML `unsupportedRequest`);
 * - before every action (app/controllers/api/scalelite_api_controller.rb): a POST with a body must be JSON
 *   (`unsupportedContentType`), then the checksum (app/controllers/concerns/api_helper.rb `verify_checksum`, verified
 *   here by {@link scaleliteChecksumValid}, written apart from the client's signing so the two cannot drift together);
 *   refusals are rendered by app/controllers/application_controller.rb as XML with HTTP 200;
 * - actions and their answers: app/controllers/api/servers_controller.rb and app/services/server_update_service.rb;
 * - the state and load of a server: app/models/server.rb (`save!`: a disabled server holds no load; a newly added one
 *   is disabled and offline) and lib/tasks/poll.rake (a successful poll sets the load and turns a cordoned server with
 *   load 0 `disabled`; failed polls take a server offline and drop its load).
 *
 * The poller is not run on a timer: a test decides when a poll happens ({@link ScaleliteFake.poll}, or
 * {@link ScaleliteFake.setLoad} / {@link ScaleliteFake.setOnline} for one server).
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

import { listenOnLoopback, stopListening } from './loopback';

/** The digests Scalelite accepts for a checksum (`LOADBALANCER_CHECKSUM_ALGORITHM`), told apart by length. */
export type ScaleliteChecksumAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

/** A server's state in Scalelite. */
export type ScaleliteServerState = 'enabled' | 'cordoned' | 'disabled';

export interface ScaleliteFakeProps {
  /** `LOADBALANCER_SECRET` (and `LOADBALANCER_SECRETS`): a checksum made with any of them is accepted. */
  readonly secrets: readonly string[];
  /**
   * `LOADBALANCER_CHECKSUM_ALGORITHM`, split at `:`.
   * @default ['SHA1', 'SHA256', 'SHA512'] - Scalelite's default
   */
  readonly algorithms?: readonly ScaleliteChecksumAlgorithm[];
}

/** A BigBlueButton server as the fake holds it. */
export interface ScaleliteFakeServer {
  readonly id: string;
  readonly url: string;
  readonly secret: string;
  /** Empty when the server has no tag. */
  readonly tag: string;
  readonly state: ScaleliteServerState;
  /** Scalelite's load, or null while it holds none (`"unavailable"`): disabled, offline, or not yet polled. */
  readonly load: number | null;
  readonly online: boolean;
  readonly loadMultiplier: number;
  /** The load the server's meetings amount to: what the next successful poll sets. */
  readonly meetingLoad: number;
}

/** A server put into the fake directly, as `rake servers:add` (and a poll or an `updateServer`) would have. */
export interface ScaleliteFakeServerSeed {
  readonly url: string;
  readonly secret: string;
  /** @default - a random UUID, as Scalelite assigns */
  readonly id?: string;
  /** @default 'disabled' */
  readonly state?: ScaleliteServerState;
  /** @default false */
  readonly online?: boolean;
  /** The load of its meetings; Scalelite holds it unless the server is disabled or offline. @default 0 */
  readonly load?: number;
  /** @default 1 */
  readonly loadMultiplier?: number;
  /** @default '' */
  readonly tag?: string;
}

/** One request the fake received. */
export interface ScaleliteFakeCall {
  readonly method: string;
  /** The path below `/scalelite/api/` (the action), or the whole path for other paths. */
  readonly action: string;
  /** The raw query string, as Scalelite hashes it. */
  readonly query: string;
  /** The JSON body, parsed; undefined without one. */
  readonly body: unknown;
  /** Whether the checksum was checked and accepted, checked and refused, or not reached. */
  readonly checksum: 'accepted' | 'refused' | 'not checked';
  readonly status: number;
  /** The body of the answer. */
  readonly answer: string;
}

/** How the fake is unreachable: connections refused, or every request answered 503 (as a proxy in front would). */
export type ScaleliteOutage = 'refuse' | 'unavailable';

const ROUTES: Readonly<Record<string, string>> = {
  'GET getServers': 'getServers',
  'GET getServerInfo': 'getServerInfo',
  'POST addServer': 'addServer',
  'POST updateServer': 'updateServer',
  'POST deleteServer': 'deleteServer',
  'POST panicServer': 'panicServer',
};

const CHECKSUM_LENGTHS: Readonly<Record<number, ScaleliteChecksumAlgorithm>> = { 40: 'SHA1', 64: 'SHA256', 128: 'SHA512' };

/** The messages of Scalelite's BBBErrors (app/controllers/concerns/bbb_errors.rb). */
const XML_ERRORS = {
  checksumError: 'You did not pass the checksum security check',
  unsupportedRequest: 'This request is not supported.',
  unsupportedContentType: 'POST request Content-Type is missing or unsupported',
} as const;

/** Rails 7.2's `ActionController::ParameterMissing` message. */
const MISSING_SERVER = 'param is missing or the value is empty: server';

/**
 * Whether Scalelite accepts `checksum` for `action` with this raw query string: the checksum chosen by its length
 * (40 SHA-1, 64 SHA-256, 128 SHA-512) among the allowed algorithms, the query string with `checksum=…` cut out as a
 * string (not re-encoded), and the lower-case hex digest of `action + query + secret` equal for one of the secrets.
 */
export function scaleliteChecksumValid(
  action: string,
  rawQuery: string,
  checksum: string | undefined,
  secrets: readonly string[],
  algorithms: readonly ScaleliteChecksumAlgorithm[] = ['SHA1', 'SHA256', 'SHA512'],
): boolean {
  if (secrets.length === 0 || checksum === undefined || checksum.trim() === '') return false;
  const algorithm = CHECKSUM_LENGTHS[checksum.length];
  if (algorithm === undefined || !algorithms.includes(algorithm)) return false;
  const escaped = checksum.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const query = rawQuery.replace(new RegExp(`&checksum=${escaped}|checksum=${escaped}&|checksum=${escaped}`, 'g'), '');
  const given = Buffer.from(checksum, 'utf8');
  return secrets.some((secret) => {
    const expected = Buffer.from(createHash(algorithm).update(`${action}${query}${secret}`, 'utf8').digest('hex'));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}

interface MutableServer {
  id: string;
  url: string;
  secret: string;
  tag: string;
  state: ScaleliteServerState;
  load: number | null;
  online: boolean;
  loadMultiplier: number;
  meetingLoad: number;
}

interface Reply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly checksum: ScaleliteFakeCall['checksum'];
}

/** Scalelite's admin API on 127.0.0.1, on a port of its own. */
export class ScaleliteFake {
  /** Starts the fake on 127.0.0.1 and a free port. */
  public static async start(props: ScaleliteFakeProps): Promise<ScaleliteFake> {
    const fake = new ScaleliteFake(props);
    await fake.listen(0);
    return fake;
  }

  private readonly secrets: readonly string[];
  private readonly algorithms: readonly ScaleliteChecksumAlgorithm[];
  private readonly records = new Map<string, MutableServer>();
  private readonly received: ScaleliteFakeCall[] = [];
  private readonly http: Server;
  private port = 0;
  private outage: ScaleliteOutage | undefined;
  private closed = false;

  private constructor(props: ScaleliteFakeProps) {
    this.secrets = props.secrets;
    this.algorithms = props.algorithms ?? ['SHA1', 'SHA256', 'SHA512'];
    this.http = createServer((request, response) => {
      this.handle(request, response).catch(() => response.destroy());
    });
  }

  /** The base URL of the admin API, `http://127.0.0.1:PORT` (the same after an outage). */
  public get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Every request received, in order. */
  public get calls(): readonly ScaleliteFakeCall[] {
    return [...this.received];
  }

  /** Every server, in the order they were added. */
  public servers(): ScaleliteFakeServer[] {
    return [...this.records.values()].map((server) => ({ ...server }));
  }

  /** One server. @throws when there is none with this id */
  public server(id: string): ScaleliteFakeServer {
    return { ...this.record(id) };
  }

  /** Puts a server into Scalelite directly (not a call of the API, not recorded). */
  public seed(seed: ScaleliteFakeServerSeed): ScaleliteFakeServer {
    const id = seed.id ?? randomUUID();
    if (this.records.has(id)) throw new Error(`Server already exists with id '${id}'`);
    const server: MutableServer = {
      id,
      url: seed.url,
      secret: seed.secret,
      tag: seed.tag ?? '',
      state: seed.state ?? 'disabled',
      online: seed.online ?? false,
      loadMultiplier: seed.loadMultiplier ?? 1,
      meetingLoad: seed.load ?? 0,
      load: null,
    };
    server.load = server.online && server.state !== 'disabled' ? server.meetingLoad : null;
    this.records.set(id, server);
    return { ...server };
  }

  /**
   * The load of a server's meetings changes to `load` (participants times the load multiplier). An online server is
   * polled at once: Scalelite's load follows, and a cordoned server whose load is 0 turns disabled. An offline one
   * keeps it for when it is back online.
   */
  public setLoad(id: string, load: number): void {
    const server = this.record(id);
    server.meetingLoad = load;
    if (server.online) this.pollOne(server);
  }

  /**
   * A server answers the poller again (true: polled at once, as {@link setLoad}), or has failed the polls that take it
   * offline (false: Scalelite drops its load, as the poller's unhealthy branch does).
   */
  public setOnline(id: string, online: boolean): void {
    const server = this.record(id);
    server.online = online;
    if (online) this.pollOne(server);
    else server.load = null;
  }

  /** One round of Scalelite's poller over every online server: loads follow, cordoned servers at load 0 turn disabled. */
  public poll(): void {
    for (const server of this.records.values()) if (server.online) this.pollOne(server);
  }

  /** Makes the admin API unreachable: connections refused (the port closed), or every request answered 503. */
  public async unreachable(how: ScaleliteOutage = 'refuse'): Promise<void> {
    if (this.outage === 'refuse') throw new Error('the fake is already refusing connections');
    this.outage = how;
    if (how === 'refuse') await this.stopListening();
  }

  /** Makes the admin API reachable again, on the same port. */
  public async reachable(): Promise<void> {
    const was = this.outage;
    this.outage = undefined;
    if (was === 'refuse') await this.listen(this.port);
  }

  /** Stops the fake: closes the port and every open connection. */
  public async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.outage !== 'refuse') await this.stopListening();
  }

  private record(id: string): MutableServer {
    const server = this.records.get(id);
    if (server === undefined) throw new Error(`the Scalelite fake has no server ${id}`);
    return server;
  }

  /** A successful poll of one server (lib/tasks/poll.rake `poll:servers`, then `Server#save!`). */
  private pollOne(server: MutableServer): void {
    server.load = server.meetingLoad;
    if (server.state === 'cordoned' && server.load === 0) server.state = 'disabled';
    if (server.state === 'disabled') server.load = null;
  }

  private async listen(port: number): Promise<void> {
    this.port = await listenOnLoopback(this.http, port);
  }

  private async stopListening(): Promise<void> {
    await stopListening(this.http);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const target = request.url ?? '/';
    const mark = target.indexOf('?');
    const path = mark === -1 ? target : target.slice(0, mark);
    const query = mark === -1 ? '' : target.slice(mark + 1);
    const action = path.startsWith('/scalelite/api/') ? path.slice('/scalelite/api/'.length) : path;
    const raw = await readBody(request);
    let body: unknown;
    let reply: Reply;
    if (this.outage === 'unavailable') {
      reply = unavailable();
    } else {
      try {
        body = raw === '' ? undefined : JSON.parse(raw);
      } catch {
        body = raw;
      }
      reply = this.answer(method, action, query, request.headers['content-type'], raw, body);
    }
    this.received.push({ method, action, query, body, checksum: reply.checksum, status: reply.status, answer: reply.body });
    response.writeHead(reply.status, { 'content-type': reply.contentType });
    response.end(reply.body);
  }

  private answer(method: string, action: string, query: string, contentType: string | undefined, raw: string, body: unknown): Reply {
    const route = ROUTES[`${method === 'HEAD' ? 'GET' : method} ${action}`];
    if (route === undefined) return xmlError('unsupportedRequest', 'not checked');
    if (method === 'POST' && raw !== '') {
      if (contentType?.split(';')[0]?.trim().toLowerCase() !== 'application/json') {
        return xmlError('unsupportedContentType', 'not checked');
      }
      if (typeof body === 'string') {
        return { status: 400, contentType: 'text/plain', body: 'Bad Request', checksum: 'not checked' };
      }
    }
    // Rails' params: the JSON body, overridden by the query string.
    const params: Record<string, unknown> = {
      ...(typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}),
      ...parseQuery(query),
    };
    const checksum = typeof params.checksum === 'string' ? params.checksum : undefined;
    if (!scaleliteChecksumValid(route, query, checksum, this.secrets, this.algorithms)) {
      return xmlError('checksumError', 'refused');
    }
    return this.act(route, params);
  }

  private act(route: string, params: Record<string, unknown>): Reply {
    if (route === 'getServers') {
      if (this.records.size === 0) return json(404, { error: 'No servers are configured' });
      return json(200, [...this.records.values()].map(serverJson));
    }
    if (route === 'addServer') return this.addServer(params.server);
    const id = params.id === undefined || params.id === null ? '' : String(params.id);
    const server = this.records.get(id);
    if (server === undefined) return json(404, { error: `Couldn't find server with id=${id}` });
    switch (route) {
      case 'getServerInfo':
        return json(200, serverJson(server));
      case 'updateServer':
        return this.updateServer(server, params.server);
      case 'deleteServer':
        this.records.delete(id);
        return json(200, { success: `Server id=${id} was destroyed` });
      default:
        // panicServer: its meetings are ended; the state is kept only with `keep_state`.
        server.meetingLoad = 0;
        if (!present(params.keep_state)) {
          server.state = 'disabled';
          server.load = null;
        }
        return json(200, { success: `Server id=${id} has been disabled and the meetings have been destroyed` });
    }
  }

  private addServer(fields: unknown): Reply {
    if (!isObject(fields)) return xmlError('internalError', 'accepted', MISSING_SERVER);
    if (!present(fields.url) || !present(fields.secret)) {
      return json(400, { error: 'Server needs a URL and a secret' });
    }
    const multiplier = Number(fields.load_multiplier);
    const server = this.seed({
      url: String(fields.url),
      secret: String(fields.secret),
      loadMultiplier: Number.isFinite(multiplier) && multiplier !== 0 ? multiplier : 1,
      tag: present(fields.tag) ? String(fields.tag) : '',
    });
    return json(201, serverJson(server));
  }

  private updateServer(server: MutableServer, fields: unknown): Reply {
    if (!isObject(fields)) return json(400, { error: MISSING_SERVER });
    let state = server.state;
    if (present(fields.state)) {
      const next = { enable: 'enabled', cordon: 'cordoned', disable: 'disabled' }[String(fields.state)];
      if (next === undefined) return json(400, { error: `Invalid state parameter: ${String(fields.state)}` });
      state = next as ScaleliteServerState;
    }
    let multiplier = server.loadMultiplier;
    if (present(fields.load_multiplier)) {
      multiplier = Number(fields.load_multiplier);
      if (!Number.isFinite(multiplier) || multiplier === 0) {
        return json(400, { error: 'Load-multiplier must be a non-zero number' });
      }
    }
    // `Server#save!`: a disabled server holds no load; one enabled from disabled has none until it is polled.
    if (state === 'disabled' || server.state === 'disabled') server.load = null;
    server.state = state;
    server.loadMultiplier = multiplier;
    if (present(fields.secret)) server.secret = String(fields.secret);
    if (fields.tag !== undefined && fields.tag !== null) server.tag = present(fields.tag) ? String(fields.tag) : '';
    return json(200, serverJson(server));
  }
}

/** `servers_controller.rb` `server_to_json`. */
function serverJson(server: ScaleliteFakeServer): Record<string, unknown> {
  return {
    id: server.id,
    url: server.url,
    secret: server.secret,
    tag: server.tag,
    bbb_version: '',
    state: server.state,
    load: server.load ?? 'unavailable',
    // A BigDecimal, which Rails renders as a string.
    load_multiplier: Number.isInteger(server.loadMultiplier) ? `${server.loadMultiplier}.0` : `${server.loadMultiplier}`,
    online: server.online ? 'online' : 'offline',
  };
}

function json(status: number, value: unknown): Reply {
  return { status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(value), checksum: 'accepted' };
}

/** `ApplicationController#build_error`, rendered by Nokogiri's builder, with HTTP 200. */
function xmlError(
  key: keyof typeof XML_ERRORS | 'internalError',
  checksum: ScaleliteFakeCall['checksum'],
  message: string = key === 'internalError' ? '' : XML_ERRORS[key],
): Reply {
  const body =
    '<?xml version="1.0"?>\n<response>\n  <returncode>FAILED</returncode>\n' +
    `  <messageKey>${key}</messageKey>\n  <message>${escapeXml(message)}</message>\n</response>\n`;
  return { status: 200, contentType: 'application/xml; charset=utf-8', body, checksum };
}

function unavailable(): Reply {
  const body =
    '<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n' +
    '<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
  return { status: 503, contentType: 'text/html', body, checksum: 'not checked' };
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Ruby's `present?` for a JSON value. */
function present(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Rack's query parsing, for flat keys and one level of `key[field]`. */
function parseQuery(query: string): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(query)) {
    const nested = /^([^[\]]+)\[([^[\]]+)\]$/.exec(key);
    if (nested === null) {
      params[key] = value;
    } else {
      const [, outer = '', inner = ''] = nested;
      const holder = isObject(params[outer]) ? params[outer] : {};
      holder[inner] = value;
      params[outer] = holder;
    }
  }
  return params;
}

const MAX_BODY = 1 << 20;

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) break;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
