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
} from './_pod';
import { CREDENTIAL_KEYS, PORTS, type ShardSettings } from './shard-settings';
import type { JitsiShardValues } from './values';

/** Settings of the Jicofo construct. */
export interface JicofoProps {
  /** The chart whose values and release names the construct reads. */
  readonly chart: HelmChart<JitsiShardValues>;
  /** The shard's shared settings. */
  readonly settings: ShardSettings;
}

const COMPONENT = 'jicofo';

/**
 * Jicofo, the conference focus: finds the bridges in the brewery room and places each conference on one.
 * One replica, recreated rather than rolled; its REST API serves `/about/health` and `/metrics`.
 */
export class Jicofo extends Construct {
  public constructor(scope: Construct, id: string, props: JicofoProps) {
    super(scope, id);
    const { chart, settings } = props;
    const v = chart.values.jicofo;
    const name = String(chart.componentName(COMPONENT));
    const labels = chart.standardLabels(COMPONENT);
    const selector = chart.selectorLabels(COMPONENT);
    const health = { httpGet: { path: '/about/health', port: k8s.IntOrString.fromString('http') } };

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
                ports: [{ name: 'http', containerPort: PORTS.jicofoHttp, protocol: 'TCP' }],
                readinessProbe: { ...health, periodSeconds: 5, failureThreshold: 3 },
                livenessProbe: { ...health, initialDelaySeconds: 30, periodSeconds: 10, failureThreshold: 3 },
                securityContext: CONTAINER_SECURITY_CONTEXT,
                volumeMounts: RUNTIME_MOUNTS,
              },
            ],
            volumes: RUNTIME_VOLUMES,
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
          // The REST API listens on all interfaces only with this; /about/health exists only with health checks on.
          { name: 'JICOFO_ENABLE_REST', value: '1' },
          { name: 'JICOFO_ENABLE_HEALTH_CHECKS', value: '1' },
          { name: 'JICOFO_MAX_MEMORY', value: String(v.maxMemory) },
        ],
      ],
    });

    new k8s.KubeService(this, 'service', {
      metadata: { name, labels },
      spec: {
        selector,
        ports: [{ name: 'http', port: PORTS.jicofoHttp, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }],
      },
    });

    new ComponentDisruptionBudget(this, 'disruption-budget', { chart, component: COMPONENT, values: v });
  }
}
