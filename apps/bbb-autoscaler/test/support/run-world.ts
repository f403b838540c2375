import { type AutoscalerConfig, autoscalerConfig } from '@meetscale/bbb-autoscaling';

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
