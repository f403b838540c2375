import { createHash } from 'node:crypto';

import { _parseXml, BbbProbe, readBbbResponse } from '../src/bbb-probe';
import { type BbbChecksumAlgorithm, bbbChecksumValid, BbbFake, startBbbFakes } from './fakes/bbb-fake';

const SECRET = 'bbb-03-secret';
const started: BbbFake[] = [];

async function fake(secret = SECRET, algorithms?: readonly BbbChecksumAlgorithm[]): Promise<BbbFake> {
  const server = await BbbFake.start(algorithms === undefined ? { secret } : { secret, algorithms });
  started.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.close()));
});

describe('the checksum rule', () => {
  test("GIVEN BigBlueButton's documented example THEN the fake accepts the documented SHA-1", () => {
    // docs/docs/development/api.md, "API Security Model": the create call, its query string, secret and SHA-1.
    const query = 'name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444';
    const checksum = '1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17';
    const secret = '639259d4-9dd8-4b25-bf01-95f9567eaf4b';
    expect(bbbChecksumValid('create', `${query}&checksum=${checksum}`, checksum, secret)).toBe(true);
    // SHA-256 of the same string, computed with coreutils sha256sum
    const sha256 = 'da9185f7f333cfdfcd6eeac32dca3777510c4c436020d8b887ba5515bd1d189e';
    expect(bbbChecksumValid('create', `${query}&checksum=${sha256}`, sha256, secret)).toBe(true);
    expect(bbbChecksumValid('create', `${query}&checksum=${sha256.toUpperCase()}`, sha256.toUpperCase(), secret)).toBe(true);
    expect(bbbChecksumValid('create', `${query}&checksum=${sha256}`, sha256, secret, ['sha1', 'sha512'])).toBe(false);
    expect(bbbChecksumValid('create', `${query.replace('abc123', 'abc124')}&checksum=${checksum}`, checksum, secret)).toBe(false);
  });

  // printf '%s' 'getMeetingsbbb-03-secret' | sha256sum (and sha384sum): computed outside Node, from the documented formula.
  const GET_MEETINGS_SHA256 = 'f9c0ef2e60ddb44d8c2e4c683ea228f89ce4dab3afd0baf11cbcfb5eca16186f';
  const GET_MEETINGS_SHA384 = 'd0c019e4df401ed3dbd170ec1e97e62fde823469d0a1e168d3363facae8f2ce0cf5a9990c3b9d977383f1b2ee0a11ae1';

  test('GIVEN a getMeetings built by hand with known vectors THEN the fake answers SUCCESS', async () => {
    const server = await fake();
    for (const checksum of [GET_MEETINGS_SHA256, GET_MEETINGS_SHA384]) {
      const response = await fetch(`${server.apiUrl}getMeetings?checksum=${checksum}`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(
        '<response><returncode>SUCCESS</returncode><meetings/><messageKey>noMeetings</messageKey>' +
          '<message>no meetings were found on this server</message></response>',
      );
    }
  });

  test('GIVEN a wrong or missing checksum THEN the fake answers the documented checksumError', async () => {
    const server = await fake('another-secret');
    const wrong = await fetch(`${server.apiUrl}getMeetings?checksum=${GET_MEETINGS_SHA256}`);
    expect(wrong.status).toBe(200);
    expect(await wrong.text()).toBe(
      '<response><returncode>FAILED</returncode><messageKey>checksumError</messageKey>' +
        '<message>Checksums do not match</message></response>',
    );
    const missing = await fetch(`${server.apiUrl}getMeetings`);
    expect(readBbbResponse(await missing.text())).toEqual({
      returncode: 'FAILED',
      messageKey: 'checksumError',
      message: 'You must provide the checksum',
    });
  });
});

describe('readBbbResponse', () => {
  test('GIVEN a SUCCESS response with a declaration, attributes, comments and entities THEN it reads the standard elements', () => {
    const xml =
      '\ufeff<?xml version="1.0" encoding="UTF-8"?>\n<!-- bbb-web -->\n<response>\n  <returncode>SUCCESS</returncode>\n' +
      "  <meetings><meeting id='1'><meetingName>Mathe &amp; Physik &#x2013; 7b</meetingName></meeting></meetings>\n" +
      '  <messageKey/>\n</response>\n';
    expect(readBbbResponse(xml)).toEqual({ returncode: 'SUCCESS', messageKey: '', message: undefined });
  });

  test('GIVEN a FAILED response whose message holds a SUCCESS returncode as text THEN it stays FAILED', () => {
    const escaped =
      '<response><returncode>FAILED</returncode><messageKey>checksumError</messageKey>' +
      '<message>&lt;returncode&gt;SUCCESS&lt;/returncode&gt;</message></response>';
    expect(readBbbResponse(escaped)).toEqual({
      returncode: 'FAILED',
      messageKey: 'checksumError',
      message: '<returncode>SUCCESS</returncode>',
    });
    const cdata = '<response><returncode>FAILED</returncode><message><![CDATA[<returncode>SUCCESS</returncode>]]></message></response>';
    expect(readBbbResponse(cdata)?.returncode).toBe('FAILED');
  });

  test('GIVEN a returncode only below the root THEN it is no response', () => {
    expect(readBbbResponse('<response><meetings><returncode>SUCCESS</returncode></meetings></response>')).toBeUndefined();
    expect(readBbbResponse('<result><returncode>SUCCESS</returncode></result>')).toBeUndefined();
  });

  test.each([
    ['an HTML page', '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><hr></body>\r\n</html>\r\n'],
    ['a document type', '<!DOCTYPE response><response><returncode>SUCCESS</returncode></response>'],
    ['a truncated document', '<response><returncode>SUCCESS</returncode>'],
    ['mismatched tags', '<response><returncode>SUCCESS</message></response>'],
    ['text after the root', '<response><returncode>SUCCESS</returncode></response>SUCCESS'],
    ['a bare ampersand', '<response><returncode>SUCCESS</returncode><message>a & b</message></response>'],
    ['an unknown entity', '<response><returncode>SUCCESS&nbsp;</returncode></response>'],
    ['JSON', '{"returncode":"SUCCESS"}'],
    ['nothing', ''],
  ])('GIVEN %s THEN it is no response', (_what, text) => {
    expect(readBbbResponse(text)).toBeUndefined();
  });

  test('GIVEN deeply nested elements THEN parsing stops without overflowing', () => {
    expect(_parseXml(`${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}`)).toBeUndefined();
    expect(_parseXml('<a>&#65;&#x42;<b/>&quot;</a>')).toEqual({
      name: 'a',
      children: [{ name: 'b', children: [], text: '' }],
      text: 'AB"',
    });
  });
});

describe('BbbProbe', () => {
  const probe = new BbbProbe({ timeoutMs: 300 });

  test('GIVEN a serving server THEN it serves, probed with a SHA-256 getMeetings as Scalelite polls', async () => {
    const server = await fake();

    expect(await probe.serves(server.apiUrl, SECRET)).toBe(true);

    const checksum = createHash('sha256').update(`getMeetings${SECRET}`).digest('hex');
    expect(server.calls).toEqual([
      { method: 'GET', path: '/bigbluebutton/api/getMeetings', query: `checksum=${checksum}`, status: 200, answer: expect.any(String) },
    ]);
  });

  test('GIVEN an API URL without the trailing slash THEN the call goes to the same path', async () => {
    const server = await fake();
    expect(await probe.serves(server.apiUrl.replace(/\/$/, ''), SECRET)).toBe(true);
    expect(server.calls[0]?.path).toBe('/bigbluebutton/api/getMeetings');
  });

  test('GIVEN the wrong secret THEN it does not serve, for BigBlueButton’s checksumError', async () => {
    const server = await fake();
    expect(await probe.probe(server.apiUrl, 'not-the-secret')).toEqual({
      serves: false,
      reason: 'FAILED checksumError: Checksums do not match',
    });
  });

  test('GIVEN a server that does not accept SHA-256 THEN it does not serve', async () => {
    const server = await fake(SECRET, ['sha512']);
    expect(await probe.serves(server.apiUrl, SECRET)).toBe(false);
  });

  test('GIVEN a server refusing connections THEN it does not serve, and serves once it is back', async () => {
    const server = await fake();
    await server.setHealth('refusing');
    expect(await probe.probe(server.apiUrl, SECRET)).toEqual({
      serves: false,
      reason: expect.stringMatching(/^connect ECONNREFUSED 127\.0\.0\.1:\d+$/),
    });

    await server.setHealth('serving');
    expect(await probe.serves(server.apiUrl, SECRET)).toBe(true);
  });

  test('GIVEN nginx answering 502 with its HTML page THEN it does not serve', async () => {
    const server = await fake();
    await server.setHealth('bad-gateway');
    expect(await probe.probe(server.apiUrl, SECRET)).toEqual({ serves: false, reason: 'HTTP 502' });
  });

  test('GIVEN a server that hangs THEN it does not serve, after the time-out', async () => {
    const server = await fake();
    await server.setHealth('hanging');
    const start = Date.now();
    expect(await probe.probe(server.apiUrl, SECRET)).toEqual({ serves: false, reason: 'no answer within 300 ms' });
    expect(Date.now() - start).toBeLessThan(2000);
    expect(server.calls).toEqual([expect.objectContaining({ status: 0 })]);
  });

  test('GIVEN several servers THEN each is probed with its own secret and health', async () => {
    const servers = await startBbbFakes(['s-1', 's-2', 's-3']);
    started.push(...servers);
    await servers[1]?.setHealth('bad-gateway');
    const results = await Promise.all(servers.map((server) => probe.serves(server.apiUrl, server.secret)));
    expect(results).toEqual([true, false, true]);
  });

  test('GIVEN something that is not a URL THEN it does not serve', async () => {
    expect(await probe.probe('bbb-03 api', SECRET)).toEqual({ serves: false, reason: 'not a URL: bbb-03 api' });
  });
});
