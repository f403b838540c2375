import * as https from 'node:https';

/**
 * JSON of any API object or list. The client serves every kind, so callers read the fields they know.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- one alias instead of an `any` per call
export type KubeJson = any;

/** How {@link KubeClient} reaches the API server. */
export interface KubeClientOptions {
  /** `https://127.0.0.1:<port>`. */
  readonly server: string;
  /** A bearer token the server knows. */
  readonly token: string;
  /** PEM of the CA that signed the server's certificate. */
  readonly ca: string;
}

/** An API server response. */
export interface KubeResponse {
  /** HTTP status. */
  readonly status: number;
  /** The parsed JSON body (or the raw text when it is not JSON). */
  readonly body: KubeJson;
}

/** Thrown for a response outside 2xx; the message carries the server's own message. */
export class KubeApiError extends Error {
  /**
   * @param method the request method
   * @param path the request path
   * @param status the HTTP status
   * @param body the parsed response body
   */
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: KubeJson,
  ) {
    super(
      `${method} ${path}: ${status} ${typeof body === 'object' && body !== null && 'message' in body ? String(body.message) : JSON.stringify(body)}`,
    );
    this.name = 'KubeApiError';
  }
}

/**
 * A small JSON client of the Kubernetes API, enough for the control plane to set itself up (nodes, CRDs) and
 * for tests to read what the controllers did. Charts are installed with real Helm, not with this.
 */
export class KubeClient {
  private readonly _agent: https.Agent;

  /** @param options where the server is and how to authenticate */
  constructor(readonly options: KubeClientOptions) {
    // no keep-alive: a socket the server closed while idle would fail the next request with "socket hang up"
    this._agent = new https.Agent({ ca: options.ca, keepAlive: false, maxSockets: 8 });
  }

  /** Sends one request; any status is returned. */
  request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<KubeResponse> {
    const url = new URL(path, this.options.server);
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const request = https.request(
        url,
        {
          method,
          agent: this._agent,
          headers: {
            authorization: `Bearer ${this.options.token}`,
            accept: 'application/json',
            ...(payload === undefined ? {} : { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) }),
          },
          timeout: 30_000,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text === '' ? undefined : JSON.parse(text);
            } catch {
              // not JSON (e.g. /readyz): keep the text
            }
            resolve({ status: response.statusCode ?? 0, body: parsed });
          });
        },
      );
      request.on('timeout', () => request.destroy(new Error(`${method} ${url.pathname}: no answer within 30 s`)));
      request.on('error', reject);
      if (payload !== undefined) request.write(payload);
      request.end();
    });
  }

  /**
   * A request that must succeed (2xx); its body. A 429 answer (the server asks to come back, e.g. while the
   * storage of a just-created CRD initializes) is retried a few times, as client-go does.
   */
  async call(method: string, path: string, body?: unknown, contentType?: string): Promise<KubeJson> {
    for (let attempt = 1; ; attempt += 1) {
      const response = await this.request(method, path, body, contentType);
      if (response.status === 429 && attempt < 10) {
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
        continue;
      }
      if (response.status < 200 || response.status >= 300) throw new KubeApiError(method, path, response.status, response.body);
      return response.body;
    }
  }

  /** GET that must succeed. */
  get(path: string): Promise<KubeJson> {
    return this.call('GET', path);
  }

  /** The items of a list path (e.g. `/api/v1/namespaces/x/pods`), optionally with a label selector. */
  async list(path: string, labelSelector?: string): Promise<KubeJson[]> {
    const query = labelSelector === undefined ? '' : `?labelSelector=${encodeURIComponent(labelSelector)}`;
    return ((await this.get(`${path}${query}`)) as { items: KubeJson[] }).items;
  }

  /** POST that must succeed. */
  create(path: string, object: unknown): Promise<KubeJson> {
    return this.call('POST', path, object);
  }

  /** Server-side apply of one object at its own path, as field manager `meetscale`, taking conflicting fields. */
  apply(objectPath: string, object: unknown): Promise<KubeJson> {
    return this.call('PATCH', `${objectPath}?fieldManager=meetscale&force=true`, object, 'application/apply-patch+yaml');
  }

  /** Closes idle connections. */
  close(): void {
    this._agent.destroy();
  }
}

/**
 * Polls `probe` every `intervalMs` until it returns a value other than `undefined`, and returns it.
 * @throws with `what` and the last error seen when `timeoutMs` passes first
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      const reason = last instanceof Error ? `: ${last.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${reason}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
