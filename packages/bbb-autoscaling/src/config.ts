import { z } from 'zod';

import { autoscalingPolicy } from './policy';

/** Where the autoscaler finds each credential: files of mounted Secrets, never values in its configuration. */
export const SECRET_PATHS = {
  /** The IONOS API token (a file). */
  ionosToken: '/var/run/secrets/meetscale/ionos/token',
  /** Scalelite's loadbalancer secret (a file). */
  scaleliteSecret: '/var/run/secrets/meetscale/scalelite/secret',
  /** The servers' BigBlueButton API secrets: one file per server, named after its host. */
  serverSecrets: '/var/run/secrets/meetscale/servers',
} as const;

/** The port the autoscaler serves health, metrics and the HTTP service discovery on. */
export const AUTOSCALER_PORT = 8080;

/** The paths it serves. */
export const AUTOSCALER_PATHS = { live: '/healthz', ready: '/readyz', metrics: '/metrics', targets: '/targets' } as const;

/** The ports of each server's exporters, which the service discovery lists. */
export const EXPORTER_PORTS = { bigbluebutton: 9688, node: 9100 } as const;

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be an IONOS UUID');

const httpUrl = (what: string) =>
  z
    .string()
    .regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, 'must be an http(s) URL')
    .describe(what);

const hostname = z
  .string()
  .max(253)
  .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a fully qualified hostname');

/** One server of the pool: its hostname (the key Scalelite, Prometheus and DNS agree on) and its IONOS VM. */
export const poolServer = z.strictObject({
  host: hostname.describe('The server’s hostname, e.g. `bbb-03.example.org`; its API is `https://<host>/bigbluebutton/api/`.'),
  serverId: uuid.describe('The IONOS server id of its VM.'),
  apiUrl: z
    .string()
    .regex(/^https?:\/\/[^\s/]+\/(\S*\/)?bigbluebutton\/api\/?$/, 'must be the URL of a BigBlueButton API, ending in /bigbluebutton/api/')
    .optional()
    .describe('Its BigBlueButton API URL, when not `https://<host>/bigbluebutton/api/`; as Scalelite holds it.'),
});

/** One server of the pool. */
export type PoolServer = z.infer<typeof poolServer>;

/** The autoscaler's configuration file (YAML or JSON), as its chart writes it. */
export const autoscalerConfig = z
  .strictObject({
    policy: autoscalingPolicy.prefault({}),
    pool: z.array(poolServer).min(1).describe('The servers the autoscaler powers on and off (the state stack’s pool).'),
    ionos: z.strictObject({
      apiUrl: httpUrl('The IONOS Cloud API v6 base URL.').default('https://api.ionos.com/cloudapi/v6'),
      datacenterId: uuid.describe('The datacenter of the pool’s VMs.'),
    }),
    scalelite: z.strictObject({
      url: httpUrl('Scalelite’s admin API base URL (the cluster-internal Service), e.g. `http://scalelite-admin:3000`.'),
    }),
    prometheus: z.strictObject({
      url: httpUrl('Prometheus’ base URL, e.g. `http://prometheus-operated.monitoring:9090`.'),
    }),
    intervalSeconds: z.int().min(5).max(600).default(30).describe('Seconds between two decision cycles.'),
    dryRun: z.boolean().default(false).describe('Log each decision without acting on it.'),
    lease: z
      .strictObject({
        name: z.string().min(1).max(253).describe('The Lease that keeps one instance active.'),
        durationSeconds: z.int().min(5).max(300).default(15).describe('Seconds a Lease holds without renewal.'),
      })
      .describe('Leader election: only the holder of the Lease acts.'),
  })
  .superRefine((config, context) => {
    const seen = new Set<string>();
    for (const [index, server] of config.pool.entries()) {
      if (seen.has(server.host))
        context.addIssue({ code: 'custom', path: ['pool', index, 'host'], message: `${server.host} is listed twice` });
      seen.add(server.host);
    }
  });

/** The autoscaler's configuration, defaults applied. */
export type AutoscalerConfig = z.infer<typeof autoscalerConfig>;
