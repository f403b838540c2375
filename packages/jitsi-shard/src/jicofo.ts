import { and, gt, type HelmChart, listWhen, str } from '@meetscale/chart-toolkit';
import { Construct } from 'constructs';

import { ComponentDeployment } from './component-deployment';
import { CREDENTIAL_KEYS, PORTS, type ShardSettings } from './shard-settings';
import type { JitsiShardValues } from './values';

/** Settings of the Jicofo construct. */
export interface JicofoProps {
  /** The chart whose values and release names the construct reads. */
  readonly chart: HelmChart<JitsiShardValues>;
  /** The shard's shared settings. */
  readonly settings: ShardSettings;
}

/**
 * Jicofo, the conference focus: finds the bridges in the brewery room and places each conference on one.
 * One replica, recreated rather than rolled; its REST API serves `/about/health` and `/metrics`.
 */
export class Jicofo extends Construct {
  public constructor(scope: Construct, id: string, props: JicofoProps) {
    super(scope, id);
    const { chart, settings } = props;
    const v = chart.values.jicofo;
    const cascading = chart.values.jvb.cascading;
    new ComponentDeployment(this, 'component', {
      chart,
      settings,
      component: 'jicofo',
      values: v,
      strategy: { type: 'Recreate' },
      container: {
        ports: [{ name: 'http', containerPort: PORTS.jicofoHttp, protocol: 'TCP' }],
        env: [
          [
            settings.credential('JICOFO_AUTH_PASSWORD', CREDENTIAL_KEYS.jicofo),
            // The REST API listens on all interfaces only with this; /about/health exists only with health checks on.
            { name: 'JICOFO_ENABLE_REST', value: '1' },
            { name: 'JICOFO_ENABLE_HEALTH_CHECKS', value: '1' },
            { name: 'JICOFO_MAX_MEMORY', value: String(v.maxMemory) },
          ],
          // Cascading: jicofo may place one conference on several bridges of its region (jicofo.conf `octo` and
          // `bridge.selection-strategy` in docker-jitsi-meet); the bridges turn on their relays with the same flag.
          listWhen(cascading.enabled, [
            { name: 'ENABLE_OCTO', value: '1' },
            { name: 'JICOFO_OCTO_REGION', value: String(cascading.region) },
            { name: 'OCTO_BRIDGE_SELECTION_STRATEGY', value: String(cascading.selectionStrategy) },
          ]),
          listWhen(and(cascading.enabled, gt(cascading.maxBridgeParticipants, 0)), [
            { name: 'MAX_BRIDGE_PARTICIPANTS', value: str(cascading.maxBridgeParticipants) },
          ]),
        ],
      },
      servicePorts: [{ name: 'http', port: PORTS.jicofoHttp, targetPort: 'http', protocol: 'TCP' }],
    });
  }
}
