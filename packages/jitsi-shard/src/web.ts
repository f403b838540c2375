import { ComponentService, type HelmChart, ServiceHttpRoute, ServiceIngress } from '@meetscale/chart-toolkit';
import { Construct } from 'constructs';

import { ComponentDeployment } from './component-deployment';
import { webPadsEnv } from './pads';
import { PORTS, type ShardSettings } from './shard-settings';
import { webP2pEnv } from './turn';
import type { JitsiShardValues } from './values';

/** Settings of the Web construct. */
export interface WebProps {
  /** The chart whose values and release names the construct reads. */
  readonly chart: HelmChart<JitsiShardValues>;
  /** The shard's shared settings. */
  readonly settings: ShardSettings;
}

const COMPONENT = 'web';

/**
 * The Jitsi Meet frontend (nginx): serves the app and proxies BOSH and the XMPP websocket to prosody. Its
 * Service, `<release>-jitsi-shard-web`, is the shard endpoint the haproxy chart lists; the optional Ingress or
 * HTTPRoute makes the shard reachable on its own (a single-shard installation).
 */
export class Web extends Construct {
  /** Name of the web Service (the shard endpoint). */
  public readonly serviceName: string;

  public constructor(scope: Construct, id: string, props: WebProps) {
    super(scope, id);
    const { chart, settings } = props;
    const v = chart.values.web;
    const name = String(chart.componentName(COMPONENT));
    this.serviceName = name;

    new ComponentDeployment(this, 'component', {
      chart,
      settings,
      component: COMPONENT,
      values: v,
      replicas: v.replicaCount,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 } },
      container: {
        ports: [{ name: 'http', containerPort: PORTS.webHttp, protocol: 'TCP' }],
        // TLS ends at the ingress or Gateway (or HAProxy); nginx serves plain HTTP inside the cluster.
        env: [
          [
            { name: 'DISABLE_HTTPS', value: '1' },
            { name: 'ENABLE_HTTP_REDIRECT', value: '0' },
            { name: 'ENABLE_LETSENCRYPT', value: '0' },
          ],
          ...webP2pEnv(chart),
          ...webPadsEnv(chart),
        ],
      },
    });
    new ComponentService(this, 'service', {
      chart: chart as HelmChart<unknown>,
      component: COMPONENT,
      name,
      values: v.service,
      portName: 'http',
    });

    new ServiceIngress(this, 'ingress', {
      chart: chart as HelmChart<unknown>,
      values: v.ingress,
      name,
      labels: chart.standardLabels(COMPONENT),
      serviceName: chart.componentName(COMPONENT),
      servicePort: 'http',
    });

    new ServiceHttpRoute(this, 'httproute', {
      chart: chart as HelmChart<unknown>,
      values: v.httpRoute,
      name,
      component: COMPONENT,
      serviceName: chart.componentName(COMPONENT),
      servicePort: v.service.port,
    });
  }
}
