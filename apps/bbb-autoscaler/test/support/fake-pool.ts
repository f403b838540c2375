import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { type AutoscalerConfig, autoscalerConfig } from '@meetscale/bbb-autoscaling';

import { BbbProbe } from '../../src/bbb-probe';
import { IonosClient } from '../../src/ionos-client';
import { PrometheusClient, UNPROCESSED_RECORDINGS_QUERY } from '../../src/prometheus-client';
import { Reconciler } from '../../src/reconciler';
import { ScaleliteClient } from '../../src/scalelite-client';
import { Telemetry } from '../../src/telemetry';
import { BbbFake } from '../fakes/bbb-fake';
import { IonosFake } from '../fakes/ionos-fake';
import { listenOnLoopback, stopListening } from '../fakes/loopback';
import { ScaleliteFake } from '../fakes/scalelite-fake';
import type { SimulatedClock } from './simulated-clock';

const DATACENTER = '6f0e1c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
const LOADBALANCER_SECRET = 'scalelite-loadbalancer-secret';

/**
 * Prometheus' query API for the one query the autoscaler asks (`sum by (server) (bbb_recordings_unprocessed)`), on
 * loopback: answers a vector as Prometheus does, refuses any other query, and can be made unreachable (503).
 */
export class PrometheusQueryFake {
  /** Unprocessed recordings by server; a server absent has no series. */
  readonly recordings = new Map<string, number>();
  down = false;
  readonly queries: string[] = [];

  private constructor(private readonly http: Server) {}

  static async start(): Promise<PrometheusQueryFake> {
    const holder: { fake?: PrometheusQueryFake } = {};
    const http = createServer((request, response) => holder.fake?.answer(request.url ?? '/', response));
    holder.fake = new PrometheusQueryFake(http);
    await listenOnLoopback(http);
    return holder.fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return stopListening(this.http);
  }

  private answer(path: string, response: import('node:http').ServerResponse): void {
    const url = new URL(path, 'http://127.0.0.1');
    const json = (status: number, body: unknown): void => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (this.down) return json(503, { status: 'error', errorType: 'unavailable', error: 'Service Unavailable' });
    if (url.pathname !== '/api/v1/query') return json(404, { status: 'error', errorType: 'not_found', error: 'not found' });
    const query = url.searchParams.get('query') ?? '';
    this.queries.push(query);
    if (query !== UNPROCESSED_RECORDINGS_QUERY)
      return json(400, { status: 'error', errorType: 'bad_data', error: `unexpected query ${query}` });
    const now = Date.now() / 1000;
    json(200, {
      status: 'success',
      data: {
        resultType: 'vector',
        result: [...this.recordings].map(([server, value]) => ({ metric: { server }, value: [now, String(value)] })),
      },
    });
  }
}

/** One server of the fake pool: its VM in the IONOS fake, its entry in the Scalelite fake, its own API fake. */
export interface FakeMember {
  readonly host: string;
  readonly vmId: string;
  readonly balancerId: string;
  readonly api: BbbFake;
  /** Simulated time from which its API answers after a start; undefined while off. */
  bootsAt?: number;
  /** A broken install never serves. */
  broken: boolean;
  /** Meetings: participants and end time (simulated). */
  meetings: Array<{ id: string; participants: number; endsAt: number }>;
  /** Recordings still processing: end times (simulated). */
  recordings: number[];
}

/** How the simulated pool behaves. */
export interface FakePoolOptions {
  readonly size: number;
  readonly bootSeconds?: number;
  readonly meetingMinutes?: number;
  readonly meetingSize?: number;
  readonly recordingMinutes?: number;
  /** Policy overrides. */
  readonly policy?: Record<string, unknown>;
  /** Status polls IONOS answers QUEUED/RUNNING before DONE (the fake's default: 2). */
  readonly ionosObservations?: number;
}

/**
 * A state's BigBlueButton pool on loopback: the IONOS fake (validated against the Cloud API v6 description), the
 * Scalelite admin-API fake (checksums as Scalelite verifies them), one BigBlueButton API fake per server and
 * Prometheus' query API, all driven in simulated time by `tick`: VMs boot and their APIs start answering, meetings
 * come (each on the least-loaded enabled server, as Scalelite places them) and go, recordings process, Scalelite's
 * poller runs. The autoscaler talks to all of it through its real clients.
 */
export class FakePool {
  private meetingCount = 0;
  /** Participants who found no enabled server. */
  unserved = 0;

  private constructor(
    readonly clock: SimulatedClock,
    readonly ionos: IonosFake,
    readonly scalelite: ScaleliteFake,
    readonly prometheus: PrometheusQueryFake,
    readonly members: FakeMember[],
    readonly config: AutoscalerConfig,
    private readonly options: Required<Omit<FakePoolOptions, 'policy' | 'ionosObservations'>>,
  ) {}

  static async start(clock: SimulatedClock, options: FakePoolOptions): Promise<FakePool> {
    const hosts = Array.from({ length: options.size }, (_, index) => `bbb-${String(index + 1).padStart(2, '0')}.lernen.example.org`);
    const vmIds = hosts.map((_, index) => `0b7c4f1e-9d2a-4c3b-8e5f-${String(index + 1).padStart(12, '0')}`);
    const ionos = await IonosFake.start({
      datacenterId: DATACENTER,
      observationsBeforeDone: options.ionosObservations ?? 2,
      servers: hosts.map((host, index) => ({ id: vmIds[index] as string, name: host.split('.')[0] as string, vmState: 'SHUTOFF' })),
    });
    const scalelite = await ScaleliteFake.start({ secrets: [LOADBALANCER_SECRET] });
    const prometheus = await PrometheusQueryFake.start();
    const members: FakeMember[] = [];
    for (const [index, host] of hosts.entries()) {
      const api = await BbbFake.start({ secret: `secret-of-${host}` });
      await api.setHealth('refusing');
      const entry = scalelite.seed({ url: api.apiUrl, secret: api.secret, state: 'disabled', online: false });
      members.push({ host, vmId: vmIds[index] as string, balancerId: entry.id, api, broken: false, meetings: [], recordings: [] });
    }
    const config = autoscalerConfig.parse({
      policy: options.policy ?? {},
      pool: members.map((member) => ({ host: member.host, serverId: member.vmId, apiUrl: member.api.apiUrl })),
      ionos: { apiUrl: ionos.baseUrl, datacenterId: DATACENTER },
      scalelite: { url: scalelite.url },
      prometheus: { url: prometheus.url },
      lease: { name: 'bbb-autoscaler' },
    });
    return new FakePool(clock, ionos, scalelite, prometheus, members, config, {
      size: options.size,
      bootSeconds: options.bootSeconds ?? 180,
      meetingMinutes: options.meetingMinutes ?? 45,
      meetingSize: options.meetingSize ?? 25,
      recordingMinutes: options.recordingMinutes ?? 0,
    });
  }

  /** A reconciler talking to the fakes through the real clients. */
  reconciler(
    telemetry = new Telemetry(),
    log: (entry: Record<string, unknown>) => void = () => undefined,
    config: AutoscalerConfig = this.config,
  ): Reconciler {
    const byHost = new Map(this.members.map((member) => [member.host, member]));
    return new Reconciler(
      config,
      {
        cloud: new IonosClient({
          baseUrl: this.ionos.baseUrl,
          token: this.ionos.token,
          datacenterId: DATACENTER,
          clock: this.clock,
          pollIntervalMs: 2000,
        }),
        balancer: new ScaleliteClient({ baseUrl: this.scalelite.url, secret: LOADBALANCER_SECRET, timeoutMs: 2000 }),
        probe: new BbbProbe({ timeoutMs: 1000 }),
        metrics: new PrometheusClient(this.prometheus.url, 2000),
        clock: this.clock,
        serverSecret: (host) => byHost.get(host)?.api.secret ?? '',
        log,
      },
      telemetry,
    );
  }

  member(host: string): FakeMember {
    const member = this.members.find((candidate) => candidate.host === host);
    if (member === undefined) throw new Error(`no server ${host}`);
    return member;
  }

  /** The VM state IONOS reports. */
  vmState(member: FakeMember): string {
    return this.ionos.serverState(member.vmId)?.vmState ?? 'unknown';
  }

  /** Scalelite's entry of a server. */
  entry(member: FakeMember): ReturnType<ScaleliteFake['server']> {
    return this.scalelite.server(member.balancerId);
  }

  /** Servers enabled in Scalelite whose VM runs. */
  serving(): FakeMember[] {
    return this.members.filter((member) => this.vmState(member) === 'RUNNING' && this.entry(member).state === 'enabled');
  }

  /**
   * Moves the world to now: VMs that IONOS reports running boot (their API answers after `bootSeconds`), VMs off go
   * quiet; meetings end and their recordings process; `participants` are brought up with new meetings on the
   * least-loaded enabled server; Scalelite's poller runs.
   */
  async tick(participants: number): Promise<void> {
    const now = this.clock.now().getTime();
    for (const member of this.members) {
      const on = this.vmState(member) === 'RUNNING';
      if (on && member.bootsAt === undefined) member.bootsAt = now + this.options.bootSeconds * 1000;
      if (!on) {
        member.bootsAt = undefined;
        member.meetings = [];
      }
      const serves = on && !member.broken && member.bootsAt !== undefined && now >= member.bootsAt;
      if ((member.api.health === 'serving') !== serves) await member.api.setHealth(serves ? 'serving' : 'refusing');
      const ended = member.meetings.filter((meeting) => meeting.endsAt <= now);
      member.meetings = member.meetings.filter((meeting) => meeting.endsAt > now);
      if (this.options.recordingMinutes > 0) member.recordings.push(...ended.map(() => now + this.options.recordingMinutes * 60_000));
      member.recordings = member.recordings.filter((done) => done > now);
    }
    let missing = participants - this.members.reduce((sum, member) => sum + loadOf(member), 0);
    while (missing > 0) {
      const [least] = this.serving().sort((one, other) => loadOf(one) - loadOf(other));
      if (least === undefined) {
        this.unserved += missing;
        break;
      }
      this.meetingCount += 1;
      least.meetings.push({
        id: `lesson-${this.meetingCount}`,
        participants: Math.min(this.options.meetingSize, missing),
        endsAt: now + this.options.meetingMinutes * 60_000,
      });
      missing -= this.options.meetingSize;
    }
    this.sync();
  }

  /** Pushes the world's meetings and recordings into the fakes (the servers' APIs, Scalelite's poll, Prometheus). */
  sync(): void {
    for (const member of this.members) {
      const serves = member.api.health === 'serving';
      member.api.meetings = member.meetings.map((meeting) => meeting.id);
      this.scalelite.setOnline(member.balancerId, serves);
      this.scalelite.setLoad(member.balancerId, loadOf(member));
      if (serves) this.prometheus.recordings.set(member.host, member.recordings.length);
      else this.prometheus.recordings.delete(member.host);
    }
    this.scalelite.poll();
  }

  async close(): Promise<void> {
    await Promise.all([
      this.ionos.close(),
      this.scalelite.close(),
      this.prometheus.close(),
      ...this.members.map((member) => member.api.close()),
    ]);
  }
}

const loadOf = (member: FakeMember): number => member.meetings.reduce((sum, meeting) => sum + meeting.participants, 0);
