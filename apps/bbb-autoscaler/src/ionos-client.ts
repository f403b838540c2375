/**
 * The IONOS Cloud API v6, as far as the autoscaler uses it (the committed description:
 * tools/ionoscloud/schema/cloudapi-v6-ba208578.subset.json):
 *
 * - `GET /datacenters/{datacenterId}/servers?depth=1&offset=&limit=`: the servers with `properties.vmState` and
 *   `metadata.state`.
 * - `GET /datacenters/{datacenterId}/servers/{serverId}`: one server.
 * - `POST /datacenters/{datacenterId}/servers/{serverId}/start` and `…/stop`: 202, no body, `Location:
 *   <base>/requests/{requestId}/status`; `GET` on that URL answers `metadata.status` QUEUED, RUNNING, DONE or FAILED
 *   (with `metadata.message`).
 * - Credentials: `Authorization: Bearer <token>`. Errors: `{ httpStatus, messages: [{ errorCode, message }] }`; 429
 *   when the rate limit is exceeded, 5xx while the API is unwell.
 *
 * Retries: a call that meets 429, 5xx or a network error is tried again after an exponential back-off (the
 * `Retry-After` header, when IONOS sends one, is honoured), up to `maxAttempts` and within the call's deadline.
 *
 * Never a duplicate start (or stop): a POST whose outcome is unknown (a 5xx, a lost response, a time-out) may have
 * been accepted. Before sending it again, the client reads the server: when it is BUSY (a request works on it) or
 * already in the target state (RUNNING after a start, SHUTOFF after a stop), it sends nothing more and waits, reading
 * the server, until it is no longer BUSY, then succeeds if the server reached the target state and fails otherwise.
 * Only a server AVAILABLE and not in the target state gets the POST again. (IONOS marks a server BUSY as soon as it
 * accepts a request for it.)
 */
import type { Clock, CloudApi, PoolVm } from './ports';

export interface IonosClientProps {
  /** An IONOS API token (`Authorization: Bearer`). */
  readonly token: string;
  /** The datacenter holding the pool's VMs. */
  readonly datacenterId: string;
  /** Time: every wait (back-off, polling) sleeps on it, and deadlines are read from it. */
  readonly clock: Clock;
  /**
   * The API's base URL.
   * @default 'https://api.ionos.com/cloudapi/v6'
   */
  readonly baseUrl?: string;
  /**
   * Attempts of one HTTP exchange that meets 429, 5xx or a network error.
   * @default 6
   */
  readonly maxAttempts?: number;
  /**
   * The first back-off; it doubles with each retry.
   * @default 1000
   */
  readonly initialBackoffMs?: number;
  /**
   * The longest back-off (and the most a `Retry-After` is waited for).
   * @default 60000
   */
  readonly maxBackoffMs?: number;
  /**
   * The wait between two reads of a request's status (or of a BUSY server).
   * @default 5000
   */
  readonly pollIntervalMs?: number;
  /**
   * How long one call (`listServers`, `startServer`, `stopServer`) may take in all, on the clock: a start waits for
   * the VM to be running.
   * @default 600000
   */
  readonly callDeadlineMs?: number;
  /**
   * How long one HTTP exchange may take, in real time.
   * @default 30000
   */
  readonly requestTimeoutMs?: number;
  /**
   * Servers asked for per page of the list.
   * @default 1000
   */
  readonly pageSize?: number;
}

/** A call the IONOS API did not carry out: names the operation and the server. */
export class IonosError extends Error {
  public constructor(
    message: string,
    /** The HTTP status of the last answer, when there was one. */
    public readonly status?: number,
  ) {
    super(message);
    this.name = 'IonosError';
  }
}

interface _Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

type _Outcome = { readonly answer: _Answer } | { readonly failure: string };

interface _ServerJson {
  readonly id?: string;
  readonly metadata?: { readonly state?: string };
  readonly properties?: { readonly name?: string; readonly vmState?: string };
}

const TARGET_STATE = { start: 'RUNNING', stop: 'SHUTOFF' } as const;

/** The VMs of one datacenter through the IONOS Cloud API v6, with Node's fetch. */
export class IonosClient implements CloudApi {
  private readonly token: string;
  private readonly datacenterId: string;
  private readonly clock: Clock;
  private readonly baseUrl: string;
  private readonly maxAttempts: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly pollIntervalMs: number;
  private readonly callDeadlineMs: number;
  private readonly requestTimeoutMs: number;
  private readonly pageSize: number;

  public constructor(props: IonosClientProps) {
    this.token = props.token;
    this.datacenterId = props.datacenterId;
    this.clock = props.clock;
    this.baseUrl = (props.baseUrl ?? 'https://api.ionos.com/cloudapi/v6').replace(/\/+$/, '');
    this.maxAttempts = props.maxAttempts ?? 6;
    this.initialBackoffMs = props.initialBackoffMs ?? 1000;
    this.maxBackoffMs = props.maxBackoffMs ?? 60_000;
    this.pollIntervalMs = props.pollIntervalMs ?? 5000;
    this.callDeadlineMs = props.callDeadlineMs ?? 600_000;
    this.requestTimeoutMs = props.requestTimeoutMs ?? 30_000;
    this.pageSize = props.pageSize ?? 1000;
  }

  public async listServers(): Promise<PoolVm[]> {
    const what = `list servers of datacenter ${this.datacenterId}`;
    const deadline = this.deadline();
    const servers: PoolVm[] = [];
    for (let offset = 0; ; offset += this.pageSize) {
      const path = `/datacenters/${encodeURIComponent(this.datacenterId)}/servers?depth=1&offset=${offset}&limit=${this.pageSize}`;
      const answer = await this.exchange(what, 'GET', `${this.baseUrl}${path}`, deadline);
      const items = (answer.body as { items?: unknown } | undefined)?.items;
      if (!Array.isArray(items)) throw new IonosError(`${what}: the answer holds no items`);
      servers.push(...items.map((item: _ServerJson) => _poolVm(item, what)));
      if (items.length < this.pageSize) return servers;
    }
  }

  public startServer(id: string): Promise<void> {
    return this.act('start', id);
  }

  public stopServer(id: string): Promise<void> {
    return this.act('stop', id);
  }

  private async act(action: 'start' | 'stop', serverId: string): Promise<void> {
    const what = `${action} of server ${serverId}`;
    const deadline = this.deadline();
    const url = `${this.baseUrl}/datacenters/${encodeURIComponent(this.datacenterId)}/servers/${encodeURIComponent(serverId)}/${action}`;

    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) {
        // the last POST may have been accepted: look before sending another
        const server = await this.readServer(what, serverId, deadline);
        if (server.provisioningState === 'BUSY' || server.vmState === TARGET_STATE[action]) {
          return this.awaitServer(what, action, serverId, deadline);
        }
      }
      const outcome = await this.attempt('POST', url);
      if ('answer' in outcome && outcome.answer.status === 202) {
        const location = outcome.answer.headers.get('location');
        if (location === null) throw new IonosError(`${what}: IONOS accepted the request but sent no Location to poll`, 202);
        return this.awaitRequest(what, this.sameOrigin(what, location), deadline);
      }
      if ('answer' in outcome && !_retryable(outcome.answer.status)) {
        throw new IonosError(`${what}: POST ${_pathOf(url)} answered ${_describe(outcome.answer)}`, outcome.answer.status);
      }
      await this.backOff(what, `POST ${_pathOf(url)}`, outcome, attempt, deadline);
    }
  }

  /** Polls a request's status until DONE; throws on FAILED. */
  private async awaitRequest(what: string, statusUrl: string, deadline: number): Promise<void> {
    for (;;) {
      const answer = await this.exchange(what, 'GET', statusUrl, deadline);
      const metadata = (answer.body as { metadata?: { status?: string; message?: string } } | undefined)?.metadata;
      if (metadata?.status === 'DONE') return;
      if (metadata?.status === 'FAILED') {
        throw new IonosError(`${what}: IONOS request ${_requestId(statusUrl)} FAILED: ${metadata.message ?? 'no message'}`);
      }
      await this.sleepWithin(what, this.pollIntervalMs, deadline, `request ${_requestId(statusUrl)} is ${metadata?.status ?? 'unknown'}`);
    }
  }

  /** After a POST of unknown outcome: waits until the server is no longer BUSY, then checks its state. */
  private async awaitServer(what: string, action: 'start' | 'stop', serverId: string, deadline: number): Promise<void> {
    for (;;) {
      const server = await this.readServer(what, serverId, deadline);
      if (server.provisioningState !== 'BUSY') {
        if (server.vmState === TARGET_STATE[action]) return;
        throw new IonosError(
          `${what}: the request's answer was lost and the server ended ${server.vmState}, not ${TARGET_STATE[action]}; not sent again`,
        );
      }
      await this.sleepWithin(what, this.pollIntervalMs, deadline, 'the server is BUSY');
    }
  }

  private async readServer(what: string, serverId: string, deadline: number): Promise<PoolVm> {
    const url = `${this.baseUrl}/datacenters/${encodeURIComponent(this.datacenterId)}/servers/${encodeURIComponent(serverId)}`;
    const answer = await this.exchange(what, 'GET', url, deadline);
    return _poolVm(answer.body as _ServerJson, what);
  }

  /** One GET, retried on 429, 5xx and network errors; throws on any other answer than 200. */
  private async exchange(what: string, method: 'GET', url: string, deadline: number): Promise<_Answer> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(method, url);
      if ('answer' in outcome) {
        if (outcome.answer.status === 200) return outcome.answer;
        if (!_retryable(outcome.answer.status)) {
          throw new IonosError(`${what}: ${method} ${_pathOf(url)} answered ${_describe(outcome.answer)}`, outcome.answer.status);
        }
      }
      await this.backOff(what, `${method} ${_pathOf(url)}`, outcome, attempt, deadline);
    }
  }

  private async attempt(method: string, url: string): Promise<_Outcome> {
    try {
      const response = await fetch(url, {
        method,
        headers: { Authorization: `Bearer ${this.token}`, Accept: 'application/json' },
        signal: AbortSignal.timeout(this.requestTimeoutMs),
      });
      const text = await response.text();
      let body: unknown = undefined;
      if (text !== '') {
        try {
          body = JSON.parse(text) as unknown;
        } catch {
          body = text;
        }
      }
      return { answer: { status: response.status, headers: response.headers, body } };
    } catch (error) {
      return { failure: _cause(error) };
    }
  }

  /** Sleeps before the next attempt, or throws when attempts or time are used up. */
  private async backOff(what: string, exchange: string, outcome: _Outcome, attempt: number, deadline: number): Promise<void> {
    const reason = 'answer' in outcome ? `answered ${_describe(outcome.answer)}` : `failed: ${outcome.failure}`;
    const status = 'answer' in outcome ? outcome.answer.status : undefined;
    if (attempt >= this.maxAttempts) {
      throw new IonosError(`${what}: ${exchange} ${reason}; gave up after ${attempt} attempts`, status);
    }
    const backoff = Math.min(this.maxBackoffMs, this.initialBackoffMs * 2 ** (attempt - 1));
    const retryAfter = 'answer' in outcome ? _retryAfterMs(outcome.answer.headers.get('retry-after'), this.clock.now()) : undefined;
    const wait = retryAfter === undefined ? backoff : Math.min(this.maxBackoffMs, Math.max(retryAfter, 0));
    await this.sleepWithin(what, wait, deadline, `${exchange} ${reason}`);
  }

  private async sleepWithin(what: string, milliseconds: number, deadline: number, state: string): Promise<void> {
    if (this.clock.now().getTime() + milliseconds > deadline) {
      throw new IonosError(`${what}: not done within ${this.callDeadlineMs / 1000} s (${state})`);
    }
    await this.clock.sleep(milliseconds);
  }

  private deadline(): number {
    return this.clock.now().getTime() + this.callDeadlineMs;
  }

  /** The request status URL, refused when it leaves the API's origin (the token goes with it). */
  private sameOrigin(what: string, location: string): string {
    const url = new URL(location, `${this.baseUrl}/`);
    if (url.origin !== new URL(this.baseUrl).origin) {
      throw new IonosError(`${what}: IONOS sent a Location on another origin (${url.origin}); not followed`);
    }
    return url.href;
  }
}

function _poolVm(server: _ServerJson | undefined, what: string): PoolVm {
  const vmState = server?.properties?.vmState;
  const provisioningState = server?.metadata?.state;
  if (server?.id === undefined || vmState === undefined || provisioningState === undefined) {
    throw new IonosError(`${what}: a server without id, properties.vmState or metadata.state (${JSON.stringify(server)})`);
  }
  return { id: server.id, name: server.properties?.name ?? '', vmState, provisioningState };
}

function _retryable(status: number): boolean {
  return status === 429 || status >= 500;
}

/** `Retry-After` in seconds or as an HTTP date, in milliseconds from now. */
function _retryAfterMs(header: string | null, now: Date): number | undefined {
  if (header === null) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : date - now.getTime();
}

function _describe(answer: _Answer): string {
  const messages = (answer.body as { messages?: { message?: string }[] } | undefined)?.messages;
  const text = Array.isArray(messages) ? messages.map((message) => message.message).filter((message) => message !== undefined) : [];
  return text.length > 0 ? `${answer.status}: ${text.join('; ')}` : String(answer.status);
}

function _pathOf(url: string): string {
  return new URL(url).pathname;
}

function _requestId(statusUrl: string): string {
  return /\/requests\/([^/]+)\/status/.exec(statusUrl)?.[1] ?? statusUrl;
}

function _cause(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    if (error.name === 'TimeoutError') return 'timed out';
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}
