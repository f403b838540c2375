import './_bindings';

import { Release } from '@cdktf/provider-helm/lib/release';
import { formatTaint, MEDIA_NODE_SELECTOR, MEDIA_TAINT, MEDIA_TOLERATION } from '@meetscale/placement';
import { Testing } from 'cdktf';

import { DnsRecord } from '../generated/providers/ionoscloud/dns-record';
import { DnsZone } from '../generated/providers/ionoscloud/dns-zone';
import { K8SCluster } from '../generated/providers/ionoscloud/k8s-cluster';
import { K8SNodePool } from '../generated/providers/ionoscloud/k8s-node-pool';
import { ENVOY_GATEWAY_CONTROLLER, ENVOY_GATEWAY_NAMESPACE, GATEWAY_NAME, GATEWAY_NAMESPACE, gatewayParentRef } from '../src/gateway';
import { stateFiles } from '../src/load-states';
import type { StateConfig } from '../src/state-config';
import { exampleStates, helmValuesOf, minimalConfig, resourceOf, synthesize, type Synthesized } from './_stacks';

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

/** The manifest of a kind among a raw-chart release's `resources`. */
const manifestOf = (synthesized: Synthesized, release: string, kind: string): any => {
  const { resources } = helmValuesOf(synthesized, release) as { resources: { kind: string }[] };
  const manifest = resources.find((resource) => resource.kind === kind);
  if (manifest === undefined) throw new Error(`no ${kind} in ${release}`);
  return manifest;
};

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

    test('installs the add-ons from their upstream repositories at pinned versions, then the shards and haproxy from the OCI registry', () => {
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
        'addons_media-node-taint': 'raw 2.0.2 https://bedag.github.io/helm-charts node-taint',
        'addons_prometheus-operator-crds': 'prometheus-operator-crds 31.0.1 https://prometheus-community.github.io/helm-charts monitoring',
        'addons_kube-prometheus-stack': 'kube-prometheus-stack 88.5.3 https://prometheus-community.github.io/helm-charts monitoring',
        'addons_prometheus-adapter': 'prometheus-adapter 5.3.0 https://prometheus-community.github.io/helm-charts monitoring',
        'addons_envoy-gateway': 'gateway-helm v1.9.1 oci://docker.io/envoyproxy envoy-gateway-system',
        'addons_cert-manager': 'cert-manager v1.21.2 https://charts.jetstack.io cert-manager',
        'addons_cluster-issuer': 'raw 2.0.2 https://bedag.github.io/helm-charts cert-manager',
        'addons_eck-operator': 'eck-operator 3.5.0 https://helm.elastic.co elastic-system',
        'meetscale_jitsi-namespace': 'raw 2.0.2 https://bedag.github.io/helm-charts default',
        meetscale_haproxy: 'haproxy 0.1.1 oci://ghcr.io/meetscale/charts jitsi',
        ...Object.fromEntries(
          Array.from({ length: stateOf(id).stack.config.jitsi.shards }, (_, index) => [
            `meetscale_shard-${index}`,
            'jitsi-shard 0.2.0 oci://ghcr.io/meetscale/charts jitsi',
          ]),
        ),
      });
      expect(synthesized.text).toHaveResourceWithProperties(Release, {
        name: 'haproxy',
        atomic: true,
        depends_on: [
          'helm_release.addons_media-node-taint',
          'helm_release.addons_prometheus-operator-crds',
          'helm_release.addons_kube-prometheus-stack',
          'helm_release.addons_prometheus-adapter',
          'helm_release.addons_envoy-gateway',
          'helm_release.addons_cert-manager',
          'helm_release.addons_cluster-issuer',
          'helm_release.addons_eck-operator',
          'helm_release.meetscale_jitsi-namespace',
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
        depends_on: [...NODE_POOLS, 'helm_release.addons_media-node-taint'],
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

    test('creates the jitsi namespace with the Pod Security labels hostPort bridges need, before HAProxy and the shards', () => {
      // GIVEN / WHEN the state's stack
      const synthesized = stateOf(id);

      // THEN the namespace enforces privileged (host ports) and warns and audits at restricted
      expect(manifestOf(synthesized, 'meetscale_jitsi-namespace', 'Namespace')).toEqual({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: 'jitsi',
          labels: {
            'pod-security.kubernetes.io/enforce': 'privileged',
            'pod-security.kubernetes.io/warn': 'restricted',
            'pod-security.kubernetes.io/audit': 'restricted',
          },
          annotations: { 'helm.sh/resource-policy': 'keep' },
        },
      });
      // AND every release in it is installed after it
      const inJitsi = Object.entries(synthesized.json.resource['helm_release'] ?? {}).filter(
        ([, release]) => release['namespace'] === 'jitsi',
      );
      expect(inJitsi.length).toBeGreaterThan(1);
      for (const [address, release] of inJitsi) {
        expect([address, release['depends_on']]).toEqual([address, expect.arrayContaining(['helm_release.meetscale_jitsi-namespace'])]);
      }
    });

    test("creates the Let's Encrypt ClusterIssuer, from the pinned raw chart, with the state's e-mail", () => {
      // GIVEN / WHEN the state's stack, which leaves the ACME server at its default
      const synthesized = stateOf(id);

      // THEN one ClusterIssuer on Let's Encrypt production (its HTTP-01 solver still names the ingress class until
      // the state-base chart replaces the issuer by one solving through the Gateway)
      expect(resourceOf(synthesized, 'helm_release', 'addons_cluster-issuer')).toMatchObject({
        name: 'cluster-issuer',
        chart: 'raw',
        version: '2.0.2',
        repository: 'https://bedag.github.io/helm-charts',
        namespace: 'cert-manager',
      });
      expect(helmValuesOf(synthesized, 'addons_cluster-issuer')).toEqual({
        resources: [
          {
            apiVersion: 'cert-manager.io/v1',
            kind: 'ClusterIssuer',
            metadata: { name: 'letsencrypt' },
            spec: {
              acme: {
                server: 'https://acme-v02.api.letsencrypt.org/directory',
                email: expected.acmeEmail,
                privateKeySecretRef: { name: 'letsencrypt-account-key' },
                solvers: [
                  {
                    http01: {
                      ingress: { ingressClassName: 'nginx', podTemplate: { spec: { nodeSelector: { 'meetscale.io/pool': 'system' } } } },
                    },
                  },
                ],
              },
            },
          },
        ],
      });
    });

    test('installs the ClusterIssuer after cert-manager, and before the haproxy chart', () => {
      // GIVEN / WHEN the state's stack
      const synthesized = stateOf(id);

      // THEN cert-manager's CRDs and webhook exist when the issuer is created (and, through cert-manager, the
      // Gateway API), and the issuer exists before the meetscale charts
      expect(resourceOf(synthesized, 'helm_release', 'addons_cluster-issuer')['depends_on']).toEqual([
        ...NODE_POOLS,
        'helm_release.addons_cert-manager',
      ]);
      expect(resourceOf(synthesized, 'helm_release', 'meetscale_haproxy')['depends_on']).toContain('helm_release.addons_cluster-issuer');
    });

    test('taints the media nodes through the pinned raw chart, in a namespace of its own', () => {
      // GIVEN / WHEN the state's stack
      const synthesized = stateOf(id);

      // THEN one release of the raw chart holds a ServiceAccount, its node RBAC and the DaemonSet, nothing else
      expect(resourceOf(synthesized, 'helm_release', 'addons_media-node-taint')).toMatchObject({
        name: 'media-node-taint',
        chart: 'raw',
        version: '2.0.2',
        repository: 'https://bedag.github.io/helm-charts',
        namespace: 'node-taint',
        atomic: true,
      });
      const { resources } = helmValuesOf(synthesized, 'addons_media-node-taint') as { resources: { kind: string }[] };
      expect(resources.map((resource) => resource.kind)).toEqual(['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'DaemonSet']);
      expect(manifestOf(synthesized, 'addons_media-node-taint', 'ServiceAccount')).toMatchObject({
        apiVersion: 'v1',
        metadata: { name: 'media-node-taint', namespace: 'node-taint' },
        automountServiceAccountToken: false,
      });
    });

    test('lets the taint only read and patch nodes', () => {
      // GIVEN / WHEN the state's stack
      const synthesized = stateOf(id);

      // THEN the ClusterRole grants get and patch on nodes and nothing more, to the DaemonSet's ServiceAccount only
      expect(manifestOf(synthesized, 'addons_media-node-taint', 'ClusterRole')).toEqual({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: {
          name: 'media-node-taint',
          labels: { 'app.kubernetes.io/name': 'media-node-taint', 'app.kubernetes.io/part-of': 'meetscale' },
        },
        rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'patch'] }],
      });
      expect(manifestOf(synthesized, 'addons_media-node-taint', 'ClusterRoleBinding')).toMatchObject({
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'media-node-taint' },
        subjects: [{ kind: 'ServiceAccount', name: 'media-node-taint', namespace: 'node-taint' }],
      });
      expect(manifestOf(synthesized, 'addons_media-node-taint', 'DaemonSet').spec.template.spec.serviceAccountName).toBe(
        'media-node-taint',
      );
    });

    test('runs the taint on every media node, tolerating the taint the bridges tolerate, with the taint from placement.ts', () => {
      // GIVEN / WHEN the state's stack
      const daemonSet = manifestOf(stateOf(id), 'addons_media-node-taint', 'DaemonSet');
      const pod = daemonSet.spec.template.spec;

      // THEN the pods run on the media pool only, tolerate exactly the placement constant, and taint their own node
      expect(daemonSet).toMatchObject({ apiVersion: 'apps/v1', metadata: { name: 'media-node-taint', namespace: 'node-taint' } });
      expect(pod.nodeSelector).toEqual({ ...MEDIA_NODE_SELECTOR });
      expect(pod.nodeSelector).toEqual({ 'meetscale.io/pool': 'media' });
      expect(pod.tolerations).toEqual([MEDIA_TOLERATION]);
      expect(pod.tolerations).toEqual([{ key: 'meetscale.io/media', operator: 'Equal', value: 'true', effect: 'NoSchedule' }]);
      const [taint, ...otherInitContainers] = pod.initContainers;
      expect(otherInitContainers).toEqual([]);
      expect(taint).toMatchObject({
        name: 'taint',
        image: 'registry.k8s.io/kubectl:v1.33.3',
        command: ['kubectl', 'taint', 'node', '$(NODE_NAME)', formatTaint(MEDIA_TAINT), '--overwrite'],
      });
      expect(taint.command).toContain('meetscale.io/media=true:NoSchedule');
      expect(taint.env).toContainEqual({ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } });

      // and then stay idle, so the DaemonSet stays Ready and every node the autoscaler adds gets its pod
      expect(pod.containers).toEqual([
        expect.objectContaining({ name: 'idle', image: 'registry.k8s.io/kubectl:v1.33.3', command: ['sleep', 'infinity'] }),
      ]);
      expect(daemonSet.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    });

    test('runs the taint unprivileged, with small resources, and with a token only because it calls the API', () => {
      // GIVEN / WHEN the state's stack
      const pod = manifestOf(stateOf(id), 'addons_media-node-taint', 'DaemonSet').spec.template.spec;

      // THEN
      expect(pod.automountServiceAccountToken).toBe(true);
      expect(pod.securityContext).toEqual({
        runAsNonRoot: true,
        runAsUser: 65532,
        runAsGroup: 65532,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      for (const container of [...pod.initContainers, ...pod.containers]) {
        expect(container.securityContext).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(container.resources).toEqual({
          requests: { cpu: expect.stringMatching(/^\d+m$/), memory: expect.stringMatching(/^\d+Mi$/) },
          limits: { cpu: expect.stringMatching(/^\d+m$/), memory: expect.stringMatching(/^\d+Mi$/) },
        });
        expect(Number.parseInt(container.resources.limits.cpu, 10)).toBeLessThanOrEqual(100);
        expect(Number.parseInt(container.resources.limits.memory, 10)).toBeLessThanOrEqual(128);
      }
      // kubectl's cache goes to a small scratch volume, as the root file system is read-only
      expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '32Mi' } }]);
      expect(pod.initContainers[0].volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    });

    test('installs the taint right after the node pools, and everything else after the taint', () => {
      // GIVEN / WHEN the state's stack
      const synthesized = stateOf(id);
      const releases = Object.keys(synthesized.json.resource['helm_release'] ?? {}).map((name) => `helm_release.${name}`);

      // THEN the taint waits for the node pools only
      expect(resourceOf(synthesized, 'helm_release', 'addons_media-node-taint')['depends_on']).toEqual(NODE_POOLS);

      // and the releases that waited only for the node pools now wait for the taint as well
      for (const name of ['addons_prometheus-operator-crds', 'addons_eck-operator']) {
        expect(resourceOf(synthesized, 'helm_release', name)['depends_on']).toEqual([
          ...NODE_POOLS,
          'helm_release.addons_media-node-taint',
        ]);
      }

      // so every other release waits for it, directly or through another release
      for (const release of releases.filter((address) => address !== 'helm_release.addons_media-node-taint')) {
        expect([release, waitsFor(synthesized, release).has('helm_release.addons_media-node-taint')]).toEqual([release, true]);
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
      expect(helmValuesOf(synthesized, 'addons_cluster-issuer')).toMatchObject({
        resources: [
          {
            kind: 'ClusterIssuer',
            spec: {
              acme: {
                server: 'https://acme-staging-v02.api.letsencrypt.org/directory',
                email: 'platform@testland.meetscale.example',
              },
            },
          },
        ],
      });
    });
  });

  describe('node pools', () => {
    test('size the media nodes from the load figures and label them for the bridges (nordrhein-westfalen)', () => {
      // GIVEN / WHEN the large state
      const synthesized = stateOf('nordrhein-westfalen');

      // THEN one 9-core / 4 GB node per bridge, 10 to 100 of them, ephemeral public IPs
      const media = resourceOf(synthesized, 'ionoscloud_k8s_node_pool', 'kubernetes_media-pool_pool');
      expect(media).toMatchObject({
        name: 'meetscale-nordrhein-westfalen-media',
        cores_count: 9,
        ram_size: 4096,
        server_type: 'DedicatedCore',
        node_count: 10,
        auto_scaling: { min_node_count: 10, max_node_count: 100 },
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
        auto_scaling: { min_node_count: 3, max_node_count: 12 },
        labels: { 'meetscale.io/pool': 'system' },
        maintenance_window: { day_of_the_week: 'Sunday', time: '02:00:00Z' },
      });
    });

    test('give the media nodes fixed public IPs from a reserved block one larger than the pool (bremen)', () => {
      // GIVEN / WHEN the small state, which reserves the bridges' IPs
      const synthesized = stateOf('bremen');

      // THEN
      expect(resourceOf(synthesized, 'ionoscloud_ipblock', 'kubernetes_media-pool_public-ips')).toEqual(
        expect.objectContaining({ location: 'de/txl', size: 11, name: 'meetscale-bremen-media-public-ips' }),
      );
      expect(resourceOf(synthesized, 'ionoscloud_k8s_node_pool', 'kubernetes_media-pool_pool')).toMatchObject({
        cores_count: 9,
        ram_size: 4096,
        auto_scaling: { min_node_count: 2, max_node_count: 10 },
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
        shards: Array.from({ length: 8 }, (_, index) => ({ name: `shard-${index}`, host: `shard-${index}-jitsi-shard-web`, port: 80 })),
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
      expect(helmValuesOf(synthesized, 'addons_eck-operator')).toEqual({ nodeSelector: system });
      expect(helmValuesOf(synthesized, 'addons_envoy-gateway')).toMatchObject({ deployment: { pod: { nodeSelector: system } } });
      expect(manifestOf(synthesized, 'addons_media-node-taint', 'DaemonSet').spec.template.spec.nodeSelector).toEqual({
        'meetscale.io/pool': 'media',
      });
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
