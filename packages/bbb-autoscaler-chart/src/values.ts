import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { AUTOSCALER_PATHS, AUTOSCALER_PORT, autoscalerConfig, autoscalingPolicy } from '@meetscale/bbb-autoscaling';
import {
  baseValues,
  existingSecretValue,
  port,
  serviceMonitorValues,
  serviceValues,
  stringMap,
  workloadValues,
} from '@meetscale/chart-toolkit';
import { SCALELITE_CHART } from '@meetscale/chart-values/facts/scalelite';
import { z } from 'zod';

/**
 * The autoscaler's version, read from the service's own `apps/bbb-autoscaler/package.json` at build time (a file, not
 * an import: chart packages never import apps). It is the chart's `appVersion` and the default image tag.
 */
export const AUTOSCALER_VERSION: string = (
  JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'apps', 'bbb-autoscaler', 'package.json'), 'utf8')) as { version: string }
).version;

/** The image built from `apps/bbb-autoscaler/Dockerfile`, tagged with the service's version. */
export const AUTOSCALER_IMAGE = 'ghcr.io/meetscale/bbb-autoscaler';

/** UID and GID the image runs as (the `node` user of the official Node.js images). */
export const AUTOSCALER_USER = 1000;

/** The namespace the state stacks install Scalelite (and this chart) in, and Scalelite's release name there. */
const BIGBLUEBUTTON_NAMESPACE = 'bigbluebutton';
const SCALELITE_RELEASE = SCALELITE_CHART.chart;

/** Scalelite's admin API as the state stacks install it: `http://scalelite-admin.bigbluebutton.svc:3000`. */
const SCALELITE_ADMIN_URL = `http://${SCALELITE_CHART.serviceName('admin', SCALELITE_RELEASE)}.${BIGBLUEBUTTON_NAMESPACE}.svc:${SCALELITE_CHART.ports.admin}`;

/** kube-prometheus-stack's Prometheus as the state stacks install it (release `kube-prometheus-stack`, namespace `monitoring`). */
const PROMETHEUS_URL = 'http://kube-prometheus-stack-prometheus.monitoring.svc:9090';

/** The fields of the service's configuration the values take 1:1, with the service's own schemas. */
const config = autoscalerConfig.shape;

/** A key of a Secret. */
const secretKey = (fallback: string) =>
  z
    .string()
    .min(1)
    .max(253)
    .regex(/^[-._a-zA-Z0-9]+$/, 'must be a Secret key')
    .default(fallback)
    .describe('Key in the Secret.');

/** A Secret key holding one credential, by reference only: the chart never holds or generates it. */
const secretRef = (what: string, existingSecret: { fallback: string; description: string }, key: string) =>
  z
    .strictObject({
      existingSecret: existingSecretValue(existingSecret.description).default(existingSecret.fallback),
      key: secretKey(key),
    })
    .prefault({})
    .describe(`${what}, by reference: mounted as a file, never in the configuration or the environment.`);

/** An IPv4 CIDR. */
const cidr = () => z.string().regex(/^[0-9]{1,3}(\.[0-9]{1,3}){3}\/[0-9]{1,2}$/, 'must be an IPv4 CIDR such as 10.0.0.0/8');

/** Pods in namespaces: where one egress rule of the NetworkPolicy goes. */
const peer = (what: string, namespace: Record<string, string>, pods: Record<string, string>, defaultPort?: number) =>
  z
    .strictObject({
      namespaceSelector: stringMap(`Labels of the namespace of ${what}.`).default(namespace),
      podSelector: stringMap(`Labels of the pods of ${what}.`).default(pods),
      ...(defaultPort === undefined ? {} : { port: port().default(defaultPort).describe(`The port of ${what}’s pods (not its Service).`) }),
    })
    .prefault({})
    .describe(`Egress to ${what}.`);

const networkPolicy = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe(
        'Admit only Prometheus (metrics and the service discovery) and let the pods reach only what the autoscaler talks to: DNS, the API server (its Lease), Scalelite’s admin API, Prometheus, and on 443 the IONOS Cloud API and the BigBlueButton servers.',
      ),
    monitoringNamespaceSelector: stringMap(
      'Labels of the namespace Prometheus scrapes the metrics and the service discovery from.',
    ).default({
      'kubernetes.io/metadata.name': 'monitoring',
    }),
    httpsCidrs: z
      .array(cidr())
      .min(1)
      .max(64)
      .default(['0.0.0.0/0'])
      .describe(
        'Addresses the pods may reach on 443: the IONOS Cloud API (`ionos.apiUrl`) and the BigBlueButton servers’ public addresses; narrow it to those where they are known.',
      ),
    apiServer: z
      .strictObject({
        cidrs: z
          .array(cidr())
          .min(1)
          .max(16)
          .default(['0.0.0.0/0'])
          .describe(
            'Addresses of the Kubernetes API server (`kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes`).',
          ),
        ports: z
          .array(port())
          .min(1)
          .max(4)
          .default([443, 6443])
          .describe('Its ports, as its endpoints list them (a NetworkPolicy sees the endpoint, not the `kubernetes` Service).'),
      })
      .prefault({})
      .describe('Egress to the Kubernetes API server, for the Lease.'),
    dns: peer('the cluster DNS', { 'kubernetes.io/metadata.name': 'kube-system' }, { 'k8s-app': 'kube-dns' }),
    scalelite: peer(
      'Scalelite’s admin API',
      { 'kubernetes.io/metadata.name': BIGBLUEBUTTON_NAMESPACE },
      { 'app.kubernetes.io/name': SCALELITE_CHART.chart, 'app.kubernetes.io/component': 'api' },
      SCALELITE_CHART.ports.admin,
    ),
    prometheus: peer('Prometheus', { 'kubernetes.io/metadata.name': 'monitoring' }, { 'app.kubernetes.io/name': 'prometheus' }, 9090),
  })
  .prefault({})
  .describe('NetworkPolicy for the autoscaler’s pods.');

/** The values of the bbb-autoscaler chart: every field has a description and a default. */
export const bbbAutoscalerValues = z.strictObject({
  ...baseValues,
  replicaCount: z
    .int()
    .min(1)
    .max(5)
    .default(2)
    .describe('Replicas. Only the holder of the Lease acts; the others are hot standbys that take over within `lease.durationSeconds`.'),
  policy: autoscalingPolicy
    .prefault({})
    .describe('The autoscaling policy (schedule floor, headroom, hysteresis, cool-downs), written to the configuration file as it is.'),
  pool: config.pool
    .default([
      { host: 'bbb-01.example.org', serverId: '11111111-1111-4111-8111-111111111111' },
      { host: 'bbb-02.example.org', serverId: '22222222-2222-4222-8222-222222222222' },
    ])
    .describe(
      'The servers the autoscaler powers on and off (the state stack’s pool): each server’s hostname and its IONOS VM. The default is an example: set your own.',
    ),
  ionos: z
    .strictObject({
      apiUrl: config.ionos.shape.apiUrl,
      datacenterId: config.ionos.shape.datacenterId.default('00000000-0000-4000-8000-000000000000'),
      token: secretRef(
        'The IONOS Cloud API token',
        { fallback: '', description: 'Secret holding the IONOS Cloud API token; empty for `<fullname>-ionos`.' },
        'token',
      ),
    })
    .prefault({})
    .describe('The IONOS Cloud API the VMs are started and stopped through.'),
  scalelite: z
    .strictObject({
      url: config.scalelite.shape.url.default(SCALELITE_ADMIN_URL),
      secret: secretRef(
        'Scalelite’s loadbalancer secret, which signs the admin API calls',
        {
          fallback: SCALELITE_RELEASE,
          description:
            'Secret holding Scalelite’s loadbalancer secret: by default the one the scalelite chart generates for a release named `scalelite`; empty for `<fullname>-scalelite`.',
        },
        'loadbalancer-secret',
      ),
    })
    .prefault({})
    .describe('Scalelite’s admin API (cluster-internal): the servers’ state and load, cordon and enable.'),
  prometheus: z
    .strictObject({ url: config.prometheus.shape.url.default(PROMETHEUS_URL) })
    .prefault({})
    .describe('Prometheus, for the servers’ metrics.'),
  serverSecrets: z
    .strictObject({
      existingSecret: existingSecretValue(
        'Secret holding the BigBlueButton API secret of every server of `pool`, one key per server named after its host (`bbb-01.example.org`); empty for `<fullname>-servers`.',
      ),
    })
    .prefault({})
    .describe('The servers’ BigBlueButton API secrets, by reference: the whole Secret mounted as a directory, one file per server.'),
  intervalSeconds: config.intervalSeconds,
  dryRun: config.dryRun,
  lease: z
    .strictObject({ durationSeconds: config.lease.shape.durationSeconds })
    .prefault({})
    .describe('Leader election: only the holder of the Lease `<fullname>` acts.'),
  // image, resources, placement, security contexts, probes, service account and every escape hatch
  ...workloadValues({
    image: { repository: AUTOSCALER_IMAGE, tag: AUTOSCALER_VERSION },
    resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } },
    podSecurityContext: {
      runAsNonRoot: true,
      runAsUser: AUTOSCALER_USER,
      runAsGroup: AUTOSCALER_USER,
      // the group the mounted Secrets are readable by (mode 0440)
      fsGroup: AUTOSCALER_USER,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    containerSecurityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
    livenessProbe: { httpGet: { path: AUTOSCALER_PATHS.live, port: 'http' }, periodSeconds: 10, failureThreshold: 3 },
    readinessProbe: { httpGet: { path: AUTOSCALER_PATHS.ready, port: 'http' }, periodSeconds: 5, failureThreshold: 2 },
    podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
    serviceAccount: { create: true },
  }),
  service: serviceValues({
    port: AUTOSCALER_PORT,
    description: 'Port of the Service: metrics (`/metrics`) and the HTTP service discovery of the running servers (`/targets`).',
  }),
  metrics: z
    .strictObject({ serviceMonitor: serviceMonitorValues() })
    .prefault({})
    .describe('Prometheus metrics (desired and running servers, decisions, errors), served on the Service port at `/metrics`.'),
  networkPolicy,
});

/** Values of the bbb-autoscaler chart after defaults are applied. */
export type BbbAutoscalerValues = z.output<typeof bbbAutoscalerValues>;
