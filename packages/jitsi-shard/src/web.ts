import { type HelmChart, ServiceIngress } from '@meetscale/chart-toolkit';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';

import { ComponentDeployment } from './component-deployment';
import { PORTS, type ShardSettings } from './shard-settings';
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
 * Service, `<release>-jitsi-shard-web`, is the shard endpoint the haproxy chart lists; the optional Ingress
 * makes the shard reachable on its own (a single-shard installation).
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

    const web = new ComponentDeployment(this, 'component', {
      chart,
      settings,
      component: COMPONENT,
      values: v,
      replicas: v.replicaCount,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0) } },
      container: {
        ports: [{ name: 'http', containerPort: PORTS.webHttp, protocol: 'TCP' }],
        // The image has no health endpoint; nginx answering the app page is the health signal.
        readinessProbe: { httpGet: { path: '/', port: k8s.IntOrString.fromString('http') }, periodSeconds: 5, failureThreshold: 3 },
        livenessProbe: {
          httpGet: { path: '/', port: k8s.IntOrString.fromString('http') },
          initialDelaySeconds: 10,
          periodSeconds: 10,
          failureThreshold: 3,
        },
      },
      // TLS ends at the ingress (or HAProxy); nginx serves plain HTTP inside the cluster.
      env: [
        [
          { name: 'DISABLE_HTTPS', value: '1' },
          { name: 'ENABLE_HTTP_REDIRECT', value: '0' },
          { name: 'ENABLE_LETSENCRYPT', value: '0' },
        ],
      ],
      servicePorts: [{ name: 'http', port: 80, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }],
    });
    chart.setField(web.service, '/metadata/annotations', v.service.annotations);
    chart.setField(web.service, '/spec/type', v.service.type);
    chart.setField(web.service, '/spec/ports/0/port', v.service.port);

    new ServiceIngress(this, 'ingress', {
      chart: chart as HelmChart<unknown>,
      values: v.ingress,
      name,
      labels: chart.standardLabels(COMPONENT),
      serviceName: chart.componentName(COMPONENT),
      servicePort: 'http',
    });
  }
}
