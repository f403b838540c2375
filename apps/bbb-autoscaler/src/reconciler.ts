import {
  type Action,
  type AutoscalerConfig,
  decide,
  type Decision,
  freshMemory,
  type Memory,
  type ServerView,
} from '@meetscale/bbb-autoscaling';

import type { BalancedServer, BalancerApi, Clock, CloudApi, MetricsApi, PoolVm, ServerProbe } from './ports';
import type { Telemetry } from './telemetry';

/** What a reconciler talks to. */
export interface ReconcilerPorts {
  readonly cloud: CloudApi;
  readonly balancer: BalancerApi;
  readonly probe: ServerProbe;
  readonly metrics: MetricsApi;
  readonly clock: Clock;
  /** Each server's BigBlueButton API secret, by host. */
  readonly serverSecret: (host: string) => string;
  /** One log line (JSON). */
  readonly log: (entry: Record<string, unknown>) => void;
}

/** A server's BigBlueButton API URL, unless the pool names another. */
export const apiUrlOf = (host: string): string => `https://${host}/bigbluebutton/api/`;

/**
 * A BigBlueButton API URL as the autoscaler compares them: scheme, host and port, and path with one trailing slash
 * (Scalelite's entry and the pool's agree whatever their spelling; ids need not be hostnames).
 */
const sameUrl = (url: string): string | undefined => {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host.toLowerCase()}${parsed.pathname.replace(/\/*$/, '/')}`;
  } catch {
    return undefined;
  }
};

/** VM states in which IONOS counts a server on. */
const ON_STATES = new Set(['RUNNING']);

/** What one cycle saw and did. */
export interface CycleReport {
  readonly decision?: Decision;
  /** Actions that failed, with the error. */
  readonly failures: ReadonlyArray<{ readonly action: Action; readonly error: string }>;
  /** Actions skipped because a fresh read showed them unsafe. */
  readonly skipped: readonly Action[];
}

/**
 * One decision cycle: observe IONOS, Scalelite, Prometheus and the servers that come up; decide (a pure function of
 * what was seen); act. Holds no state that safety depends on: every cycle starts from what IONOS and Scalelite
 * report, so a restart resumes a drain where it stood.
 */
export class Reconciler {
  private memory: Memory;
  /** The VMs of the pool the last cycle saw running (the service discovery lists them). */
  private runningHosts: readonly string[] = [];

  constructor(
    private readonly config: AutoscalerConfig,
    private readonly ports: ReconcilerPorts,
    private readonly telemetry: Telemetry,
  ) {
    this.memory = freshMemory(ports.clock.now());
  }

  /** Each pool server's API URL, as given and compared. */
  private readonly urls = new Map<string, { given: string; compared: string }>();

  private apiUrl(host: string): string {
    return this.urlOf(host).given;
  }

  private urlOf(host: string): { given: string; compared: string } {
    let url = this.urls.get(host);
    if (url === undefined) {
      const given = this.config.pool.find((server) => server.host === host)?.apiUrl ?? apiUrlOf(host);
      url = { given, compared: sameUrl(given) ?? given };
      this.urls.set(host, url);
    }
    return url;
  }

  /** Hosts whose VM ran at the last cycle. */
  get running(): readonly string[] {
    return this.runningHosts;
  }

  /** Observes, decides and acts once. */
  async cycle(): Promise<CycleReport> {
    const seen = await this.observe();
    if (seen === undefined) return { failures: [], skipped: [] };
    const decision = decide(seen.observation, this.config.policy, this.memory);
    this.memory = decision.memory;
    this.telemetry.decided(decision, seen.observation.servers);
    this.ports.log({
      msg: 'decision',
      desired: decision.desired,
      serving: decision.serving,
      running: decision.running,
      floor: decision.floor,
      needed: decision.needed,
      actions: decision.actions.map((action) => `${action.kind} ${action.host}`),
      failed: decision.failed,
      reasons: decision.reasons,
      dryRun: this.config.dryRun,
    });
    if (this.config.dryRun) return { decision, failures: [], skipped: [] };
    return { decision, ...(await this.act(decision.actions, seen.balancerIds)) };
  }

  private async observe(): Promise<{ observation: Parameters<typeof decide>[0]; balancerIds: Map<string, string> } | undefined> {
    const now = this.ports.clock.now();
    let vms: PoolVm[];
    try {
      vms = await this.ports.cloud.listServers();
    } catch (error) {
      this.failed('ionos', 'list servers', error);
      return undefined;
    }
    let balanced: BalancedServer[] | undefined;
    try {
      balanced = await this.ports.balancer.listServers();
    } catch (error) {
      this.failed('scalelite', 'list servers', error);
    }
    let recordings: Map<string, number> | undefined;
    try {
      recordings = await this.ports.metrics.unprocessedRecordings();
    } catch (error) {
      this.failed('prometheus', 'read unprocessed recordings', error);
    }
    const vmById = new Map(vms.map((vm) => [vm.id, vm]));
    const balancedByUrl = new Map(
      (balanced ?? []).flatMap((server) => {
        const url = sameUrl(server.url);
        return url === undefined ? [] : [[url, server] as const];
      }),
    );
    const servers: ServerView[] = [];
    for (const member of this.config.pool) {
      const vm = vmById.get(member.serverId);
      if (vm === undefined) {
        this.failed('ionos', `find the VM of ${member.host}`, new Error(`no server ${member.serverId} in the datacenter`));
        continue;
      }
      const entry = balancedByUrl.get(this.urlOf(member.host).compared);
      const recorded = recordings?.get(member.host);
      servers.push({
        host: member.host,
        vm: { id: vm.id, running: ON_STATES.has(vm.vmState), busy: vm.provisioningState === 'BUSY' },
        ...(entry === undefined ? {} : { balancer: { id: entry.id, state: entry.state, load: entry.load, online: entry.online } }),
        // a series the exporter does not report is unknown, unless Prometheus was read and the VM is off (nothing runs)
        ...(recorded !== undefined ? { unprocessedRecordings: recorded } : {}),
      });
    }
    this.runningHosts = servers.filter((server) => server.vm.running).map((server) => server.host);
    // ask the servers on their way in (running, not enabled) whether they serve
    const probed = await Promise.all(
      servers.map(async (server) =>
        server.vm.running && server.balancer?.state !== 'enabled'
          ? { ...server, serves: await this.ports.probe.serves(this.apiUrl(server.host), this.ports.serverSecret(server.host)) }
          : server,
      ),
    );
    const balancerIds = new Map(
      servers.flatMap((server) => (server.balancer === undefined ? [] : [[server.host, server.balancer.id] as const])),
    );
    return {
      observation: { now, servers: probed, balancerRead: balanced !== undefined, metricsRead: recordings !== undefined },
      balancerIds,
    };
  }

  /**
   * Acts: Scalelite first (register, enable, cordon), then the VMs (starts and stops, at once: each waits for its
   * IONOS request). Each stop is checked just before against a fresh read of Scalelite (only a server it counts
   * `disabled` with load 0, or does not know, is stopped) and against the server's own API (no meeting running).
   */
  private async act(actions: readonly Action[], balancerIds: Map<string, string>): Promise<Omit<CycleReport, 'decision'>> {
    const failures: Array<{ action: Action; error: string }> = [];
    const skipped: Action[] = [];
    const attempt = async (action: Action, source: string, body: () => Promise<void>): Promise<void> => {
      try {
        await body();
        this.ports.log({ msg: 'acted', action: action.kind, server: action.host });
      } catch (error) {
        failures.push({ action, error: messageOf(error) });
        this.failed(source, `${action.kind} ${action.host}`, error);
      }
    };
    for (const action of actions) {
      if (action.kind === 'register')
        await attempt(action, 'scalelite', async () => {
          const added = await this.ports.balancer.addServer(this.apiUrl(action.host), this.ports.serverSecret(action.host));
          balancerIds.set(action.host, added.id);
        });
      else if (action.kind === 'enable' || action.kind === 'cordon') {
        const id = balancerIds.get(action.host);
        if (id === undefined) skipped.push(action);
        else await attempt(action, 'scalelite', () => this.ports.balancer.updateServer(id, action.kind));
      }
    }
    const stops = actions.filter((action) => action.kind === 'stop');
    let safeToStop = new Set<string>();
    if (stops.length > 0) {
      try {
        const fresh = await this.ports.balancer.listServers();
        const drained = new Set(
          fresh.filter((server) => server.state === 'disabled' && server.load === 0).map((server) => sameUrl(server.url)),
        );
        const known = new Set(fresh.map((server) => sameUrl(server.url)));
        const counted = stops.filter((stop) => {
          const url = this.urlOf(stop.host).compared;
          return drained.has(url) || !known.has(url);
        });
        // and the server itself reports no meeting (Scalelite's load of a disabled server is `unavailable`)
        const meetings = await Promise.all(
          counted.map((stop) => this.ports.probe.meetings(this.apiUrl(stop.host), this.ports.serverSecret(stop.host))),
        );
        safeToStop = new Set(counted.filter((_, index) => meetings[index] === 0).map((stop) => stop.host));
      } catch (error) {
        this.failed('scalelite', 'check the servers before stopping', error);
      }
    }
    // the service discovery follows at once: a started server is scraped from now on, a stopped one no more
    const running = (host: string, on: boolean): void => {
      this.runningHosts = on ? [...new Set([...this.runningHosts, host])] : this.runningHosts.filter((other) => other !== host);
    };
    const vmActions = actions.flatMap((action) => {
      if (action.kind === 'start')
        return [
          attempt(action, 'ionos', async () => {
            await this.ports.cloud.startServer(action.vmId);
            running(action.host, true);
          }),
        ];
      if (action.kind !== 'stop') return [];
      if (!safeToStop.has(action.host)) {
        skipped.push(action);
        return [];
      }
      return [
        attempt(action, 'ionos', async () => {
          await this.ports.cloud.stopServer(action.vmId);
          running(action.host, false);
        }),
      ];
    });
    await Promise.all(vmActions);
    return { failures, skipped };
  }

  private failed(source: string, what: string, error: unknown): void {
    this.telemetry.error(source);
    this.ports.log({ msg: 'error', source, what, error: messageOf(error) });
  }
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
