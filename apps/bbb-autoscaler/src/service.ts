import type { Server } from 'node:http';

import type { AutoscalerConfig } from '@meetscale/bbb-autoscaling';

import { startHttpServer } from './http-server';
import { Reconciler, type ReconcilerPorts } from './reconciler';
import { Telemetry } from './telemetry';

/** Who may act: the holder of the Lease (a single instance without one, in tests and dry runs). */
export interface Leadership {
  /** One election round; true when this instance may act now. */
  round(): Promise<boolean>;
  /** Gives up leadership on shutdown. */
  release(): Promise<void>;
  /** Milliseconds between rounds: well within the Lease's duration, so the holder renews it in time. */
  readonly everyMs: number;
}

/** An instance that always leads. */
export const ALONE: Leadership = { round: async () => true, release: async () => undefined, everyMs: 60_000 };

/** A running autoscaler. */
export interface RunningService {
  readonly http: Server;
  readonly reconciler: Reconciler;
  readonly telemetry: Telemetry;
  /** Stops the loop, releases the Lease and closes the HTTP server. */
  stop(): Promise<void>;
}

/**
 * Runs the autoscaler: election rounds for the Lease, and every `intervalSeconds` a decision cycle while this instance
 * leads; the HTTP endpoints throughout. Live while its cycle loop turns; ready once it runs.
 */
export async function runService(
  config: AutoscalerConfig,
  ports: ReconcilerPorts,
  leadership: Leadership,
  listen: { port: number; host?: string },
): Promise<RunningService> {
  const telemetry = new Telemetry();
  const reconciler = new Reconciler(config, ports, telemetry);
  const interval = config.intervalSeconds * 1000;
  let lastTurn = ports.clock.now().getTime();
  let stopping = false;
  let wake: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (wake = resolve));
  const http = await startHttpServer(
    {
      live: () => ports.clock.now().getTime() - lastTurn < 3 * interval + 60_000,
      ready: () => !stopping,
      runningHosts: () => reconciler.running,
      registry: telemetry.registry,
    },
    listen.port,
    listen.host,
  );
  let leading = false;
  const errorOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
  // the election turns on its own, faster than the Lease expires; the cycles turn only while this instance leads
  const election = (async () => {
    while (!stopping) {
      try {
        const now = await leadership.round();
        if (now !== leading) ports.log({ msg: now ? 'leading' : 'not leading' });
        leading = now;
      } catch (error) {
        leading = false;
        telemetry.error('kubernetes');
        ports.log({ msg: 'error', source: 'kubernetes', what: 'election round', error: errorOf(error) });
      }
      if (!stopping) await Promise.race([ports.clock.sleep(leadership.everyMs), stopped]);
    }
  })();
  const cycles = (async () => {
    while (!stopping) {
      if (leading)
        await reconciler.cycle().catch((error: unknown) => ports.log({ msg: 'error', what: 'decision cycle', error: errorOf(error) }));
      lastTurn = ports.clock.now().getTime();
      if (!stopping) await Promise.race([ports.clock.sleep(interval), stopped]);
    }
  })();
  const loop = Promise.all([election, cycles]);
  return {
    http,
    reconciler,
    telemetry,
    async stop() {
      stopping = true;
      wake();
      await loop;
      await leadership.release().catch(() => undefined);
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
