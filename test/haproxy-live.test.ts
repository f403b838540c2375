/**
 * Two real HAProxy processes running the chart's rendered haproxy.cfg (moved onto 127.0.0.1) as replicas 0 and 1,
 * peered with each other, in front of three fake shards: room stickiness across replicas, the spread of new rooms
 * (room hash and round-robin), and health checks by the shard health contract (`SHARD_HEALTH_PATH`: 200 takes new
 * rooms, 404 cannot host one but keeps its rooms, anything else is down). Every wait is a bounded poll; everything
 * started is stopped in afterAll.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

import { SHARD_HEALTH_PATH } from '@meetscale/haproxy';
import { exposedMetrics, METRIC_CATALOG } from '@meetscale/metric-catalog';

import { configMapEntry, HELM_MAJORS, renderChart, type RenderResult } from './support/charts';
import { type FakeShard, PATH_HEADER, SHARD_HEADER, type ShardHealth, startFakeShard } from './support/fake-shard';
import {
  acceptsConnections,
  allocateLoopbackPorts,
  HAPROXY_BIN,
  type HaproxyHandle,
  httpGet,
  loopbackConfig,
  metricValue,
  pollUntil,
  serverCheckStatus,
  type ServerState,
  serverState,
  serverStatusSample,
  startHaproxy,
} from './support/haproxy';

const RELEASE = 'live';
const NAMESPACE = 'meetscale';
const FULLNAME = 'live-haproxy';
const SHARD_NAMES = ['shard-a', 'shard-b', 'shard-c'] as const;
/** Deadline of every poll: peers sync and health checks (200 ms apart) settle well within it. */
const POLL_MS = 5_000;
/** Time between two health checks of a shard, in the values below. */
const CHECK_INTERVAL_MS = 200;

jest.setTimeout(15_000);

/** Both ways a new room picks its shard; the whole live scenario runs for each. */
const BALANCES = ['roomHash', 'roundrobin'] as const;

describe.each(BALANCES)('with balance %s', (balance) => {
  const shards: FakeShard[] = [];
  const replicas: HaproxyHandle[] = [];
  const renders: RenderResult[] = [];

  function shard(name: (typeof SHARD_NAMES)[number]): FakeShard {
    const found = shards.find((candidate) => candidate.name === name);
    if (found === undefined) throw new Error(`no fake shard ${name}`);
    return found;
  }

  function replica(index: 0 | 1): HaproxyHandle {
    const found = replicas[index];
    if (found === undefined) throw new Error(`replica ${index} did not start`);
    return found;
  }

  /** The shard that answered a request for `path` through a replica (throws on a non-200 answer). */
  async function shardThrough(index: 0 | 1, path: string): Promise<string> {
    const answer = await httpGet(replica(index).ports.http as number, path);
    if (answer.status !== 200) throw new Error(`GET ${path} through replica ${index}: ${answer.status} ${answer.body}`);
    return String(answer.headers[SHARD_HEADER]);
  }

  async function metricsOf(index: 0 | 1): Promise<string> {
    const answer = await httpGet(replica(index).ports.metrics as number, '/metrics');
    if (answer.status !== 200) throw new Error(`/metrics of replica ${index}: ${answer.status}`);
    return answer.body;
  }

  /** Polls a replica's metrics until HAProxy shows a shard in a state (`haproxy_server_status`). */
  function waitForState(index: 0 | 1, name: string, state: ServerState): Promise<true> {
    return pollUntil(
      `${name} ${state} on replica ${index}`,
      async () => (serverState(await metricsOf(index), 'shards', name) === state ? true : undefined),
      POLL_MS,
    );
  }

  /** Polls a replica's metrics until a sample has a value. */
  function waitForSample(index: 0 | 1, sample: string, value: number): Promise<true> {
    return pollUntil(
      `${sample} = ${value} on replica ${index}`,
      async () => (metricValue(await metricsOf(index), sample) === value ? true : undefined),
      POLL_MS,
    );
  }

  /** The stick table of backend shards on a replica, limited to one key (`show table shards key <room>`). */
  function tableOf(index: 0 | 1, room: string): Promise<string> {
    return replica(index).cli(`@1 show table shards key ${room.toLowerCase()}`);
  }

  /** The entry of a `show table` answer: the key and the name of the server it sticks to. */
  function roomEntry(table: string): { key: string; server: string } | undefined {
    const match = /key=(\S+) .*server_key=(\S+)/.exec(table);
    return match === null ? undefined : { key: match[1] as string, server: match[2] as string };
  }

  const bosh = (room: string): string => `/http-bind?room=${encodeURIComponent(room)}`;
  const websocket = (room: string): string => `/xmpp-websocket?room=${encodeURIComponent(room)}`;

  beforeAll(async () => {
    // Three fake shards on loopback.
    // Three fake shards on loopback, answering the health path the chart's default checks.
    for (const name of SHARD_NAMES) shards.push(await startFakeShard(name, SHARD_HEALTH_PATH));

    // The chart rendered for two replicas in front of them, with fast health checks on the default path.
    // maxConnections is lowered because HAProxy raises its fd limit to about 2 x maxconn at startup, and this
    // sandbox caps it at 20000.
    const values = {
      replicaCount: 2,
      balance,
      maxConnections: 1000,
      shards: shards.map((fake) => ({ name: fake.name, host: '127.0.0.1', port: fake.port })),
      healthCheck: { interval: `${CHECK_INTERVAL_MS}ms`, fall: 2, rise: 2 },
    };
    for (const major of HELM_MAJORS) renders.push(renderChart(major, 'haproxy', { release: RELEASE, namespace: NAMESPACE, values }));
    const first = renders[0] as RenderResult;
    if (first.status !== 0) throw new Error(`helm template failed:\n${first.stderr}`);
    const cfg = configMapEntry(first.manifests, 'haproxy.cfg');

    // Both replicas list both peers at the same loopback ports; each has its own frontend ports.
    const ports0 = await allocateLoopbackPorts(
      cfg,
      {},
      shards.map((fake) => fake.port),
    );
    const ports1 = await allocateLoopbackPorts(cfg, { peerPorts: ports0.peerPorts, nameserverPort: ports0.nameserverPort }, [
      ...shards.map((fake) => fake.port),
      ...Object.values(ports0.frontendPorts),
    ]);
    replicas.push(await startHaproxy(loopbackConfig(cfg, ports0), `${FULLNAME}-0`));
    replicas.push(await startHaproxy(loopbackConfig(cfg, ports1), `${FULLNAME}-1`));

    // Ready: each replica has its peer connected, and has checked every shard (a server counts as up until its
    // first check) and sees it up.
    for (const index of [0, 1] as const) {
      await waitForSample(index, 'haproxy_process_active_peers', 1);
      for (const name of SHARD_NAMES) {
        await pollUntil(
          `replica ${index}'s first passed check of ${name}`,
          async () => (serverCheckStatus(await metricsOf(index), 'shards', name) === 'L7OK' ? true : undefined),
          POLL_MS,
        );
        await waitForSample(index, serverStatusSample('shards', name, 'UP'), 1);
      }
    }
  }, 30_000);

  afterAll(async () => {
    const results = await Promise.allSettled([...replicas.map((handle) => handle.stop()), ...shards.map((fake) => fake.stop())]);
    const failed = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed.length > 0) throw new Error(`cleanup failed: ${failed.map((result) => String(result.reason)).join('; ')}`);
  }, 15_000);

  test('Helm 3 and Helm 4 render the same objects, so the live scenario runs once', () => {
    // GIVEN / WHEN the chart rendered by each Helm major with the live values
    // THEN every render succeeded and all hold the same objects, the HAProxy configuration text included (Helm
    // 3.22 separates documents with one more blank line than Helm 4.3, so the raw text differs)
    expect(renders.map((render) => render.status)).toEqual(HELM_MAJORS.map(() => 0));
    expect(renders[0]?.manifests.length).toBeGreaterThan(0);
    for (const render of renders.slice(1)) expect(render.manifests).toEqual(renders[0]?.manifests);
  });

  test('each replica serves Prometheus metrics and /healthz, and has its peer connected', async () => {
    for (const index of [0, 1] as const) {
      // WHEN the metrics port is asked for /metrics and /healthz
      const metrics = await httpGet(replica(index).ports.metrics as number, '/metrics');
      const health = await httpGet(replica(index).ports.metrics as number, '/healthz');

      // THEN it serves haproxy_ metrics, among them every shard up and one active peer, and /healthz answers 200
      expect(metrics.status).toBe(200);
      expect(metrics.body).toMatch(/^haproxy_process_active_peers 1$/m);
      for (const name of SHARD_NAMES) expect(metricValue(metrics.body, serverStatusSample('shards', name, 'UP'))).toBe(1);
      expect(health.status).toBe(200);
    }
    // AND the shards were checked on the contract's path
    for (const fake of shards) expect(fake.healthChecks).toBeGreaterThan(0);
  });

  test('serves exactly the metric families the metric catalog holds for this HAProxy release', async () => {
    // GIVEN what a replica serves on /metrics with the chart's configuration
    const metrics = await httpGet(replica(0).ports.metrics as number, '/metrics');
    expect(metrics.status).toBe(200);
    // (MEETSCALE_SAVE_HAPROXY_SCRAPE=<file> saves it, for packages/metric-catalog/scripts/generate.ts)
    const save = process.env.MEETSCALE_SAVE_HAPROXY_SCRAPE;
    if (save !== undefined && save !== '') writeFileSync(save, metrics.body);
    // THEN the catalog, which rules and dashboards are checked against, was taken from this upstream HAProxy release
    // (Debian's package revision, `-1+deb12u4`, aside) and holds exactly its families
    const version = /HAProxy version ([0-9.]+)/.exec(execFileSync(HAPROXY_BIN, ['-v'], { encoding: 'utf8' }))?.[1];
    expect(METRIC_CATALOG.haproxy.release).toBe(version);
    const served = exposedMetrics(metrics.body, '/metrics').map((metric) => `${metric.name} ${metric.type}`);
    expect(served.sort()).toEqual(METRIC_CATALOG.haproxy.metrics.map((metric) => `${metric.name} ${metric.type}`).sort());
  });

  if (balance === 'roomHash') {
    test('the first requests of a new room arriving at both replicas at once land on one shard', async () => {
      // GIVEN 40 new rooms, each requested for the first time through both replicas at the same moment
      const split: string[] = [];
      for (let i = 0; i < 40; i++) {
        const room = `simultaneous-${i}`;
        // WHEN neither replica can have learned the room from the other yet
        const [through0, through1] = await Promise.all([shardThrough(0, bosh(room)), shardThrough(1, websocket(room))]);
        // THEN both picked the same shard (the consistent hash of the room name)
        if (through0 !== through1) split.push(`${room}: ${through0} / ${through1}`);
      }
      expect(split).toEqual([]);
    });
  }

  describe("a room's Etherpad and whiteboard reach the room's shard through either replica", () => {
    test('a pad of a room placed on shard-b goes to shard-b, without the shard in its path', async () => {
      // GIVEN a room placed on shard-b: its shard's web gives the pad the base /etherpad/shard-b/p/ (jitsi-shard
      // ETHERPAD_PUBLIC_URL), and the whole room would otherwise hash or rotate anywhere
      for (const index of [0, 1] as const) {
        for (const path of [
          '/etherpad/shard-b/p/a1b2c3',
          '/etherpad/shard-b/static/css/pad.css',
          '/etherpad/shard-b/socket.io/?EIO=4&transport=polling',
        ]) {
          // WHEN the pad page, its assets and its socket.io are requested through each replica
          const answer = await httpGet(replica(index).ports.http as number, path);
          // THEN shard-b answers, and sees the path its web pods proxy (/etherpad/...)
          expect(answer.status).toBe(200);
          expect(answer.headers[SHARD_HEADER]).toBe('shard-b');
          expect(answer.headers[PATH_HEADER]).toBe(path.replace('/etherpad/shard-b/', '/etherpad/'));
        }
      }
      // AND a pad of shard-c goes to shard-c: the name, not chance, decides
      expect(await shardThrough(0, '/etherpad/shard-c/p/x')).toBe('shard-c');
      expect(await shardThrough(1, '/etherpad/shard-c/p/x')).toBe('shard-c');
    });

    test('a whiteboard of a room placed on shard-b goes to shard-b, and its hashed room stays out of the table', async () => {
      // GIVEN shard-b's whiteboard base https://<domain>/?shard=shard-b, to which jitsi-meet appends room=<md5>
      const hashed = 'd41d8cd98f00b204e9800998ecf8427e';
      const path = `/socket.io/?shard=shard-b&room=${hashed}&EIO=4&transport=websocket`;
      for (const index of [0, 1] as const) {
        // WHEN it connects through each replica, several times
        for (let i = 0; i < 5; i++) {
          const answer = await httpGet(replica(index).ports.http as number, path);
          // THEN shard-b answers with the query unchanged (its web proxies /socket.io/ with the arguments)
          expect(answer.headers[SHARD_HEADER]).toBe('shard-b');
          expect(answer.headers[PATH_HEADER]).toBe(path);
        }
        // AND the hash never became a room of the stick table
        expect(roomEntry(await tableOf(index, hashed))).toBeUndefined();
      }
      // AND shard-c's whiteboard goes to shard-c
      expect(await shardThrough(1, `/socket.io/?shard=shard-c&room=${hashed}&EIO=4`)).toBe('shard-c');
    });
  });

  describe('a shard that cannot host a new room (404 on the health path) keeps its rooms but gets no new one', () => {
    const CANNOT_HOST = 'shard-a';
    const OTHERS = SHARD_NAMES.filter((name) => name !== CANNOT_HOST);
    /** A room placed on shard-a while it was ready. */
    let heldRoom = '';

    /** Sets a shard's health and waits until both replicas show it in the state HAProxy gives that health. */
    async function turn(name: (typeof SHARD_NAMES)[number], health: ShardHealth, state: ServerState): Promise<void> {
      shard(name).setHealth(health);
      for (const index of [0, 1] as const) await waitForState(index, name, state);
    }

    /** Requests new rooms once each, alternating replicas, and returns the shard each landed on. */
    async function placeNewRooms(prefix: string, count: number): Promise<string[]> {
      const landed: string[] = [];
      for (let i = 0; i < count; i++) landed.push(await shardThrough(i % 2 === 0 ? 0 : 1, bosh(`${prefix}-${i}`)));
      return landed;
    }

    afterAll(async () => {
      // every shard ready and UP again on both replicas, for the tests that follow
      for (const name of SHARD_NAMES) await turn(name, 'ready', 'UP');
    }, 15_000);

    test('a shard answering 404 is NOLB in HAProxy, and no new room lands on it, through either replica', async () => {
      // GIVEN a room placed on shard-a while every shard is ready (the first of at most 30 candidates landing there),
      // known to both replicas
      for (let i = 0; i < 30 && heldRoom === ''; i++) {
        const room = `held-${i}`;
        if ((await shardThrough(0, bosh(room))) === CANNOT_HOST) heldRoom = room;
      }
      expect(heldRoom).not.toBe('');
      await pollUntil(
        `replica 1's stick table to hold ${heldRoom} on ${CANNOT_HOST}`,
        async () => (roomEntry(await tableOf(1, heldRoom))?.server === CANNOT_HOST ? true : undefined),
        POLL_MS,
      );

      // WHEN shard-a answers its health path with 404 (its web and its rooms still answer 200)
      await turn(CANNOT_HOST, 'cannotHost', 'NOLB');

      // THEN both replicas show it NOLB after a 404 check ("conditionally passed"), and the others UP
      for (const index of [0, 1] as const) {
        const metrics = await metricsOf(index);
        expect(serverCheckStatus(metrics, 'shards', CANNOT_HOST)).toBe('L7OKC');
        for (const name of OTHERS) expect(serverState(metrics, 'shards', name)).toBe('UP');
      }
      // AND 30 new rooms, through both replicas, all land on shard-b or shard-c, both of which get some
      const landed = await placeNewRooms('while-cannot-host', 30);
      expect(landed.filter((name) => name === CANNOT_HOST)).toEqual([]);
      for (const name of OTHERS) expect(landed).toContain(name);
      // AND shard-a never saw any of them
      for (let i = 0; i < 30; i++) expect(shard(CANNOT_HOST).roomRequests.has(`while-cannot-host-${i}`)).toBe(false);
    });

    test('the room already on it keeps going there, through either replica and either path', async () => {
      // GIVEN shard-a NOLB on both replicas (previous test), holding heldRoom
      const before = shard(CANNOT_HOST).roomRequests.get(heldRoom) ?? 0;

      // WHEN the room is requested 12 more times, alternating replicas and paths
      const landed: string[] = [];
      for (let i = 0; i < 12; i++) landed.push(await shardThrough(i % 2 === 0 ? 0 : 1, i % 4 < 2 ? bosh(heldRoom) : websocket(heldRoom)));

      // THEN every request landed on shard-a, which received all 12, and both stick tables still bind the room to it
      expect(landed).toEqual(Array.from({ length: 12 }, () => CANNOT_HOST));
      expect(shard(CANNOT_HOST).roomRequests.get(heldRoom)).toBe(before + 12);
      for (const index of [0, 1] as const) expect(roomEntry(await tableOf(index, heldRoom))?.server).toBe(CANNOT_HOST);
      // AND HAProxy still shows shard-a NOLB, not down
      for (const index of [0, 1] as const) expect(serverState(await metricsOf(index), 'shards', CANNOT_HOST)).toBe('NOLB');
    });

    test('when no shard can host a new room, a new room gets 503 and the rooms already placed still work', async () => {
      // GIVEN every shard answering 404 on its health path, NOLB on both replicas
      for (const name of OTHERS) await turn(name, 'cannotHost', 'NOLB');

      // WHEN a new room and the held room are requested through each replica
      const fresh = await Promise.all(
        ([0, 1] as const).map((index) => httpGet(replica(index).ports.http as number, bosh('no-shard-can-host'))),
      );
      const held = await Promise.all(([0, 1] as const).map((index) => shardThrough(index, websocket(heldRoom))));

      // THEN HAProxy refuses the new room with 503 (no shard reached), and the held room still reaches shard-a
      expect(fresh.map((answer) => answer.status)).toEqual([503, 503]);
      for (const fake of shards) expect(fake.roomRequests.has('no-shard-can-host')).toBe(false);
      expect(held).toEqual([CANNOT_HOST, CANNOT_HOST]);

      // AND once shard-b and shard-c answer 200 again, they are UP and take new rooms again
      for (const name of OTHERS) await turn(name, 'ready', 'UP');
      const landed = await placeNewRooms('others-ready-again', 10);
      expect(landed.filter((name) => name === CANNOT_HOST)).toEqual([]);
    });

    test('once it answers 200 again, it is UP and takes new rooms again, and keeps its room', async () => {
      // GIVEN shard-a NOLB, holding heldRoom
      expect(serverState(await metricsOf(0), 'shards', CANNOT_HOST)).toBe('NOLB');

      // WHEN it answers its health path with 200 again
      await turn(CANNOT_HOST, 'ready', 'UP');

      // THEN HAProxy's last check of it passed, new rooms land on it again among the others, and its room stays
      for (const index of [0, 1] as const) expect(serverCheckStatus(await metricsOf(index), 'shards', CANNOT_HOST)).toBe('L7OK');
      const landed = await placeNewRooms('after-ready-again', 30);
      for (const name of SHARD_NAMES) expect(landed).toContain(name);
      expect(await shardThrough(1, bosh(heldRoom))).toBe(CANNOT_HOST);
    });
  });

  describe('a room, once placed, stays on its shard', () => {
    const ROOM = 'weekly-standup';
    let roomShard = '';

    test('every BOSH and websocket request of a room lands on one shard, through either replica', async () => {
      // GIVEN replica 0's round-robin one step ahead of replica 1's (a request without a room), so that replica 1
      // picking the room's shard by itself would pick another one
      const ahead = await shardThrough(0, '/');
      // AND a room's first request, through replica 0
      roomShard = await shardThrough(0, bosh(ROOM));
      expect(SHARD_NAMES).toContain(roomShard);
      if (balance === 'roundrobin') expect(roomShard).not.toBe(ahead);

      // WHEN replica 1 has learned the room from its peer: the sync is asynchronous, so poll replica 1's stick table
      // (a request would not do: one arriving before the sync makes replica 1 place the room by itself)
      await pollUntil(
        `replica 1's stick table to hold ${ROOM} on ${roomShard}`,
        async () => (roomEntry(await tableOf(1, ROOM))?.server === roomShard ? true : undefined),
        POLL_MS,
      );

      // THEN 20 more requests, alternating replicas and paths, all land on that shard
      const landed: string[] = [];
      for (let i = 0; i < 20; i++) landed.push(await shardThrough(i % 2 === 0 ? 0 : 1, i % 4 < 2 ? bosh(ROOM) : websocket(ROOM)));
      expect(landed).toEqual(Array.from({ length: 20 }, () => roomShard));
      // AND no other shard ever saw the room
      for (const fake of shards) if (fake.name !== roomShard) expect(fake.roomRequests.get(ROOM)).toBeUndefined();
    });

    test('the room name is matched case-insensitively', async () => {
      // GIVEN / WHEN the same room spelled in upper case, through each replica
      // THEN it lands on the room's shard
      expect(await shardThrough(0, bosh(ROOM.toUpperCase()))).toBe(roomShard);
      expect(await shardThrough(1, websocket(ROOM.toUpperCase()))).toBe(roomShard);
    });

    test('after replica 0 stops, replica 1 still sends the room to its shard', async () => {
      // GIVEN replica 0 stopped
      await replica(0).stop();
      expect(await acceptsConnections(replica(0).ports.http as number)).toBe(false);

      // WHEN the room is requested through replica 1
      const landed: string[] = [];
      for (let i = 0; i < 6; i++) landed.push(await shardThrough(1, i % 2 === 0 ? bosh(ROOM) : websocket(ROOM)));

      // THEN every request lands on the room's shard, which replica 1's table still holds
      expect(landed).toEqual(Array.from({ length: 6 }, () => roomShard));
      expect(roomEntry(await tableOf(1, ROOM))).toEqual({ key: ROOM, server: roomShard });
    });
  });

  describe('new rooms are spread over the healthy shards', () => {
    test('new rooms reach every healthy shard', async () => {
      // GIVEN 30 rooms never seen before
      const rooms = Array.from({ length: 30 }, (_, i) => `round-robin-${i}`);

      // WHEN each is requested once (through replica 1, the one still running)
      const placed = new Map<string, string>();
      for (const room of rooms) placed.set(room, await shardThrough(1, bosh(room)));

      // THEN every shard received at least one of them, and each room reached only the shard that answered it
      for (const name of SHARD_NAMES) expect([...placed.values()].filter((placedOn) => placedOn === name).length).toBeGreaterThan(0);
      for (const room of rooms) for (const fake of shards) expect(fake.roomRequests.has(room)).toBe(fake.name === placed.get(room));
    });

    /** A room shard-b holds, placed through replica 1 before shard-b failed. */
    let roomOnB = '';
    /** The shard roomOnB moved to. */
    let movedTo = '';

    test('a shard failing its health check gets nothing: no new room, and its rooms move to a healthy shard', async () => {
      // GIVEN a room on shard-b (the first of at most 30 new rooms landing there)
      for (let i = 0; i < 30 && roomOnB === ''; i++) {
        const room = `on-b-${i}`;
        if ((await shardThrough(1, bosh(room))) === 'shard-b') roomOnB = room;
      }
      expect(roomOnB).not.toBe('');

      // AND shard-b answering 503 to everything, the health check included
      shard('shard-b').setHealth('down');

      // WHEN HAProxy has marked it down (health checks every 200 ms, down after 2 failures)
      await waitForSample(1, serverStatusSample('shards', 'shard-b', 'DOWN'), 1);
      const servedBefore = shard('shard-b').requestCount - shard('shard-b').healthChecks;
      const rooms = Array.from({ length: 20 }, (_, i) => `after-failure-${i}`);
      const landed: string[] = [];
      for (const room of rooms) landed.push(await shardThrough(1, websocket(room)));
      const moved: string[] = [];
      for (let i = 0; i < 6; i++) moved.push(await shardThrough(1, i % 2 === 0 ? bosh(roomOnB) : websocket(roomOnB)));

      // THEN the 20 new rooms all land on shard-a or shard-c, both of which get some, and shard-b sees none of them
      expect(landed.filter((name) => name !== 'shard-a' && name !== 'shard-c')).toEqual([]);
      expect(landed).toContain('shard-a');
      expect(landed).toContain('shard-c');
      for (const room of rooms) expect(shard('shard-b').roomRequests.has(room)).toBe(false);
      // AND shard-b's room moved to one healthy shard, which the stick table now binds it to
      movedTo = moved[0] ?? '';
      expect(['shard-a', 'shard-c']).toContain(movedTo);
      expect(moved).toEqual(Array.from({ length: 6 }, () => movedTo));
      expect(roomEntry(await tableOf(1, roomOnB))).toEqual({ key: roomOnB, server: movedTo });
      // AND shard-b received no request but health checks since it was marked down
      expect(shard('shard-b').requestCount - shard('shard-b').healthChecks).toBe(servedBefore);
    });

    test('a down shard that starts answering 404 stays down, and takes new rooms only once it answers 200', async () => {
      // GIVEN shard-b down (previous test), now answering its health path with 404 and other requests with 200
      shard('shard-b').setHealth('cannotHost');

      // WHEN replica 1 has checked it 5 more times
      const checks = shard('shard-b').healthChecks;
      await pollUntil(
        'replica 1 to check shard-b 5 times',
        async () => (shard('shard-b').healthChecks >= checks + 5 ? true : undefined),
        10 * 5 * CHECK_INTERVAL_MS,
      );

      // THEN HAProxy still shows it down (a 404 never brings a down server back), and new rooms still avoid it
      expect(serverState(await metricsOf(1), 'shards', 'shard-b')).toBe('DOWN');
      const whileDown = await placeRooms('down-then-404', 10);
      expect(whileDown.filter((name) => name === 'shard-b')).toEqual([]);

      // AND once it answers 200, it is UP again and takes new rooms, while the room that moved away stays moved
      shard('shard-b').setHealth('ready');
      await waitForState(1, 'shard-b', 'UP');
      const afterReady = await placeRooms('b-ready-again', 30);
      expect(afterReady).toContain('shard-b');
      expect(await shardThrough(1, bosh(roomOnB))).toBe(movedTo);
    });

    /** Requests new rooms once each through replica 1 (the one still running) and returns where each landed. */
    async function placeRooms(prefix: string, count: number): Promise<string[]> {
      const landed: string[] = [];
      for (let i = 0; i < count; i++) landed.push(await shardThrough(1, bosh(`${prefix}-${i}`)));
      return landed;
    }
  });
});
