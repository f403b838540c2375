/**
 * The custom metrics API on the local control plane, as a real installation serves it: prometheus-adapter (built
 * from its pinned module) reading a Prometheus, with a serving certificate of its own, delegating authentication and
 * authorization to the API server as its own ServiceAccount, and registered with the aggregator through an
 * ExternalName Service that names localhost (the aggregator resolves such a Service to its external name and the
 * APIService's port), so the HPA controller reads Pods metrics through it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { type ControlPlane, freeLoopbackPort, kubeconfig, newCertificate, waitFor } from '@meetscale/cluster';
import { ensurePrometheusAdapter } from '@meetscale/prometheus-tools';
import YAML from 'yaml';

import { type ServerProcess, startServerProcess } from './processes';

/** The custom metrics API version the adapter is registered for. */
export const CUSTOM_METRICS_API_VERSION = 'v1beta1';

/** The Service the APIService names, as the prometheus-adapter chart names it. */
export const ADAPTER_SERVICE = { namespace: 'monitoring', name: 'prometheus-adapter' } as const;

/** How to start the custom metrics API. */
export interface CustomMetricsOptions {
  /** The Prometheus the adapter queries (`http://127.0.0.1:<port>`). */
  readonly prometheusUrl: string;
  /** The adapter's rules (`rules:` of its configuration file). */
  readonly rules: readonly unknown[];
  /** A folder for the adapter's certificate, kubeconfig and configuration (removed by the caller). */
  readonly scratch: string;
  /**
   * How often the adapter lists the series its rules find (a new pod's series is served after the next listing).
   * @default '5s'
   */
  readonly relistInterval?: string;
}

/** The custom metrics API, running. */
export interface CustomMetricsApi {
  /** The adapter's own address (`https://127.0.0.1:<port>`). */
  readonly url: string;
  /** The PEM certificate the adapter serves (its own CA). */
  readonly ca: string;
  /** The adapter process (its output, whether it exited). */
  readonly adapter: ServerProcess;
  /** Removes the APIService and stops the adapter. */
  stop(): Promise<void>;
}

/** A self-signed serving certificate for the name the aggregator checks (`<service>.<namespace>.svc`). */
function _servingCertificate(scratch: string): { cert: string; key: string } {
  const host = `${ADAPTER_SERVICE.name}.${ADAPTER_SERVICE.namespace}.svc`;
  const [cert, key] = [join(scratch, 'adapter-tls.crt'), join(scratch, 'adapter-tls.key')];
  newCertificate(key, cert, ['-subj', `/CN=${host}`, '-addext', `subjectAltName=DNS:${host},DNS:localhost,IP:127.0.0.1`]);
  return { cert, key };
}

/**
 * A kubeconfig for the adapter's ServiceAccount, with the rights a real installation binds to it so that it may
 * delegate authentication and authorization to the API server: read the front-proxy settings in
 * kube-system/extension-apiserver-authentication, and create TokenReviews and SubjectAccessReviews.
 */
async function _adapterIdentity(plane: ControlPlane, scratch: string): Promise<string> {
  const client = plane.client;
  const { namespace, name } = ADAPTER_SERVICE;
  const subjects = [{ kind: 'ServiceAccount', namespace, name }];
  // applied, so that a second start on the same control plane (another day) finds them as it left them
  if ((await client.request('GET', `/api/v1/namespaces/${namespace}`)).status === 404)
    await client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  await client.apply(`/api/v1/namespaces/${namespace}/serviceaccounts/${name}`, {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name, namespace },
  });
  await client.apply(`/apis/rbac.authorization.k8s.io/v1/namespaces/kube-system/rolebindings/${name}-auth-reader`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: `${name}-auth-reader`, namespace: 'kube-system' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'extension-apiserver-authentication-reader' },
    subjects,
  });
  await client.apply(`/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${name}-system:auth-delegator`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: `${name}-system:auth-delegator` },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' },
    subjects,
  });
  const request = await client.create(`/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: { expirationSeconds: 86_400 },
  });
  const file = join(scratch, 'adapter.kubeconfig');
  const user = `system:serviceaccount:${namespace}:${name}`;
  writeFileSync(file, kubeconfig(plane.server, client.options.ca, user, request.status.token), { mode: 0o600 });
  return file;
}

/**
 * Starts prometheus-adapter on a free loopback port and registers it as the custom metrics API; resolves once the
 * aggregator reports the APIService Available.
 * @throws Error with the adapter's output when it exits or the APIService does not become Available in a minute
 */
export async function startCustomMetricsApi(plane: ControlPlane, options: CustomMetricsOptions): Promise<CustomMetricsApi> {
  const tls = _servingCertificate(options.scratch);
  const identity = await _adapterIdentity(plane, options.scratch);
  const config = join(options.scratch, 'adapter.yaml');
  writeFileSync(config, YAML.stringify({ rules: options.rules }));
  const port = await freeLoopbackPort();
  const adapter = startServerProcess(ensurePrometheusAdapter(), [
    `--secure-port=${port}`,
    '--bind-address=127.0.0.1',
    `--tls-cert-file=${tls.cert}`,
    `--tls-private-key-file=${tls.key}`,
    `--prometheus-url=${options.prometheusUrl}/`,
    `--config=${config}`,
    `--metrics-relist-interval=${options.relistInterval ?? '5s'}`,
    // it lists the pods a metric is asked for as the admin; who may read metrics is decided by delegation
    `--lister-kubeconfig=${plane.kubeconfig}`,
    `--authentication-kubeconfig=${identity}`,
    `--authorization-kubeconfig=${identity}`,
    '--v=2',
  ]);
  const apiService = `/apis/apiregistration.k8s.io/v1/apiservices/${CUSTOM_METRICS_API_VERSION}.custom.metrics.k8s.io`;
  const stop = async (): Promise<void> => {
    await plane.client.request('DELETE', apiService).catch(() => undefined);
    await adapter.stop();
  };
  try {
    await plane.client.apply(`/api/v1/namespaces/${ADAPTER_SERVICE.namespace}/services/${ADAPTER_SERVICE.name}`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { ...ADAPTER_SERVICE },
      spec: { type: 'ExternalName', externalName: 'localhost', ports: [{ name: 'https', port }] },
    });
    await plane.client.apply(apiService, {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: `${CUSTOM_METRICS_API_VERSION}.custom.metrics.k8s.io` },
      spec: {
        group: 'custom.metrics.k8s.io',
        version: CUSTOM_METRICS_API_VERSION,
        service: { ...ADAPTER_SERVICE, port },
        caBundle: Buffer.from(readFileSync(tls.cert)).toString('base64'),
        groupPriorityMinimum: 100,
        versionPriority: 100,
      },
    });
    await waitFor(
      `APIService ${CUSTOM_METRICS_API_VERSION}.custom.metrics.k8s.io to be Available`,
      async () => {
        if (adapter.exited) throw new Error(`prometheus-adapter exited:\n${adapter.output().slice(-3_000)}`);
        const service = await plane.client.get(apiService);
        const available = (service.status?.conditions ?? []).find((condition: { type: string }) => condition.type === 'Available');
        if (available?.status === 'True') return true;
        throw new Error(`APIService not Available: ${available?.reason ?? ''} ${available?.message ?? ''}`);
      },
      60_000,
      500,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `https://127.0.0.1:${port}`, ca: readFileSync(tls.cert, 'utf8'), adapter, stop };
}
