import type { HelmChart } from '@meetscale/chart-toolkit';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';

import {
  applyPodSettings,
  ComponentDisruptionBudget,
  CONTAINER_SECURITY_CONTEXT,
  POD_SECURITY_CONTEXT,
  RUNTIME_MOUNTS,
  RUNTIME_VOLUMES,
  scratchVolume,
} from './_pod';
import { CREDENTIAL_KEYS, PORTS, type ShardSettings } from './shard-settings';
import type { JitsiShardValues } from './values';

/** Settings of the Prosody construct. */
export interface ProsodyProps {
  /** The chart whose values and release names the construct reads. */
  readonly chart: HelmChart<JitsiShardValues>;
  /** The shard's shared settings. */
  readonly settings: ShardSettings;
}

const COMPONENT = 'prosody';

/**
 * Prosody, the XMPP server of the shard: one replica (sessions live in its memory), recreated rather than
 * rolled so that jicofo and the bridges never see two. It creates the jicofo and bridge accounts from the
 * credentials Secret at every start (its data directory is an emptyDir), and serves `/metrics`.
 */
export class Prosody extends Construct {
  public constructor(scope: Construct, id: string, props: ProsodyProps) {
    super(scope, id);
    const { chart, settings } = props;
    const v = chart.values.prosody;
    const name = String(chart.componentName(COMPONENT));
    const labels = chart.standardLabels(COMPONENT);
    const selector = chart.selectorLabels(COMPONENT);

    const deployment = new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: selector },
        strategy: { type: 'Recreate' },
        template: {
          metadata: {},
          spec: {
            automountServiceAccountToken: false,
            securityContext: POD_SECURITY_CONTEXT,
            containers: [
              {
                name: COMPONENT,
                image: `${v.image.repository}:${v.image.tag}`,
                envFrom: [{ configMapRef: { name: settings.configMapName } }],
                ports: [
                  { name: 'xmpp-c2s', containerPort: PORTS.xmppClient, protocol: 'TCP' },
                  { name: 'http', containerPort: PORTS.prosodyHttp, protocol: 'TCP' },
                ],
                // `/health` answers only 127.0.0.1 (mod_http_health), so the probes use BOSH and the XMPP port.
                readinessProbe: {
                  httpGet: { path: '/http-bind', port: k8s.IntOrString.fromString('http') },
                  periodSeconds: 5,
                  failureThreshold: 3,
                },
                livenessProbe: {
                  tcpSocket: { port: k8s.IntOrString.fromString('xmpp-c2s') },
                  initialDelaySeconds: 15,
                  periodSeconds: 10,
                  failureThreshold: 3,
                },
                securityContext: CONTAINER_SECURITY_CONTEXT,
                volumeMounts: [...RUNTIME_MOUNTS, { name: 'data', mountPath: '/var/lib/prosody' }],
              },
            ],
            volumes: [...RUNTIME_VOLUMES, scratchVolume('data', '64Mi')],
          },
        },
      },
    });
    applyPodSettings(chart, deployment, {
      component: COMPONENT,
      values: v,
      checksums: { 'checksum/settings': settings.checksum },
      env: [
        [
          settings.credential('JICOFO_AUTH_PASSWORD', CREDENTIAL_KEYS.jicofo),
          settings.credential('JVB_AUTH_PASSWORD', CREDENTIAL_KEYS.jvb),
          { name: 'PROSODY_ENABLE_METRICS', value: 'true' },
          { name: 'PROSODY_METRICS_ALLOWED_CIDR', value: String(v.metricsAllowedCidr) },
        ],
        settings.jwtSecretEnv,
      ],
    });

    new k8s.KubeService(this, 'service', {
      metadata: { name, labels },
      spec: {
        selector,
        ports: [
          { name: 'xmpp-c2s', port: PORTS.xmppClient, targetPort: k8s.IntOrString.fromString('xmpp-c2s'), protocol: 'TCP' },
          { name: 'http', port: PORTS.prosodyHttp, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' },
        ],
      },
    });

    new ComponentDisruptionBudget(this, 'disruption-budget', { chart, component: COMPONENT, values: v });
  }
}
