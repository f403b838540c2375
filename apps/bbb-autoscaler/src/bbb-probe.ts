/**
 * Whether a BigBlueButton server serves its API: the call Scalelite's poller makes of every server
 * (lib/tasks/poll.rake `poll:servers`, blindsidenetworks/scalelite v1.8.5 @ 7498a81: `getMeetings` with no parameters,
 * signed with the server's secret, success when `/response/returncode` is `SUCCESS`, redirects not followed). A server
 * this probe accepts is one Scalelite's poller accepts too, so enabling it does not start a count of failed polls.
 *
 * BigBlueButton answers every call with XML (docs/docs/development/api.md, "Error handling", bigbluebutton/bigbluebutton
 * @ 003e3832): `<response><returncode>SUCCESS</returncode><meetings/>…</response>`, or `FAILED` with `messageKey` and
 * `message` (`checksumError`, "Checksums do not match"), with HTTP 200 in both cases.
 */
import { signedQuery } from './checksum';
import type { ServerProbe } from './ports';

export interface BbbProbeProps {
  /**
   * How long one probe may take, connection and body included, in milliseconds.
   * @default 5000
   */
  readonly timeoutMs?: number;
}

/** The outcome of one probe, with the reason when the server does not serve (never containing the secret). */
export interface ProbeResult {
  readonly serves: boolean;
  readonly reason: string;
}

/** The standard part of a BigBlueButton API response. */
export interface BbbResponse {
  /** `SUCCESS` or `FAILED`. */
  readonly returncode: string;
  readonly messageKey?: string;
  readonly message?: string;
}

/** Probes BigBlueButton servers with a checksum-signed `getMeetings` (SHA-256). */
export class BbbProbe implements ServerProbe {
  private readonly timeoutMs: number;

  public constructor(props: BbbProbeProps = {}) {
    this.timeoutMs = props.timeoutMs ?? 5000;
  }

  public async serves(apiUrl: string, secret: string): Promise<boolean> {
    return (await this.probe(apiUrl, secret)).serves;
  }

  public async meetings(apiUrl: string, secret: string): Promise<number | undefined> {
    const answer = await this.getMeetings(apiUrl, secret);
    if (!answer.serves || answer.root === undefined) return undefined;
    const list = answer.root.children.find((element) => element.name === 'meetings');
    return list === undefined ? undefined : list.children.filter((element) => element.name === 'meeting').length;
  }

  /** As {@link serves}, with the reason for a server that does not serve (for logs and decisions). */
  public async probe(apiUrl: string, secret: string): Promise<ProbeResult> {
    const { serves, reason } = await this.getMeetings(apiUrl, secret);
    return { serves, reason };
  }

  /** A signed `getMeetings`: whether it succeeded, why not, and the response's root element. */
  private async getMeetings(apiUrl: string, secret: string): Promise<ProbeResult & { root?: _XmlElement }> {
    let url: URL;
    try {
      // As Scalelite's `encode_bbb_uri`: the call name joined to the API URL, which gets a trailing slash.
      url = new URL('getMeetings', apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`);
    } catch {
      return { serves: false, reason: `not a URL: ${apiUrl}` };
    }
    url.search = signedQuery('getMeetings', {}, secret, 'sha256');
    try {
      const response = await fetch(url, {
        headers: { accept: 'application/xml, text/xml' },
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const body = await response.text();
      if (response.status !== 200) return { serves: false, reason: `HTTP ${response.status}` };
      const root = _parseXml(body);
      const answer = root === undefined ? undefined : responseOf(root);
      if (root === undefined || answer === undefined) return { serves: false, reason: 'HTTP 200 without a BigBlueButton XML response' };
      if (answer.returncode !== 'SUCCESS') {
        return { serves: false, reason: `${answer.returncode} ${answer.messageKey ?? ''}: ${answer.message ?? ''}` };
      }
      return { serves: true, reason: 'SUCCESS', root };
    } catch (error) {
      return { serves: false, reason: _describeFetchError(error, this.timeoutMs) };
    }
  }
}

/**
 * Reads the standard elements of a BigBlueButton API response: the direct children `returncode`, `messageKey` and
 * `message` of the root element `response`. Undefined when the text is not well-formed XML (an HTML error page, a
 * truncated body) or not such a response. Text inside `message` or deeper elements is never taken for `returncode`.
 */
export function readBbbResponse(text: string): BbbResponse | undefined {
  const root = _parseXml(text);
  return root === undefined ? undefined : responseOf(root);
}

function responseOf(root: _XmlElement): BbbResponse | undefined {
  if (root.name !== 'response') return undefined;
  const child = (name: string): string | undefined => root.children.find((element) => element.name === name)?.text.trim();
  const returncode = child('returncode');
  if (returncode === undefined) return undefined;
  return { returncode, messageKey: child('messageKey'), message: child('message') };
}

/**
 * @internal What a failed `fetch` says, without the URL (whose query holds a checksum): the time-out, or the cause's
 * message (`connect ECONNREFUSED 127.0.0.1:8080`). Read by shape, not `instanceof`: fetch's errors may come from
 * another realm.
 */
export function _describeFetchError(error: unknown, timeoutMs: number): string {
  const name = _field(error, 'name');
  if (name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = typeof error === 'object' && error !== null && 'cause' in error ? error.cause : undefined;
  return _field(cause, 'message') || _field(error, 'message') || String(error);
}

function _field(value: unknown, key: 'name' | 'message'): string {
  if (typeof value !== 'object' || value === null || !(key in value)) return '';
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' ? field : '';
}

/** @internal An element of a parsed document: its name, child elements and its own text (entities and CDATA decoded). */
export interface _XmlElement {
  readonly name: string;
  readonly children: _XmlElement[];
  text: string;
}

const MAX_DEPTH = 64;
const ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const NAME = /[A-Za-z_:\u0080-\uffff][-A-Za-z0-9_:.\u0080-\uffff]*/y;
const SPACE = /[ \t\r\n]*/y;

/**
 * @internal A small non-validating XML parser, enough for BigBlueButton's responses: elements, attributes (read and
 * dropped), text with the five predefined entities and character references, CDATA, comments and processing
 * instructions. Anything else, a document type declaration included (BigBlueButton sends none, HTML pages do), makes
 * the document not well-formed: undefined.
 */
export function _parseXml(source: string): _XmlElement | undefined {
  try {
    return new _XmlReader(source).document();
  } catch (error) {
    if (error instanceof _NotWellFormed) return undefined;
    throw error;
  }
}

class _NotWellFormed extends Error {}

class _XmlReader {
  private position = 0;

  public constructor(private readonly source: string) {
    if (source.charCodeAt(0) === 0xfeff) this.position = 1;
  }

  public document(): _XmlElement {
    this.misc();
    const root = this.element(0);
    this.misc();
    if (this.position !== this.source.length) this.fail();
    return root;
  }

  /** Whitespace, comments and processing instructions (the XML declaration among them) outside the root element. */
  private misc(): void {
    for (;;) {
      this.space();
      if (this.source.startsWith('<!--', this.position)) this.comment();
      else if (this.source.startsWith('<?', this.position)) this.instruction();
      else return;
    }
  }

  private element(depth: number): _XmlElement {
    if (depth > MAX_DEPTH) this.fail();
    this.expect('<');
    const element: _XmlElement = { name: this.name(), children: [], text: '' };
    for (;;) {
      const spaced = this.space();
      if (this.source.startsWith('/>', this.position)) {
        this.position += 2;
        return element;
      }
      if (this.source.startsWith('>', this.position)) {
        this.position += 1;
        break;
      }
      if (!spaced) this.fail();
      this.attribute();
    }
    for (;;) {
      const next = this.source.indexOf('<', this.position);
      if (next === -1) this.fail();
      element.text += this.decode(this.source.slice(this.position, next));
      this.position = next;
      if (this.source.startsWith('</', this.position)) {
        this.position += 2;
        if (this.name() !== element.name) this.fail();
        this.space();
        this.expect('>');
        return element;
      }
      if (this.source.startsWith('<!--', this.position)) this.comment();
      else if (this.source.startsWith('<![CDATA[', this.position)) element.text += this.until(']]>', 9);
      else if (this.source.startsWith('<?', this.position)) this.instruction();
      else element.children.push(this.element(depth + 1));
    }
  }

  private attribute(): void {
    this.name();
    this.space();
    this.expect('=');
    this.space();
    const quote = this.source[this.position];
    if (quote !== '"' && quote !== "'") this.fail();
    const end = this.source.indexOf(quote, this.position + 1);
    if (end === -1) this.fail();
    const value = this.source.slice(this.position + 1, end);
    if (value.includes('<')) this.fail();
    this.decode(value);
    this.position = end + 1;
  }

  private comment(): void {
    const body = this.until('-->', 4);
    if (body.includes('--')) this.fail();
  }

  private instruction(): void {
    this.position += 2;
    this.name();
    this.until('?>', 0);
  }

  /** The text from `skip` characters on up to `terminator`, the reader placed after the terminator. */
  private until(terminator: string, skip: number): string {
    const start = this.position + skip;
    const end = this.source.indexOf(terminator, start);
    if (end === -1) this.fail();
    this.position = end + terminator.length;
    return this.source.slice(start, end);
  }

  private name(): string {
    NAME.lastIndex = this.position;
    const match = NAME.exec(this.source);
    if (match === null) this.fail();
    this.position = NAME.lastIndex;
    return match[0];
  }

  /** Skips whitespace; whether there was any. */
  private space(): boolean {
    SPACE.lastIndex = this.position;
    SPACE.exec(this.source);
    const moved = SPACE.lastIndex > this.position;
    this.position = SPACE.lastIndex;
    return moved;
  }

  private expect(text: string): void {
    if (!this.source.startsWith(text, this.position)) this.fail();
    this.position += text.length;
  }

  private decode(text: string): string {
    if (text.includes(']]>')) this.fail();
    return text.replace(/&([^;&<]*);?/g, (reference: string, body: string) => {
      if (!reference.endsWith(';')) this.fail();
      const named = ENTITIES[body];
      if (named !== undefined) return named;
      const code = /^#x[0-9A-Fa-f]+$/.test(body)
        ? Number.parseInt(body.slice(2), 16)
        : /^#[0-9]+$/.test(body)
          ? Number.parseInt(body.slice(1), 10)
          : Number.NaN;
      if (!(code >= 1 && code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) this.fail();
      return String.fromCodePoint(code);
    });
  }

  private fail(): never {
    throw new _NotWellFormed(`not well-formed XML at ${this.position}`);
  }
}
