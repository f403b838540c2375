/**
 * The bridges' autoscaling path for real: Prometheus scrapes each bridge pod's `jitsi_jvb_stress` (fake exporters
 * on loopback, labelled with the namespace and pod they stand for, as the chart's PodMonitor labels them),
 * prometheus-adapter serves it through the custom metrics API with the platform's own adapter rules, registered
 * with the control plane's aggregator, and the HPA controller scales a StatefulSet of bridges on it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { JITSI_SHARD_CHART } from '@meetscale/chart-values/facts/jitsi-shard';
import { MONITORING_CHART } from '@meetscale/chart-values/facts/monitoring';
import { ControlPlane, freeLoopbackPort, waitFor } from '@meetscale/cluster';
import { ensurePrometheusAdapter } from '@meetscale/prometheus-tools';
import YAML from 'yaml';

import { createNamespace } from './support/cluster';
import { type ServerProcess, startServerProcess } from './support/processes';
import { type FakeExporter, type RunningPrometheus, startFakeExporter, startPrometheus } from './support/prometheus';

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

/** What one bridge's own metrics endpoint serves. */
const stress = (value: number): string => `# HELP ${METRIC} How loaded the bridge is.\n# TYPE ${METRIC} gauge\n${METRIC} ${value}\n`;

let scratch: string;
let plane: ControlPlane;
let exporters: FakeExporter[] = [];
let prometheus: RunningPrometheus;
let adapter: ServerProcess;

/** A self-signed serving certificate for the name the aggregator checks (`<service>.<namespace>.svc`). */
function servingCertificate(): { cert: string; key: string } {
  const host = `${ADAPTER_SERVICE.name}.${ADAPTER_SERVICE.namespace}.svc`;
  const [cert, key] = [join(scratch, 'tls.crt'), join(scratch, 'tls.key')];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${host}`,
      '-addext',
      `subjectAltName=DNS:${host},DNS:localhost,IP:127.0.0.1`,
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'pipe' },
  );
  return { cert, key };
}

/** prometheus-adapter on a free loopback port, reading Prometheus and the control plane. */
async function startAdapter(prometheusUrl: string, tls: { cert: string; key: string }): Promise<{ process: ServerProcess; port: number }> {
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
    `--lister-kubeconfig=${plane.kubeconfig}`,
    `--authentication-kubeconfig=${plane.kubeconfig}`,
    `--authorization-kubeconfig=${plane.kubeconfig}`,
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
  // this test's own, registered with the aggregator through an ExternalName Service that names localhost (the
  // aggregator resolves such a Service to its external name and the APIService's port)
  const tls = servingCertificate();
  const started = await startAdapter(prometheus.url, tls);
  adapter = started.process;
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
  // TODO(cluster): the control plane's API server has no front-proxy client certificate (--proxy-client-cert-file,
  // --requestheader-client-ca-file), so the aggregator reaches the adapter without proving who asks, and the adapter
  // sees system:anonymous; until the control plane has one, anonymous may read the custom metrics API here.
  await client.create('/apis/rbac.authorization.k8s.io/v1/clusterroles', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'custom-metrics-reader-without-front-proxy' },
    rules: [
      { apiGroups: ['custom.metrics.k8s.io'], resources: ['*'], verbs: ['get', 'list'] },
      { nonResourceURLs: ['/apis/custom.metrics.k8s.io', '/apis/custom.metrics.k8s.io/*'], verbs: ['get'] },
    ],
  });
  await client.create('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'custom-metrics-reader-without-front-proxy' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'custom-metrics-reader-without-front-proxy' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'system:anonymous' }],
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
