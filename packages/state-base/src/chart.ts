import { join } from 'node:path';

import { defineChart, each, type HelmChart, readChartText, when } from '@meetscale/chart-toolkit';

import packageJson from '../package.json';
import { ClusterIssuer, Namespaces, NodeTaint, StateGateway } from './state-base';
import { type StateBaseValues, stateBaseValues } from './values';

/** The state-base chart: what a state's cluster needs before the meetscale charts, as one typed release. */
export const stateBaseChart = defineChart({
  name: 'state-base',
  version: packageJson.version,
  upgrading: {
    '0.2.0': [
      '`tolerations` are now checked as the Kubernetes API server checks them: a `value` only with operator `Equal`',
      '(none with `Exists`) and `tolerationSeconds` only with effect `NoExecute`. Such tolerations used to install and',
      "leave the taint's pods uncreatable; `helm upgrade` now refuses them with a schema error naming the toleration.",
      'Nothing rendered changes but the chart version in the labels.',
    ].join(' '),
  },
  appVersion: packageJson.version,
  description:
    "A state's cluster base for meetscale: namespaces with Pod Security labels, the media-node taint, the Envoy Gateway entry point with HTTPS redirect and cert-manager TLS.",
  keywords: ['meetscale', 'gateway-api', 'envoy-gateway', 'cert-manager', 'pod-security'],
  source: 'packages/state-base',
  values: stateBaseValues,
  build: (chart: HelmChart<StateBaseValues>) => {
    new Namespaces(chart, 'namespaces', { chart });
    new NodeTaint(chart, 'node-taint', { chart });
    const gateway = new StateGateway(chart, 'gateway', { chart });
    new ClusterIssuer(chart, 'cluster-issuer', { chart, gatewayName: gateway.gatewayName });
  },
  notes: (chart) => {
    const v = chart.values;
    const taint = v.mediaNodeTaint.taint;
    return `state-base ${chart.fullname} in namespace ${chart.release.namespace}:
${each(v.namespaces, (namespace) => `  namespace ${namespace.name}: Pod Security ${namespace.podSecurity}\n`)}${when(
      v.mediaNodeTaint.enabled,
      `  DaemonSet ${chart.componentName('node-taint')} taints the selected nodes ${taint.key}=${taint.value}:${taint.effect}\n`,
    )}${when(
      v.gateway.enabled,
      `  Gateway ${chart.include('gatewayName')}, HTTP redirected to HTTPS, for:\n${each(v.gateway.hostnames, (host) => `    https://${host}/\n`)}`,
    )}${when(v.clusterIssuer.enabled, `  ClusterIssuer ${v.clusterIssuer.name}: ${v.clusterIssuer.server}\n`)}`;
  },
  readme: readChartText(join(__dirname, '..', 'docs', 'README.md')),
  scenarios: {
    'state-entry-point': {
      namespaces: [{ name: 'lessons', podSecurity: 'privileged', labels: { 'example.org/team': 'video' } }, { name: 'lessons-gateway' }],
      mediaNodeTaint: { nodeSelector: { 'meetscale.io/pool': 'media' } },
      gateway: {
        enabled: true,
        name: 'lessons',
        hostnames: ['meet.example.org', 'lernen.example.org'],
        routeNamespaceSelector: { 'kubernetes.io/metadata.name': 'lessons' },
        proxy: { loadBalancerIP: '203.0.113.10', nodeSelector: { 'meetscale.io/pool': 'system' } },
      },
      clusterIssuer: {
        enabled: true,
        name: 'lessons-letsencrypt-staging',
        server: 'https://acme-staging-v02.api.letsencrypt.org/directory',
        email: 'platform@example.org',
        solverNodeSelector: { 'meetscale.io/pool': 'system' },
      },
    },
    'gateway-own-certificate': {
      mediaNodeTaint: {
        taint: { key: 'example.org/dedicated', value: 'video', effect: 'NoExecute' },
        nodeSelector: { 'example.org/dedicated': 'video' },
        tolerations: [{ key: 'example.org/dedicated', operator: 'Exists' }],
      },
      gateway: {
        enabled: true,
        hostnames: ['video.example.org'],
        tls: { secretName: 'video-example-org-tls' },
        gatewayClass: { create: false, name: 'shared-envoy' },
        timeouts: { idle: '4h', streamIdle: '1h30m' },
      },
    },
  },
});
