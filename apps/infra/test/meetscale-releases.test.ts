import type { HaproxyValues } from '@meetscale/chart-values/haproxy';

import { JITSI_NAMESPACE, MEETSCALE_CHART_REGISTRY, meetscaleChart, meetscaleReleases, shardNames } from '../src/meetscale-releases';

const context = {
  stateId: 'testland',
  meetingHost: 'meet.testland.meetscale.example',
  ingressIp: '${element(ionoscloud_ipblock.ingress-ip.ips, 0)}',
  jitsiShards: 3,
  haproxyReplicas: 2,
  prometheusRetention: '15d',
  prometheusReplicas: 1,
  grafanaAdminPassword: '${var.grafana_admin_password}',
  acmeEmail: 'platform@testland.meetscale.example',
  acmeServer: 'https://acme-v02.api.letsencrypt.org/directory',
};

describe('meetscaleChart', () => {
  test('installs a meetscale chart from the OCI registry under its own name', () => {
    // GIVEN / WHEN
    const release = meetscaleChart<HaproxyValues>({ chart: 'haproxy', version: '0.1.0', namespace: 'jitsi', values: { replicaCount: 1 } });

    // THEN
    expect(release).toEqual({
      name: 'haproxy',
      chart: 'haproxy',
      repository: 'oci://ghcr.io/meetscale/charts',
      version: '0.1.0',
      namespace: 'jitsi',
      values: { replicaCount: 1 },
      after: undefined,
    });
  });

  test('takes only values the chart declares (checked by the type checker, npx nx run infra:typecheck)', () => {
    // GIVEN values with a misspelt key and a value of the wrong type
    const misspelt = () =>
      meetscaleChart<HaproxyValues>({
        chart: 'haproxy',
        version: '0.1.0',
        namespace: 'jitsi',
        // @ts-expect-error `replicas` is not a key of HaproxyValues (it is `replicaCount`)
        values: { replicas: 2 },
      });
    const mistyped = () =>
      meetscaleChart<HaproxyValues>({
        chart: 'haproxy',
        version: '0.1.0',
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
  test('lists the haproxy chart with one server per shard, behind the TLS ingress of the meeting host', () => {
    // GIVEN / WHEN
    const [haproxy, ...others] = meetscaleReleases(context);

    // THEN
    expect(others).toEqual([]);
    expect(haproxy).toMatchObject({ name: 'haproxy', repository: MEETSCALE_CHART_REGISTRY, version: '0.1.0', namespace: JITSI_NAMESPACE });
    expect(haproxy?.values).toMatchObject({
      replicaCount: 2,
      shards: [
        { name: 'shard-0', host: 'shard-0-jitsi-shard-web', port: 80 },
        { name: 'shard-1', host: 'shard-1-jitsi-shard-web', port: 80 },
        { name: 'shard-2', host: 'shard-2-jitsi-shard-web', port: 80 },
      ],
      ingress: {
        hosts: [{ host: 'meet.testland.meetscale.example' }],
        tls: [{ secretName: 'meet-testland-meetscale-example-tls', hosts: ['meet.testland.meetscale.example'] }],
      },
    });
  });
});

describe('shardNames', () => {
  test('numbers the shards from zero', () => {
    // GIVEN / WHEN / THEN
    expect(shardNames(2)).toEqual(['shard-0', 'shard-1']);
  });
});
