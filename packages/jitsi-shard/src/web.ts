import { ComponentService, type HelmChart, Manifest, ServiceHttpRoute, ServiceIngress, when } from '@meetscale/chart-toolkit';
import { Construct } from 'constructs';
import type { ConfigMap } from 'kubernetes-types/core/v1';

import { ComponentDeployment } from './component-deployment';
import { webPadsEnv } from './pads';
import { PORTS, type ShardSettings } from './shard-settings';
import { webP2pEnv } from './turn';
import type { JitsiShardValues } from './values';
import { healthConf, WEB_FILES } from './web-files';

/** Settings of the Web construct. */
export interface WebProps {
  /** The chart whose values and release names the construct reads. */
  readonly chart: HelmChart<JitsiShardValues>;
  /** The shard's shared settings. */
  readonly settings: ShardSettings;
}

const COMPONENT = 'web';

/**
 * The Jitsi Meet frontend (nginx): serves the app and proxies BOSH and the XMPP websocket to prosody, and answers
 * the shard health path HAProxy checks (`/_meetscale/health`: 200 when the shard can host a new room, else 404). Its
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

    // The files the chart adds to the image's configuration, among them the shard health path for HAProxy.
    const configName = String(chart.componentName('web-config'));
    const files = new Manifest<ConfigMap>(this, 'config', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: configName, labels: chart.standardLabels(COMPONENT) },
      data: {
        [WEB_FILES.health.key]: String(
          chart.defineText('web.healthConf', healthConf({ prosody: settings.prosodyHost, jicofo: settings.jicofoHost })),
        ),
        // Always present, empty unless set: the image appends or includes an empty file harmlessly.
        [WEB_FILES.nginxSnippet.key]: String(v.nginxSnippet),
        // The chart's own options first, so that the user's JavaScript, appended after them, has the last word.
        [WEB_FILES.customConfig.key]: String(
          chart.defineText('web.customConfig', `${when(v.channelLastN, `config.channelLastN = ${v.channelLastN};\n`)}${v.customConfig}`),
        ),
        [WEB_FILES.customInterfaceConfig.key]: String(v.customInterfaceConfig),
      },
    });
    const mounted = Object.values(WEB_FILES).map(({ key, path }) => ({ name: 'config', mountPath: path, subPath: key, readOnly: true }));

    new ComponentDeployment(this, 'component', {
      chart,
      settings,
      component: COMPONENT,
      values: v,
      replicas: v.replicaCount,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 } },
      checksums: { 'checksum/config': String(chart.checksumOf(files)) },
      volumes: [{ name: 'config', configMap: { name: configName } }],
      container: {
        volumeMounts: mounted,
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
