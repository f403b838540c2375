import { createHash } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';

import { apiChecksum, signedQuery } from '../src/checksum';
import { ScaleliteClient, ScaleliteError } from '../src/scalelite-client';
import { scaleliteChecksumValid, ScaleliteFake } from './fakes/scalelite-fake';

const SECRET = 'lb-secret-for-tests';
const CHECKSUM_REFUSED = 'Scalelite getServers failed: HTTP 200, FAILED checksumError: You did not pass the checksum security check';

let fake: ScaleliteFake;

beforeEach(async () => {
  fake = await ScaleliteFake.start({ secrets: [SECRET] });
});

afterEach(async () => {
  await fake.close();
});

function client(secret = SECRET): ScaleliteClient {
  return new ScaleliteClient({ baseUrl: fake.url, secret, timeoutMs: 2000 });
}

async function listen<T extends HttpServer | NetServer>(server: T): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening');
  return `http://127.0.0.1:${address.port}`;
}

describe('the checksum rule', () => {
  test("GIVEN BigBlueButton's documented example THEN the signer computes the documented SHA-1", () => {
    // docs/docs/development/api.md, "API Security Model", step 4.
    expect(
      apiChecksum(
        'create',
        'name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444',
        '639259d4-9dd8-4b25-bf01-95f9567eaf4b',
        'sha1',
      ),
    ).toBe('1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17');
  });

  // The vectors below were computed outside Node, with coreutils, from the formula of api_helper.rb `verify_checksum`:
  // printf '%s' 'getServerInfoid=bbb-03lb-secret-for-tests' | sha256sum (and sha1sum, sha512sum for getServers).
  const GET_SERVER_INFO_SHA256 = 'b3e5c48c7c1979616583e71f81343b897c8d926ec1e298546d1a3450bb77e3af';
  const GET_SERVERS_SHA1 = 'a72748ce95c4cd530a089690030c3ed7b0cdd9d4';
  const GET_SERVERS_SHA512 =
    'b135c4630186f07a5b85fbd53de77a5cd52924e0af7698e6c626ae0b96e624cf8a7c0106846ffa7a8d7c3aed2a667f6a3fb9fd4eb0beb89e5e04379eeba2e509';

  test('GIVEN known vectors WHEN the fake verifies them THEN it accepts SHA-1, SHA-256 and SHA-512, wherever the checksum stands', () => {
    expect(scaleliteChecksumValid('getServerInfo', `id=bbb-03&checksum=${GET_SERVER_INFO_SHA256}`, GET_SERVER_INFO_SHA256, [SECRET])).toBe(
      true,
    );
    expect(scaleliteChecksumValid('getServerInfo', `checksum=${GET_SERVER_INFO_SHA256}&id=bbb-03`, GET_SERVER_INFO_SHA256, [SECRET])).toBe(
      true,
    );
    expect(scaleliteChecksumValid('getServers', `checksum=${GET_SERVERS_SHA1}`, GET_SERVERS_SHA1, [SECRET])).toBe(true);
    expect(scaleliteChecksumValid('getServers', `checksum=${GET_SERVERS_SHA512}`, GET_SERVERS_SHA512, [SECRET])).toBe(true);
    expect(apiChecksum('getServerInfo', 'id=bbb-03', SECRET, 'sha256')).toBe(GET_SERVER_INFO_SHA256);
  });

  test('GIVEN a checksum Scalelite would refuse THEN the fake refuses it', () => {
    const query = (checksum: string): string => `id=bbb-03&checksum=${checksum}`;
    const refused = (checksum: string, secrets = [SECRET]): boolean =>
      scaleliteChecksumValid('getServerInfo', query(checksum), checksum, secrets);
    // upper-case hex: Scalelite compares with its lower-case hexdigest exactly
    expect(refused(GET_SERVER_INFO_SHA256.toUpperCase())).toBe(false);
    // another query string, another action, another secret
    expect(scaleliteChecksumValid('getServerInfo', 'id=bbb-04', GET_SERVER_INFO_SHA256, [SECRET])).toBe(false);
    expect(scaleliteChecksumValid('getServers', query(GET_SERVER_INFO_SHA256), GET_SERVER_INFO_SHA256, [SECRET])).toBe(false);
    expect(refused(GET_SERVER_INFO_SHA256, ['another-secret'])).toBe(false);
    // SHA-384 has no length Scalelite recognizes
    const sha384 = createHash('sha384').update(`getServerInfoid=bbb-03${SECRET}`).digest('hex');
    expect(refused(sha384)).toBe(false);
    // missing, and an algorithm LOADBALANCER_CHECKSUM_ALGORITHM does not allow
    expect(scaleliteChecksumValid('getServers', '', undefined, [SECRET])).toBe(false);
    expect(scaleliteChecksumValid('getServers', `checksum=${GET_SERVERS_SHA1}`, GET_SERVERS_SHA1, [SECRET], ['SHA256'])).toBe(false);
    // any of several secrets signs
    expect(refused(GET_SERVER_INFO_SHA256, ['old-secret', SECRET])).toBe(true);
  });

  test('GIVEN a request built by hand with a known vector WHEN sent to the fake THEN it answers the server', async () => {
    fake.seed({ id: 'bbb-03', url: 'https://bbb-03.example.org/bigbluebutton/api/', secret: 's3' });
    const response = await fetch(`${fake.url}/scalelite/api/getServerInfo?id=bbb-03&checksum=${GET_SERVER_INFO_SHA256}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      id: 'bbb-03',
      url: 'https://bbb-03.example.org/bigbluebutton/api/',
      secret: 's3',
      tag: '',
      bbb_version: '',
      state: 'disabled',
      load: 'unavailable',
      load_multiplier: '1.0',
      online: 'offline',
    });
  });

  test('GIVEN the checksum of one server WHEN the query names another THEN the fake answers with Scalelite’s checksum error', async () => {
    fake.seed({ id: 'bbb-04', url: 'https://bbb-04.example.org/bigbluebutton/api/', secret: 's4' });
    const response = await fetch(`${fake.url}/scalelite/api/getServerInfo?id=bbb-04&checksum=${GET_SERVER_INFO_SHA256}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    expect(await response.text()).toBe(
      '<?xml version="1.0"?>\n<response>\n  <returncode>FAILED</returncode>\n  <messageKey>checksumError</messageKey>\n' +
        '  <message>You did not pass the checksum security check</message>\n</response>\n',
    );
    expect(fake.calls.map((call) => call.checksum)).toEqual(['refused']);
  });

  test('GIVEN a POST with a form body THEN the fake refuses it as unsupportedContentType before the checksum', async () => {
    const response = await fetch(`${fake.url}/scalelite/api/addServer?${signedQuery('addServer', {}, SECRET, 'sha256')}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'server[url]=x&server[secret]=y',
    });
    expect(await response.text()).toContain('<messageKey>unsupportedContentType</messageKey>');
    expect(fake.calls[0]?.checksum).toBe('not checked');
  });

  test('GIVEN a path outside the admin API THEN the fake answers unsupportedRequest', async () => {
    const response = await fetch(`${fake.url}/scalelite/api/getServers/extra`);
    expect(await response.text()).toContain('<messageKey>unsupportedRequest</messageKey>');
  });
});

describe('ScaleliteClient', () => {
  test('GIVEN a signed getServers THEN the fake accepts the SHA-256 checksum of the action and the secret', async () => {
    fake.seed({
      id: 'bbb-01',
      url: 'https://bbb-01.example.org/bigbluebutton/api/',
      secret: 's1',
      state: 'enabled',
      online: true,
      load: 42,
    });
    fake.seed({ id: 'bbb-02', url: 'https://bbb-02.example.org/bigbluebutton/api/', secret: 's2' });

    const servers = await client().listServers();

    expect(servers).toEqual([
      { id: 'bbb-01', url: 'https://bbb-01.example.org/bigbluebutton/api/', state: 'enabled', load: 42, online: true },
      { id: 'bbb-02', url: 'https://bbb-02.example.org/bigbluebutton/api/', state: 'disabled', load: 0, online: false },
    ]);
    expect(fake.calls).toEqual([
      expect.objectContaining({
        method: 'GET',
        action: 'getServers',
        query: `checksum=${createHash('sha256').update(`getServers${SECRET}`).digest('hex')}`,
        checksum: 'accepted',
        status: 200,
      }),
    ]);
  });

  test('GIVEN the wrong secret WHEN listing THEN the call fails naming the call and Scalelite’s checksum error', async () => {
    const failure = client('not-the-secret').listServers();
    await expect(failure).rejects.toBeInstanceOf(ScaleliteError);
    await expect(failure).rejects.toThrow(CHECKSUM_REFUSED);
    expect(fake.calls[0]?.checksum).toBe('refused');
  });

  test('GIVEN no server configured THEN the list is empty (Scalelite answers 404 "No servers are configured")', async () => {
    expect(await client().listServers()).toEqual([]);
    expect(fake.calls[0]?.status).toBe(404);
  });

  test('GIVEN addServer THEN Scalelite holds the server disabled and offline, with its secret', async () => {
    const added = await client().addServer('https://bbb-05.example.org/bigbluebutton/api/', 'secret-5');

    expect(added).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      url: 'https://bbb-05.example.org/bigbluebutton/api/',
      state: 'disabled',
      load: 0,
      online: false,
    });
    expect(fake.server(added.id)).toMatchObject({ secret: 'secret-5', state: 'disabled', load: null });
    expect(fake.calls[0]).toMatchObject({
      method: 'POST',
      action: 'addServer',
      body: { server: { url: 'https://bbb-05.example.org/bigbluebutton/api/', secret: 'secret-5' } },
      status: 201,
    });
    expect(await client().listServers()).toEqual([added]);
  });

  test('GIVEN a blank secret THEN addServer fails with Scalelite’s error', async () => {
    await expect(client().addServer('https://bbb-05.example.org/bigbluebutton/api/', '')).rejects.toThrow(
      'Scalelite addServer failed: HTTP 400, Server needs a URL and a secret',
    );
  });

  test('GIVEN updateServer THEN enable, cordon and disable round-trip, the id signed in the query string', async () => {
    const { id } = fake.seed({ url: 'https://bbb-06.example.org/bigbluebutton/api/', secret: 's6', online: true, load: 7 });
    const scalelite = client();

    await scalelite.updateServer(id, 'enable');
    expect(fake.server(id)).toMatchObject({ state: 'enabled', load: null });
    fake.poll();
    expect(await scalelite.listServers()).toEqual([expect.objectContaining({ id, state: 'enabled', load: 7, online: true })]);

    await scalelite.updateServer(id, 'cordon');
    expect(fake.server(id)).toMatchObject({ state: 'cordoned', load: 7 });

    await scalelite.updateServer(id, 'disable');
    expect(fake.server(id)).toMatchObject({ state: 'disabled', load: null });

    const update = fake.calls.find((call) => call.action === 'updateServer');
    expect(update).toMatchObject({ body: { server: { state: 'enable' } }, checksum: 'accepted' });
    expect(update?.query).toBe(signedQuery('updateServer', { id }, SECRET, 'sha256'));
  });

  test('GIVEN an unknown id THEN updateServer fails with Scalelite’s 404', async () => {
    await expect(client().updateServer('nope', 'cordon')).rejects.toThrow(
      "Scalelite updateServer failed: HTTP 404, Couldn't find server with id=nope",
    );
  });

  test('GIVEN a cordoned server WHEN its load reaches 0 THEN Scalelite reports it disabled', async () => {
    const { id } = fake.seed({
      url: 'https://bbb-07.example.org/bigbluebutton/api/',
      secret: 's7',
      state: 'enabled',
      online: true,
      load: 30,
    });
    const scalelite = client();
    await scalelite.updateServer(id, 'cordon');

    fake.setLoad(id, 12);
    expect(await scalelite.listServers()).toEqual([expect.objectContaining({ state: 'cordoned', load: 12 })]);

    fake.setLoad(id, 0);
    expect(await scalelite.listServers()).toEqual([expect.objectContaining({ state: 'disabled', load: 0 })]);
  });

  test('GIVEN a server already at load 0 WHEN cordoned THEN it stays cordoned until the next poll', async () => {
    const { id } = fake.seed({ url: 'https://bbb-08.example.org/bigbluebutton/api/', secret: 's8', state: 'enabled', online: true });
    await client().updateServer(id, 'cordon');
    expect(fake.server(id).state).toBe('cordoned');

    fake.poll();

    expect(fake.server(id).state).toBe('disabled');
  });

  test('GIVEN a cordoned server offline THEN its load is unavailable and it is not disabled, not even by a poll', async () => {
    const { id } = fake.seed({
      url: 'https://bbb-09.example.org/bigbluebutton/api/',
      secret: 's9',
      state: 'cordoned',
      online: true,
      load: 20,
    });
    fake.setOnline(id, false);
    fake.poll();

    expect(await client().listServers()).toEqual([expect.objectContaining({ state: 'cordoned', load: 0, online: false })]);
    expect(fake.calls.at(-1)?.answer).toContain('"load":"unavailable"');

    fake.setOnline(id, true);
    expect(fake.server(id)).toMatchObject({ state: 'cordoned', load: 20, online: true });
  });

  test('GIVEN Scalelite refusing connections THEN calls fail naming the call, and succeed once it is back', async () => {
    fake.seed({ id: 'bbb-10', url: 'https://bbb-10.example.org/bigbluebutton/api/', secret: 's10' });
    await fake.unreachable('refuse');

    await expect(client().listServers()).rejects.toThrow(/^Scalelite getServers failed: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);

    await fake.reachable();
    expect(await client().listServers()).toEqual([expect.objectContaining({ id: 'bbb-10' })]);
  });

  test('GIVEN Scalelite answering 503 THEN calls fail with the status and the start of the page', async () => {
    await fake.unreachable('unavailable');
    await expect(client().listServers()).rejects.toThrow(
      'Scalelite getServers failed: HTTP 503, <html> <head><title>503 Service Temporarily Unavailable</title></head>',
    );
    await fake.reachable();
    expect(await client().listServers()).toEqual([]);
  });

  test('GIVEN a server that never answers THEN the call fails after its time-out', async () => {
    const sockets: Socket[] = [];
    const silent = createNetServer((socket) => sockets.push(socket));
    const baseUrl = await listen(silent);
    try {
      const started = Date.now();
      await expect(new ScaleliteClient({ baseUrl, secret: SECRET, timeoutMs: 200 }).listServers()).rejects.toThrow(
        'Scalelite getServers failed: no answer within 200 ms',
      );
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  test('GIVEN an answer that is not a server list THEN the call fails naming the field', async () => {
    const odd = createHttpServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('[{"id":"bbb-11","url":"https://bbb-11.example.org/bigbluebutton/api/","state":"paused","load":1,"online":"online"}]');
    });
    const baseUrl = await listen(odd);
    try {
      await expect(new ScaleliteClient({ baseUrl, secret: SECRET }).listServers()).rejects.toThrow(
        /^Scalelite getServers failed: HTTP 200, unexpected answer \(0\.state: .+\): \[\{"id":"bbb-11"/,
      );
    } finally {
      odd.closeAllConnections();
      await new Promise((resolve) => odd.close(resolve));
    }
  });
});
