import {
  ComponentService,
  eq,
  type HelmChart,
  Manifest,
  ServiceHttpRoute,
  ServiceIngress,
  ServiceMonitor,
  Workload,
} from '@meetscale/chart-toolkit';
import { Construct } from 'constructs';
import type { ConfigMap, Service } from 'kubernetes-types/core/v1';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1';

import { haproxyConfig } from './haproxy-config';
import { CONFIG_DIR, RUN_DIR, startScript } from './start-script';
import type { HaproxyValues } from './values';

/** Settings of the Haproxy construct. */
export interface HaproxyProps {
  /** The chart whose values and release names the construct reads. */
  readonly chart: HelmChart<HaproxyValues>;
}

const COMPONENT = 'haproxy';

/**
 * HAProxy in front of the Jitsi shards: a StatefulSet whose replicas share one stick table through a
 * `peers` section, a ConfigMap with `haproxy.cfg`, the Service the ingress targets, a headless Service for
 * the peers, a metrics Service, and the optional Ingress or HTTPRoute, ServiceMonitor, PodDisruptionBudget and
 * NetworkPolicy.
 */
export class Haproxy extends Construct {
  public constructor(scope: Construct, id: string, props: HaproxyProps) {
    super(scope, id);
    const { chart } = props;
    const v = chart.values;
    const name = String(chart.fullname);
    const peersName = String(chart.componentName('peers'));
    const metricsName = String(chart.componentName('metrics'));
    const labels = chart.standardLabels(COMPONENT);
    const selector = chart.selectorLabels(COMPONENT);
    chart.failWhen(
      eq(v.healthCheck.expectStatus, 404),
      'healthCheck.expectStatus: 404 is what a shard that cannot host new rooms answers (disable-on-404); expect what one that can answers',
    );
    const config = chart.defineText('config', haproxyConfig(chart, peersName));
    const start = chart.defineText('start-script', startScript(chart));

    const configMap = new Manifest<ConfigMap>(this, 'configmap', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, labels },
      data: { 'haproxy.cfg': config, 'start.sh': start },
    });

    new ComponentService(this, 'service', { chart, component: COMPONENT, name, values: v.service, portName: 'http' });

    new Manifest<Service>(this, 'peers', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: peersName, labels },
      spec: {
        clusterIP: 'None',
        // Peers must resolve each other before they are ready, or no replica would start.
        publishNotReadyAddresses: true,
        selector,
        ports: [{ name: 'peers', port: v.containerPorts.peers, targetPort: 'peers', protocol: 'TCP' }],
      },
    });

    new Manifest<Service>(this, 'metrics', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: metricsName, labels: chart.standardLabels('metrics') },
      spec: {
        type: 'ClusterIP',
        selector,
        ports: [{ name: 'metrics', port: v.containerPorts.metrics, targetPort: 'metrics', protocol: 'TCP' }],
      },
    });

    new Workload(this, 'workload', {
      chart: chart as HelmChart<unknown>,
      component: COMPONENT,
      fullname: true,
      values: v,
      replicas: v.replicaCount,
      statefulSet: {
        serviceName: peersName,
        // Parallel: every replica must start at once so that all peer names resolve.
        podManagementPolicy: 'Parallel',
        updateStrategy: { type: 'RollingUpdate' },
      },
      checksums: { 'checksum/config': chart.checksumOf(configMap) },
      container: {
        // start.sh runs haproxy -L $POD_NAME (the local peer is named after the pod), leaving out peers whose
        // names do not resolve yet.
        command: ['/bin/sh', `${CONFIG_DIR}/start.sh`],
        env: [[{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }]],
        ports: [
          { name: 'http', containerPort: v.containerPorts.http, protocol: 'TCP' },
          { name: 'metrics', containerPort: v.containerPorts.metrics, protocol: 'TCP' },
          { name: 'peers', containerPort: v.containerPorts.peers, protocol: 'TCP' },
        ],
        volumeMounts: [
          { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
          { name: 'run', mountPath: RUN_DIR },
        ],
      },
      volumes: [
        { name: 'config', configMap: { name } },
        { name: 'run', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
      ],
      spec: { terminationGracePeriodSeconds: v.terminationGracePeriodSeconds },
    });

    new ServiceIngress(this, 'ingress', {
      chart: chart as HelmChart<unknown>,
      values: v.ingress,
      name,
      labels,
      serviceName: chart.fullname,
      servicePort: 'http',
    });

    new ServiceHttpRoute(this, 'httproute', {
      chart: chart as HelmChart<unknown>,
      values: v.httpRoute,
      name,
      component: COMPONENT,
      serviceName: chart.fullname,
      servicePort: v.service.port,
    });

    new ServiceMonitor(this, 'servicemonitor', {
      chart: chart as HelmChart<unknown>,
      component: COMPONENT,
      name,
      values: v.metrics.serviceMonitor,
      selector: chart.selectorLabels('metrics'),
      port: 'metrics',
    });

    const networkPolicy = new Manifest<NetworkPolicy>(this, 'networkpolicy', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name, labels },
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: v.networkPolicy.ingressNamespaceSelector } }],
            ports: [{ port: 'http', protocol: 'TCP' }],
          },
          { from: [{ podSelector: { matchLabels: selector } }], ports: [{ port: 'peers', protocol: 'TCP' }] },
          {
            from: [{ namespaceSelector: { matchLabels: v.networkPolicy.monitoringNamespaceSelector } }],
            ports: [{ port: 'metrics', protocol: 'TCP' }],
          },
        ],
      },
    });
    chart.renderWhen(networkPolicy, v.networkPolicy.enabled);
  }
}
