import type { AutoscalingPolicy } from './policy';
import { scheduledFloor } from './schedule';

/** A server's state in Scalelite. */
export type PoolState = 'enabled' | 'cordoned' | 'disabled';

/** One server of the pool as the autoscaler observed it this cycle. */
export interface ServerView {
  /** Its hostname, the key every source agrees on (`bbb-03.example.org`). */
  readonly host: string;
  /** Its VM as IONOS reports it. */
  readonly vm: { readonly id: string; readonly running: boolean; readonly busy: boolean };
  /** Its entry in Scalelite; absent when Scalelite does not know it (or could not be read). */
  readonly balancer?: { readonly id: string; readonly state: PoolState; readonly load: number; readonly online: boolean };
  /** Recordings it has not finished processing; absent when unknown (no series, or Prometheus unread). */
  readonly unprocessedRecordings?: number;
  /** Whether its BigBlueButton API answered this cycle; absent when not asked (only running, not enabled servers are). */
  readonly serves?: boolean;
}

/** What the autoscaler saw in one cycle. */
export interface Observation {
  readonly now: Date;
  readonly servers: readonly ServerView[];
  /** Whether Scalelite's server list was read: without it, nothing is drained or stopped. */
  readonly balancerRead: boolean;
  /** Whether Prometheus was read: without the recordings, nothing is drained or stopped. */
  readonly metricsRead: boolean;
}

/**
 * What the autoscaler remembers between cycles. Nothing in it is needed for safety: it only paces the pool
 * (cool-downs) and times servers that do not come up. A restart forgets it, and the autoscaler then waits a full
 * cool-down before it drains and a full start time-out before it calls a server failed.
 */
export interface Memory {
  /** When the pool last changed (a start, an enable, a drain), or when the autoscaler started. */
  readonly lastChangeAt: Date;
  /** When each server was started, or first seen running without serving (hostname → time). */
  readonly startedAt: ReadonlyMap<string, Date>;
}

/** One step the autoscaler takes. */
export type Action =
  | { readonly kind: 'start'; readonly host: string; readonly vmId: string }
  | { readonly kind: 'register'; readonly host: string }
  | { readonly kind: 'enable'; readonly host: string }
  | { readonly kind: 'cordon'; readonly host: string }
  | { readonly kind: 'stop'; readonly host: string; readonly vmId: string };

/** A cycle's decision and why. */
export interface Decision {
  /** Servers that must serve (enabled in Scalelite on a running VM). */
  readonly desired: number;
  /** Servers whose VM runs. */
  readonly running: number;
  /** Servers serving now (enabled, VM running). */
  readonly serving: number;
  /** The schedule's floor now (with the lead). */
  readonly floor: number;
  /** Servers the load needs, with headroom; absent when Scalelite was not read. */
  readonly needed?: number;
  readonly actions: readonly Action[];
  /** Servers started longer than `startTimeoutSeconds` ago that still do not serve: never enabled, alerted on. */
  readonly failed: readonly string[];
  /** Why the decision is what it is, one line each. */
  readonly reasons: readonly string[];
  /** The memory for the next cycle. */
  readonly memory: Memory;
}

/** The memory of an autoscaler that has just started. */
export function freshMemory(now: Date): Memory {
  return { lastChangeAt: now, startedAt: new Map() };
}

const byHost = (one: ServerView, other: ServerView): number => one.host.localeCompare(other.host);

/**
 * Decides, from one observation, what to do. Pure: the same observation, policy and memory give the same decision.
 *
 * - **Desired** servers: the load (Scalelite's, over enabled and cordoned servers) divided by what a server may carry
 *   (`usersPerServer × targetUtilization`), plus `headroomServers`; at least the schedule's floor now and
 *   `leadMinutes` ahead; at most `maxServers` and the pool.
 * - **Out:** a cordoned server that still runs is enabled again first (it has the install and maybe meetings); then
 *   stopped VMs are started. A running server is enabled only once its BigBlueButton API answers; one that does not
 *   answer within `startTimeoutSeconds` is failed: never enabled, and not counted, so another starts.
 * - **In:** only when Scalelite and Prometheus were both read, after the cool-down, and when the others would then
 *   run at most `scaleInUtilization` of their capacity: the least-loaded server is cordoned (one per cycle).
 * - **Stop:** only a server Scalelite counts `disabled`, with load 0, and no recording left to process (known, not
 *   assumed); never one counted enabled, or cordoned with load, and never while the pool needs it.
 */
export function decide(observation: Observation, policy: AutoscalingPolicy, memory: Memory): Decision {
  const { now } = observation;
  const servers = [...observation.servers].sort(byHost);
  const reasons: string[] = [];
  const actions: Action[] = [];
  const startedAt = new Map(memory.startedAt);

  const running = servers.filter((server) => server.vm.running);
  const serving = running.filter((server) => server.balancer?.state === 'enabled');
  const pool = policy.maxServers === 0 ? servers.length : Math.min(policy.maxServers, servers.length);
  const floor = Math.min(scheduledFloor(policy, now), pool);

  // servers the load needs, when Scalelite was read
  const load = servers.reduce((sum, server) => sum + (server.balancer?.load ?? 0), 0);
  const perServer = policy.usersPerServer * policy.targetUtilization;
  const needed = observation.balancerRead ? Math.ceil(load / perServer) + policy.headroomServers : undefined;
  const desired = Math.min(pool, Math.max(floor, policy.minServers, needed ?? serving.length));
  reasons.push(
    needed === undefined
      ? `Scalelite not read: keeping the ${serving.length} serving, at least the floor ${floor}`
      : `load ${load} needs ${needed} (with ${policy.headroomServers} headroom), floor ${floor}: ${desired} desired`,
  );

  // running servers not serving yet: timed from their start, or from when first seen so
  for (const server of running) {
    if (server.balancer?.state === 'enabled') startedAt.delete(server.host);
    else if (!startedAt.has(server.host)) startedAt.set(server.host, now);
  }
  for (const host of [...startedAt.keys()]) {
    if (!running.some((server) => server.host === host) && !servers.some((server) => server.host === host && server.vm.busy))
      startedAt.delete(host);
  }
  const timedOut = (server: ServerView): boolean =>
    now.getTime() - (startedAt.get(server.host) ?? now).getTime() >= policy.startTimeoutSeconds * 1000;
  const failed = running.filter((server) => server.balancer?.state !== 'enabled' && server.serves !== true && timedOut(server));
  for (const server of failed) reasons.push(`${server.host} started ${policy.startTimeoutSeconds} s ago and does not serve: failed`);

  // OUT: fill the gap with what is closest to serving: cordoned servers enabled again, running servers that serve
  // enabled, running ones still coming up waited for, then stopped VMs started
  let gap = desired - serving.length;
  const take = (candidates: readonly ServerView[], act: (server: ServerView) => void): void => {
    for (const server of candidates) {
      if (gap <= 0) return;
      act(server);
      gap -= 1;
    }
  };
  const idle = running.filter(
    (server) =>
      server.balancer?.state !== 'enabled' && server.balancer?.state !== 'cordoned' && !failed.includes(server) && !server.vm.busy,
  );
  const used = new Set<ServerView>();
  if (observation.balancerRead) {
    const cordoned = running
      .filter((server) => server.balancer?.state === 'cordoned' && !server.vm.busy && !failed.includes(server))
      .sort((one, other) => (other.balancer?.load ?? 0) - (one.balancer?.load ?? 0));
    take(cordoned, (server) => {
      actions.push({ kind: 'enable', host: server.host });
      reasons.push(`${server.host} is cordoned but needed: enabled again`);
    });
    take(
      idle.filter((server) => server.serves === true),
      (server) => {
        if (server.balancer === undefined) actions.push({ kind: 'register', host: server.host });
        actions.push({ kind: 'enable', host: server.host });
        startedAt.delete(server.host);
        used.add(server);
      },
    );
  }
  // (without Scalelite nothing is enabled, but what runs idle is on its way all the same)
  take(
    idle.filter((server) => !used.has(server) && (server.serves !== true || !observation.balancerRead)),
    (server) => used.add(server),
  );
  take(
    servers.filter((server) => !server.vm.running && server.vm.busy),
    () => undefined,
  );
  const stopped = servers.filter((server) => !server.vm.running && !server.vm.busy);
  const short = gap;
  take(stopped, (server) => {
    actions.push({ kind: 'start', host: server.host, vmId: server.vm.id });
    startedAt.set(server.host, now);
  });
  if (short > 0) reasons.push(`${short} servers short: starting ${Math.min(short, stopped.length)} of ${stopped.length} stopped`);
  let changed = actions.length > 0;

  // IN: drain the least-loaded server, when everything needed to drain safely is known
  const coolingDown = now.getTime() - memory.lastChangeAt.getTime() < policy.scaleInCooldownSeconds * 1000;
  if (serving.length > desired && !changed) {
    if (!observation.balancerRead || !observation.metricsRead) reasons.push('Scalelite or Prometheus not read: no scale-in');
    else if (coolingDown) reasons.push('cooling down: no scale-in yet');
    else if (load > (serving.length - 1) * policy.usersPerServer * policy.scaleInUtilization)
      reasons.push(`load ${load} too high to drain one of ${serving.length} (hysteresis)`);
    else {
      const [quietest] = [...serving].sort((one, other) => (one.balancer?.load ?? 0) - (other.balancer?.load ?? 0) || byHost(one, other));
      if (quietest !== undefined) {
        actions.push({ kind: 'cordon', host: quietest.host });
        reasons.push(`${serving.length} serving for ${desired} desired: draining ${quietest.host}`);
        changed = true;
      }
    }
  }

  // STOP: idle servers the pool does not need, that Scalelite counts disabled (or does not know), with load 0 and
  // every recording processed (known, not assumed)
  if (observation.balancerRead && observation.metricsRead) {
    for (const server of idle.filter((candidate) => !used.has(candidate))) {
      if ((server.balancer?.load ?? 0) !== 0) continue;
      if (server.unprocessedRecordings !== 0) {
        reasons.push(`${server.host} is idle, its recordings not processed yet (or unknown): kept`);
        continue;
      }
      actions.push({ kind: 'stop', host: server.host, vmId: server.vm.id });
      startedAt.delete(server.host);
    }
  }

  return {
    desired,
    running: running.length,
    serving: serving.length,
    floor,
    ...(needed === undefined ? {} : { needed }),
    actions,
    failed: failed.map((server) => server.host),
    reasons,
    memory: { lastChangeAt: changed ? now : memory.lastChangeAt, startedAt },
  };
}
