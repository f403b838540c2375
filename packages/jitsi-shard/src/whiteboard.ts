import { checksum, type HelmChart, Manifest, Workload, workloadValues } from '@meetscale/chart-toolkit';
import { Construct } from 'constructs';
import type { ConfigMap, Service } from 'kubernetes-types/core/v1';
import { z } from 'zod';

import { scratchVolume } from './_pod';
import type { JitsiShardValues } from './values';

/** The port the chart makes the excalidraw backend listen on (`PORT`; its default, 80, needs root). */
export const WHITEBOARD_PORT = 8080;
/** The backend's Prometheus port (jitsi/excalidraw-backend src/prometheus.ts). */
export const WHITEBOARD_METRICS_PORT = 9090;

/**
 * The image docker-jitsi-meet runs (whiteboard.yml at the chart's JITSI_RELEASE): `jitsi/excalidraw-backend`. It
 * is built `FROM node:*-slim` without a `USER` (jitsi/excalidraw-backend Dockerfile), so it would run as root; the
 * node images' `node` user is UID 1000, and nothing in the backend needs more.
 */
const NODE_USER = 1000;

/** The `whiteboard` values block: off by default. */
export const whiteboardValues = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe(
        "Run the whiteboard's collaboration server (excalidraw backend) in the shard, proxied by web at `/socket.io/`. It relays drawings between the participants and keeps nothing on disk.",
      ),
    ...workloadValues({
      image: { repository: 'jitsi/excalidraw-backend', tag: '2026.3.0' },
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
      podSecurityContext: {
        runAsNonRoot: true,
        runAsUser: NODE_USER,
        runAsGroup: NODE_USER,
        fsGroup: NODE_USER,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      // Root read-only: npm writes its cache and logs under HOME, which is the /tmp emptyDir.
      containerSecurityContext: {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ['ALL'] },
      },
      // The backend answers `GET /` with a fixed text (src/index.ts).
      readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 10, failureThreshold: 3 },
      livenessProbe: { httpGet: { path: '/', port: 'http' }, initialDelaySeconds: 15, periodSeconds: 10, failureThreshold: 3 },
      podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
      extraEnvDescription: 'Extra environment variables of the backend (such as `CORS_ORIGIN`), with `value` or `valueFrom`.',
    }),
  })
  .prefault({})
  .describe(
    "The whiteboard's collaboration server (one replica per shard: a whiteboard's participants must meet in one process). HAProxy keeps every whiteboard on its room's shard through the shard name in its URL (see `shardName`).",
  );

/** Settings of the Whiteboard construct. */
export interface WhiteboardProps {
  /** The chart whose values and release names the construct reads. */
  readonly chart: HelmChart<JitsiShardValues>;
}

/**
 * The excalidraw backend in the shard (`whiteboard.enabled`): one pod, since socket.io rooms live in its memory,
 * and its Service, reached only through the web pods' `/socket.io/` proxy.
 */
export class Whiteboard extends Construct {
  public constructor(scope: Construct, id: string, props: WhiteboardProps) {
    super(scope, id);
    const { chart } = props;
    const v = chart.values.whiteboard;
    const name = String(chart.componentName('whiteboard'));
    // Its settings come from a ConfigMap (`extraEnv` still overrides them): the port, and npm's HOME on the emptyDir.
    const data = { PORT: String(WHITEBOARD_PORT), HOME: '/tmp' };
    const settings = new Manifest<ConfigMap>(this, 'configmap', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, labels: chart.standardLabels('whiteboard') },
      data,
    });
    chart.renderWhen(settings, v.enabled);
    const workload = new Workload(this, 'workload', {
      chart: chart as HelmChart<unknown>,
      component: 'whiteboard',
      values: v,
      enabled: v.enabled,
      deployment: { strategy: { type: 'Recreate' } },
      imagePullSecrets: [chart.values.imagePullSecrets],
      checksums: { 'checksum/settings': checksum(data) },
      container: {
        ports: [
          { name: 'http', containerPort: WHITEBOARD_PORT, protocol: 'TCP' },
          { name: 'metrics', containerPort: WHITEBOARD_METRICS_PORT, protocol: 'TCP' },
        ],
        envFrom: [{ configMapRef: { name } }],
        volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
      },
      volumes: [scratchVolume('tmp', '64Mi')],
    });
    const service = new Manifest<Service>(this, 'service', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: workload.name, labels: chart.standardLabels('whiteboard') },
      spec: {
        selector: chart.selectorLabels('whiteboard'),
        ports: [{ name: 'http', port: WHITEBOARD_PORT, targetPort: 'http', protocol: 'TCP' }],
      },
    });
    chart.renderWhen(service, v.enabled);
  }
}
