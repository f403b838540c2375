import type { HaproxyValues } from '@meetscale/chart-values/haproxy';
import { lastRelease, readReleaseRecord } from '@meetscale/releases';

import { meetscaleChart } from '../src/meetscale-chart';
import { meetscaleReleases, shardNames } from '../src/meetscale-releases';
import { JITSI_NAMESPACE } from '../src/state-base-releases';

/** A state's own registry, as its `charts.registry` names it. */
const REGISTRY = 'oci://registry.testland.example/meetscale/charts';

const context = {
  stateId: 'testland',
  chartRegistry: REGISTRY,
  meetingHost: 'meet.testland.meetscale.example',
  ingressIp: '${element(ionoscloud_ipblock.ingress-ip.ips, 0)}',
  jitsiShards: 3,
  haproxyReplicas: 2,
  bridgeAutoscaling: { minReplicas: 1, maxReplicas: 3 },
  bridgeCores: 16,
  channelLastN: 5,
  targetBridgeStress: 0.75,
  mediaNodesMax: 10,
  prometheusRetention: '15d',
  prometheusReplicas: 1,
  grafanaAdminPassword: '${var.grafana_admin_password}',
  acmeEmail: 'platform@testland.meetscale.example',
  acmeServer: 'https://acme-v02.api.letsencrypt.org/directory',
};

describe('meetscaleChart', () => {
  test("installs a meetscale chart from the state's OCI registry under its own name, at its last released version", () => {
    // GIVEN / WHEN
    const release = meetscaleChart<HaproxyValues>({
      chart: 'haproxy',
      registry: REGISTRY,
      namespace: 'jitsi',
      values: { replicaCount: 1 },
    });

    // THEN
    expect(release).toEqual({
      name: 'haproxy',
      chart: 'haproxy',
      repository: REGISTRY,
      version: readReleaseRecord('haproxy').releases.at(-1)?.version,
      namespace: 'jitsi',
      values: { replicaCount: 1 },
      after: undefined,
    });
    expect(release).not.toHaveProperty('takeOwnership');
  });

  test('adopts existing objects only when asked to', () => {
    // GIVEN / WHEN / THEN
    const release = meetscaleChart<HaproxyValues>({
      chart: 'haproxy',
      registry: REGISTRY,
      namespace: 'jitsi',
      values: {},
      takeOwnership: true,
    });
    expect(release.takeOwnership).toBe(true);
  });

  test('refuses a chart that was never released, naming it', () => {
    expect(() => meetscaleChart({ chart: 'never-released', registry: REGISTRY, namespace: 'jitsi', values: {} })).toThrow(
      'chart never-released has no release yet: run `npm run release` before a stack installs it',
    );
  });

  test('takes only values the chart declares (checked by the type checker, npx nx run infra:typecheck)', () => {
    // GIVEN values with a misspelt key and a value of the wrong type
    const misspelt = () =>
      meetscaleChart<HaproxyValues>({
        chart: 'haproxy',
        registry: REGISTRY,
        namespace: 'jitsi',
        // @ts-expect-error `replicas` is not a key of HaproxyValues (it is `replicaCount`)
        values: { replicas: 2 },
      });
    const mistyped = () =>
      meetscaleChart<HaproxyValues>({
        chart: 'haproxy',
        registry: REGISTRY,
        namespace: 'jitsi',
        // @ts-expect-error `service.type` is one of ClusterIP, NodePort, LoadBalancer
        values: { service: { type: 'ExternalName' } },
      });

    // WHEN / THEN the compiler rejects both (an unused @ts-expect-error would fail the typecheck); at run time
    // the values pass through unchanged
    expect(misspelt().values).toEqual({ replicas: 2 });
    expect(mistyped().values).toEqual({ service: { type: 'ExternalName' } });
  });
});

describe('meetscaleReleases', () => {
  test("lists the haproxy chart with one server per shard, routed to from the state's Gateway for the meeting host", () => {
    // GIVEN / WHEN
    const releases = meetscaleReleases(context);
    const haproxy = releases.find((release) => release.name === 'haproxy');

    // THEN
    expect(releases.map((release) => release.name)).toEqual(['shard-0', 'shard-1', 'shard-2', 'haproxy', 'monitoring']);
    expect(haproxy).toMatchObject({
      name: 'haproxy',
      repository: REGISTRY,
      version: lastRelease('haproxy')?.version,
      namespace: JITSI_NAMESPACE,
    });
    expect(haproxy?.values).toMatchObject({
      replicaCount: 2,
      shards: [
        { name: 'shard-0', host: 'shard-0-jitsi-shard-web', port: 80 },
        { name: 'shard-1', host: 'shard-1-jitsi-shard-web', port: 80 },
        { name: 'shard-2', host: 'shard-2-jitsi-shard-web', port: 80 },
      ],
      httpRoute: {
        enabled: true,
        parentRefs: [{ name: 'meetscale', namespace: 'gateway' }],
        hostnames: ['meet.testland.meetscale.example'],
      },
      networkPolicy: { enabled: true, ingressNamespaceSelector: { 'kubernetes.io/metadata.name': 'envoy-gateway-system' } },
    });
    expect(haproxy?.values).not.toHaveProperty('ingress');
  });
});

describe('the releases in the Jitsi namespace', () => {
  test("wait for no release of their own list: the namespace is the state-base release's, an add-on every one waits for", () => {
    const inNamespace = meetscaleReleases(context).filter((release) => release.namespace === JITSI_NAMESPACE);
    expect(inNamespace.map((release) => [release.name, release.after])).toEqual(
      ['shard-0', 'shard-1', 'shard-2', 'haproxy'].map((name) => [name, undefined]),
    );
  });
});

describe('the jitsi-shard releases', () => {
  test('install one shard per name, each behind the meeting host, bridges on the tainted media pool', () => {
    // GIVEN / WHEN
    const shards = meetscaleReleases(context).filter((release) => release.chart === 'jitsi-shard');

    // THEN each release is named after its shard, which is the host HAProxy lists
    expect(shards.map((release) => [release.name, release.repository, release.version, release.namespace])).toEqual(
      ['shard-0', 'shard-1', 'shard-2'].map((name) => [name, REGISTRY, lastRelease('jitsi-shard')?.version, JITSI_NAMESPACE]),
    );
    expect(shards[0]?.values).toMatchObject({
      domain: 'meet.testland.meetscale.example',
      web: { nodeSelector: { 'meetscale.io/pool': 'system' } },
      jvb: {
        nodeSelector: { 'meetscale.io/pool': 'media' },
        tolerations: [{ key: 'meetscale.io/media', operator: 'Equal', value: 'true', effect: 'NoSchedule' }],
        media: { mode: 'hostPort', advertise: 'nodeIP' },
        // the metric names the prometheus-adapter add-on serves
        autoscaling: {
          metric: 'jvbStress',
          customMetrics: { jvbStress: 'jitsi_jvb_stress', networkTransmit: 'network_transmit_bytes_per_second' },
        },
      },
      metrics: { podMonitor: { enabled: true, labels: { release: 'kube-prometheus-stack' } } },
      networkPolicy: { enabled: true, ingressNamespaceSelector: { 'kubernetes.io/metadata.name': 'envoy-gateway-system' } },
    });
  });

  test("give every shard's bridges the sizing's autoscaler bounds and cores, the chart's memory left as it is", () => {
    // GIVEN a sizing of 1 to 3 bridges per shard, each of 16 cores / WHEN / THEN every shard's bridges have them
    for (const shard of meetscaleReleases(context).filter((release) => release.chart === 'jitsi-shard')) {
      expect((shard.values as any).jvb.autoscaling).toMatchObject({ enabled: true, minReplicas: 1, maxReplicas: 3 });
      expect((shard.values as any).jvb.resources).toEqual({ requests: { cpu: '16' }, limits: { cpu: '16' } });
    }
  });

  test("give the clients the lastN the sizing assumes, and aim the autoscaler at the sizing's planned bridge load", () => {
    // GIVEN lastN 5 and a planned load of 75 % of a bridge's cores / WHEN / THEN every shard has them
    for (const shard of meetscaleReleases(context).filter((release) => release.chart === 'jitsi-shard')) {
      expect((shard.values as any).web.channelLastN).toBe(5);
      expect((shard.values as any).jvb.autoscaling.targetJvbStress).toBe('750m');
    }
    // AND unlimited is the chart's -1
    const unlimited = meetscaleReleases({ ...context, channelLastN: -1, targetBridgeStress: 0.7 }).find(
      (release) => release.chart === 'jitsi-shard',
    );
    expect([(unlimited?.values as any).web.channelLastN, (unlimited?.values as any).jvb.autoscaling.targetJvbStress]).toEqual([-1, '700m']);
  });
});

describe('shardNames', () => {
  test('numbers the shards from zero', () => {
    // GIVEN / WHEN / THEN
    expect(shardNames(2)).toEqual(['shard-0', 'shard-1']);
    expect(shardNames(1)).toEqual(['shard-0']);
  });

  test('refuses a state without a shard, which HAProxy could not balance over', () => {
    expect(() => shardNames(0)).toThrow('a state runs at least one Jitsi shard, not 0');
    expect(() => shardNames(1.5)).toThrow('a state runs at least one Jitsi shard, not 1.5');
  });
});
