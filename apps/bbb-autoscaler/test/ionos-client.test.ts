import { IonosClient, type IonosClientProps } from '../src/ionos-client';
import type { Clock } from '../src/ports';
import { IonosFake, type IonosFakeProps } from './fakes/ionos-fake';

/** Simulated time: a sleep moves the clock at once (after letting pending I/O run). */
class SimulatedClock implements Clock {
  public slept: number[] = [];
  private time = Date.parse('2026-12-01T05:30:00Z');

  public now(): Date {
    return new Date(this.time);
  }

  public async sleep(milliseconds: number): Promise<void> {
    this.slept.push(milliseconds);
    this.time += milliseconds;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

let fake: IonosFake | undefined;
let clock: SimulatedClock;

async function setUp(
  props: IonosFakeProps = {},
  client: Partial<IonosClientProps> = {},
): Promise<{ fake: IonosFake; client: IonosClient }> {
  fake = await IonosFake.start({
    servers: [
      { id: 's-1', name: 'bbb-01', vmState: 'SHUTOFF' },
      { id: 's-2', name: 'bbb-02', vmState: 'RUNNING' },
      { id: 's-3', name: 'bbb-03', vmState: 'RUNNING', state: 'BUSY' },
    ],
    ...props,
  });
  clock = new SimulatedClock();
  const ionos = new IonosClient({
    token: fake.token,
    datacenterId: fake.datacenterId,
    baseUrl: fake.baseUrl,
    clock,
    pollIntervalMs: 5000,
    ...client,
  });
  return { fake, client: ionos };
}

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('IonosClient against the IONOS fake', () => {
  test('lists the servers of the datacenter at depth 1, as pool VMs', async () => {
    // GIVEN
    const { fake, client } = await setUp();

    // WHEN
    const servers = await client.listServers();

    // THEN
    expect(servers).toEqual([
      { id: 's-1', name: 'bbb-01', vmState: 'SHUTOFF', provisioningState: 'AVAILABLE' },
      { id: 's-2', name: 'bbb-02', vmState: 'RUNNING', provisioningState: 'AVAILABLE' },
      { id: 's-3', name: 'bbb-03', vmState: 'RUNNING', provisioningState: 'BUSY' },
    ]);
    expect(fake.log()).toEqual([{ operation: 'listServers', method: 'GET', path: '/datacenters/dc-1/servers', status: 200 }]);
    fake.expectNoViolations();
  });

  test('reads every page of a long list', async () => {
    // GIVEN pages of two servers
    const { fake, client } = await setUp({}, { pageSize: 2 });

    // WHEN
    const servers = await client.listServers();

    // THEN
    expect(servers.map((server) => server.id)).toEqual(['s-1', 's-2', 's-3']);
    expect(fake.calls('listServers')).toBe(2);
    fake.expectNoViolations();
  });

  test('starts a server with one POST and polls its request until DONE', async () => {
    // GIVEN a stopped server
    const { fake, client } = await setUp();

    // WHEN
    await client.startServer('s-1');

    // THEN the request was QUEUED, RUNNING, then DONE, and the server runs
    expect(fake.log().map((exchange) => `${exchange.method} ${exchange.path} ${exchange.status}`)).toEqual([
      'POST /datacenters/dc-1/servers/s-1/start 202',
      'GET /requests/req-0001/status 200',
      'GET /requests/req-0001/status 200',
      'GET /requests/req-0001/status 200',
    ]);
    expect(clock.slept).toEqual([5000, 5000]);
    expect(fake.serverState('s-1')).toEqual({ vmState: 'RUNNING', state: 'AVAILABLE' });
    fake.expectNoViolations();
  });

  test('stops a server: SHUTOFF once its request is DONE', async () => {
    // GIVEN a running server
    const { fake, client } = await setUp({ observationsBeforeDone: 0 });

    // WHEN
    await client.stopServer('s-2');

    // THEN
    expect(fake.calls('stop')).toBe(1);
    expect(fake.calls('requestStatus')).toBe(1);
    expect(fake.serverState('s-2')).toEqual({ vmState: 'SHUTOFF', state: 'AVAILABLE' });
    fake.expectNoViolations();
  });

  test('retries a start refused with 429 after Retry-After, and starts the server once', async () => {
    // GIVEN the rate limit exceeded for the next two POSTs
    const { fake, client } = await setUp();
    fake.injectFault({ status: 429, times: 2, match: 'start', retryAfterSeconds: 7 });

    // WHEN
    await client.startServer('s-1');

    // THEN three POSTs, one accepted, the server read before each new POST, Retry-After honoured
    expect(
      fake
        .log()
        .filter((exchange) => exchange.operation === 'start')
        .map((exchange) => exchange.status),
    ).toEqual([429, 429, 202]);
    expect(fake.calls('getServer')).toBe(2);
    expect(clock.slept.slice(0, 2)).toEqual([7000, 7000]);
    expect(fake.serverState('s-1')).toEqual({ vmState: 'RUNNING', state: 'AVAILABLE' });
    fake.expectNoViolations();
  });

  test('retries 503 on the request status with exponential back-off', async () => {
    // GIVEN the API in maintenance for the first three status polls
    const { fake, client } = await setUp({}, { initialBackoffMs: 1000 });
    fake.injectFault({ status: 503, times: 3, match: 'requestStatus' });

    // WHEN
    await client.startServer('s-1');

    // THEN
    expect(fake.calls('start')).toBe(1);
    expect(clock.slept.slice(0, 3)).toEqual([1000, 2000, 4000]);
    expect(fake.serverState('s-1')?.vmState).toBe('RUNNING');
    fake.expectNoViolations();
  });

  test('never sends a second start when the answer to the first was lost: the server is BUSY, so it waits', async () => {
    // GIVEN IONOS accepts the start, but the connection drops before the answer arrives
    const { fake, client } = await setUp();
    fake.injectFault({ status: 'reset', match: 'start' });

    // WHEN
    await client.startServer('s-1');

    // THEN exactly one start, then reads of the server until it is no longer BUSY
    expect(fake.calls('start')).toBe(1);
    expect(fake.calls('requestStatus')).toBe(0);
    expect(fake.calls('getServer')).toBe(3);
    expect(fake.serverState('s-1')).toEqual({ vmState: 'RUNNING', state: 'AVAILABLE' });
    fake.expectNoViolations();
  });

  test('sends the start again after a 503 only because the server is still AVAILABLE and SHUTOFF', async () => {
    // GIVEN the first POST answered 503 (and not carried out)
    const { fake, client } = await setUp();
    fake.injectFault({ status: 503, match: 'start' });

    // WHEN
    await client.startServer('s-1');

    // THEN
    expect(
      fake
        .log()
        .filter((exchange) => exchange.operation !== 'requestStatus')
        .map((exchange) => `${exchange.operation} ${exchange.status}`),
    ).toEqual(['start 503', 'getServer 200', 'start 202']);
    fake.expectNoViolations();
  });

  test('a FAILED request is an error naming the server and IONOS’s message', async () => {
    // GIVEN
    const { fake, client } = await setUp();
    fake.failNextRequest('Failed to start the server: not enough resources in the zone');

    // WHEN / THEN
    await expect(client.startServer('s-1')).rejects.toThrow(
      new Error('start of server s-1: IONOS request req-0001 FAILED: Failed to start the server: not enough resources in the zone'),
    );
    expect(fake.serverState('s-1')).toEqual({ vmState: 'SHUTOFF', state: 'AVAILABLE' });
    fake.expectNoViolations();
  });

  test('gives up when the request is not DONE within the call deadline', async () => {
    // GIVEN a request that stays RUNNING and a one-minute deadline
    const { fake, client } = await setUp({ observationsBeforeDone: 1000 }, { callDeadlineMs: 60_000 });

    // WHEN / THEN
    await expect(client.startServer('s-1')).rejects.toThrow(
      new Error('start of server s-1: not done within 60 s (request req-0001 is RUNNING)'),
    );
    expect(fake.calls('requestStatus')).toBe(13);
    expect(clock.slept).toEqual(Array(12).fill(5000));
    expect(fake.calls('start')).toBe(1);
    fake.expectNoViolations();
  });

  test('gives up after the last attempt, naming the operation and what IONOS answered', async () => {
    // GIVEN the API failing every request
    const { fake, client } = await setUp({}, { maxAttempts: 3 });
    fake.injectFault({ status: 500, times: 100 });

    // WHEN / THEN
    await expect(client.listServers()).rejects.toThrow(
      new Error(
        'list servers of datacenter dc-1: GET /cloudapi/v6/datacenters/dc-1/servers answered 500: The service is not available.; gave up after 3 attempts',
      ),
    );
    expect(fake.calls('listServers')).toBe(3);
    fake.expectNoViolations();
  });

  test('does not retry a refused token', async () => {
    // GIVEN a wrong token
    const { fake, client } = await setUp({ token: 'the-right-one' }, { token: 'a-wrong-one' });

    // WHEN / THEN
    await expect(client.stopServer('s-2')).rejects.toThrow(
      new Error('stop of server s-2: POST /cloudapi/v6/datacenters/dc-1/servers/s-2/stop answered 401: Unauthorized'),
    );
    expect(fake.calls('stop')).toBe(1);
    fake.expectNoViolations();
  });
});

describe('the IONOS fake validates every exchange against the OpenAPI subset', () => {
  test('records a response that breaks the description: a 202 without Location', async () => {
    // GIVEN a fake told to drop the Location header once
    const { fake, client } = await setUp();
    fake.corruptNextResponse('start', (reply) => delete reply.headers['Location']);

    // WHEN
    await expect(client.startServer('s-1')).rejects.toThrow(
      new Error('start of server s-1: IONOS accepted the request but sent no Location to poll'),
    );

    // THEN
    expect(fake.violations()).toEqual(['POST /datacenters/dc-1/servers/s-1/start: response 202 lacks header Location']);
    expect(() => fake.expectNoViolations()).toThrow(/response 202 lacks header Location/);
  });

  test('records a body that breaks the description: a vmState the API does not have', async () => {
    // GIVEN
    const { fake, client } = await setUp();
    fake.corruptNextResponse('listServers', (reply) => {
      (reply.body as { items: { properties: { vmState: string } }[] }).items[0]!.properties.vmState = 'ON';
    });

    // WHEN
    await client.listServers();

    // THEN
    expect(fake.violations()).toEqual([
      'GET /datacenters/dc-1/servers: response body at /items/0/properties/vmState: must be one of NOSTATE, RUNNING, BLOCKED, PAUSED, SHUTDOWN, SHUTOFF, CRASHED, SUSPENDED',
    ]);
  });

  test('records requests that break the description: no credentials, undocumented query, unknown operation', async () => {
    // GIVEN
    const { fake } = await setUp();

    // WHEN
    await fetch(`${fake.baseUrl}/datacenters/dc-1/servers?depth=1&filter.name=bbb`);
    await fetch(`${fake.baseUrl}/datacenters/dc-1/servers/s-1/reboot`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${fake.token}` },
    });

    // THEN
    expect(fake.violations()).toEqual([
      'GET /datacenters/dc-1/servers: request query parameter filter.name is not documented',
      'GET /datacenters/dc-1/servers: request lacks credentials (one of Basic Authentication, Token Authentication)',
      'POST /datacenters/dc-1/servers/s-1/reboot: unknown path',
    ]);
  });
});
