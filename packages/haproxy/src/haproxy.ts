import { type HelmChart, omitIfEmpty, ServiceIngress } from '@meetscale/chart-toolkit';
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';

import { haproxyConfig } from './haproxy-config';
import { CONFIG_DIR, RUN_DIR, startScript } from './start-script';
import type { HaproxyValues } from './values';

/** Settings of the Haproxy construct. */
export interface HaproxyProps {
  /** The chart whose values and release names the construct reads. */
  readonly chart: HelmChart<HaproxyValues>;
}

const COMPONENT = 'haproxy';
/** UID and GID of the `haproxy` user of the official image. */
const HAPROXY_USER = 99;

/**
 * HAProxy in front of the Jitsi shards: a StatefulSet whose replicas share one stick table through a
 * `peers` section, a ConfigMap with `haproxy.cfg`, the Service the ingress targets, a headless Service for
 * the peers, a metrics Service, and the optional Ingress, ServiceMonitor, PodDisruptionBudget and
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
    const config = chart.defineText('config', haproxyConfig(chart, peersName));
    const start = chart.defineText('start-script', startScript(chart));

    new k8s.KubeServiceAccount(this, 'serviceaccount', {
      metadata: { name, labels },
      automountServiceAccountToken: false,
    });

    const configMap = new k8s.KubeConfigMap(this, 'configmap', {
      metadata: { name, labels },
      data: { 'haproxy.cfg': String(config), 'start.sh': String(start) },
    });

    const service = new k8s.KubeService(this, 'service', {
      metadata: { name, labels },
      spec: {
        selector,
        ports: [{ name: 'http', port: 80, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }],
      },
    });
    chart.setField(service, '/metadata/annotations', omitIfEmpty(v.service.annotations));
    chart.setField(service, '/spec/type', v.service.type);
    chart.setField(service, '/spec/ports/0/port', v.service.port);

    const peers = new k8s.KubeService(this, 'peers', {
      metadata: { name: peersName, labels },
      spec: {
        clusterIp: 'None',
        // Peers must resolve each other before they are ready, or no replica would start.
        publishNotReadyAddresses: true,
        selector,
        ports: [{ name: 'peers', port: 10000, targetPort: k8s.IntOrString.fromString('peers'), protocol: 'TCP' }],
      },
    });
    chart.setField(peers, '/spec/ports/0/port', v.containerPorts.peers);

    const metrics = new k8s.KubeService(this, 'metrics', {
      metadata: { name: metricsName, labels: chart.standardLabels('metrics') },
      spec: {
        type: 'ClusterIP',
        selector,
        ports: [{ name: 'metrics', port: 8404, targetPort: k8s.IntOrString.fromString('metrics'), protocol: 'TCP' }],
      },
    });
    chart.setField(metrics, '/spec/ports/0/port', v.containerPorts.metrics);

    const statefulSet = new k8s.KubeStatefulSet(this, 'statefulset', {
      metadata: { name, labels },
      spec: {
        serviceName: peersName,
        // Parallel: every replica must start at once so that all peer names resolve.
        podManagementPolicy: 'Parallel',
        replicas: 2,
        selector: { matchLabels: selector },
        updateStrategy: { type: 'RollingUpdate' },
        template: {
          metadata: {},
          spec: {
            serviceAccountName: name,
            automountServiceAccountToken: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: HAPROXY_USER,
              runAsGroup: HAPROXY_USER,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [
              {
                name: 'haproxy',
                image: `${v.image.repository}:${v.image.tag}`,
                // start.sh runs haproxy -L $POD_NAME (the local peer is named after the pod), leaving out peers
                // whose names do not resolve yet.
                command: ['/bin/sh', `${CONFIG_DIR}/start.sh`],
                env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
                ports: [
                  { name: 'http', containerPort: 8080, protocol: 'TCP' },
                  { name: 'metrics', containerPort: 8404, protocol: 'TCP' },
                  { name: 'peers', containerPort: 10000, protocol: 'TCP' },
                ],
                readinessProbe: {
                  httpGet: { path: '/healthz', port: k8s.IntOrString.fromString('metrics') },
                  periodSeconds: 5,
                  failureThreshold: 2,
                },
                livenessProbe: {
                  httpGet: { path: '/healthz', port: k8s.IntOrString.fromString('metrics') },
                  periodSeconds: 10,
                  failureThreshold: 3,
                },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  runAsNonRoot: true,
                  capabilities: { drop: ['ALL'] },
                },
                volumeMounts: [
                  { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
                  { name: 'run', mountPath: RUN_DIR },
                ],
              },
            ],
            volumes: [
              { name: 'config', configMap: { name } },
              { name: 'run', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } },
            ],
          },
        },
      },
    });
    const pod = '/spec/template/spec';
    const container = `${pod}/containers/0`;
    chart.setField(statefulSet, '/spec/replicas', v.replicaCount);
    chart.setField(statefulSet, '/spec/template/metadata/labels', chart.podLabels(COMPONENT, v.podLabels));
    chart.setField(
      statefulSet,
      '/spec/template/metadata/annotations',
      chart.podAnnotations({ 'checksum/config': String(chart.checksumOf(configMap)) }, v.podAnnotations),
    );
    chart.setField(statefulSet, `${pod}/imagePullSecrets`, chart.imagePullSecrets(v.imagePullSecrets));
    chart.setField(statefulSet, `${pod}/nodeSelector`, omitIfEmpty(v.nodeSelector));
    chart.setField(statefulSet, `${pod}/tolerations`, omitIfEmpty(v.tolerations));
    chart.setField(statefulSet, `${pod}/affinity`, omitIfEmpty(v.affinity));
    chart.setField(statefulSet, `${pod}/priorityClassName`, omitIfEmpty(v.priorityClassName));
    chart.setField(statefulSet, `${pod}/terminationGracePeriodSeconds`, v.terminationGracePeriodSeconds);
    chart.setField(statefulSet, `${container}/imagePullPolicy`, v.image.pullPolicy);
    chart.setField(statefulSet, `${container}/resources`, v.resources);
    chart.setField(statefulSet, `${container}/ports/0/containerPort`, v.containerPorts.http);
    chart.setField(statefulSet, `${container}/ports/1/containerPort`, v.containerPorts.metrics);
    chart.setField(statefulSet, `${container}/ports/2/containerPort`, v.containerPorts.peers);

    const pdb = new k8s.KubePodDisruptionBudget(this, 'poddisruptionbudget', {
      metadata: { name, labels },
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selector } },
    });
    chart.setField(pdb, '/spec/maxUnavailable', v.podDisruptionBudget.maxUnavailable);
    chart.renderWhen(pdb, v.podDisruptionBudget.enabled);

    new ServiceIngress(this, 'ingress', {
      chart: chart as HelmChart<unknown>,
      values: v.ingress,
      name,
      labels,
      serviceName: chart.fullname,
      servicePort: 'http',
    });

    const serviceMonitor = new ApiObject(this, 'servicemonitor', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name, labels },
      spec: {
        selector: { matchLabels: chart.selectorLabels('metrics') },
        namespaceSelector: { matchNames: [String(chart.release.namespace)] },
        endpoints: [{ port: 'metrics', path: '/metrics' }],
      },
    });
    chart.setField(serviceMonitor, '/spec/endpoints/0/interval', v.metrics.serviceMonitor.interval);
    chart.setField(serviceMonitor, '/spec/endpoints/0/scrapeTimeout', v.metrics.serviceMonitor.scrapeTimeout);
    chart.addLabels(serviceMonitor, v.metrics.serviceMonitor.labels);
    chart.renderWhen(serviceMonitor, v.metrics.serviceMonitor.enabled);

    const networkPolicy = new k8s.KubeNetworkPolicy(this, 'networkpolicy', {
      metadata: { name, labels },
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ['Ingress'],
        ingress: [
          { from: [{ namespaceSelector: {} }], ports: [{ port: k8s.IntOrString.fromString('http'), protocol: 'TCP' }] },
          { from: [{ podSelector: { matchLabels: selector } }], ports: [{ port: k8s.IntOrString.fromString('peers'), protocol: 'TCP' }] },
          { from: [{ namespaceSelector: {} }], ports: [{ port: k8s.IntOrString.fromString('metrics'), protocol: 'TCP' }] },
        ],
      },
    });
    chart.setField(networkPolicy, '/spec/ingress/0/from/0/namespaceSelector/matchLabels', v.networkPolicy.ingressNamespaceSelector);
    chart.setField(networkPolicy, '/spec/ingress/2/from/0/namespaceSelector/matchLabels', v.networkPolicy.monitoringNamespaceSelector);
    chart.renderWhen(networkPolicy, v.networkPolicy.enabled);
  }
}
