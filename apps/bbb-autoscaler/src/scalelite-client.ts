/**
 * Scalelite's admin REST API (blindsidenetworks/scalelite v1.8.5 @ 7498a81), read from config/routes.rb (the
 * `scalelite/api` scope), app/controllers/api/servers_controller.rb, app/controllers/api/scalelite_api_controller.rb,
 * app/controllers/concerns/api_helper.rb and app/controllers/application_controller.rb:
 *
 * - `GET getServers`, `GET getServerInfo?id=`, `POST addServer`, `POST updateServer`, `POST deleteServer`, `POST
 *   panicServer` under `/scalelite/api/`, each with `checksum` in the query string, signed as in ./checksum.ts with
 *   `LOADBALANCER_SECRET`. POST bodies are JSON (`Content-Type: application/json`, else `unsupportedContentType`):
 *   `{ "server": { "url", "secret" } }` for addServer, `{ "server": { "state": "enable" | "cordon" | "disable" } }`
 *   for updateServer. `id` is read from the merged query and body parameters; this client sends it in the query
 *   string, so that the checksum covers which server a call changes (the body is never covered).
 * - A server in JSON: `id`, `url`, `secret`, `tag`, `bbb_version`, `state` (`enabled`, `cordoned`, `disabled`),
 *   `load` (a number, or `"unavailable"` while Scalelite holds none: always for a disabled server, for an offline one,
 *   and for an enabled one not yet polled), `load_multiplier`, `online` (`"online"`, `"offline"`).
 * - Answers: 200 (201 for addServer) with the server or the list; 404 `{ "error": "No servers are configured" }` for
 *   an empty list; 404 `{ "error": "Couldn't find server with id=…" }`; 400 `{ "error": … }` for a refused update. A
 *   wrong or missing checksum is answered with HTTP 200 and BigBlueButton-style XML: `FAILED`, `checksumError`,
 *   "You did not pass the checksum security check".
 */
import { z } from 'zod';

import { _describeFetchError, readBbbResponse } from './bbb-probe';
import { signedQuery } from './checksum';
import type { BalancedServer, BalancerAction, BalancerApi, BalancerState } from './ports';

export interface ScaleliteClientProps {
  /**
   * The admin API's base URL: the cluster-internal Service of Scalelite's api, never the public Ingress, e.g.
   * `http://scalelite-api.bigbluebutton.svc:3000`.
   */
  readonly baseUrl: string;
  /** Scalelite's `LOADBALANCER_SECRET`. */
  readonly secret: string;
  /**
   * How long one call may take, connection and body included, in milliseconds.
   * @default 10000
   */
  readonly timeoutMs?: number;
}

/** A call Scalelite did not answer as documented: names the call and what Scalelite answered. */
export class ScaleliteError extends Error {
  public constructor(
    /** The admin API call, `updateServer`. */
    public readonly call: string,
    /** What Scalelite answered, or why there was no answer. */
    public readonly answer: string,
    /** The HTTP status, when there was an answer. */
    public readonly status?: number,
  ) {
    super(`Scalelite ${call} failed: ${status === undefined ? '' : `HTTP ${status}, `}${answer}`);
    this.name = 'ScaleliteError';
  }
}

const STATE_AFTER: Readonly<Record<BalancerAction, BalancerState>> = {
  enable: 'enabled',
  cordon: 'cordoned',
  disable: 'disabled',
};

const serverSchema = z.object({
  id: z.string().min(1),
  url: z.string().min(1),
  state: z.enum(['enabled', 'cordoned', 'disabled']),
  load: z.union([z.number(), z.literal('unavailable'), z.string().regex(/^[0-9]+(\.[0-9]+)?$/)]),
  online: z.enum(['online', 'offline']),
});

/** Scalelite's server list through its admin API, every call signed with SHA-256 and bounded by a time-out. */
export class ScaleliteClient implements BalancerApi {
  private readonly baseUrl: string;
  private readonly secret: string;
  private readonly timeoutMs: number;

  public constructor(props: ScaleliteClientProps) {
    this.baseUrl = props.baseUrl.replace(/\/+$/, '');
    this.secret = props.secret;
    this.timeoutMs = props.timeoutMs ?? 10_000;
  }

  /**
   * Every server Scalelite knows. A load Scalelite reports as `"unavailable"` is read as 0: Scalelite itself counts no
   * load for such a server, and a cordoned server is only drained once Scalelite reports it `disabled`.
   */
  public async listServers(): Promise<BalancedServer[]> {
    const answer = await this.call('getServers', 'GET', {});
    if (answer.status === 404 && _errorOf(answer.json) === 'No servers are configured') return [];
    this.expectStatus(answer, 200);
    const list = z.array(serverSchema).safeParse(answer.json);
    if (!list.success) throw this.unexpected(answer, list.error);
    return list.data.map(toBalancedServer);
  }

  /** Registers a server; Scalelite adds it `disabled` and `offline`, and polls it from then on. */
  public async addServer(url: string, secret: string): Promise<BalancedServer> {
    const answer = await this.call('addServer', 'POST', {}, { server: { url, secret } });
    this.expectStatus(answer, 201);
    return this.server(answer);
  }

  /**
   * Enables, cordons or disables a server. Cordoning keeps its meetings running; Scalelite's poller disables it once
   * its load is 0.
   */
  public async updateServer(id: string, action: BalancerAction): Promise<void> {
    const answer = await this.call('updateServer', 'POST', { id }, { server: { state: action } });
    this.expectStatus(answer, 200);
    const server = this.server(answer);
    if (server.id !== id || server.state !== STATE_AFTER[action]) {
      throw new ScaleliteError('updateServer', `server ${server.id} is ${server.state} after ${action}`, answer.status);
    }
  }

  private async call(action: string, method: 'GET' | 'POST', params: Readonly<Record<string, string>>, body?: unknown): Promise<_Answer> {
    const url = `${this.baseUrl}/scalelite/api/${action}?${signedQuery(action, params, this.secret, 'sha256')}`;
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      throw new ScaleliteError(action, _describeFetchError(error, this.timeoutMs));
    }
    // Scalelite answers refusals by its BigBlueButton-style error handler with XML and HTTP 200.
    const xml = readBbbResponse(text);
    if (xml !== undefined) {
      throw new ScaleliteError(action, `${xml.returncode} ${xml.messageKey ?? ''}: ${xml.message ?? ''}`.trim(), response.status);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { action, status: response.status, text, json };
  }

  private expectStatus(answer: _Answer, status: number): void {
    if (answer.status === status) return;
    const error = _errorOf(answer.json);
    throw new ScaleliteError(answer.action, error ?? _excerpt(answer.text), answer.status);
  }

  private server(answer: _Answer): BalancedServer {
    const server = serverSchema.safeParse(answer.json);
    if (!server.success) throw this.unexpected(answer, server.error);
    return toBalancedServer(server.data);
  }

  private unexpected(answer: _Answer, error: z.ZodError): ScaleliteError {
    const first = error.issues[0];
    const where = first === undefined || first.path.length === 0 ? 'the answer' : first.path.join('.');
    return new ScaleliteError(
      answer.action,
      `unexpected answer (${where}: ${first?.message ?? 'invalid'}): ${_excerpt(answer.text)}`,
      answer.status,
    );
  }
}

/** @internal One answer of the admin API that is not an XML refusal. */
interface _Answer {
  readonly action: string;
  readonly status: number;
  readonly text: string;
  readonly json: unknown;
}

function toBalancedServer(server: z.infer<typeof serverSchema>): BalancedServer {
  return {
    id: server.id,
    url: server.url,
    state: server.state,
    load: server.load === 'unavailable' ? 0 : Number(server.load),
    online: server.online === 'online',
  };
}

/** @internal The `error` of a JSON answer `{ "error": "…" }`. */
function _errorOf(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null || !('error' in json)) return undefined;
  return typeof json.error === 'string' ? json.error : undefined;
}

/** @internal The start of an answer's text, on one line. */
function _excerpt(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line === '') return 'an empty answer';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
