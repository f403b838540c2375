/**
 * The bridges' autoscaling path for real: Prometheus scrapes each bridge pod's `jitsi_jvb_stress` (fake exporters
 * on loopback, labelled with the namespace and pod they stand for, as the chart's PodMonitor labels them),
 * prometheus-adapter serves it through the custom metrics API with the platform's own adapter rules, registered
 * with the control plane's aggregator, and the HPA controller scales a StatefulSet of bridges on it. The adapter
 * authenticates the aggregator's requests by its front-proxy certificate and authorizes the user they name.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpsGet, type RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { JITSI_SHARD_CHART } from '@meetscale/chart-values/facts/jitsi-shard';
import { MONITORING_CHART } from '@meetscale/chart-values/facts/monitoring';
import { ControlPlane, freeLoopbackPort, kubeconfig, newCertificate, waitFor } from '@meetscale/cluster';
import { type ServerProcess, startServerProcess } from '@meetscale/local-state';
import { type FakeExporter, type RunningPrometheus, startFakeExporter, startPrometheus } from '@meetscale/local-state';
import { ensurePrometheusAdapter } from '@meetscale/prometheus-tools';
import YAML from 'yaml';

import { createNamespace } from './support/cluster';

jest.setTimeout(180_000);

const METRIC = JITSI_SHARD_CHART.metrics.jvbStress.name;
const NAMESPACE = 'shard';
const BRIDGES = 'jvb';
const MAX_BRIDGES = 3;
const PODS = Array.from({ length: MAX_BRIDGES }, (_, ordinal) => `${BRIDGES}-${ordinal}`);
/** The custom metrics API version the adapter is registered for, and the Service the APIService names. */
const API_VERSION = 'v1beta1';
const ADAPTER_SERVICE = { namespace: 'monitoring', name: 'prometheus-adapter' };
const METRIC_PATH = `/apis/custom.metrics.k8s.io/${API_VERSION}/namespaces/${NAMESPACE}/pods/*/${METRIC}`;
/** The identity the HPA controller reads metrics as (the controller manager uses each controller's ServiceAccount). */
const HPA_CONTROLLER = {
  user: 'system:serviceaccount:kube-system:horizontal-pod-autoscaler',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
};
/** An authenticated user without any RBAC on the custom metrics API. */
const NOBODY = { user: 'nobody', groups: ['system:authenticated'] };
/** How the API server and the adapter refuse a user the metric. */
const FORBIDDEN = (user: string): string =>
  `pods.custom.metrics.k8s.io "*" is forbidden: User "${user}" cannot get resource "pods/${METRIC}" in API group "custom.metrics.k8s.io" in the namespace "${NAMESPACE}"`;

/** What one bridge's own metrics endpoint serves. */
const stress = (value: number): string => `# HELP ${METRIC} How loaded the bridge is.\n# TYPE ${METRIC} gauge\n${METRIC} ${value}\n`;

let scratch: string;
let plane: ControlPlane;
let exporters: FakeExporter[] = [];
let prometheus: RunningPrometheus;
let adapter: ServerProcess;
let adapterUrl: string;
let adapterCa: string;

/** A self-signed serving certificate for the name the aggregator checks (`<service>.<namespace>.svc`). */
function servingCertificate(): { cert: string; key: string } {
  const host = `${ADAPTER_SERVICE.name}.${ADAPTER_SERVICE.namespace}.svc`;
  const [cert, key] = [join(scratch, 'tls.crt'), join(scratch, 'tls.key')];
  newCertificate(key, cert, ['-subj', `/CN=${host}`, '-addext', `subjectAltName=DNS:${host},DNS:localhost,IP:127.0.0.1`]);
  return { cert, key };
}

/**
 * A kubeconfig for the adapter's ServiceAccount, with the rights a real installation binds to it so that it may
 * delegate authentication and authorization to the API server: read the front-proxy settings in
 * kube-system/extension-apiserver-authentication, and create TokenReviews and SubjectAccessReviews.
 */
async function adapterIdentity(): Promise<string> {
  const client = plane.client;
  const { namespace, name } = ADAPTER_SERVICE;
  const subjects = [{ kind: 'ServiceAccount', namespace, name }];
  await client.create(`/api/v1/namespaces/${namespace}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } });
  await client.create('/apis/rbac.authorization.k8s.io/v1/namespaces/kube-system/rolebindings', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: `${name}-auth-reader` },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'extension-apiserver-authentication-reader' },
    subjects,
  });
  await client.create('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: `${name}-system:auth-delegator` },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' },
    subjects,
  });
  const request = await client.create(`/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: { expirationSeconds: 3_600 },
  });
  const file = join(scratch, 'adapter.kubeconfig');
  writeFileSync(file, kubeconfig(plane.server, client.options.ca, `system:serviceaccount:${namespace}:${name}`, request.status.token), {
    mode: 0o600,
  });
  return file;
}

/** prometheus-adapter on a free loopback port, reading Prometheus and the control plane. */
async function startAdapter(
  prometheusUrl: string,
  tls: { cert: string; key: string },
  identity: string,
): Promise<{ process: ServerProcess; port: number }> {
  const config = join(scratch, 'adapter.yaml');
  writeFileSync(config, YAML.stringify({ rules: MONITORING_CHART.adapterRules }));
  const port = await freeLoopbackPort();
  const process = startServerProcess(ensurePrometheusAdapter(), [
    `--secure-port=${port}`,
    '--bind-address=127.0.0.1',
    `--tls-cert-file=${tls.cert}`,
    `--tls-private-key-file=${tls.key}`,
    `--prometheus-url=${prometheusUrl}/`,
    `--config=${config}`,
    // the series are there before it starts; re-listing often only shortens the wait should they not be
    '--metrics-relist-interval=5s',
    // it lists the pods a metric is asked for as the admin; only who may read metrics is the point here
    `--lister-kubeconfig=${plane.kubeconfig}`,
    `--authentication-kubeconfig=${identity}`,
    `--authorization-kubeconfig=${identity}`,
    '--v=2',
  ]);
  return { process, port };
}

/** What the aggregator should say about the APIService, or the adapter's end of output when it has exited. */
async function apiServiceAvailable(): Promise<true | undefined> {
  if (adapter.exited) throw new Error(`prometheus-adapter exited:\n${adapter.output().slice(-3_000)}`);
  const service = await plane.client.get(`/apis/apiregistration.k8s.io/v1/apiservices/${API_VERSION}.custom.metrics.k8s.io`);
  const available = (service.status?.conditions ?? []).find((condition: { type: string }) => condition.type === 'Available');
  if (available?.status === 'True') return true;
  throw new Error(`APIService not Available: ${available?.reason ?? ''} ${available?.message ?? ''}`);
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'meetscale-adapter-hpa-'));
  plane = await ControlPlane.start({ nodePools: [{ name: 'media', count: 1, cpu: '32', memory: '128Gi' }] });
  const client = plane.client;
  await createNamespace(client, NAMESPACE, 'restricted');
  await createNamespace(client, ADAPTER_SERVICE.namespace, 'restricted');

  // GIVEN one bridge of a StatefulSet, Running and Ready on a kwok node
  await client.create(`/apis/apps/v1/namespaces/${NAMESPACE}/statefulsets`, {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: BRIDGES },
    spec: {
      replicas: 1,
      podManagementPolicy: 'Parallel',
      serviceName: BRIDGES,
      selector: { matchLabels: { app: BRIDGES } },
      template: {
        metadata: { labels: { app: BRIDGES } },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'jvb',
              image: 'jitsi/jvb:stable',
              resources: { requests: { cpu: '1', memory: '1Gi' } },
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            },
          ],
        },
      },
    },
  });
  await waitFor(`${BRIDGES}-0 to be Ready`, async () => {
    const pod = await client.get(`/api/v1/namespaces/${NAMESPACE}/pods/${BRIDGES}-0`);
    return (pod.status?.conditions ?? []).some((condition: any) => condition.type === 'Ready' && condition.status === 'True') || undefined;
  });

  // AND each bridge pod's metrics endpoint (one fake exporter per pod, a little stressed), which Prometheus scrapes
  // every second, labelling each target with the namespace and pod it stands for, as the chart's PodMonitor does
  exporters = await Promise.all(PODS.map(() => startFakeExporter(stress(0.2))));
  prometheus = await startPrometheus({
    scrapeConfigs: [
      {
        job_name: 'bridges',
        static_configs: exporters.map((exporter, ordinal) => ({
          targets: [exporter.target],
          labels: { namespace: NAMESPACE, pod: PODS[ordinal] },
        })),
      },
    ],
  });
  await prometheus.waitFor(async () => (await prometheus.query(METRIC)).length === MAX_BRIDGES, {
    timeoutMs: 30_000,
    what: `every bridge's ${METRIC} to be scraped`,
  });

  // AND prometheus-adapter with the platform's adapter rules, serving the custom metrics API with a certificate of
  // this test's own, delegating authentication and authorization to the API server as its own ServiceAccount, and
  // registered with the aggregator through an ExternalName Service that names localhost (the aggregator resolves
  // such a Service to its external name and the APIService's port)
  const tls = servingCertificate();
  const started = await startAdapter(prometheus.url, tls, await adapterIdentity());
  adapter = started.process;
  adapterUrl = `https://127.0.0.1:${started.port}`;
  adapterCa = readFileSync(tls.cert, 'utf8');
  await client.create(`/api/v1/namespaces/${ADAPTER_SERVICE.namespace}/services`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: ADAPTER_SERVICE.name },
    spec: { type: 'ExternalName', externalName: 'localhost', ports: [{ name: 'https', port: started.port }] },
  });
  await client.create('/apis/apiregistration.k8s.io/v1/apiservices', {
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    metadata: { name: `${API_VERSION}.custom.metrics.k8s.io` },
    spec: {
      group: 'custom.metrics.k8s.io',
      version: API_VERSION,
      service: { ...ADAPTER_SERVICE, port: started.port },
      caBundle: Buffer.from(readFileSync(tls.cert)).toString('base64'),
      groupPriorityMinimum: 100,
      versionPriority: 100,
    },
  });
  await waitFor(`APIService ${API_VERSION}.custom.metrics.k8s.io to be Available`, apiServiceAvailable, 60_000, 500);
});

afterAll(async () => {
  await adapter?.stop();
  await prometheus?.stop();
  await Promise.all(exporters.map((exporter) => exporter.stop()));
  await plane?.stop();
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
});

/** A GET of `path` at `base` over TLS: its status and parsed body. */
function getJson(
  base: string,
  path: string,
  options: Pick<RequestOptions, 'ca' | 'cert' | 'key' | 'headers'>,
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const request = httpsGet(new URL(path, base), { ...options, agent: false, timeout: 10_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) });
        } catch {
          resolve({ status: response.statusCode ?? 0, body: text });
        }
      });
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${path}: no answer within 10 s`)));
    request.on('error', reject);
  });
}

/** The request headers by which the aggregator names the user it proxies for. */
const remoteUser = (identity: { user: string; groups: string[] }): Record<string, string | string[]> => ({
  'X-Remote-User': identity.user,
  'X-Remote-Group': identity.groups,
});

/** The metric asked of the adapter itself, as the aggregator asks it (with its front-proxy certificate) or not. */
function askAdapter(identity: { user: string; groups: string[] }, asAggregator: boolean): Promise<{ status: number; body: any }> {
  const certificate = asAggregator
    ? { cert: readFileSync(plane.frontProxy.clientCertFile, 'utf8'), key: readFileSync(plane.frontProxy.clientKeyFile, 'utf8') }
    : {};
  return getJson(adapterUrl, METRIC_PATH, { ca: adapterCa, ...certificate, headers: remoteUser(identity) });
}

/** The custom metrics API's answer, per pod, as `kubectl get --raw` would print it. */
async function servedStress(): Promise<Array<{ pod: string; value: string }>> {
  const response = await plane.client.request('GET', METRIC_PATH);
  if (response.status !== 200) throw new Error(`GET ${METRIC_PATH}: ${response.status} ${JSON.stringify(response.body)}`);
  return (response.body.items as any[])
    .map((item) => ({ pod: item.describedObject.name, value: item.value }))
    .sort((a, b) => a.pod.localeCompare(b.pod));
}

/** The HPA's view of the bridges: what it read and how many it wants. */
async function autoscalerState(): Promise<{ current: string | undefined; desired: number; replicas: number; conditions: string }> {
  const hpa = await plane.client.get(`/apis/autoscaling/v2/namespaces/${NAMESPACE}/horizontalpodautoscalers/${BRIDGES}`);
  const workload = await plane.client.get(`/apis/apps/v1/namespaces/${NAMESPACE}/statefulsets/${BRIDGES}`);
  return {
    current: hpa.status?.currentMetrics?.[0]?.pods?.current?.averageValue,
    desired: hpa.status?.desiredReplicas,
    replicas: workload.spec.replicas,
    conditions: (hpa.status?.conditions ?? [])
      .map((condition: any) => `${condition.type}=${condition.status} ${condition.reason}: ${condition.message}`)
      .join('; '),
  };
}

test(`the custom metrics API serves each bridge pod's ${METRIC} from Prometheus, through the platform's adapter rule`, async () => {
  // WHEN the API server is asked for the metric of every pod in the namespace (kubectl get --raw)
  // THEN the adapter answers through the aggregator with the scraped value of the one existing bridge, as a quantity
  expect(await waitFor('the custom metrics API to answer', servedStress, 30_000, 1_000)).toEqual([{ pod: `${BRIDGES}-0`, value: '200m' }]);
});

test('the HPA reads the metric and keeps one bridge while stress is below its target', async () => {
  // GIVEN an autoscaling/v2 HPA on the bridges, aiming at an average stress of 0.5 per bridge
  await plane.client.create(`/apis/autoscaling/v2/namespaces/${NAMESPACE}/horizontalpodautoscalers`, {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: BRIDGES },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: BRIDGES },
      minReplicas: 1,
      maxReplicas: MAX_BRIDGES,
      metrics: [{ type: 'Pods', pods: { metric: { name: METRIC }, target: { type: 'AverageValue', averageValue: '500m' } } }],
    },
  });
  // THEN its controller reads 0.2 (every 5 s) and wants one bridge
  let seen = await autoscalerState();
  await waitFor(
    'the HPA to read the stress',
    async () => {
      seen = await autoscalerState();
      return seen.current !== undefined || undefined;
    },
    60_000,
    1_000,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; HPA: ${JSON.stringify(seen)}`);
  });
  expect(seen).toMatchObject({ current: '200m', desired: 1, replicas: 1 });
  expect(seen.conditions).toContain('ScalingActive=True ValidMetricFound');
});

test('the HPA scales the bridges up when their stress rises above the target', async () => {
  // WHEN every bridge reports 0.9
  for (const exporter of exporters) exporter.set(stress(0.9));
  // THEN the HPA raises the StatefulSet to its maximum (the 1 m average climbs past 0.55, the target plus the
  // controller's 10 % tolerance, and each bridge it adds reports as much)
  let seen = await autoscalerState();
  await waitFor(
    `the HPA to scale ${BRIDGES} to ${MAX_BRIDGES}`,
    async () => {
      seen = await autoscalerState();
      return seen.replicas === MAX_BRIDGES || undefined;
    },
    90_000,
    1_000,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; HPA: ${JSON.stringify(seen)}\n--- adapter ---\n${adapter.output().slice(-2_000)}`);
  });
  expect(seen.desired).toBe(MAX_BRIDGES);
  // AND the custom metrics API now serves every bridge's stress
  const served = await waitFor(
    'every bridge to be served',
    async () => ((await servedStress()).length === MAX_BRIDGES ? servedStress() : undefined),
    30_000,
    1_000,
  );
  expect(served.map((entry) => entry.pod)).toEqual(PODS);
});

test('the adapter authorizes the user the aggregator proxies for, and trusts the headers only from the aggregator', async () => {
  // WHEN an unprivileged user asks the API server for the metric
  const viaApiServer = await getJson(plane.server, METRIC_PATH, {
    ca: plane.client.options.ca,
    headers: { authorization: `Bearer ${plane.client.options.token}`, 'Impersonate-User': NOBODY.user },
  });
  // THEN it is refused (the API server's own authorization, by the same RBAC, refuses before proxying)
  expect([viaApiServer.status, viaApiServer.body.message]).toEqual([403, FORBIDDEN(NOBODY.user)]);

  // WHEN the adapter itself is asked as the aggregator asks, with its front-proxy certificate, for each user
  const forController = await askAdapter(HPA_CONTROLLER, true);
  const forNobody = await askAdapter(NOBODY, true);
  // THEN the adapter serves the HPA controller, whose bootstrap role may read custom metrics
  expect(forController.status).toBe(200);
  expect(forController.body.items.map((item: any) => item.describedObject.name)).toEqual(PODS);
  // AND its own SubjectAccessReview refuses the unprivileged user, by name
  expect([forNobody.status, forNobody.body.message]).toEqual([403, FORBIDDEN(NOBODY.user)]);

  // WHEN a client without the aggregator's certificate claims to be the HPA controller in the same headers
  const spoofed = await askAdapter(HPA_CONTROLLER, false);
  // THEN the adapter ignores the headers: the request is anonymous, and refused
  expect([spoofed.status, spoofed.body.message]).toEqual([403, FORBIDDEN('system:anonymous')]);
});
