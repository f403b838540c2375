import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { MEDIA_NODE_SELECTOR, MEDIA_TAINT, MEDIA_TOLERATION } from '@meetscale/placement';
import { KUBERNETES } from '@meetscale/platform-versions';
import { lastRelease } from '@meetscale/releases';
import { parse } from 'yaml';

import { ADDON_CHARTS, addonReleases } from '../src/addon-releases';
import { ENVOY_GATEWAY_CONTROLLER, GATEWAY_CLASS, GATEWAY_NAME, GATEWAY_NAMESPACE } from '../src/gateway';
import { meetscaleReleases } from '../src/meetscale-releases';
import {
  CLUSTER_ISSUER,
  JITSI_NAMESPACE,
  JITSI_POD_SECURITY_LEVEL,
  JVB_MEDIA_MODE,
  MEDIA_MODE_POD_SECURITY,
  STATE_BASE_NAMESPACE,
  STATE_BASE_RELEASE,
  STATE_GATEWAY_RELEASE,
  stateBaseRelease,
  stateGatewayRelease,
} from '../src/state-base-releases';

/** A state's own registry, as its `charts.registry` names it. */
const REGISTRY = 'oci://registry.testland.example/meetscale/charts';

/** The reserved IP of the Gateway's load balancer, as the stack passes it: a Terraform expression. */
const INGRESS_IP = '${element(ionoscloud_ipblock.ingress-ip.ips, 0)}';

const context = {
  stateId: 'testland',
  chartRegistry: REGISTRY,
  meetingHost: 'meet.testland.meetscale.example',
  ingressIp: INGRESS_IP,
  jitsiShards: 2,
  haproxyReplicas: 2,
  bridgeAutoscaling: { minReplicas: 1, maxReplicas: 2 },
  bridgeCores: 8,
  channelLastN: 5,
  targetBridgeStress: 0.75,
  mediaNodesMax: 4,
  prometheusRetention: '15d',
  prometheusReplicas: 1,
  grafanaAdminPassword: '${var.grafana_admin_password}',
  acmeEmail: 'platform@testland.meetscale.example',
  acmeServer: 'https://acme-staging-v02.api.letsencrypt.org/directory',
};

/** The defaults of the state-base chart (its generated `values.yaml`). */
const chartDefaults = (): any => parse(readFileSync(join(__dirname, '../../../charts/state-base/values.yaml'), 'utf8'));

describe('the state-base release', () => {
  test("installs the state-base chart from the state's registry at its last released version, in a namespace of its own", () => {
    // GIVEN / WHEN
    const release = stateBaseRelease(context);

    // THEN named after the chart, adopting the namespace the Helm provider creates for it, waiting for nothing
    expect(release).toEqual({
      name: 'state-base',
      chart: 'state-base',
      repository: REGISTRY,
      version: lastRelease('state-base')?.version,
      namespace: 'meetscale-system',
      takeOwnership: true,
      after: undefined,
      values: {
        commonLabels: { 'meetscale.io/state': 'testland' },
        namespaces: [
          { name: 'meetscale-system', podSecurity: 'restricted' },
          { name: 'jitsi', podSecurity: 'privileged' },
          { name: 'gateway', podSecurity: 'restricted' },
        ],
      },
    });
    expect([release.name, release.namespace]).toEqual([STATE_BASE_RELEASE, STATE_BASE_NAMESPACE]);
  });

  test("creates the Jitsi namespace at the Pod Security level the bridges' media mode needs: privileged, for host ports", () => {
    // GIVEN / WHEN
    const namespaces = (stateBaseRelease(context).values as any).namespaces;

    // THEN the level is the one the jitsi-shard chart's facts name for the mode the shards are installed with
    expect(JVB_MEDIA_MODE).toBe('hostPort');
    expect(JITSI_POD_SECURITY_LEVEL).toBe(MEDIA_MODE_POD_SECURITY[JVB_MEDIA_MODE]);
    expect(JITSI_POD_SECURITY_LEVEL).toBe('privileged');
    expect(namespaces).toContainEqual({ name: JITSI_NAMESPACE, podSecurity: JITSI_POD_SECURITY_LEVEL });
    // AND every namespace a later release of the state is installed into by name is one of them, or an add-on's
    // (the monitoring chart joins kube-prometheus-stack in its namespace)
    const names = namespaces.map((namespace: { name: string }) => namespace.name);
    expect(names).toEqual(expect.arrayContaining([GATEWAY_NAMESPACE, JITSI_NAMESPACE]));
    const addonNamespaces = addonReleases(context).map((release) => release.namespace);
    for (const release of meetscaleReleases(context)) expect([...names, ...addonNamespaces]).toContain(release.namespace);
  });

  test("taints the media nodes at the chart's defaults, which are placement.ts's taint, selector and toleration", () => {
    // GIVEN the chart's defaults, which the release leaves as they are
    const { mediaNodeTaint } = chartDefaults();
    expect(stateBaseRelease(context).values).not.toHaveProperty('mediaNodeTaint');

    // THEN they are the media taint the bridges tolerate, on the media pool, at the clusters' Kubernetes version
    expect(mediaNodeTaint.enabled).toBe(true);
    expect(mediaNodeTaint.taint).toEqual({ ...MEDIA_TAINT });
    expect(mediaNodeTaint.nodeSelector).toEqual({ ...MEDIA_NODE_SELECTOR });
    expect(mediaNodeTaint.tolerations).toEqual([{ ...MEDIA_TOLERATION }]);
    expect(mediaNodeTaint.image).toMatchObject({ repository: 'registry.k8s.io/kubectl', tag: `v${KUBERNETES.release}` });
  });
});

describe('the state-gateway release', () => {
  test("installs the state-base chart's Gateway and ClusterIssuer in the Gateway's namespace, after what it is given", () => {
    // GIVEN / WHEN
    const release = stateGatewayRelease(context, ['cert-manager', 'envoy-gateway']);

    // THEN
    expect(release).toEqual({
      name: 'state-gateway',
      chart: 'state-base',
      repository: REGISTRY,
      version: lastRelease('state-base')?.version,
      namespace: 'gateway',
      after: ['cert-manager', 'envoy-gateway'],
      values: {
        commonLabels: { 'meetscale.io/state': 'testland' },
        mediaNodeTaint: { enabled: false },
        gateway: {
          enabled: true,
          name: 'meetscale',
          hostnames: ['meet.testland.meetscale.example'],
          gatewayClass: { name: 'meetscale', controllerName: 'gateway.envoyproxy.io/gatewayclass-controller' },
          proxy: { loadBalancerIP: INGRESS_IP, externalTrafficPolicy: 'Local', nodeSelector: { 'meetscale.io/pool': 'system' } },
        },
        clusterIssuer: {
          enabled: true,
          name: 'letsencrypt',
          server: 'https://acme-staging-v02.api.letsencrypt.org/directory',
          email: 'platform@testland.meetscale.example',
          solverNodeSelector: { 'meetscale.io/pool': 'system' },
        },
      },
    });
    expect(release.name).toBe(STATE_GATEWAY_RELEASE);
    expect((release.values as any).gateway).toMatchObject({
      name: GATEWAY_NAME,
      gatewayClass: { name: GATEWAY_CLASS, controllerName: ENVOY_GATEWAY_CONTROLLER },
    });
    expect((release.values as any).clusterIssuer.name).toBe(CLUSTER_ISSUER);
  });
});

describe('the add-on releases', () => {
  test('install the state-base release first, and the state-gateway release after Envoy Gateway and cert-manager', () => {
    // GIVEN / WHEN
    const releases = addonReleases(context);

    // THEN
    expect(releases.map((release) => [release.name, release.after])).toEqual([
      ['state-base', undefined],
      ['prometheus-operator-crds', ['state-base']],
      ['kube-prometheus-stack', ['prometheus-operator-crds']],
      ['prometheus-adapter', ['kube-prometheus-stack']],
      ['envoy-gateway', ['kube-prometheus-stack']],
      ['cert-manager', ['kube-prometheus-stack', 'envoy-gateway']],
      ['state-gateway', ['cert-manager', 'envoy-gateway']],
      ['eck-operator', ['state-base']],
    ]);
    expect(releases.find((release) => release.name === STATE_GATEWAY_RELEASE)).toEqual(
      stateGatewayRelease(context, ['cert-manager', 'envoy-gateway']),
    );
    expect(releases[0]).toEqual(stateBaseRelease(context));
  });

  test('use no plain-manifest chart any more: every object is typed and validated by a chart', () => {
    // GIVEN / WHEN
    const charts = [...addonReleases(context), ...meetscaleReleases(context)].map((release) => release.chart);

    // THEN
    expect(charts).not.toContain('raw');
    expect(Object.values(ADDON_CHARTS).map((pinned) => pinned.chart)).not.toContain('raw');
  });
});
