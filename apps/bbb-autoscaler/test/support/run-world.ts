import { type AutoscalerConfig, autoscalerConfig, floorAt } from '@meetscale/bbb-autoscaling';

import { Reconciler } from '../../src/reconciler';
import { Telemetry } from '../../src/telemetry';
import type { PoolWorld } from './pool-world';

/** A configuration for a simulated pool of `hosts`, with policy overrides. */
export function worldConfig(world: PoolWorld, policy: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): AutoscalerConfig {
  return autoscalerConfig.parse({
    policy,
    pool: world.servers.map((server) => ({ host: server.host, serverId: server.vmId })),
    ionos: { datacenterId: '11111111-2222-4333-8444-555555555555' },
    scalelite: { url: 'http://127.0.0.1:1' },
    prometheus: { url: 'http://127.0.0.1:1' },
    lease: { name: 'bbb-autoscaler' },
    ...extra,
  });
}

/** What happened at one cycle. */
export interface Tick {
  readonly at: Date;
  readonly demand: number;
  readonly serving: number;
  readonly running: number;
  readonly floor: number;
  readonly actions: readonly string[];
}

/**
 * Runs the reconciler over the world from now for `minutes` of simulated time, a cycle every `intervalSeconds`,
 * the participants following `demand(at)`. Returns a line per cycle.
 */
export async function runWorld(
  world: PoolWorld,
  config: AutoscalerConfig,
  minutes: number,
  demand: (at: Date) => number,
  reconciler: Reconciler = newReconciler(world, config),
): Promise<Tick[]> {
  const ticks: Tick[] = [];
  const end = world.clock.now().getTime() + minutes * 60_000;
  while (world.clock.now().getTime() < end) {
    const at = world.clock.now();
    world.demand(demand(at));
    const report = await reconciler.cycle();
    ticks.push({
      at,
      demand: demand(at),
      serving: world.serving().length,
      running: world.servers.filter((server) => server.vm === 'RUNNING').length,
      floor: floorAt(config.policy, at),
      actions: (report.decision?.actions ?? []).map((action) => `${action.kind} ${action.host}`),
    });
    world.clock.advance(config.intervalSeconds * 1000);
  }
  return ticks;
}

/** A reconciler on the world's ports. */
export function newReconciler(
  world: PoolWorld,
  config: AutoscalerConfig,
  log: (entry: Record<string, unknown>) => void = () => undefined,
): Reconciler {
  return new Reconciler(
    config,
    {
      cloud: world.cloud,
      balancer: world.balancer,
      probe: world.probe,
      metrics: world.metrics,
      clock: world.clock,
      serverSecret: (host) => `secret-of-${host}`,
      log,
    },
    new Telemetry(),
  );
}
