import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';

import { isProcessAlive } from '@meetscale/go-tools';

import { ControlPlane, FRONT_PROXY_CLIENT, KubeApiError, upstreamCrds, waitFor } from '../src';

const RESTRICTED = { 'pod-security.kubernetes.io/enforce': 'restricted' };

/** A Deployment whose pods meet Pod Security `restricted` unless `hostPort` is given. */
function deployment(name: string, options: { hostPort?: number; nodeSelector?: Record<string, string> } = {}): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          nodeSelector: options.nodeSelector,
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'main',
              image: 'registry.invalid/never-pulled:1',
              ports: options.hostPort === undefined ? [] : [{ containerPort: 8080, hostPort: options.hostPort }],
              resources: { requests: { cpu: '1', memory: '1Gi' } },
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            },
          ],
        },
      },
    },
  };
}

// Every test talks to the real API server, its controllers and kwok; with jest's three workers on two cores a call
// can take seconds, more than jest's default 5 s for a whole test.
jest.setTimeout(60_000);

describe('ControlPlane', () => {
  let plane: ControlPlane;

  beforeAll(async () => {
    plane = await ControlPlane.start({
      nodePools: [
        { name: 'system', count: 2, cpu: '4', memory: '16Gi', labels: { pool: 'system' } },
        {
          name: 'media',
          count: 1,
          cpu: '16',
          memory: '32Gi',
          labels: { pool: 'media' },
          taints: [{ key: 'media', value: 'true', effect: 'NoSchedule' }],
        },
      ],
      upstreamCrds: true,
    });
  }, 600_000);

  afterAll(async () => {
    await plane?.stop();
  });

  it('serves the pinned Kubernetes version on a loopback port', async () => {
    expect(plane.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const version = await plane.client.get('/version');
    expect(version.gitVersion).toBe(`v${plane.version}`);
    expect(fs.readFileSync(plane.kubeconfig, 'utf8')).toContain(plane.server);
  });

  it('publishes the front-proxy CA and request headers by which the aggregator names users to extension API servers', async () => {
    // WHEN an extension API server reads the authentication settings the API server publishes for it
    const published = await plane.client.get('/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication');

    // THEN it finds the CA of the aggregator's client certificate, the certificate's name, and the headers
    expect(published.data).toMatchObject({
      'requestheader-client-ca-file': fs.readFileSync(plane.frontProxy.caFile, 'utf8'),
      'requestheader-allowed-names': JSON.stringify([FRONT_PROXY_CLIENT]),
      'requestheader-username-headers': '["X-Remote-User"]',
      'requestheader-group-headers': '["X-Remote-Group"]',
      'requestheader-extra-headers-prefix': '["X-Remote-Extra-"]',
    });
    // AND the certificate the aggregator presents is that name's, signed by that CA, for client authentication
    const client = new X509Certificate(fs.readFileSync(plane.frontProxy.clientCertFile));
    expect(client.subject).toBe(`CN=${FRONT_PROXY_CLIENT}`);
    expect(client.checkIssued(new X509Certificate(fs.readFileSync(plane.frontProxy.caFile)))).toBe(true);
    expect(client.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
  });

  it('runs each controller as its own ServiceAccount, with the rights of the bootstrap policy', async () => {
    // WHEN the controllers are up
    // THEN the controller manager has made their ServiceAccounts
    const accounts = (await plane.client.list('/api/v1/namespaces/kube-system/serviceaccounts')).map((account) => account.metadata.name);
    expect(accounts).toEqual(expect.arrayContaining(['horizontal-pod-autoscaler', 'replicaset-controller', 'statefulset-controller']));
    // AND the HPA controller's account may read the custom metrics an extension API server serves
    const review = await plane.client.create('/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: {
        user: 'system:serviceaccount:kube-system:horizontal-pod-autoscaler',
        groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
        resourceAttributes: { group: 'custom.metrics.k8s.io', resource: 'pods', subresource: 'some_metric', namespace: 'any', verb: 'get' },
      },
    });
    expect(review.status).toMatchObject({ allowed: true, reason: expect.stringContaining('system:controller:horizontal-pod-autoscaler') });
  });

  it('has Ready kwok nodes shaped as asked', async () => {
    const nodes = await plane.client.list('/api/v1/nodes');
    expect(nodes.map((node) => node.metadata.name).sort()).toEqual(['media-0', 'system-0', 'system-1']);
    const media = nodes.find((node) => node.metadata.name === 'media-0');
    expect(media.status.allocatable).toMatchObject({ cpu: '16', memory: '32Gi' });
    expect(media.spec.taints).toEqual([{ key: 'media', value: 'true', effect: 'NoSchedule' }]);
  });

  it('schedules pods by node selector and resources, and kwok makes them Ready', async () => {
    await plane.client.create('/api/v1/namespaces', { metadata: { name: 'schedule', labels: RESTRICTED } });
    await plane.client.create('/apis/apps/v1/namespaces/schedule/deployments', deployment('web', { nodeSelector: { pool: 'system' } }));
    const pods = await waitFor('two Ready web pods', async () => {
      const list = await plane.client.list('/api/v1/namespaces/schedule/pods', 'app=web');
      const ready = list.filter((pod) => pod.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
      return ready.length === 2 ? ready : undefined;
    });
    expect(pods.map((pod) => pod.spec.nodeName).every((node: string) => node.startsWith('system-'))).toBe(true);
  });

  it('enforces Pod Security admission on labelled namespaces', async () => {
    await plane.client.create('/api/v1/namespaces', { metadata: { name: 'strict', labels: RESTRICTED } });
    const pod = (deployment('probe', { hostPort: 8080 }) as any).spec.template;
    const refused = await plane.client.request('POST', '/api/v1/namespaces/strict/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'probe' },
      spec: pod.spec,
    });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toContain('violates PodSecurity "restricted:latest": hostPort');
  });

  it('validates custom resources against the upstream CRDs', async () => {
    await plane.client.create('/api/v1/namespaces', { metadata: { name: 'monitors' } });
    const monitor = (port: unknown): object => ({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'm' },
      spec: { selector: { matchLabels: { app: 'x' } }, endpoints: [{ port, interval: '30s' }] },
    });
    await expect(plane.client.create('/apis/monitoring.coreos.com/v1/namespaces/monitors/servicemonitors', monitor(8080))).rejects.toThrow(
      KubeApiError,
    );
    await expect(
      plane.client.create('/apis/monitoring.coreos.com/v1/namespaces/monitors/servicemonitors', monitor('metrics')),
    ).resolves.toMatchObject({
      kind: 'ServiceMonitor',
    });
    for (const crd of ['certificates.cert-manager.io', 'httproutes.gateway.networking.k8s.io', 'prometheusrules.monitoring.coreos.com']) {
      await expect(plane.client.get(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd}`)).resolves.toMatchObject({
        metadata: { name: crd },
      });
    }
  });

  it('establishes every upstream CRD, those of Envoy Gateway included', async () => {
    // GIVEN the CRDs of every pinned upstream module
    const crds = upstreamCrds();
    expect(crds.map(({ crd }) => crd.metadata.name)).toEqual(
      expect.arrayContaining([
        'envoyproxies.gateway.envoyproxy.io',
        'clienttrafficpolicies.gateway.envoyproxy.io',
        'clusterissuers.cert-manager.io',
        'elasticsearches.elasticsearch.k8s.elastic.co',
        'kibanas.kibana.k8s.elastic.co',
      ]),
    );

    // WHEN the API server lists the CRDs it serves (one request: a GET per CRD took over 5 s on a busy machine)
    const served = await plane.client.list('/apis/apiextensions.k8s.io/v1/customresourcedefinitions');
    const established = new Set(
      served
        .filter((current) =>
          (current.status?.conditions ?? []).some(
            (condition: { type: string; status: string }) => condition.type === 'Established' && condition.status === 'True',
          ),
        )
        .map((current) => current.metadata.name as string),
    );

    // THEN every one is there and Established
    expect(crds.map(({ crd }) => crd.metadata.name).filter((name) => !established.has(name))).toEqual([]);
  });

  it('serves the cert-manager, Gateway API and Envoy Gateway resources the state stacks write, and refuses wrong types', async () => {
    // GIVEN a namespace for the gateway
    await plane.client.create('/api/v1/namespaces', { metadata: { name: 'gateway-system' } });
    const envoyProxy = (replicas: unknown): object => ({
      apiVersion: 'gateway.envoyproxy.io/v1alpha1',
      kind: 'EnvoyProxy',
      metadata: { name: 'public' },
      spec: {
        provider: {
          type: 'Kubernetes',
          kubernetes: { envoyDeployment: { replicas }, envoyService: { type: 'LoadBalancer', externalTrafficPolicy: 'Local' } },
        },
      },
    });
    const clientTrafficPolicy = (numTrustedHops: unknown): object => ({
      apiVersion: 'gateway.envoyproxy.io/v1alpha1',
      kind: 'ClientTrafficPolicy',
      metadata: { name: 'public' },
      spec: {
        targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public' }],
        clientIPDetection: { xForwardedFor: { numTrustedHops } },
        timeout: { http: { idleTimeout: '15m' } },
      },
    });
    const envoy = '/apis/gateway.envoyproxy.io/v1alpha1/namespaces/gateway-system';

    // WHEN wrongly typed ones are created
    const wrongProxy = await plane.client.request('POST', `${envoy}/envoyproxies`, envoyProxy('2'));
    const wrongPolicy = await plane.client.request('POST', `${envoy}/clienttrafficpolicies`, clientTrafficPolicy('one'));

    // THEN the API server refuses them, naming the field
    expect([wrongProxy.status, wrongProxy.body.message]).toEqual([
      422,
      expect.stringContaining('spec.provider.kubernetes.envoyDeployment.replicas'),
    ]);
    expect([wrongPolicy.status, wrongPolicy.body.message]).toEqual([
      422,
      expect.stringContaining('spec.clientIPDetection.xForwardedFor.numTrustedHops'),
    ]);

    // AND the right ones are served
    await expect(plane.client.create(`${envoy}/envoyproxies`, envoyProxy(2))).resolves.toMatchObject({ kind: 'EnvoyProxy' });
    await expect(plane.client.create(`${envoy}/clienttrafficpolicies`, clientTrafficPolicy(1))).resolves.toMatchObject({
      kind: 'ClientTrafficPolicy',
    });
    await expect(
      plane.client.create('/apis/gateway.networking.k8s.io/v1/gatewayclasses', {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'GatewayClass',
        metadata: { name: 'envoy' },
        spec: {
          controllerName: 'gateway.envoyproxy.io/gatewayclass-controller',
          parametersRef: { group: 'gateway.envoyproxy.io', kind: 'EnvoyProxy', name: 'public', namespace: 'gateway-system' },
        },
      }),
    ).resolves.toMatchObject({ kind: 'GatewayClass' });
    await expect(
      plane.client.create('/apis/gateway.networking.k8s.io/v1/namespaces/gateway-system/gateways', {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: 'public' },
        spec: { gatewayClassName: 'envoy', listeners: [{ name: 'http', protocol: 'HTTP', port: 80 }] },
      }),
    ).resolves.toMatchObject({ kind: 'Gateway' });
    await expect(
      plane.client.create('/apis/cert-manager.io/v1/clusterissuers', {
        apiVersion: 'cert-manager.io/v1',
        kind: 'ClusterIssuer',
        metadata: { name: 'letsencrypt' },
        spec: {
          acme: {
            server: 'https://acme-v02.api.letsencrypt.org/directory',
            privateKeySecretRef: { name: 'letsencrypt-account-key' },
            solvers: [{ http01: { gatewayHTTPRoute: { parentRefs: [{ name: 'public', namespace: 'gateway-system', kind: 'Gateway' }] } } }],
          },
        },
      }),
    ).resolves.toMatchObject({ kind: 'ClusterIssuer' });
  });

  it("serves the logging chart's ECK Elasticsearch and Kibana, and refuses a node count in words", async () => {
    // GIVEN a namespace for them
    await plane.client.create('/api/v1/namespaces', { metadata: { name: 'logging' } });
    const elasticsearch = (count: unknown): object => ({
      apiVersion: 'elasticsearch.k8s.elastic.co/v1',
      kind: 'Elasticsearch',
      metadata: { name: 'logging' },
      spec: {
        version: '9.4.3',
        nodeSets: [
          {
            name: 'default',
            count,
            config: { 'node.store.allow_mmap': false },
            podTemplate: { spec: { containers: [{ name: 'elasticsearch', resources: { requests: { memory: '4Gi' } } }] } },
            volumeClaimTemplates: [
              {
                metadata: { name: 'elasticsearch-data' },
                spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '50Gi' } } },
              },
            ],
          },
        ],
      },
    });

    // WHEN a wrongly typed Elasticsearch is created
    const wrong = await plane.client.request(
      'POST',
      '/apis/elasticsearch.k8s.elastic.co/v1/namespaces/logging/elasticsearches',
      elasticsearch('three'),
    );

    // THEN the API server refuses it, naming the field
    expect([wrong.status, wrong.body.message]).toEqual([422, expect.stringContaining('spec.nodeSets[0].count')]);

    // AND the right one and its Kibana are served, podTemplate and config kept as written
    const created = await plane.client.create('/apis/elasticsearch.k8s.elastic.co/v1/namespaces/logging/elasticsearches', elasticsearch(3));
    expect(created).toMatchObject({
      kind: 'Elasticsearch',
      spec: { nodeSets: [{ count: 3, config: { 'node.store.allow_mmap': false } }] },
    });
    expect(created.spec.nodeSets[0].podTemplate.spec.containers[0].name).toBe('elasticsearch');
    await expect(
      plane.client.create('/apis/kibana.k8s.elastic.co/v1/namespaces/logging/kibanas', {
        apiVersion: 'kibana.k8s.elastic.co/v1',
        kind: 'Kibana',
        metadata: { name: 'logging' },
        spec: {
          version: '9.4.3',
          count: 1,
          elasticsearchRef: { name: 'logging' },
          http: { tls: { selfSignedCertificate: { disabled: true } } },
        },
      }),
    ).resolves.toMatchObject({ kind: 'Kibana', spec: { elasticsearchRef: { name: 'logging' } } });
  });

  it('stops every program it started', async () => {
    const state = JSON.parse(fs.readFileSync(`${plane.dir}/state.json`, 'utf8')) as { processes: Array<{ name: string; pid: number }> };
    expect(state.processes.map((entry) => entry.name)).toEqual([
      'etcd',
      'kube-apiserver',
      'kube-controller-manager',
      'kube-scheduler',
      'kwok',
    ]);
    await plane.stop();
    expect(state.processes.filter((entry) => isProcessAlive(entry.pid))).toEqual([]);
    expect(fs.existsSync(plane.dir)).toBe(false);
  }, 30_000);
});
