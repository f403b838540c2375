import './_bindings';

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { Release } from '@cdktf/provider-helm/lib/release';
import { releasedVersion } from '@meetscale/releases';
import { Testing } from 'cdktf';
import { parse } from 'yaml';

import { DnsRecord } from '../generated/providers/ionoscloud/dns-record';
import { DnsZone } from '../generated/providers/ionoscloud/dns-zone';
import { K8SCluster } from '../generated/providers/ionoscloud/k8s-cluster';
import { K8SNodePool } from '../generated/providers/ionoscloud/k8s-node-pool';
import { ENVOY_GATEWAY_CONTROLLER, ENVOY_GATEWAY_NAMESPACE, GATEWAY_NAME, GATEWAY_NAMESPACE, gatewayParentRef } from '../src/gateway';
import { stateFiles } from '../src/load-states';
import type { StateConfig } from '../src/state-config';
import { state as bremen } from '../states/bremen';
import { state as nordrheinWestfalen } from '../states/nordrhein-westfalen';
import { exampleStates, helmValuesOf, minimalConfig, modelSizingOf, resourceOf, synthesize, type Synthesized } from './_stacks';

Testing.setupJest();

/** The states of `states/`, known synchronously so each gets its own snapshot test. */
const STATE_IDS = stateFiles().map((file) => file.replace(/\.ts$/, ''));

let states: Map<string, Synthesized>;

beforeAll(async () => {
  states = new Map((await exampleStates()).map((config: StateConfig) => [config.id, synthesize(config)]));
});

const stateOf = (id: string): Synthesized => {
  const synthesized = states.get(id);
  if (synthesized === undefined) throw new Error(`no example state ${id}`);
  return synthesized;
};

const NODE_POOLS = ['ionoscloud_k8s_node_pool.kubernetes_system-pool_pool', 'ionoscloud_k8s_node_pool.kubernetes_media-pool_pool'];

/** The version both state-base releases install: the chart's last release (`releases/state-base/releases.json`). */
const stateBaseVersion = (): string => releasedVersion('state-base');

/** The Terraform addresses a resource waits for, directly or through what it waits for. */
const waitsFor = (synthesized: Synthesized, address: string): Set<string> => {
  const seen = new Set<string>();
  const visit = (current: string): void => {
    const [type = '', name = ''] = current.split('.');
    const dependsOn = (synthesized.json.resource[type]?.[name]?.['depends_on'] ?? []) as string[];
    for (const dependency of dependsOn) {
      if (!seen.has(dependency)) {
        seen.add(dependency);
        visit(dependency);
      }
    }
  };
  visit(address);
  return seen;
};

describe('MeetscaleStack', () => {
  test('is synthesized once per state file, named after the state', () => {
    // GIVEN the state files / WHEN their stacks are synthesized / THEN
    expect([...states.keys()]).toEqual(STATE_IDS);
    expect(STATE_IDS).toEqual(expect.arrayContaining(['bremen', 'nordrhein-westfalen']));
    expect(stateOf('bremen').stack.node.id).toBe('bremen');
  });

  // Every state file gets its snapshot, next to the targeted assertions below.
  test.each(STATE_IDS)('for %s matches the snapshot', (id) => {
    // GIVEN / WHEN / THEN
    expect(stateOf(id).text).toMatchSnapshot();
  });

  describe.each([
    [
      'bremen',
      {
        location: 'de/txl',
        allowList: ['198.51.100.0/24'],
        window: { day_of_the_week: 'Saturday', time: '02:00:00Z' },
        acmeEmail: 'platform@bremen.meetscale.example',
      },
    ],
    [
      'nordrhein-westfalen',
      {
        location: 'de/fra',
        allowList: ['203.0.113.0/24', '192.0.2.10/32'],
        window: { day_of_the_week: 'Sunday', time: '01:00:00Z' },
        acmeEmail: 'platform@nrw.meetscale.example',
      },
    ],
  ])('for %s', (id, expected) => {
    test('creates the cluster with its version, maintenance window and API allow-list', () => {
      // GIVEN / WHEN the state's stack
      const { text } = stateOf(id);

      // THEN
      expect(text).toHaveResourceWithProperties(K8SCluster, {
        name: `meetscale-${id}`,
        k8s_version: '1.33.3',
        maintenance_window: expected.window,
        api_subnet_allow_list: expected.allowList,
      });
      expect(text).toHaveResourceWithProperties(K8SNodePool, { datacenter_id: '${ionoscloud_datacenter.network_datacenter.id}' });
      expect(resourceOf(stateOf(id), 'ionoscloud_datacenter', 'network_datacenter')).toMatchObject({ location: expected.location });
    });

    test('serves the meetings at meet.<domain> through the reserved IP of the Gateway', () => {
      // GIVEN / WHEN the state's stack
      const synthesized = stateOf(id);
      const domain = id === 'bremen' ? 'bremen.meetscale.example' : 'nrw.meetscale.example';

      // THEN the zone has an A record to the reserved IP (which the Gateway's load balancer claims, through the
      // state-base chart's EnvoyProxy)
      expect(synthesized.text).toHaveResourceWithProperties(DnsZone, { name: domain, enabled: true });
      expect(synthesized.text).toHaveResourceWithProperties(DnsRecord, {
        zone_id: '${ionoscloud_dns_zone.dns_zone.id}',
        name: 'meet',
        type: 'A',
        content: '${element(ionoscloud_ipblock.ingress-ip.ips, 0)}',
        ttl: 300,
      });
      expect(resourceOf(synthesized, 'ionoscloud_ipblock', 'ingress-ip')).toMatchObject({ location: expected.location, size: 1 });
      expect(synthesized.json).toMatchObject({ output: { meeting_url: { value: `https://meet.${domain}` } } });
    });

    test('keeps the Terraform state in its own versioned bucket on IONOS Object Storage', () => {
      // GIVEN / WHEN the state's stack
      const synthesized = stateOf(id);

      // THEN
      expect(synthesized.json).toMatchObject({
        terraform: {
          backend: {
            s3: {
              bucket: `meetscale-${id}-tfstate`,
              key: `${id}/terraform.tfstate`,
              region: 'eu-central-3',
              endpoints: { s3: 'https://s3.eu-central-3.ionoscloud.com' },
            },
          },
        },
      });
      expect(resourceOf(synthesized, 'ionoscloud_s3_bucket', 'object-storage_state')).toMatchObject({
        name: `meetscale-${id}-tfstate`,
        lifecycle: { prevent_destroy: true },
      });
      expect(resourceOf(synthesized, 'ionoscloud_s3_bucket_versioning', 'object-storage_state-versioning')).toMatchObject({
        versioning_configuration: { status: 'Enabled' },
      });
    });

    test('exposes the kubeconfig only as a sensitive output', () => {
      // GIVEN / WHEN / THEN
      expect(stateOf(id).json).toMatchObject({
        output: { kubeconfig: { sensitive: true, value: '${data.ionoscloud_k8s_cluster.kubernetes_access.kube_config}' } },
      });
    });

    test('installs the add-ons from their upstream repositories at pinned versions, then the shards, haproxy and monitoring from the OCI registry', () => {
      // GIVEN / WHEN the state's stack
      const synthesized = stateOf(id);
      const releases = synthesized.json.resource['helm_release'] ?? {};

      // THEN
      const summary = Object.fromEntries(
        Object.entries(releases).map(([address, release]) => [
          address,
          [release['chart'], release['version'], release['repository'], release['namespace']].join(' '),
        ]),
      );
      expect(summary).toEqual({
        'addons_state-base': `state-base ${stateBaseVersion()} oci://ghcr.io/meetscale/charts meetscale-system`,
        'addons_prometheus-operator-crds': 'prometheus-operator-crds 31.0.1 https://prometheus-community.github.io/helm-charts monitoring',
        'addons_kube-prometheus-stack': 'kube-prometheus-stack 88.5.3 https://prometheus-community.github.io/helm-charts monitoring',
        'addons_prometheus-adapter': 'prometheus-adapter 5.3.0 https://prometheus-community.github.io/helm-charts monitoring',
        'addons_envoy-gateway': 'gateway-helm v1.9.1 oci://docker.io/envoyproxy envoy-gateway-system',
        'addons_cert-manager': 'cert-manager v1.21.2 https://charts.jetstack.io cert-manager',
        'addons_state-gateway': `state-base ${stateBaseVersion()} oci://ghcr.io/meetscale/charts gateway`,
        'addons_eck-operator': 'eck-operator 3.5.0 https://helm.elastic.co elastic-system',
        meetscale_haproxy: `haproxy ${releasedVersion('haproxy')} oci://ghcr.io/meetscale/charts jitsi`,
        meetscale_monitoring: `monitoring ${releasedVersion('monitoring')} oci://ghcr.io/meetscale/charts monitoring`,
        meetscale_logging: `logging ${releasedVersion('logging')} oci://ghcr.io/meetscale/charts logging`,
        ...Object.fromEntries(
          Array.from({ length: stateOf(id).stack.config.jitsi.shards }, (_, index) => [
            `meetscale_shard-${index}`,
            `jitsi-shard ${releasedVersion('jitsi-shard')} oci://ghcr.io/meetscale/charts jitsi`,
          ]),
        ),
      });
      expect(synthesized.text).toHaveResourceWithProperties(Release, {
        name: 'haproxy',
        atomic: true,
        depends_on: [
          'helm_release.addons_state-base',
          'helm_release.addons_prometheus-operator-crds',
          'helm_release.addons_kube-prometheus-stack',
          'helm_release.addons_prometheus-adapter',
          'helm_release.addons_envoy-gateway',
          'helm_release.addons_cert-manager',
          'helm_release.addons_state-gateway',
          'helm_release.addons_eck-operator',
        ],
      });
      expect(resourceOf(synthesized, 'helm_release', 'addons_kube-prometheus-stack')).toMatchObject({
        depends_on: [...NODE_POOLS, 'helm_release.addons_prometheus-operator-crds'],
        set_sensitive: [{ name: 'grafana.adminPassword', value: '${var.grafana_admin_password}' }],
      });
    });

    test("upgrades the Prometheus Operator's CRDs with every upgrade, and scrapes nothing of IONOS's control plane", () => {
      // GIVEN / WHEN the state's stack
      const synthesized = stateOf(id);

      // THEN the CRDs are a release of their own, which adopts the CRDs an older stack's chart left, before the stack
      expect(resourceOf(synthesized, 'helm_release', 'addons_prometheus-operator-crds')).toMatchObject({
        take_ownership: true,
        depends_on: [...NODE_POOLS, 'helm_release.addons_state-base'],
      });
      // AND kube-prometheus-stack ships none, and leaves the managed control plane's components unscraped
      expect(helmValuesOf(synthesized, 'addons_kube-prometheus-stack')).toMatchObject({
        crds: { enabled: false },
        kubeControllerManager: { enabled: false },
        kubeScheduler: { enabled: false },
        kubeEtcd: { enabled: false },
        kubeProxy: { enabled: false },
      });
    });

    test('installs Envoy Gateway at its pinned version from its OCI registry, in its own namespace, on the system pool', () => {
      // GIVEN / WHEN the state's stack
      const synthesized = stateOf(id);

      // THEN the release of the gateway-helm chart, after the monitoring stack
      expect(resourceOf(synthesized, 'helm_release', 'addons_envoy-gateway')).toMatchObject({
        name: 'envoy-gateway',
        chart: 'gateway-helm',
        repository: 'oci://docker.io/envoyproxy',
        version: 'v1.9.1',
        namespace: ENVOY_GATEWAY_NAMESPACE,
        create_namespace: true,
        atomic: true,
        depends_on: [...NODE_POOLS, 'helm_release.addons_kube-prometheus-stack'],
      });
      expect(ENVOY_GATEWAY_NAMESPACE).toBe('envoy-gateway-system');
      // AND two controllers on the system pool, one of which a drain leaves, the hook job there too, the
      // controller name the GatewayClass names, and the chart's CRDs left on (no separate CRD release)
      const values = helmValuesOf(synthesized, 'addons_envoy-gateway') as Record<string, any>;
      expect(values).toEqual({
        deployment: { replicas: 2, pod: { nodeSelector: { 'meetscale.io/pool': 'system' } } },
        podDisruptionBudget: { minAvailable: 1 },
        certgen: { job: { nodeSelector: { 'meetscale.io/pool': 'system' } } },
        config: { envoyGateway: { gateway: { controllerName: 'gateway.envoyproxy.io/gatewayclass-controller' } } },
      });
      expect(values['config'].envoyGateway.gateway.controllerName).toBe(ENVOY_GATEWAY_CONTROLLER);
      expect(Object.values(synthesized.json.resource['helm_release'] ?? {}).map((release) => release['chart'])).not.toContain(
        'gateway-crds-helm',
      );
    });

    test('installs the ECK operator at its pinned version with its CRDs, on the system pool, right after the state-base release', () => {
      // GIVEN / WHEN the state's stack
      const synthesized = stateOf(id);

      // THEN the eck-operator chart from Elastic's repository, in its own namespace
      expect(resourceOf(synthesized, 'helm_release', 'addons_eck-operator')).toMatchObject({
        name: 'eck-operator',
        chart: 'eck-operator',
        repository: 'https://helm.elastic.co',
        version: '3.5.0',
        namespace: 'elastic-system',
        create_namespace: true,
        atomic: true,
        depends_on: [...NODE_POOLS, 'helm_release.addons_state-base'],
      });
      // AND its CRDs come with it (upgraded with it), it runs on the system pool and reports nothing to Elastic
      expect(helmValuesOf(synthesized, 'addons_eck-operator')).toEqual({
        installCRDs: true,
        nodeSelector: { 'meetscale.io/pool': 'system' },
        telemetry: { disabled: true },
      });
    });

    test("switches on cert-manager's Gateway API support and installs cert-manager after Envoy Gateway and its CRDs", () => {
      // GIVEN / WHEN the state's stack
      const synthesized = stateOf(id);

      // THEN cert-manager runs with the ControllerConfiguration that enables the Gateway API
      expect(helmValuesOf(synthesized, 'addons_cert-manager')).toMatchObject({
        config: {
          apiVersion: 'controller.config.cert-manager.io/v1alpha1',
          kind: 'ControllerConfiguration',
          enableGatewayAPI: true,
        },
      });
      // AND starts only once Envoy Gateway's chart installed the Gateway API CRDs (cert-manager checks at start)
      expect(resourceOf(synthesized, 'helm_release', 'addons_cert-manager')['depends_on']).toEqual([
        ...NODE_POOLS,
        'helm_release.addons_kube-prometheus-stack',
        'helm_release.addons_envoy-gateway',
      ]);
    });

    test('routes the meeting host from the Gateway to HAProxy, with no ingress controller and no Ingress left', () => {
      // GIVEN / WHEN the state's stack
      const synthesized = stateOf(id);
      const releases = Object.values(synthesized.json.resource['helm_release'] ?? {});
      const haproxy = helmValuesOf(synthesized, 'meetscale_haproxy') as Record<string, any>;

      // THEN haproxy's HTTPRoute attaches to the state's Gateway for the meeting host, with the chart's timeouts
      expect(haproxy['httpRoute']).toEqual({
        enabled: true,
        parentRefs: [{ name: GATEWAY_NAME, namespace: GATEWAY_NAMESPACE }],
        hostnames: [synthesized.stack.meetingHost],
      });
      expect(haproxy['httpRoute'].parentRefs).toEqual([gatewayParentRef()]);
      expect(haproxy['httpRoute']).not.toHaveProperty('timeouts');
      // AND nothing of ingress-nginx or of an Ingress is left
      expect(haproxy).not.toHaveProperty('ingress');
      expect(releases.map((release) => release['chart'])).not.toContain('ingress-nginx');
      expect(releases.map((release) => release['namespace'])).not.toContain('ingress-nginx');
      expect(Object.keys(synthesized.json.resource['helm_release'] ?? {})).not.toContain('addons_ingress-nginx');
    });

    test("admits HTTP into HAProxy and the shards only from Envoy Gateway's namespace, where the Gateway's proxies run", () => {
      // GIVEN / WHEN the state's stack
      const synthesized = stateOf(id);
      const fromGateway = { 'kubernetes.io/metadata.name': 'envoy-gateway-system' };
      const inJitsi = Object.entries(synthesized.json.resource['helm_release'] ?? {})
        .filter(([, release]) => ['haproxy', 'jitsi-shard'].includes(release['chart'] as string))
        .map(([address]) => address);

      // THEN every meetscale chart's NetworkPolicy names that namespace
      expect(inJitsi.length).toBeGreaterThan(1);
      for (const address of inJitsi) {
        expect([address, helmValuesOf(synthesized, address)]).toEqual([
          address,
          expect.objectContaining({
            networkPolicy: expect.objectContaining({ enabled: true, ingressNamespaceSelector: fromGateway }),
          }),
        ]);
      }
    });

    test("installs the state-base chart first, from the state's registry at its released version, in its own namespace", () => {
      // GIVEN / WHEN the state's stack
      const synthesized = stateOf(id);

      // THEN one release of the state-base chart, adopting the namespace the Helm provider creates for it
      expect(resourceOf(synthesized, 'helm_release', 'addons_state-base')).toMatchObject({
        name: 'state-base',
        chart: 'state-base',
        repository: 'oci://ghcr.io/meetscale/charts',
        version: stateBaseVersion(),
        namespace: 'meetscale-system',
        create_namespace: true,
        take_ownership: true,
        atomic: true,
        depends_on: NODE_POOLS,
      });
      // AND its values: the namespaces with their Pod Security levels, the media-node taint at the chart's defaults
      // (placement.ts's taint on the media pool), no Gateway and no ClusterIssuer
      expect(helmValuesOf(synthesized, 'addons_state-base')).toEqual({
        commonLabels: { 'meetscale.io/state': id },
        namespaces: [
          { name: 'meetscale-system', podSecurity: 'restricted' },
          { name: 'jitsi', podSecurity: 'privileged' },
          { name: 'gateway', podSecurity: 'restricted' },
          { name: 'logging', podSecurity: 'privileged' },
        ],
      });
    });

    test('creates the jitsi namespace at the Pod Security level hostPort bridges need, before HAProxy and the shards', () => {
      // GIVEN / WHEN the state's stack
      const synthesized = stateOf(id);

      // THEN the namespace enforces privileged (host ports); the chart warns and audits at restricted
      expect((helmValuesOf(synthesized, 'addons_state-base') as any).namespaces).toContainEqual({
        name: 'jitsi',
        podSecurity: 'privileged',
      });
      // AND every release in it is installed after it
      const inJitsi = Object.entries(synthesized.json.resource['helm_release'] ?? {}).filter(
        ([, release]) => release['namespace'] === 'jitsi',
      );
      expect(inJitsi.length).toBeGreaterThan(1);
      for (const [address, release] of inJitsi) {
        expect([address, release['depends_on']]).toEqual([address, expect.arrayContaining(['helm_release.addons_state-base'])]);
      }
    });

    test("installs the state's Gateway and the Let's Encrypt ClusterIssuer through the state-base chart, with the state's e-mail", () => {
      // GIVEN / WHEN the state's stack, which leaves the ACME server at its default
      const synthesized = stateOf(id);
      const domain = id === 'bremen' ? 'bremen.meetscale.example' : 'nrw.meetscale.example';

      // THEN a second release of the state-base chart, in the Gateway's namespace
      expect(resourceOf(synthesized, 'helm_release', 'addons_state-gateway')).toMatchObject({
        name: 'state-gateway',
        chart: 'state-base',
        repository: 'oci://ghcr.io/meetscale/charts',
        version: stateBaseVersion(),
        namespace: GATEWAY_NAMESPACE,
        atomic: true,
      });
      expect(resourceOf(synthesized, 'helm_release', 'addons_state-gateway')).not.toHaveProperty('take_ownership');
      // AND its values: no second taint; the Gateway for the meeting host behind the reserved IP; the ClusterIssuer
      // on Let's Encrypt production, whose HTTP-01 solver answers through the Gateway (the chart's only solver)
      expect(helmValuesOf(synthesized, 'addons_state-gateway')).toEqual({
        commonLabels: { 'meetscale.io/state': id },
        mediaNodeTaint: { enabled: false },
        gateway: {
          enabled: true,
          name: GATEWAY_NAME,
          hostnames: [`meet.${domain}`, `logs.${domain}`],
          gatewayClass: { name: 'meetscale', controllerName: ENVOY_GATEWAY_CONTROLLER },
          proxy: {
            loadBalancerIP: '${element(ionoscloud_ipblock.ingress-ip.ips, 0)}',
            externalTrafficPolicy: 'Local',
            nodeSelector: { 'meetscale.io/pool': 'system' },
          },
        },
        clusterIssuer: {
          enabled: true,
          name: 'letsencrypt',
          server: 'https://acme-v02.api.letsencrypt.org/directory',
          email: expected.acmeEmail,
          solverNodeSelector: { 'meetscale.io/pool': 'system' },
        },
      });
    });

    test("passes the reserved IP as a Terraform expression that becomes an address the chart's schema accepts", () => {
      // GIVEN the state-gateway release's values document as synthesized, and the chart's schema for the IP
      const [document = ''] = resourceOf(stateOf(id), 'helm_release', 'addons_state-gateway')['values'] as string[];
      const schema = JSON.parse(readFileSync(join(__dirname, '../../../charts/state-base/values.schema.json'), 'utf8'));
      const pattern = new RegExp(schema.properties.gateway.properties.proxy.properties.loadBalancerIP.pattern as string);

      // WHEN Terraform substitutes the IP block's first address before the Helm provider passes the document on
      expect(document).toContain('loadBalancerIP: ${element(ionoscloud_ipblock.ingress-ip.ips, 0)}\n');
      const substituted = document.replace('${element(ionoscloud_ipblock.ingress-ip.ips, 0)}', '203.0.113.10');

      // THEN Helm reads a string the schema's IPv4 pattern accepts (the expression itself it would refuse)
      const ip = (parse(substituted) as any).gateway.proxy.loadBalancerIP;
      expect(ip).toBe('203.0.113.10');
      expect(pattern.test(ip)).toBe(true);
      expect(pattern.test('${element(ionoscloud_ipblock.ingress-ip.ips, 0)}')).toBe(false);
    });

    test('installs the Gateway and the ClusterIssuer after Envoy Gateway and cert-manager, and before the haproxy chart', () => {
      // GIVEN / WHEN the state's stack
      const synthesized = stateOf(id);

      // THEN the Gateway API, Envoy Gateway and cert-manager CRDs and controllers exist when the Gateway and the
      // issuer are created, and the Gateway exists before HAProxy's HTTPRoute attaches to it
      expect(resourceOf(synthesized, 'helm_release', 'addons_state-gateway')['depends_on']).toEqual([
        ...NODE_POOLS,
        'helm_release.addons_cert-manager',
        'helm_release.addons_envoy-gateway',
      ]);
      expect(resourceOf(synthesized, 'helm_release', 'meetscale_haproxy')['depends_on']).toContain('helm_release.addons_state-gateway');
    });

    test('installs the logging chart after the ECK operator, Kibana at logs.<domain>, Elasticsearch in the state’s layout', () => {
      // GIVEN / WHEN the state's stack
      const synthesized = stateOf(id);
      const domain = id === 'bremen' ? 'bremen.meetscale.example' : 'nrw.meetscale.example';
      const values = helmValuesOf(synthesized, 'meetscale_logging') as any;

      // THEN after the operator, in the namespace the state-base release labels privileged
      expect(resourceOf(synthesized, 'helm_release', 'meetscale_logging')['depends_on']).toContain('helm_release.addons_eck-operator');
      // AND Kibana at logs.<domain> through the Gateway, whose name Terraform records and outputs
      expect(values.kibana.httpRoute).toMatchObject({ enabled: true, parentRefs: [gatewayParentRef()], hostnames: [`logs.${domain}`] });
      expect(synthesized.text).toHaveResourceWithProperties(DnsRecord, { name: 'logs', type: 'A' });
      expect(synthesized.json).toMatchObject({ output: { kibana_url: { value: `https://logs.${domain}` } } });
      // AND Elasticsearch on the system pool, on IONOS SSDs: one node in Bremen, the production layout in NRW
      expect(values.elasticsearch).toMatchObject({
        storageClassName: 'ionos-enterprise-ssd',
        nodeSelector: { 'meetscale.io/pool': 'system' },
      });
      expect(values.elasticsearch.nodeSets.map((set: any) => [set.name, set.count, set.roles, set.storage.size])).toEqual(
        id === 'bremen'
          ? [['default', 1, ['master', 'data', 'ingest'], '30Gi']]
          : [
              ['master', 3, ['master'], '10Gi'],
              ['data', 2, ['data', 'ingest'], '200Gi'],
            ],
      );
      // AND NetworkPolicies that admit the Gateway's proxies and the operator
      expect(values.networkPolicy).toEqual({
        enabled: true,
        ingressNamespaceSelector: { 'kubernetes.io/metadata.name': ENVOY_GATEWAY_NAMESPACE },
        operatorNamespaceSelector: { 'kubernetes.io/metadata.name': 'elastic-system' },
      });
    });

    test('installs no release of the plain-manifest chart raw: every object comes from a typed, validated chart', () => {
      // GIVEN / WHEN the state's stack
      const releases = Object.values(stateOf(id).json.resource['helm_release'] ?? {});

      // THEN
      expect(releases.map((release) => release['chart'])).not.toContain('raw');
      expect(releases.map((release) => release['repository'])).not.toContain('https://bedag.github.io/helm-charts');
    });

    test('installs the state-base release right after the node pools, and everything else after it', () => {
      // GIVEN / WHEN the state's stack
      const synthesized = stateOf(id);
      const releases = Object.keys(synthesized.json.resource['helm_release'] ?? {}).map((name) => `helm_release.${name}`);

      // THEN the base release waits for the node pools only
      expect(resourceOf(synthesized, 'helm_release', 'addons_state-base')['depends_on']).toEqual(NODE_POOLS);

      // and the releases that would wait only for the node pools wait for it as well
      for (const name of ['addons_prometheus-operator-crds', 'addons_eck-operator']) {
        expect(resourceOf(synthesized, 'helm_release', name)['depends_on']).toEqual([...NODE_POOLS, 'helm_release.addons_state-base']);
      }

      // so every other release waits for it (the namespaces and the taint), directly or through another release
      for (const release of releases.filter((address) => address !== 'helm_release.addons_state-base')) {
        expect([release, waitsFor(synthesized, release).has('helm_release.addons_state-base')]).toEqual([release, true]);
      }
    });
  });

  describe("Let's Encrypt ClusterIssuer", () => {
    test("is issued by Let's Encrypt's staging server when the state asks for it", () => {
      // GIVEN a state trying out its installation on the staging server
      const config = minimalConfig({ certificates: { acmeEmail: 'platform@testland.meetscale.example', acmeServer: 'staging' } });

      // WHEN its stack is synthesized
      const synthesized = synthesize(config);

      // THEN the ClusterIssuer registers with the staging directory
      expect(helmValuesOf(synthesized, 'addons_state-gateway')).toMatchObject({
        clusterIssuer: {
          enabled: true,
          name: 'letsencrypt',
          server: 'https://acme-staging-v02.api.letsencrypt.org/directory',
          email: 'platform@testland.meetscale.example',
        },
      });
    });
  });

  describe('node pools', () => {
    test.each([
      ['bremen', bremen],
      ['nordrhein-westfalen', nordrheinWestfalen],
    ] as const)('are sized from the input the stack outputs as sizing_input, for the local simulation (%s)', (id, state) => {
      // GIVEN / WHEN the state's stack
      const output = (stateOf(id).json as any).output.sizing_input;
      // THEN it outputs exactly the capacity model's input of the state's declared load and node sizes
      expect(output.value).toEqual(modelSizingOf(state).input);
      expect(output.sensitive).toBeUndefined();
    });

    test('size the media nodes from the peak load and label them for the bridges (nordrhein-westfalen)', () => {
      // GIVEN / WHEN the large state, and what the capacity model gives for its declared load
      const synthesized = stateOf('nordrhein-westfalen');
      const model = modelSizingOf(nordrheinWestfalen);

      // THEN one node of the model's size per bridge, as many as the model's pool, ephemeral public IPs
      const media = resourceOf(synthesized, 'ionoscloud_k8s_node_pool', 'kubernetes_media-pool_pool');
      const nodes = model.jitsi?.mediaNodes;
      expect(media).toMatchObject({
        name: 'meetscale-nordrhein-westfalen-media',
        cores_count: nodes?.cores,
        ram_size: (nodes?.ramGb ?? 0) * 1024,
        server_type: 'DedicatedCore',
        node_count: nodes?.minNodes,
        auto_scaling: { min_node_count: nodes?.minNodes, max_node_count: nodes?.maxNodes },
        labels: { 'meetscale.io/pool': 'media' },
        maintenance_window: { day_of_the_week: 'Sunday', time: '03:00:00Z' },
        lifecycle: { ignore_changes: ['node_count'] },
      });
      expect(media).not.toHaveProperty('public_ips');
      expect(media).not.toHaveProperty('annotations'); // the taint is applied in the cluster, not recorded here
      expect(synthesized.json.resource['ionoscloud_ipblock']).not.toHaveProperty('kubernetes_media-pool_public-ips');
      expect(resourceOf(synthesized, 'ionoscloud_k8s_node_pool', 'kubernetes_system-pool_pool')).toMatchObject({
        cores_count: 8,
        ram_size: 32768,
        storage_size: 200,
        auto_scaling: { min_node_count: model.system.minNodes, max_node_count: model.system.maxNodes },
        labels: { 'meetscale.io/pool': 'system' },
        maintenance_window: { day_of_the_week: 'Sunday', time: '02:00:00Z' },
      });
    });

    test('give the media nodes fixed public IPs from a reserved block one larger than the pool (bremen)', () => {
      // GIVEN / WHEN the small state, which reserves the bridges' IPs
      const synthesized = stateOf('bremen');
      const nodes = modelSizingOf(bremen).jitsi?.mediaNodes;

      // THEN
      expect(resourceOf(synthesized, 'ionoscloud_ipblock', 'kubernetes_media-pool_public-ips')).toEqual(
        expect.objectContaining({ location: 'de/txl', size: (nodes?.maxNodes ?? 0) + 1, name: 'meetscale-bremen-media-public-ips' }),
      );
      expect(resourceOf(synthesized, 'ionoscloud_k8s_node_pool', 'kubernetes_media-pool_pool')).toMatchObject({
        cores_count: nodes?.cores,
        ram_size: (nodes?.ramGb ?? 0) * 1024,
        auto_scaling: { min_node_count: nodes?.minNodes, max_node_count: nodes?.maxNodes },
        public_ips: '${ionoscloud_ipblock.kubernetes_media-pool_public-ips.ips}',
        labels: { 'meetscale.io/pool': 'media' },
        maintenance_window: { day_of_the_week: 'Saturday', time: '02:00:00Z' },
      });
      expect(synthesized.json).toMatchObject({
        output: { media_public_ips: { value: '${ionoscloud_ipblock.kubernetes_media-pool_public-ips.ips}' } },
      });
    });

    test('both join the private LAN with DHCP', () => {
      // GIVEN / WHEN a minimal state
      const synthesized = synthesize(minimalConfig());

      // THEN
      for (const pool of ['kubernetes_system-pool_pool', 'kubernetes_media-pool_pool']) {
        expect(resourceOf(synthesized, 'ionoscloud_k8s_node_pool', pool)).toMatchObject({
          lans: [{ id: '${ionoscloud_lan.network_private-lan.id}', dhcp: true }],
        });
      }
      expect(resourceOf(synthesized, 'ionoscloud_lan', 'network_private-lan')).toEqual(
        expect.objectContaining({ name: 'meetscale-testland-private', public: false }),
      );
    });
  });

  describe('Helm releases', () => {
    test('install the haproxy chart with one server per shard, an HTTPRoute from the Gateway and monitoring (nordrhein-westfalen)', () => {
      // GIVEN / WHEN the large state's haproxy release
      const values = helmValuesOf(stateOf('nordrhein-westfalen'), 'meetscale_haproxy');

      // THEN
      expect(values).toEqual({
        replicaCount: 3,
        commonLabels: { 'meetscale.io/state': 'nordrhein-westfalen' },
        // one server per shard of the model's sizing
        shards: Array.from({ length: modelSizingOf(nordrheinWestfalen).jitsi?.shards ?? 0 }, (_, index) => ({
          name: `shard-${index}`,
          host: `shard-${index}-jitsi-shard-web`,
          port: 80,
        })),
        httpRoute: {
          enabled: true,
          parentRefs: [{ name: 'meetscale', namespace: 'gateway' }],
          hostnames: ['meet.nrw.meetscale.example'],
        },
        metrics: { serviceMonitor: { enabled: true, labels: { release: 'kube-prometheus-stack' } } },
        networkPolicy: { enabled: true, ingressNamespaceSelector: { 'kubernetes.io/metadata.name': 'envoy-gateway-system' } },
        podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
        nodeSelector: { 'meetscale.io/pool': 'system' },
      });
    });

    test('keep every add-on on the system pool, and let only the node exporter and the media-node taint onto the media nodes', () => {
      // GIVEN / WHEN the small state
      const synthesized = stateOf('bremen');
      const system = { 'meetscale.io/pool': 'system' };

      // THEN
      expect(helmValuesOf(synthesized, 'addons_kube-prometheus-stack')).toMatchObject({
        prometheusOperator: { nodeSelector: system },
        prometheus: { prometheusSpec: { nodeSelector: system, replicas: 1, retention: '15d' } },
        alertmanager: { alertmanagerSpec: { nodeSelector: system } },
        grafana: { nodeSelector: system },
        'kube-state-metrics': { nodeSelector: system },
        'prometheus-node-exporter': { tolerations: [{ operator: 'Exists' }] },
      });
      expect(helmValuesOf(synthesized, 'addons_cert-manager')).toMatchObject({ crds: { enabled: true }, nodeSelector: system });
      expect(helmValuesOf(synthesized, 'addons_eck-operator')).toMatchObject({ nodeSelector: system });
      expect(helmValuesOf(synthesized, 'addons_envoy-gateway')).toMatchObject({ deployment: { pod: { nodeSelector: system } } });
      expect(helmValuesOf(synthesized, 'addons_state-gateway')).toMatchObject({
        gateway: { proxy: { nodeSelector: system } },
        clusterIssuer: { solverNodeSelector: system },
      });
      // the taint's DaemonSet stays on the media pool: the state-base chart's default, which the release keeps
      expect(helmValuesOf(synthesized, 'addons_state-base')).not.toHaveProperty('mediaNodeTaint');
      expect(helmValuesOf(synthesized, 'addons_prometheus-adapter')).toMatchObject({
        nodeSelector: system,
        prometheus: { url: 'http://kube-prometheus-stack-prometheus.monitoring.svc', port: 9090 },
      });
    });

    test('reach the cluster through the API server and token the cluster data source reads back', () => {
      // GIVEN / WHEN / THEN
      expect(stateOf('bremen').json).toMatchObject({
        provider: {
          helm: [
            {
              kubernetes: {
                host: '${data.ionoscloud_k8s_cluster.kubernetes_access.server}',
                cluster_ca_certificate: '${data.ionoscloud_k8s_cluster.kubernetes_access.ca_crt}',
                token: '${data.ionoscloud_k8s_cluster.kubernetes_access.config[0].users[0].user["token"]}',
              },
            },
          ],
        },
      });
    });
  });
});
