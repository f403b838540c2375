import { type HelmChart, Manifest, Workload, workloadValues } from '@meetscale/chart-toolkit';
import { Construct } from 'constructs';
import type { Service } from 'kubernetes-types/core/v1';
import { z } from 'zod';

import { scratchVolume } from './_pod';
import type { JitsiShardValues } from './values';

/** Etherpad's HTTP port (its `settings.json` default). */
export const ETHERPAD_PORT = 9001;

/**
 * The image docker-jitsi-meet runs (etherpad.yml at the chart's JITSI_RELEASE): `etherpad/etherpad:2.0.3`. Its
 * Dockerfile creates the user `etherpad`, UID 5001 in group 0, and runs from `/opt/etherpad-lite`.
 */
const ETHERPAD_USER = 5001;
const ETHERPAD_DIR = '/opt/etherpad-lite';

/** The `etherpad` values block: off by default. */
export const etherpadValues = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe(
        'Run Etherpad in the shard for shared documents, proxied by web at `/etherpad/`. Pads live in a dirty DB in an emptyDir: they are lost when the pod restarts.',
      ),
    ...workloadValues({
      image: { repository: 'etherpad/etherpad', tag: '2.0.3' },
      resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } },
      podSecurityContext: {
        runAsNonRoot: true,
        runAsUser: ETHERPAD_USER,
        runAsGroup: 0,
        fsGroup: ETHERPAD_USER,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      // Root read-only: Etherpad writes only its dirty DB under var/ and temporary files, both emptyDirs here.
      containerSecurityContext: {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ['ALL'] },
      },
      readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 10, failureThreshold: 3 },
      livenessProbe: { tcpSocket: { port: 'http' }, initialDelaySeconds: 30, periodSeconds: 10, failureThreshold: 3 },
      podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
      extraEnvDescription:
        'Extra environment variables of Etherpad (its `settings.json` placeholders, such as `TITLE`), with `value` or `valueFrom`.',
    }),
    dbSizeLimit: z
      .string()
      .regex(/^[0-9]+(Ki|Mi|Gi)$/, 'must be a size such as 256Mi')
      .default('256Mi')
      .describe('Size limit of the emptyDir holding the dirty DB (`var/dirty.db`).'),
  })
  .prefault({})
  .describe(
    "Etherpad, the shared document of a conference (one replica per shard: pads live in its memory and dirty DB). HAProxy keeps every pad on its room's shard through the shard name in its URL (see `shardName`).",
  );

/** Settings of the Etherpad construct. */
export interface EtherpadProps {
  /** The chart whose values and release names the construct reads. */
  readonly chart: HelmChart<JitsiShardValues>;
}

/**
 * Etherpad in the shard (`etherpad.enabled`): one pod (a second one would hold other pads), its Service, reached
 * only through the web pods' `/etherpad/` proxy.
 */
export class Etherpad extends Construct {
  public constructor(scope: Construct, id: string, props: EtherpadProps) {
    super(scope, id);
    const { chart } = props;
    const v = chart.values.etherpad;
    const workload = new Workload(this, 'workload', {
      chart: chart as HelmChart<unknown>,
      component: 'etherpad',
      values: v,
      enabled: v.enabled,
      deployment: { strategy: { type: 'Recreate' } },
      imagePullSecrets: [chart.values.imagePullSecrets],
      container: {
        ports: [{ name: 'http', containerPort: ETHERPAD_PORT, protocol: 'TCP' }],
        env: [
          [
            { name: 'PORT', value: String(ETHERPAD_PORT) },
            { name: 'HOME', value: '/tmp' },
          ],
        ],
        volumeMounts: [
          { name: 'var', mountPath: `${ETHERPAD_DIR}/var` },
          { name: 'tmp', mountPath: '/tmp' },
        ],
      },
      volumes: [{ name: 'var', emptyDir: { sizeLimit: v.dbSizeLimit } }, scratchVolume('tmp', '64Mi')],
    });
    const service = new Manifest<Service>(this, 'service', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: workload.name, labels: chart.standardLabels('etherpad') },
      spec: {
        selector: chart.selectorLabels('etherpad'),
        ports: [{ name: 'http', port: ETHERPAD_PORT, targetPort: 'http', protocol: 'TCP' }],
      },
    });
    chart.renderWhen(service, v.enabled);
  }
}
