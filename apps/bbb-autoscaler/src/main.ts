/**
 * The BigBlueButton server autoscaler: `node main.js --config <file> [--listen <port>] [--host <address>] [--secrets-root <dir>]`.
 * Reads its configuration (the chart writes it) and credentials (files of mounted Secrets), takes part in the
 * election for its Lease when it runs in a cluster (alone otherwise), and reconciles every `intervalSeconds`.
 */
import { parseArgs } from 'node:util';

import { AUTOSCALER_PORT } from '@meetscale/bbb-autoscaling';
import { inClusterAccess, LeaseElector } from '@meetscale/kube-lease';

import { BbbProbe } from './bbb-probe';
import { readConfig, readCredentials } from './config-file';
import { portOf } from './http-server';
import { IonosClient } from './ionos-client';
import type { Clock } from './ports';
import { PrometheusClient } from './prometheus-client';
import { ScaleliteClient } from './scalelite-client';
import { ALONE, type Leadership, runService } from './service';

const REAL_TIME: Clock = {
  now: () => new Date(),
  sleep: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
};

const log = (entry: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string', default: '/etc/meetscale/autoscaler.yaml' },
      listen: { type: 'string', default: String(AUTOSCALER_PORT) },
      host: { type: 'string', default: '0.0.0.0' },
      'secrets-root': { type: 'string', default: '' },
    },
  });
  const config = readConfig(values.config);
  const credentials = readCredentials(config, values['secrets-root']);
  let leadership: Leadership = ALONE;
  if (process.env.KUBERNETES_SERVICE_HOST !== undefined) {
    const namespace = process.env.POD_NAMESPACE;
    const identity = process.env.POD_NAME;
    if (namespace === undefined || identity === undefined) throw new Error('POD_NAMESPACE and POD_NAME must be set in a cluster');
    const elector = new LeaseElector(inClusterAccess(), {
      namespace,
      name: config.lease.name,
      identity,
      durationSeconds: config.lease.durationSeconds,
    });
    leadership = { round: () => elector.round(), release: () => elector.release(), everyMs: (config.lease.durationSeconds * 1000) / 3 };
  } else log({ msg: 'not in a cluster: acting alone, without a Lease' });
  const service = await runService(
    config,
    {
      cloud: new IonosClient({
        baseUrl: config.ionos.apiUrl,
        token: credentials.ionosToken,
        datacenterId: config.ionos.datacenterId,
        clock: REAL_TIME,
      }),
      balancer: new ScaleliteClient({ baseUrl: config.scalelite.url, secret: credentials.scaleliteSecret }),
      probe: new BbbProbe(),
      metrics: new PrometheusClient(config.prometheus.url),
      clock: REAL_TIME,
      serverSecret: (host) => credentials.serverSecrets.get(host) ?? '',
      log,
    },
    leadership,
    { port: Number(values.listen), host: values.host },
  );
  log({ msg: 'started', pool: config.pool.length, dryRun: config.dryRun, listen: portOf(service.http) });
  const shutdown = (): void => {
    log({ msg: 'stopping' });
    service.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
