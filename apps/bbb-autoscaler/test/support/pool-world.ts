import type {
  BalancedServer,
  BalancerAction,
  BalancerApi,
  BalancerState,
  CloudApi,
  MetricsApi,
  PoolVm,
  ServerProbe,
} from '../../src/ports';
import type { SimulatedClock } from './simulated-clock';

/** One VM of the simulated pool and what runs on it. */
export interface WorldServer {
  readonly host: string;
  readonly vmId: string;
  vm: 'RUNNING' | 'SHUTOFF';
  /** When its BigBlueButton API answers after a start (never, for a broken install). */
  servesFrom: number;
  broken: boolean;
  registered: boolean;
  state: BalancerState;
  meetings: Array<{ participants: number; endsAt: number }>;
  /** End times of recordings still being processed. */
  recordings: number[];
}

/** Something the autoscaler must never do, as the world saw it happen. */
export interface Violation {
  readonly at: string;
  readonly what: string;
}

/** How the world behaves. */
export interface WorldOptions {
  /** Seconds from a VM's start until its BigBlueButton API answers. */
  readonly bootSeconds: number;
  /** Minutes a meeting lasts. */
  readonly meetingMinutes: number;
  /** Participants per meeting. */
  readonly meetingSize: number;
  /** Minutes a recording takes to process after its meeting ends (0: no recordings). */
  readonly recordingMinutes: number;
  /** Scalelite's poll interval in seconds (cordoned servers at load 0 turn disabled at a poll). */
  readonly pollSeconds: number;
}

export const DEFAULT_WORLD: WorldOptions = { bootSeconds: 180, meetingMinutes: 45, meetingSize: 25, recordingMinutes: 10, pollSeconds: 60 };

/** A failure a port raises for a while. */
type Outage = { until: number; message: string };

/**
 * A state's BigBlueButton pool in memory, in simulated time: IONOS's VMs, Scalelite's server list and poller, the
 * servers' APIs and Prometheus' view of their recordings, with load that follows a participant curve. It implements
 * the autoscaler's ports directly, so that thousands of cycles run in a property test; the scenario tests run the
 * same reconciler against the loopback HTTP fakes. It records every violation of the rules the autoscaler must keep.
 */
export class PoolWorld {
  readonly servers: WorldServer[];
  readonly violations: Violation[] = [];
  /** Participants who wanted a meeting and found no enabled server. */
  unserved = 0;
  private readonly outages: Record<'ionos' | 'scalelite' | 'prometheus', Outage | undefined> = {
    ionos: undefined,
    scalelite: undefined,
    prometheus: undefined,
  };
  /** IONOS calls answered with an error, in order, before the next ones succeed. */
  private ionosFaults: string[] = [];
  readonly calls = { start: 0, stop: 0 };

  constructor(
    readonly clock: SimulatedClock,
    hosts: readonly string[],
    private readonly options: WorldOptions = DEFAULT_WORLD,
  ) {
    this.servers = hosts.map((host, index) => ({
      host,
      vmId: `00000000-0000-4000-8000-${String(index + 1).padStart(12, '0')}`,
      vm: 'SHUTOFF',
      servesFrom: Number.POSITIVE_INFINITY,
      broken: false,
      registered: true,
      state: 'disabled',
      meetings: [],
      recordings: [],
    }));
    clock.every(options.pollSeconds * 1000, () => this.poll());
    clock.every(60_000, (at) => this.endMeetings(at.getTime()));
  }

  /** Servers enabled in Scalelite on a running VM. */
  serving(): WorldServer[] {
    return this.servers.filter((server) => server.vm === 'RUNNING' && server.state === 'enabled');
  }

  /** Participants in meetings now. */
  participants(): number {
    return this.servers.reduce((sum, server) => sum + loadOf(server), 0);
  }

  /** Brings the participants up to `target` with new meetings, each on the least-loaded enabled server (Scalelite's rule). */
  demand(target: number): void {
    let missing = target - this.participants();
    while (missing > 0) {
      const candidates = this.serving();
      if (candidates.length === 0) {
        this.unserved += missing;
        return;
      }
      const [least] = candidates.sort((one, other) => loadOf(one) - loadOf(other));
      (least as WorldServer).meetings.push({
        participants: Math.min(this.options.meetingSize, missing),
        endsAt: this.clock.now().getTime() + this.options.meetingMinutes * 60_000,
      });
      missing -= this.options.meetingSize;
    }
  }

  /** Makes a port fail for `seconds` of simulated time. */
  outage(port: 'ionos' | 'scalelite' | 'prometheus', seconds: number, message = `${port} unreachable`): void {
    this.outages[port] = { until: this.clock.now().getTime() + seconds * 1000, message };
  }

  /** Answers the next IONOS calls with these errors (`429`, `503`, ...), one each. */
  failIonos(...statuses: string[]): void {
    this.ionosFaults.push(...statuses);
  }

  /** Whether a server's VM is on (the world's truth, not what the autoscaler sees). */
  server(host: string): WorldServer {
    const found = this.servers.find((server) => server.host === host);
    if (found === undefined) throw new Error(`no server ${host}`);
    return found;
  }

  readonly cloud: CloudApi = {
    listServers: async (): Promise<PoolVm[]> => {
      this.reach('ionos');
      return this.servers.map((server) => ({
        id: server.vmId,
        name: server.host.split('.')[0] ?? server.host,
        vmState: server.vm,
        provisioningState: 'AVAILABLE',
      }));
    },
    startServer: async (id: string): Promise<void> => {
      this.reach('ionos');
      const server = this.byVm(id);
      this.calls.start += 1;
      if (server.vm === 'RUNNING') this.violate(`${server.host} started while it runs (a duplicate start)`);
      server.vm = 'RUNNING';
      server.servesFrom = server.broken ? Number.POSITIVE_INFINITY : this.clock.now().getTime() + this.options.bootSeconds * 1000;
    },
    stopServer: async (id: string): Promise<void> => {
      this.reach('ionos');
      const server = this.byVm(id);
      this.calls.stop += 1;
      if (server.registered && server.state !== 'disabled')
        this.violate(`${server.host} stopped while Scalelite counts it ${server.state}`);
      if (server.meetings.length > 0) this.violate(`${server.host} stopped with ${server.meetings.length} meetings`);
      if (server.recordings.length > 0) this.violate(`${server.host} stopped with ${server.recordings.length} recordings unprocessed`);
      server.vm = 'SHUTOFF';
      server.servesFrom = Number.POSITIVE_INFINITY;
      server.meetings = [];
    },
  };

  readonly balancer: BalancerApi = {
    listServers: async (): Promise<BalancedServer[]> => {
      this.reach('scalelite');
      return this.servers.filter((server) => server.registered).map((server) => this.balanced(server));
    },
    addServer: async (url: string): Promise<BalancedServer> => {
      this.reach('scalelite');
      const server = this.byUrl(url);
      server.registered = true;
      server.state = 'disabled';
      return this.balanced(server);
    },
    updateServer: async (id: string, action: BalancerAction): Promise<void> => {
      this.reach('scalelite');
      const server = this.server(id);
      server.state = action === 'enable' ? 'enabled' : action === 'cordon' ? 'cordoned' : 'disabled';
      if (action === 'enable' && !this.answers(server)) this.violate(`${server.host} enabled while its API does not answer`);
    },
  };

  readonly probe: ServerProbe = {
    serves: async (apiUrl: string): Promise<boolean> => this.answers(this.byUrl(apiUrl)),
    meetings: async (apiUrl: string): Promise<number | undefined> => {
      const server = this.byUrl(apiUrl);
      return this.answers(server) ? server.meetings.length : undefined;
    },
  };

  readonly metrics: MetricsApi = {
    unprocessedRecordings: async (): Promise<Map<string, number>> => {
      this.reach('prometheus');
      // the exporter runs (and reports) only on a server that is up
      return new Map(this.servers.filter((server) => this.answers(server)).map((server) => [server.host, server.recordings.length]));
    },
  };

  private balanced(server: WorldServer): BalancedServer {
    return {
      id: server.host,
      url: `https://${server.host}/bigbluebutton/api/`,
      state: server.state,
      load: loadOf(server),
      online: this.answers(server),
    };
  }

  private answers(server: WorldServer): boolean {
    return server.vm === 'RUNNING' && this.clock.now().getTime() >= server.servesFrom;
  }

  /** Scalelite's poller: a cordoned server without load turns disabled; an unreachable one loses its meetings. */
  private poll(): void {
    for (const server of this.servers) {
      if (!server.registered) continue;
      if (server.state === 'cordoned' && loadOf(server) === 0) server.state = 'disabled';
      if (server.state !== 'disabled' && !this.answers(server) && server.meetings.length > 0) {
        this.violate(`${server.host}: Scalelite ended ${server.meetings.length} meetings of a server it could not poll`);
        server.meetings = [];
      }
    }
  }

  private endMeetings(now: number): void {
    for (const server of this.servers) {
      const ended = server.meetings.filter((meeting) => meeting.endsAt <= now);
      server.meetings = server.meetings.filter((meeting) => meeting.endsAt > now);
      if (this.options.recordingMinutes > 0) server.recordings.push(...ended.map(() => now + this.options.recordingMinutes * 60_000));
      server.recordings = server.recordings.filter((done) => done > now);
    }
  }

  private reach(port: 'ionos' | 'scalelite' | 'prometheus'): void {
    const outage = this.outages[port];
    if (outage !== undefined && this.clock.now().getTime() < outage.until) throw new Error(outage.message);
    if (port === 'ionos' && this.ionosFaults.length > 0) throw new Error(`IONOS answered ${this.ionosFaults.shift()}`);
  }

  private violate(what: string): void {
    this.violations.push({ at: this.clock.now().toISOString(), what });
  }

  private byVm(id: string): WorldServer {
    const found = this.servers.find((server) => server.vmId === id);
    if (found === undefined) throw new Error(`no VM ${id}`);
    return found;
  }

  private byUrl(url: string): WorldServer {
    return this.server(new URL(url).hostname);
  }
}

const loadOf = (server: WorldServer): number => server.meetings.reduce((sum, meeting) => sum + meeting.participants, 0);
