import {
  baseValues,
  hostname,
  httpRouteValues,
  ingressValues,
  port,
  serviceMonitorValues,
  serviceValues,
  stringMap,
  workloadValues,
} from '@meetscale/chart-toolkit';
import { z } from 'zod';

import { SHARD_HEALTH_PATH } from './facts';

/** UID and GID of the `haproxy` user of the official image. */
export const HAPROXY_USER = 99;

/** An HAProxy time such as `5s`, `90s`, `1h` or `1d`. */
const haproxyTime = (): z.ZodString => z.string().regex(/^[0-9]+(us|ms|s|m|h|d)?$/, 'must be an HAProxy time such as 500ms, 30s, 1h or 1d');

/** An HAProxy size such as `100k` or `1m` (entries of the stick table). */
const haproxySize = (): z.ZodString => z.string().regex(/^[0-9]+[kmg]?$/, 'must be a count such as 5000, 100k or 1m');

/** A port HAProxy can bind as non-root. */
const unprivilegedPort = (): z.ZodNumber => z.number().int().min(1024).max(65535);

const shard = z.strictObject({
  name: z
    .string()
    .max(32)
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a lower-case DNS label')
    .describe('Shard name, the HAProxy server name; keep it stable, since room stickiness is stored per server.'),
  host: hostname().describe('Service DNS name (e.g. `shard-0-jitsi-shard-web`) or IPv4 address of the shard web endpoint.'),
  port: port().default(80).describe('Port of the shard web endpoint.'),
});

/** The values of the haproxy chart. */
export const haproxyValues = z.strictObject({
  ...baseValues,
  replicaCount: z
    .number()
    .int()
    .min(1)
    .max(16)
    .default(2)
    .describe('HAProxy replicas. Every replica is listed in the `peers` section, so all share one stick table.'),
  shards: z
    .array(shard)
    .min(1, 'give at least one shard: without one, HAProxy answers every request with 503')
    .max(64)
    .default([{ name: 'shard-0', host: 'shard-0-jitsi-shard-web', port: 80 }])
    .describe(
      'The Jitsi shards, one HAProxy server each however many web pods a shard runs. A new room goes to a healthy shard chosen by `balance`; every later request of the room goes to the shard that holds it. Names must be unique (rendering fails otherwise); an empty list is refused.',
    ),
  balance: z
    .enum(['roomHash', 'roundrobin'])
    .default('roomHash')
    .describe(
      'How a new room picks its shard. `roomHash`: a consistent hash of the room name, so every replica picks the same shard even before the stick table has synchronised (two people opening a new room at the same moment through different replicas land together). `roundrobin`: strict rotation, but two first requests of a room arriving at different replicas within milliseconds can land on different shards. Either way, later requests follow the stick table, and shards failing health checks get no new rooms.',
    ),
  peers: z
    .strictObject({
      startupWaitSeconds: z
        .number()
        .int()
        .min(0)
        .max(600)
        .default(30)
        .describe("How long a starting replica waits for the other replicas' names to resolve before it starts without the missing ones."),
    })
    .prefault({})
    .describe('Stick-table sync between the replicas.'),
  clusterDomain: hostname().default('cluster.local').describe('Cluster DNS domain, used in the peer addresses of the replicas.'),
  healthCheck: z
    .strictObject({
      path: z
        .string()
        .regex(/^\/[^\s]*$/, 'must be a URL path')
        .default(SHARD_HEALTH_PATH)
        .describe(
          `Path HAProxy requests on every shard to check it. The jitsi-shard chart's web answers \`${SHARD_HEALTH_PATH}\` with 200 when the shard can host new rooms and 404 when it cannot (prosody or jicofo down, or no operational bridge).`,
        ),
      host: hostname().default('localhost').describe('Host header of the health check request.'),
      expectStatus: z
        .number()
        .int()
        .min(100)
        .max(599)
        .default(200)
        .describe(
          'HTTP status a shard that takes new rooms answers. A 404 always means the shard cannot host new rooms (`http-check disable-on-404`), so 404 is refused here.',
        ),
      interval: haproxyTime().default('5s').describe('Time between two checks of a shard.'),
      fall: z
        .number()
        .int()
        .min(1)
        .max(100)
        .default(3)
        .describe(
          'Consecutive failed checks (neither the expected status nor 404) after which a shard is down: it gets no new rooms, and its rooms move to other shards.',
        ),
      rise: z
        .number()
        .int()
        .min(1)
        .max(100)
        .default(2)
        .describe('Consecutive passed checks after which a shard that was down gets new rooms again.'),
    })
    .prefault({})
    .describe(
      'Health checks of the shards. A shard answering the expected status takes new rooms; one answering 404 gets no new room but keeps its rooms (HAProxy shows it as NOLB); one answering anything else, or nothing, is down.',
    ),
  stickTable: z
    .strictObject({
      size: haproxySize().default('100k').describe('Maximum number of rooms remembered.'),
      expire: haproxyTime().default('1d').describe('How long a room stays bound to its shard after its last request.'),
      keyLength: z
        .number()
        .int()
        .min(16)
        .max(1024)
        .default(128)
        .describe('Longest room name kept in the table (longer names are truncated).'),
    })
    .prefault({})
    .describe('The stick table binding rooms to shards, shared by all replicas.'),
  timeouts: z
    .strictObject({
      connect: haproxyTime().default('5s').describe('Time to establish a connection to a shard.'),
      client: haproxyTime().default('90s').describe('Client inactivity; above the 60 s BOSH long-poll.'),
      server: haproxyTime().default('90s').describe('Shard inactivity; above the 60 s BOSH long-poll.'),
      httpRequest: haproxyTime().default('10s').describe('Time to receive a complete request header.'),
      tunnel: haproxyTime().default('1h').describe('Inactivity of an upgraded websocket (`/xmpp-websocket`).'),
      clientFin: haproxyTime().default('30s').describe('Half-closed client connections.'),
      check: haproxyTime().default('3s').describe('Time a health check may take.'),
    })
    .prefault({})
    .describe('HAProxy timeouts, websocket-friendly by default.'),
  maxConnections: z
    .number()
    .int()
    .min(100)
    .max(1000000)
    .default(10000)
    .describe(
      'Global maximum of concurrent connections per replica; HAProxy needs about 2 file descriptors and, while busy, up to 32 KiB per connection, so raise `resources.limits.memory` with it.',
    ),
  containerPorts: z
    .strictObject({
      http: unprivilegedPort().default(8080).describe('Port HAProxy serves HTTP on.'),
      metrics: unprivilegedPort().default(8404).describe('Port of the Prometheus metrics (`/metrics`) and health (`/healthz`) endpoints.'),
      peers: unprivilegedPort().default(10000).describe('Port the replicas exchange stick-table updates on.'),
    })
    .prefault({})
    .describe('Container ports.'),
  service: serviceValues({ port: 80, description: 'Service port.' }).describe(
    'The Service the ingress or gateway targets; a ClusterIP Service unless you expose HAProxy yourself.',
  ),
  ingress: ingressValues({ path: '/' }),
  // The XMPP websocket lives as long as the conference and BOSH holds each request up to a minute: a Gateway's
  // default request timeout (Envoy's is 15 s) would cut both, so the route disables its timeouts.
  httpRoute: httpRouteValues({ path: '/', timeouts: { request: '0s', backendRequest: '0s' } }).describe(
    'Gateway API HTTPRoute in front of HAProxy (TLS ends at the Gateway), the alternative to the Ingress. Timeouts are off (`0s`) by default: the XMPP websocket lasts as long as the conference and BOSH requests wait up to a minute.',
  ),
  metrics: z
    .strictObject({
      serviceMonitor: serviceMonitorValues(),
    })
    .prefault({})
    .describe('Prometheus metrics, served by HAProxy itself on the metrics port (a separate ClusterIP Service).'),
  networkPolicy: z
    .strictObject({
      enabled: z
        .boolean()
        .default(false)
        .describe(
          'Admit only the ingress controller or Gateway (HTTP), the other replicas (peers) and the monitoring namespace (metrics).',
        ),
      ingressNamespaceSelector: stringMap('Labels of the namespace of the ingress controller or of the Gateway proxies.').default({
        'kubernetes.io/metadata.name': 'ingress-nginx',
      }),
      monitoringNamespaceSelector: stringMap('Labels of the namespace Prometheus scrapes from.').default({
        'kubernetes.io/metadata.name': 'monitoring',
      }),
    })
    .prefault({})
    .describe('NetworkPolicy for the HAProxy pods.'),
  ...workloadValues({
    image: { repository: 'haproxy', tag: '3.2.25-alpine' },
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
    podSecurityContext: {
      runAsNonRoot: true,
      runAsUser: HAPROXY_USER,
      runAsGroup: HAPROXY_USER,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    containerSecurityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    },
    readinessProbe: { httpGet: { path: '/healthz', port: 'metrics' }, periodSeconds: 5, failureThreshold: 2 },
    livenessProbe: { httpGet: { path: '/healthz', port: 'metrics' }, periodSeconds: 10, failureThreshold: 3 },
    podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
    serviceAccount: { create: true },
    extraEnvDescription: 'Extra environment variables of the HAProxy container (`value` or `valueFrom`).',
  }),
  terminationGracePeriodSeconds: z
    .number()
    .int()
    .min(0)
    .max(3600)
    .default(30)
    .describe('Time a stopping replica gets to finish open requests.'),
});

/** Values of the haproxy chart after defaults are applied. */
export type HaproxyValues = z.output<typeof haproxyValues>;
