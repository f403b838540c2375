/**
 * A minimal fake Kubernetes API server, so that tests can render charts whose templates call Helm's `lookup`
 * against objects they choose, without a cluster.
 *
 * ## The Helm command that performs lookups
 *
 * Plain `helm template` never contacts a cluster: `lookup` returns an empty dict. With `--dry-run=server` it does,
 * under Helm 3.18 and Helm 4.1 alike (no `helm install` needed):
 *
 * ```
 * helm template <release> <chart> --namespace <ns> \
 *   --kubeconfig <api.kubeconfig> --dry-run=server --disable-openapi-validation
 * ```
 *
 * {@link FakeKubeApi.helm} appends the last three flags ({@link FakeKubeApi.helmArgs}). What each major does with
 * them (observed by logging every request):
 *
 * - Helm 3.18 stays client-side otherwise (default Kubernetes version, no `/version`); each `lookup` first reads
 *   the resource list of its group version, then GETs the object: `GET /api/v1`,
 *   `GET /api/v1/namespaces/<ns>/secrets/<name>`.
 * - Helm 4.1 treats the render like a server-side dry-run install: it also reads `/version` (its
 *   `.Capabilities.KubeVersion`, see {@link FakeKubeApiOptions.kubeVersion}), `/api` and `/apis` (asking for
 *   aggregated discovery, answered with the legacy documents, which client-go accepts) and the resource list of
 *   every group version, maps every rendered object to a resource (so every kind a chart renders must be served,
 *   see {@link DEFAULT_FAKE_RESOURCES}) and GETs each rendered object to refuse adopting objects that another
 *   release owns. So a stored object a Helm 4 render also renders must carry Helm's ownership marks, as after a
 *   real install: store it through {@link asInstalledByHelm}. Without `--disable-openapi-validation` Helm 4 also
 *   fetches `/openapi/v3` and `/openapi/v2`, which this server does not serve, and fails.
 *
 * Plain HTTP is enough: both majors accept an `http://127.0.0.1:<port>` server in the kubeconfig.
 *
 * ## Why a worker thread
 *
 * `runHelm` runs Helm with `spawnSync`, which blocks the calling thread's event loop, so the server runs in a
 * worker thread (its source is the JavaScript text {@link WORKER_SOURCE}). {@link FakeKubeApi.requests} and
 * {@link FakeKubeApi.put} are still synchronous: requests are read with `receiveMessageOnPort`, and `put` waits
 * (bounded) on a shared counter the worker raises once the object is stored.
 *
 * ## Isolation from the user's Kubernetes files
 *
 * `runHelm` passes Helm only PATH, HOME and Helm's own folders, so `KUBECONFIG` from the environment never reaches
 * Helm, and `--kubeconfig` names the only kubeconfig it reads. But client-go caches discovery documents under
 * `$HOME/.kube/cache`, keyed by host and port: with the real HOME, Helm would write into the user's folder and could
 * read stale documents of an earlier server on the same port. {@link FakeKubeApi.helm} therefore points HOME at a
 * folder of the server's temporary directory while Helm runs (`runHelm` reads `process.env.HOME` on every call;
 * jest gives each test file its own `process.env`).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';

import { type HelmMajor, type HelmRunResult, runHelm, type RunHelmOptions } from '@meetscale/helm-binaries';

import type { Manifest } from './charts';

/** A resource type the fake server serves (discovery, GET of one object, list). */
export interface FakeResource {
  /** `v1` for the core group, `<group>/<version>` otherwise. */
  readonly apiVersion: string;
  readonly kind: string;
  /** The resource name in URLs, e.g. `secrets`. */
  readonly plural: string;
  readonly namespaced: boolean;
}

/** Resource types served by default: the built-in kinds charts commonly render. */
export const DEFAULT_FAKE_RESOURCES: readonly FakeResource[] = [
  { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true },
  { apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false },
  { apiVersion: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', namespaced: true },
  { apiVersion: 'v1', kind: 'Pod', plural: 'pods', namespaced: true },
  { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true },
  { apiVersion: 'v1', kind: 'Service', plural: 'services', namespaced: true },
  { apiVersion: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true },
  { apiVersion: 'apps/v1', kind: 'DaemonSet', plural: 'daemonsets', namespaced: true },
  { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', namespaced: true },
  { apiVersion: 'apps/v1', kind: 'StatefulSet', plural: 'statefulsets', namespaced: true },
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', namespaced: true },
  { apiVersion: 'batch/v1', kind: 'CronJob', plural: 'cronjobs', namespaced: true },
  { apiVersion: 'batch/v1', kind: 'Job', plural: 'jobs', namespaced: true },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', plural: 'ingresses', namespaced: true },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', plural: 'networkpolicies', namespaced: true },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', namespaced: true },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', plural: 'clusterroles', namespaced: false },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', plural: 'roles', namespaced: true },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', plural: 'rolebindings', namespaced: true },
];

/** Options of {@link startFakeKubeApi}. */
export interface FakeKubeApiOptions {
  /**
   * Namespace of the kubeconfig context, and of stored namespaced objects without `metadata.namespace`.
   * @default 'default'
   */
  readonly namespace?: string;
  /**
   * Version answered on `/version` (Helm 4 takes `.Capabilities.KubeVersion` from it; Helm 3 does not ask).
   * @default 'v1.33.0'
   */
  readonly kubeVersion?: string;
  /**
   * Resource types served besides {@link DEFAULT_FAKE_RESOURCES} (e.g. custom resources a chart renders).
   * @default - none
   */
  readonly resources?: readonly FakeResource[];
  /**
   * How long {@link startFakeKubeApi} waits for the server to listen, and {@link FakeKubeApi.put} for a store.
   * @default 10000
   */
  readonly timeoutMs?: number;
}

/** A running fake API server; see the module comment. */
export interface FakeKubeApi {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Path of a kubeconfig (in a fresh temporary directory) whose current context points at the server. */
  readonly kubeconfig: string;
  /** `<METHOD> <path>` (no query) of every request received so far, in order, unknown paths included. */
  readonly requests: string[];
  /** The flags that make `helm template` perform lookups against this server (see the module comment). */
  readonly helmArgs: readonly string[];
  /**
   * Adds or replaces an object; it is served once this returns.
   * @throws if its kind is not served, or the server does not confirm in time
   */
  put(object: Manifest): void;
  /**
   * Runs Helm with {@link helmArgs} appended and HOME pointed at the server's temporary directory (so client-go's
   * discovery cache stays out of the user's `~/.kube`). A non-zero exit status is returned, not thrown.
   */
  helm(major: HelmMajor, args: readonly string[], options?: RunHelmOptions): HelmRunResult;
  /** Stops the server and removes the temporary directory. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * A copy of a rendered object with what `helm install` adds to each object it creates: the release namespace
 * (when the object names none) and the ownership label and annotations Helm 4 checks before it renders the same
 * object again.
 */
export function asInstalledByHelm(manifest: Manifest, release: string, namespace: string): Manifest {
  const copy = structuredClone(manifest);
  return {
    ...copy,
    metadata: {
      ...copy.metadata,
      namespace: copy.metadata.namespace ?? namespace,
      labels: { ...copy.metadata.labels, 'app.kubernetes.io/managed-by': 'Helm' },
      annotations: { ...copy.metadata.annotations, 'meta.helm.sh/release-name': release, 'meta.helm.sh/release-namespace': namespace },
    },
  };
}

/** A served resource type as the worker sees it. */
interface WorkerResource {
  /** `/api/v1` or `/apis/<group>/<version>`. */
  readonly prefix: string;
  readonly group: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

/** An object as the worker stores it. */
interface StoredObject {
  readonly key: string;
  readonly prefix: string;
  readonly plural: string;
  readonly namespace: string | null;
  readonly name: string;
  readonly object: Manifest;
}

/** What the worker is started with. */
interface WorkerData {
  readonly resources: readonly WorkerResource[];
  /** Fixed answers to GET, by path: version and discovery documents. */
  readonly documents: Record<string, unknown>;
  readonly objects: readonly StoredObject[];
  /** Receives `<METHOD> <path>` of every request. */
  readonly log: MessagePort;
  /** Element 0 counts the objects stored through `put`. */
  readonly stored: Int32Array;
}

/**
 * The server, run in a worker thread (CommonJS, evaluated as text: a worker cannot load this TypeScript module).
 * Its `workerData` is a {@link WorkerData}; a message from the parent is a {@link StoredObject} to store, after which
 * it raises `stored[0]` and posts `{ port }` once listening.
 */
const WORKER_SOURCE = String.raw`
const { createServer } = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const { resources, documents, log, stored } = workerData;
const store = new Map(workerData.objects.map((entry) => [entry.key, entry]));

const failure = (code, reason, message, details) =>
  ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code });
const notFound = () => [404, failure(404, 'NotFound', 'the server could not find the requested resource')];

const OBJECT_PATH = /^(\/api\/v1|\/apis\/[^/]+\/[^/]+)(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?$/;
const LABEL = '[A-Za-z0-9][A-Za-z0-9._/-]*';
const EXISTS = new RegExp('^(!?)(' + LABEL + ')$');
const COMPARE = new RegExp('^(' + LABEL + ')\\s*(==|=|!=)\\s*([A-Za-z0-9._-]*)$');

/** The equality-based label selector as a predicate on labels, or null when it is not one. */
function selector(text) {
  const tests = [];
  for (const term of text.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
    const exists = EXISTS.exec(term);
    const compare = COMPARE.exec(term);
    if (exists) tests.push((labels) => (exists[2] in labels) !== (exists[1] === '!'));
    else if (compare) tests.push((labels) => (labels[compare[1]] === compare[3]) === (compare[2] !== '!='));
    else return null;
  }
  return (labels) => tests.every((test) => test(labels));
}

function answer(method, url) {
  if (method !== 'GET') return [405, failure(405, 'MethodNotAllowed', 'the fake API server answers GET only, not ' + method)];
  const path = url.pathname.replace(/\/+$/, '') || '/';
  if (Object.prototype.hasOwnProperty.call(documents, path)) return [200, documents[path]];
  const match = OBJECT_PATH.exec(path);
  if (!match) return notFound();
  const [, prefix, namespace, plural, name] = match;
  const resource = resources.find((candidate) => candidate.prefix === prefix && candidate.plural === plural);
  if (!resource || (namespace !== undefined && !resource.namespaced)) return notFound();
  if (name !== undefined) {
    if (resource.namespaced && namespace === undefined) return notFound();
    const found = store.get([prefix, plural, namespace ?? '', name].join(' '));
    if (found) return [200, found.object];
    const qualified = resource.group === '' ? plural : plural + '.' + resource.group;
    return [404, failure(404, 'NotFound', qualified + ' "' + name + '" not found', { name, group: resource.group || undefined, kind: plural })];
  }
  if (url.searchParams.has('fieldSelector')) return [400, failure(400, 'BadRequest', 'the fake API server does not support field selectors')];
  const matches = selector(url.searchParams.get('labelSelector') ?? '');
  if (!matches) return [400, failure(400, 'BadRequest', 'the fake API server supports equality-based label selectors only')];
  const items = [...store.values()]
    .filter((entry) => entry.prefix === prefix && entry.plural === plural && (namespace === undefined || entry.namespace === namespace))
    .filter((entry) => matches(entry.object.metadata.labels ?? {}))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((entry) => entry.object);
  return [200, { kind: resource.kind + 'List', apiVersion: resource.apiVersion, metadata: { resourceVersion: '1' }, items }];
}

const server = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  log.postMessage(request.method + ' ' + url.pathname);
  request.resume();
  const [code, body] = answer(request.method, url);
  const text = JSON.stringify(body);
  response.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
});

parentPort.on('message', (entry) => {
  store.set(entry.key, entry);
  Atomics.add(stored, 0, 1);
  Atomics.notify(stored, 0);
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
`;

/** The URL prefix of a group version. */
function _prefix(apiVersion: string): string {
  return apiVersion === 'v1' ? '/api/v1' : `/apis/${apiVersion}`;
}

/** `/version` and the (legacy, non-aggregated) discovery documents of the served resource types. */
function _documents(resources: readonly WorkerResource[], kubeVersion: string): Record<string, unknown> {
  const version = /^v?(\d+)\.(\d+)\.(\d+)/.exec(kubeVersion);
  if (version === null) throw new Error(`fake Kubernetes API: kubeVersion ${kubeVersion} is not <major>.<minor>.<patch>`);
  const byGroupVersion = new Map<string, WorkerResource[]>([['v1', []]]);
  for (const resource of resources) byGroupVersion.set(resource.apiVersion, [...(byGroupVersion.get(resource.apiVersion) ?? []), resource]);
  const documents: Record<string, unknown> = {
    '/version': {
      major: version[1],
      minor: version[2],
      gitVersion: `v${version[1]}.${version[2]}.${version[3]}`,
      gitCommit: '',
      gitTreeState: 'clean',
      buildDate: '1970-01-01T00:00:00Z',
      goVersion: '',
      compiler: 'gc',
      platform: 'linux/amd64',
    },
    '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] },
  };
  const groups = new Map<string, string[]>();
  for (const [apiVersion, served] of byGroupVersion) {
    documents[_prefix(apiVersion)] = {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: apiVersion,
      resources: served.map((resource) => ({
        name: resource.plural,
        singularName: resource.kind.toLowerCase(),
        namespaced: resource.namespaced,
        kind: resource.kind,
        verbs: ['get', 'list'],
      })),
    };
    const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
    if (group !== '') groups.set(group, [...(groups.get(group) ?? []), apiVersion]);
  }
  documents['/apis'] = {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groups].map(([name, apiVersions]) => {
      const versions = apiVersions.map((groupVersion) => ({ groupVersion, version: groupVersion.slice(name.length + 1) }));
      return { name, versions, preferredVersion: versions[0] };
    }),
  };
  return documents;
}

/**
 * Starts a fake Kubernetes API server on 127.0.0.1 (a free port) holding `objects`, and writes a kubeconfig for it
 * into a fresh temporary directory. It answers GET only: `/version`, discovery (`/api`, `/apis`, the resource list
 * of each group version), one object (`…/namespaces/<ns>/<plural>/<name>`, or `…/<plural>/<name>` for
 * cluster-scoped kinds) and lists (with equality-based label selectors) of the resource types in
 * {@link DEFAULT_FAKE_RESOURCES} and `options.resources`. Everything else gets a 404 (other methods a 405) Status
 * object, as a real server answers; every request is recorded in {@link FakeKubeApi.requests}.
 * Call {@link FakeKubeApi.close} when done (in `afterAll` or `finally`).
 */
export async function startFakeKubeApi(objects: Manifest[], options: FakeKubeApiOptions = {}): Promise<FakeKubeApi> {
  const namespace = options.namespace ?? 'default';
  const timeoutMs = options.timeoutMs ?? 10_000;
  const resources: WorkerResource[] = [...DEFAULT_FAKE_RESOURCES, ...(options.resources ?? [])].map((resource) => ({
    ...resource,
    prefix: _prefix(resource.apiVersion),
    group: resource.apiVersion.includes('/') ? resource.apiVersion.slice(0, resource.apiVersion.indexOf('/')) : '',
  }));

  const toStored = (object: Manifest): StoredObject => {
    const resource = resources.find((candidate) => candidate.apiVersion === object.apiVersion && candidate.kind === object.kind);
    if (resource === undefined) {
      throw new Error(`fake Kubernetes API: ${object.apiVersion} ${object.kind} is not served; add it to options.resources`);
    }
    const copy = structuredClone(object);
    const objectNamespace = resource.namespaced ? (copy.metadata.namespace ?? namespace) : null;
    const served = resource.namespaced ? { ...copy, metadata: { ...copy.metadata, namespace: objectNamespace ?? namespace } } : copy;
    const key = [resource.prefix, resource.plural, objectNamespace ?? '', copy.metadata.name].join(' ');
    return { key, prefix: resource.prefix, plural: resource.plural, namespace: objectNamespace, name: copy.metadata.name, object: served };
  };

  const { port1: logPort, port2: workerLogPort } = new MessageChannel();
  const stored = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  const data: WorkerData = {
    resources,
    documents: _documents(resources, options.kubeVersion ?? 'v1.33.0'),
    objects: objects.map(toStored),
    log: workerLogPort,
    stored,
  };
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: data, transferList: [workerLogPort] });
  let failure: Error | undefined;
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`fake Kubernetes API: not listening after ${timeoutMs} ms`)), timeoutMs);
      worker.once('message', (message: { port: number }) => {
        clearTimeout(timer);
        resolve(message.port);
      });
      worker.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      worker.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`fake Kubernetes API: worker exited with ${code} before listening`));
      });
    });
  } catch (error) {
    logPort.close();
    await worker.terminate();
    throw error;
  }
  worker.on('error', (error) => {
    failure = error;
  });

  const url = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'meetscale-fake-kube-'));
  const home = join(dir, 'home');
  mkdirSync(home);
  const kubeconfig = join(dir, 'kubeconfig.yaml');
  // JSON is YAML; 0600 keeps Helm from warning about a group- or world-readable kubeconfig.
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'fake', cluster: { server: url } }],
      users: [{ name: 'fake', user: {} }],
      contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'fake', namespace } }],
      'current-context': 'fake',
    }),
    { mode: 0o600 },
  );
  const helmArgs = ['--kubeconfig', kubeconfig, '--dry-run=server', '--disable-openapi-validation'] as const;

  const requests: string[] = [];
  const drain = (): string[] => {
    for (let message = receiveMessageOnPort(logPort); message !== undefined; message = receiveMessageOnPort(logPort)) {
      requests.push(message.message as string);
    }
    return requests;
  };
  const check = (): void => {
    if (failure !== undefined) throw new Error(`fake Kubernetes API failed: ${failure.message}`);
  };
  let puts = 0;
  let closed: Promise<void> | undefined;
  return {
    url,
    kubeconfig,
    helmArgs,
    get requests() {
      return closed === undefined ? drain() : requests;
    },
    put: (object) => {
      check();
      if (closed !== undefined) throw new Error('fake Kubernetes API: put after close');
      const entry = toStored(object);
      puts += 1;
      worker.postMessage(entry);
      const deadline = Date.now() + timeoutMs;
      for (let seen = Atomics.load(stored, 0); seen < puts; seen = Atomics.load(stored, 0)) {
        const left = deadline - Date.now();
        if (left <= 0 || Atomics.wait(stored, 0, seen, left) === 'timed-out') {
          throw new Error(`fake Kubernetes API: ${object.kind}/${object.metadata.name} not stored after ${timeoutMs} ms`);
        }
      }
    },
    helm: (major, args, runOptions) => {
      check();
      const savedHome = process.env.HOME;
      process.env.HOME = home;
      try {
        return runHelm(major, [...args, ...helmArgs], runOptions);
      } finally {
        if (savedHome === undefined) delete process.env.HOME;
        else process.env.HOME = savedHome;
      }
    },
    close: () =>
      (closed ??= (async () => {
        try {
          drain();
          logPort.close();
          await worker.terminate();
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      })()),
  };
}
