/**
 * The bridges' autoscaling path for real: Prometheus scrapes each bridge pod's `jitsi_jvb_stress` (fake exporters
 * on loopback, labelled with the namespace and pod they stand for, as the chart's PodMonitor labels them),
 * prometheus-adapter serves it through the custom metrics API with the platform's own adapter rules, registered
 * with the control plane's aggregator, and the HPA controller scales a StatefulSet of bridges on it. The adapter
 * authenticates the aggregator's requests by its front-proxy certificate and authorizes the user they name.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get as httpsGet, type RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { JITSI_SHARD_CHART } from '@meetscale/chart-values/facts/jitsi-shard';
import { MONITORING_CHART } from '@meetscale/chart-values/facts/monitoring';
import { ControlPlane, waitFor } from '@meetscale/cluster';
import {
  ADAPTER_SERVICE,
  CUSTOM_METRICS_API_VERSION as API_VERSION,
  type CustomMetricsApi,
  type FakeExporter,
  type RunningPrometheus,
  type ServerProcess,
  startCustomMetricsApi,
  startFakeExporter,
  startPrometheus,
} from '@meetscale/local-state';

import { createNamespace } from './support/cluster';

jest.setTimeout(180_000);

const METRIC = JITSI_SHARD_CHART.metrics.jvbStress.name;
const NAMESPACE = 'shard';
const BRIDGES = 'jvb';
const MAX_BRIDGES = 3;
const PODS = Array.from({ length: MAX_BRIDGES }, (_, ordinal) => `${BRIDGES}-${ordinal}`);
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
let metricsApi: CustomMetricsApi;
let adapter: ServerProcess;
let adapterUrl: string;
let adapterCa: string;

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
  // its own, delegating authentication and authorization to the API server as its own ServiceAccount, and
  // registered with the aggregator through an ExternalName Service that names localhost (the aggregator resolves
  // such a Service to its external name and the APIService's port)
  metricsApi = await startCustomMetricsApi(plane, { prometheusUrl: prometheus.url, rules: MONITORING_CHART.adapterRules, scratch });
  adapter = metricsApi.adapter;
  adapterUrl = metricsApi.url;
  adapterCa = metricsApi.ca;
});

afterAll(async () => {
  await metricsApi?.stop();
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
