/**
 * Loopback fakes of BigBlueButton servers' API, one HTTP listener per server: each real server is an origin of its own,
 * so refusing connections, a 502 from its nginx or a hung bbb-web must affect that server only, and a hanging server
 * must not hold up the others.
 *
 * What a fake answers, from bigbluebutton/bigbluebutton:
 * - docs/docs/development/api.md (@ 003e3832): "API Security Model" (checksum = digest of call name + query string +
 *   shared secret) and "Error handling" (`FAILED` with `messageKey` and `message`; `checksumError` "Checksums do not
 *   match");
 * - bbb-common-web `GetChecksumValidator.java` (@ 4b5d4e9e): the digest chosen by the checksum's length (40 SHA-1,
 *   64 SHA-256, 96 SHA-384, 128 SHA-512) among `supportedChecksumAlgorithms`, compared ignoring case; `GetChecksum.java`
 *   (@ 02235b9d): `checksum=…` removed from the query string as text; `Checksum.java` (@ 393d67f0): a missing checksum
 *   is `checksumError` "You must provide the checksum";
 * - bigbluebutton-web `ApiController.groovy` getMeetings: `SUCCESS`, an empty `<meetings/>` with `noMeetings`
 *   "no meetings were found on this server" when none runs. Errors and successes alike come with HTTP 200.
 *
 * Verification is written here apart from the client's signing (src/checksum.ts), so that the two cannot drift together.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

import { listenOnLoopback, stopListening } from './loopback';

/** A digest BigBlueButton accepts for a checksum (`supportedChecksumAlgorithms`). */
export type BbbChecksumAlgorithm = 'sha1' | 'sha256' | 'sha384' | 'sha512';

/**
 * How the server behaves: `serving` its API; `refusing` connections (the VM stopped or nginx down); `bad-gateway`,
 * nginx answering 502 with its HTML page (bbb-web down); `hanging`, accepting the request and never answering.
 */
export type BbbFakeHealth = 'serving' | 'refusing' | 'bad-gateway' | 'hanging';

export interface BbbFakeProps {
  /** The server's shared secret (`securitySalt`). */
  readonly secret: string;
  /**
   * `supportedChecksumAlgorithms` of bbb-web.
   * @default ['sha1', 'sha256', 'sha384', 'sha512'] - BigBlueButton's default
   */
  readonly algorithms?: readonly BbbChecksumAlgorithm[];
}

/** One request a fake received (hanging ones included, with status 0). */
export interface BbbFakeCall {
  readonly method: string;
  readonly path: string;
  /** The raw query string. */
  readonly query: string;
  readonly status: number;
  /** The body of the answer. */
  readonly answer: string;
}

const CHECKSUM_LENGTHS: Readonly<Record<number, BbbChecksumAlgorithm>> = {
  40: 'sha1',
  64: 'sha256',
  96: 'sha384',
  128: 'sha512',
};

const API = '/bigbluebutton/api';

/**
 * Whether BigBlueButton accepts `checksum` for `apiCall` with this raw query string: `checksum=…` removed from the
 * query string as text, then the digest the checksum's length names (if supported) of `apiCall + query + secret`,
 * compared ignoring case.
 */
export function bbbChecksumValid(
  apiCall: string,
  rawQuery: string,
  checksum: string,
  secret: string,
  algorithms: readonly BbbChecksumAlgorithm[] = ['sha1', 'sha256', 'sha384', 'sha512'],
): boolean {
  const algorithm = CHECKSUM_LENGTHS[checksum.length];
  if (algorithm === undefined || !algorithms.includes(algorithm)) return false;
  const query = rawQuery
    .split(`&checksum=${checksum}`)
    .join('')
    .split(`checksum=${checksum}&`)
    .join('')
    .split(`checksum=${checksum}`)
    .join('');
  const expected = createHash(algorithm).update(`${apiCall}${query}${secret}`, 'utf8').digest('hex');
  return expected.toLowerCase() === checksum.toLowerCase();
}

/** One BigBlueButton server's API on 127.0.0.1, on a port of its own. */
export class BbbFake {
  /** Starts a fake server on 127.0.0.1 and a free port, serving. */
  public static async start(props: BbbFakeProps): Promise<BbbFake> {
    const fake = new BbbFake(props);
    await fake.listen(0);
    return fake;
  }

  /** The server's shared secret. */
  public readonly secret: string;
  private readonly algorithms: readonly BbbChecksumAlgorithm[];
  private readonly received: BbbFakeCall[] = [];
  private readonly http: Server;
  private port = 0;
  private state: BbbFakeHealth = 'serving';
  private closed = false;
  /** The meetings running, by id: what `getMeetings` lists. */
  private running: string[] = [];

  private constructor(props: BbbFakeProps) {
    this.secret = props.secret;
    this.algorithms = props.algorithms ?? ['sha1', 'sha256', 'sha384', 'sha512'];
    this.http = createServer((request, response) => this.handle(request, response));
  }

  /** The API URL as Scalelite holds it: `http://127.0.0.1:PORT/bigbluebutton/api/` (the same after an outage). */
  public get apiUrl(): string {
    return `http://127.0.0.1:${this.port}${API}/`;
  }

  public get health(): BbbFakeHealth {
    return this.state;
  }

  /** Every request received, in order. */
  public get calls(): readonly BbbFakeCall[] {
    return [...this.received];
  }

  /** The meetings running on the server (their ids), as `getMeetings` lists them. */
  public set meetings(ids: readonly string[]) {
    this.running = [...ids];
  }

  public get meetings(): readonly string[] {
    return [...this.running];
  }

  /** Changes how the server behaves; `refusing` closes its port, leaving it reopens the same port. */
  public async setHealth(health: BbbFakeHealth): Promise<void> {
    if (this.closed) throw new Error('the BigBlueButton fake is closed');
    const was = this.state;
    this.state = health;
    if (health === 'refusing' && was !== 'refusing') await this.stopListening();
    if (health !== 'refusing' && was === 'refusing') await this.listen(this.port);
  }

  /** Stops the fake: closes its port and every connection, hanging requests included. */
  public async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.state !== 'refusing') await this.stopListening();
  }

  private async listen(port: number): Promise<void> {
    this.port = await listenOnLoopback(this.http, port);
  }

  private async stopListening(): Promise<void> {
    await stopListening(this.http);
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const method = request.method ?? 'GET';
    const target = request.url ?? '/';
    const mark = target.indexOf('?');
    const path = mark === -1 ? target : target.slice(0, mark);
    const query = mark === -1 ? '' : target.slice(mark + 1);
    request.resume();
    if (this.state === 'hanging') {
      this.received.push({ method, path, query, status: 0, answer: '' });
      return;
    }
    const reply = this.state === 'bad-gateway' ? badGateway() : this.answer(method, path, query);
    this.received.push({ method, path, query, status: reply.status, answer: reply.body });
    response.writeHead(reply.status, { 'content-type': reply.contentType });
    response.end(reply.body);
  }

  private answer(method: string, path: string, query: string): { status: number; contentType: string; body: string } {
    if (method !== 'GET' && method !== 'POST') return notFound();
    if (path === API || path === `${API}/`) {
      return xml(
        '<response><returncode>SUCCESS</returncode><version>2.0</version><apiVersion>2.0</apiVersion>' +
          '<bbbVersion>3.0.0</bbbVersion></response>',
      );
    }
    if (path !== `${API}/getMeetings`) return notFound();
    const checksum = new URLSearchParams(query).get('checksum') ?? '';
    if (checksum === '') return xml(failed('checksumError', 'You must provide the checksum'));
    if (!bbbChecksumValid('getMeetings', query, checksum, this.secret, this.algorithms)) {
      return xml(failed('checksumError', 'Checksums do not match'));
    }
    if (this.running.length > 0) {
      const meetings = this.running
        .map((id) => `<meeting><meetingName>${id}</meetingName><meetingID>${id}</meetingID><running>true</running></meeting>`)
        .join('');
      return xml(`<response><returncode>SUCCESS</returncode><meetings>${meetings}</meetings></response>`);
    }
    return xml(
      '<response><returncode>SUCCESS</returncode><meetings/><messageKey>noMeetings</messageKey>' +
        '<message>no meetings were found on this server</message></response>',
    );
  }
}

/** Starts one fake per secret. */
export async function startBbbFakes(secrets: readonly string[]): Promise<BbbFake[]> {
  return Promise.all(secrets.map((secret) => BbbFake.start({ secret })));
}

function failed(key: string, message: string): string {
  return `<response><returncode>FAILED</returncode><messageKey>${key}</messageKey><message>${message}</message></response>`;
}

function xml(body: string): { status: number; contentType: string; body: string } {
  return { status: 200, contentType: 'text/xml;charset=utf-8', body };
}

function notFound(): { status: number; contentType: string; body: string } {
  return { status: 404, contentType: 'text/html', body: nginxPage('404 Not Found') };
}

function badGateway(): { status: number; contentType: string; body: string } {
  return { status: 502, contentType: 'text/html', body: nginxPage('502 Bad Gateway') };
}

function nginxPage(title: string): string {
  return (
    `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n` +
    '<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n'
  );
}
