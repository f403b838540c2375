/**
 * Charts on the real control plane (`@meetscale/cluster`): namespaces at a Pod Security level, Helm against
 * the API server, and what the controllers made of a release (pods, endpoints, autoscalers, budgets).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ControlPlane, KubeClient, NodePoolShape } from '@meetscale/cluster';
import { waitFor } from '@meetscale/cluster';
import type { HelmMajor } from '@meetscale/helm-binaries';
import { helmOn, objectPath } from '@meetscale/local-state';
import YAML from 'yaml';

import { type Manifest, parseManifests as parseManifestsText } from './charts';

export { helmOn, type HelmOnOptions, helmOutcome, objectPath } from '@meetscale/local-state';

/** The Pod Security Standards levels, weakest last. */
export type PodSecurityLevel = 'restricted' | 'baseline' | 'privileged';

const LEVELS: readonly PodSecurityLevel[] = ['restricted', 'baseline', 'privileged'];

/** The weakest of some levels (`restricted` when none): what a namespace must allow for all of them. */
export function weakestLevel(levels: readonly PodSecurityLevel[]): PodSecurityLevel {
  return levels.reduce<PodSecurityLevel>((weak, level) => (LEVELS.indexOf(level) > LEVELS.indexOf(weak) ? level : weak), 'restricted');
}

/** The marker a `ci/` scenario carries when it needs a weaker level than `restricted`. */
const LEVEL_MARKER = /^#\s*pod-security:\s*(restricted|baseline|privileged)\s*$/m;

/**
 * The Pod Security level a chart's defaults need: `restricted`, unless its Chart.yaml states another
 * (`meetscale.io/pod-security`, with the reason in its README).
 */
export function chartPodSecurity(chartDirectory: string): PodSecurityLevel {
  const chartYaml = YAML.parse(readFileSync(join(chartDirectory, 'Chart.yaml'), 'utf8')) as { annotations?: Record<string, string> };
  return (chartYaml.annotations?.['meetscale.io/pod-security'] as PodSecurityLevel | undefined) ?? 'restricted';
}

/** The Pod Security level a scenario file declares (`# pod-security: <level>`), `restricted` when none. */
export function scenarioPodSecurity(valuesFile: string | undefined): PodSecurityLevel {
  if (valuesFile === undefined) return 'restricted';
  return (LEVEL_MARKER.exec(readFileSync(valuesFile, 'utf8'))?.[1] as PodSecurityLevel | undefined) ?? 'restricted';
}

/**
 * Node pools on which every given pod spec can be scheduled, as in a cluster that has the pools the charts'
 * placement values name: one general pool without labels or taints, and one pool per distinct node selector,
 * labelled with it and tainted with what the pods that select it tolerate (exact `Equal` tolerations), so that
 * only they land there.
 */
export function nodePoolsForPods(podSpecs: readonly any[], shape: { count: number; cpu: string; memory: string }): NodePoolShape[] {
  const pools = new Map<string, NodePoolShape>();
  pools.set('{}', { name: 'general', ...shape });
  for (const spec of podSpecs) {
    const selector = spec.nodeSelector as Record<string, string> | undefined;
    if (selector === undefined || Object.keys(selector).length === 0) continue;
    const key = JSON.stringify(Object.fromEntries(Object.entries(selector).sort()));
    if (pools.has(key)) continue;
    const taints = ((spec.tolerations ?? []) as any[])
      .filter((toleration) => toleration.operator === 'Equal' && toleration.key !== undefined && toleration.effect !== undefined)
      .map((toleration) => ({ key: toleration.key, value: toleration.value, effect: toleration.effect }));
    const name = `pool-${pools.size}`;
    pools.set(key, { name, ...shape, labels: selector, taints });
  }
  return [...pools.values()];
}

/** Creates a namespace whose Pod Security admission enforces `level` (and warns at `restricted`). */
export async function createNamespace(client: KubeClient, name: string, level: PodSecurityLevel): Promise<void> {
  await client.create('/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'pod-security.kubernetes.io/enforce': level, 'pod-security.kubernetes.io/warn': 'restricted' } },
  });
}

/** The label of what a test creates as a user would before installing a chart (an existing claim, say). */
export const PROVIDED_LABEL = 'meetscale.test/provided';

/**
 * Creates the PersistentVolumeClaims a render's pods mount but the chart does not create (an `existingClaim` the
 * user provides, as they would before installing), each ReadWriteMany 1Gi without a StorageClass, to bind to the
 * control plane's volume pool. Returns their names.
 */
export async function createExpectedClaims(client: KubeClient, namespace: string, manifests: readonly Manifest[]): Promise<string[]> {
  const rendered = new Set(
    manifests.filter((manifest) => manifest.kind === 'PersistentVolumeClaim').map((manifest) => manifest.metadata.name),
  );
  const mounted = new Set(
    manifests.flatMap((manifest) =>
      (((manifest.spec as any)?.template?.spec?.volumes ?? []) as Array<{ persistentVolumeClaim?: { claimName: string } }>).flatMap(
        (volume) => (volume.persistentVolumeClaim === undefined ? [] : [volume.persistentVolumeClaim.claimName]),
      ),
    ),
  );
  const expected = [...mounted].filter((name) => !rendered.has(name)).sort();
  for (const name of expected) {
    const exists = (await client.request('GET', `/api/v1/namespaces/${namespace}/persistentvolumeclaims/${name}`)).status === 200;
    if (exists) continue;
    await client.create(`/api/v1/namespaces/${namespace}/persistentvolumeclaims`, {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name, labels: { [PROVIDED_LABEL]: 'true' } },
      spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Gi' } } },
    });
  }
  return expected;
}

const matches = (selector: Record<string, string>, labels: Record<string, string> | undefined): boolean =>
  Object.entries(selector).every(([key, value]) => labels?.[key] === value);

const isReady = (pod: any): boolean =>
  (pod.status?.conditions ?? []).some((condition: any) => condition.type === 'Ready' && condition.status === 'True');

/** A per-ordinal Service selects one StatefulSet pod by name; it is empty while that ordinal does not exist. */
const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';

/**
 * What is wrong with an installed release, as the controllers see it (empty when all is well):
 * - a pod of the release that is not scheduled or not Ready, a workload short of its desired pods;
 * - a Service whose EndpointSlices do not hold exactly the Ready pods its selector matches, a Service with no
 *   endpoint (unless it names a StatefulSet ordinal that does not exist yet), or one whose selector does not
 *   name its release and one component (or one pod), or that selects pods of another component or release;
 * - an HPA that cannot resolve its scale target; a PDB whose expected pods differ from the pods it selects.
 */
export async function releaseProblems(client: KubeClient, namespace: string, release: string): Promise<string[]> {
  const instance = `app.kubernetes.io/instance=${release}`;
  const ns = `/namespaces/${namespace}`;
  const pods = (await client.list(`/api/v1${ns}/pods`)).filter((pod) => pod.metadata.deletionTimestamp === undefined);
  const problems: string[] = [];
  for (const pod of pods) {
    if (pod.spec.nodeName === undefined)
      problems.push(`pod ${pod.metadata.name} is not scheduled: ${JSON.stringify(pod.status?.conditions ?? [])}`);
    else if (!isReady(pod)) problems.push(`pod ${pod.metadata.name} on ${pod.spec.nodeName} is not Ready`);
  }
  for (const kind of ['deployments', 'statefulsets', 'daemonsets']) {
    for (const workload of await client.list(`/apis/apps/v1${ns}/${kind}`, instance)) {
      const desired = kind === 'daemonsets' ? workload.status?.desiredNumberScheduled : workload.spec.replicas;
      const ready = kind === 'daemonsets' ? workload.status?.numberReady : workload.status?.readyReplicas;
      if ((ready ?? 0) !== desired || desired === 0) {
        // the controller's own words, when it could not create or replace a pod
        const events = (await client.list(`/api/v1${ns}/events`))
          .filter((event) => event.involvedObject?.name === workload.metadata.name && event.type === 'Warning')
          .map((event) => `${event.reason}: ${event.message}`);
        const status = JSON.stringify({
          replicas: workload.status?.replicas,
          current: workload.status?.currentRevision,
          update: workload.status?.updateRevision,
        });
        problems.push(
          `${kind} ${workload.metadata.name}: ${ready ?? 0} of ${desired} pods Ready ${status}${events.length > 0 ? `; ${events.slice(-2).join('; ')}` : ''}`,
        );
      }
    }
  }
  const slices = await client.list(`/apis/discovery.k8s.io/v1${ns}/endpointslices`);
  for (const service of await client.list(`/api/v1${ns}/services`, instance)) {
    const selector = service.spec.selector as Record<string, string> | undefined;
    if (selector === undefined) continue;
    const selected = pods.filter((pod) => matches(selector, pod.metadata.labels));
    const expected = selected
      .filter(isReady)
      .map((pod) => pod.metadata.name)
      .sort();
    const endpoints = slices
      .filter((slice) => slice.metadata.labels?.['kubernetes.io/service-name'] === service.metadata.name)
      .flatMap((slice) => slice.endpoints ?? [])
      .filter((endpoint) => endpoint.conditions?.ready === true)
      .map((endpoint) => endpoint.targetRef?.name as string)
      .sort();
    const name = `Service ${service.metadata.name}`;
    if (JSON.stringify(endpoints) !== JSON.stringify(expected))
      problems.push(`${name} has endpoints ${endpoints.join(',')} but Ready pods ${expected.join(',')}`);
    if (expected.length === 0 && selector[POD_NAME_LABEL] === undefined) problems.push(`${name} selects no Ready pod`);
    // a Service is meant for one component of its release: its selector names both, and selects nothing else
    const component = selector['app.kubernetes.io/component'];
    if (selector['app.kubernetes.io/instance'] !== release)
      problems.push(`${name} does not select by its release (${JSON.stringify(selector)})`);
    if (component === undefined && selector[POD_NAME_LABEL] === undefined)
      problems.push(`${name} does not select one component (${JSON.stringify(selector)})`);
    for (const pod of selected) {
      if (pod.metadata.labels?.['app.kubernetes.io/instance'] !== release)
        problems.push(`${name} selects pod ${pod.metadata.name} of another release`);
      if (component !== undefined && pod.metadata.labels?.['app.kubernetes.io/component'] !== component)
        problems.push(
          `${name} selects pod ${pod.metadata.name} of component ${pod.metadata.labels?.['app.kubernetes.io/component']}, not ${component}`,
        );
    }
  }
  for (const hpa of await client.list(`/apis/autoscaling/v2${ns}/horizontalpodautoscalers`, instance)) {
    const able = (hpa.status?.conditions ?? []).find((condition: any) => condition.type === 'AbleToScale');
    if (able?.status !== 'True')
      problems.push(`HPA ${hpa.metadata.name} cannot resolve its target: ${JSON.stringify(able ?? 'no AbleToScale condition yet')}`);
  }
  for (const pdb of await client.list(`/apis/policy/v1${ns}/poddisruptionbudgets`, instance)) {
    const selected = pods.filter((pod) => matches(pdb.spec.selector?.matchLabels ?? {}, pod.metadata.labels)).length;
    if (selected === 0 || pdb.status?.expectedPods !== selected)
      problems.push(`PDB ${pdb.metadata.name} expects ${pdb.status?.expectedPods} pods, selects ${selected}`);
  }
  return problems;
}

/** Waits until {@link releaseProblems} finds nothing, and returns what it found last otherwise. */
export async function settledReleaseProblems(
  client: KubeClient,
  namespace: string,
  release: string,
  timeoutMs = 60_000,
): Promise<string[]> {
  let last: string[] = [];
  try {
    await waitFor(
      `release ${release} in ${namespace} to settle`,
      async () => {
        last = await releaseProblems(client, namespace, release);
        return last.length === 0 ? true : undefined;
      },
      timeoutMs,
      500,
    );
  } catch {
    // the problems found last are the answer
  }
  return last;
}

/**
 * Who holds the NodePorts a failed Helm command calls "already allocated" (NodePorts are unique in the whole
 * cluster), as `<port>: <namespace>/<Service> (release <instance>)`, so that such a failure names its cause.
 */
export async function nodePortHolders(client: KubeClient, helmOutput: string): Promise<string[]> {
  const ports = new Set(
    [...helmOutput.matchAll(/nodePort: Invalid value: (\d+): provided port is already allocated/g)].map((m) => Number(m[1])),
  );
  if (ports.size === 0) return [];
  const holders: string[] = [];
  for (const service of await client.list('/api/v1/services')) {
    for (const port of service.spec?.ports ?? []) {
      if (!ports.has(port.nodePort)) continue;
      const release = service.metadata.labels?.['app.kubernetes.io/instance'] ?? 'none';
      holders.push(`${port.nodePort}: ${service.metadata.namespace}/${service.metadata.name} (release ${release})`);
    }
  }
  const held = new Set(holders.map((holder) => Number(holder.split(':')[0])));
  for (const port of ports) if (!held.has(port)) holders.push(`${port}: no Service holds it (allocated by the API server without one)`);
  return holders.sort();
}

/**
 * What Helm's output names as a Job not ready (`resource Job/<namespace>/<name> not ready`, a hook Helm waited for),
 * as the cluster shows it now: the Job's counts and conditions, each of its pods' phase and conditions that are not
 * True, and the namespace's warning events, so that a hook that did not finish says why. Empty when none is named.
 */
export async function unfinishedJobs(client: KubeClient, helmOutput: string): Promise<string[]> {
  const named = [
    ...new Set([...helmOutput.matchAll(/resource Job\/([a-z0-9-]+)\/([a-z0-9.-]+) not ready/g)].map((m) => `${m[1]}/${m[2]}`)),
  ];
  const found: string[] = [];
  for (const id of named) {
    const [namespace, name] = id.split('/') as [string, string];
    const job = (await client.request('GET', `/apis/batch/v1/namespaces/${namespace}/jobs/${name}`)).body as any;
    const status = job?.status ?? {};
    const conditions = (status.conditions ?? []).map((condition: any) => `${condition.type}=${condition.status} ${condition.reason ?? ''}`);
    found.push(
      `Job ${id}: active ${status.active ?? 0}, succeeded ${status.succeeded ?? 0}, failed ${status.failed ?? 0} [${conditions.join('; ')}]`,
    );
    for (const pod of await client.list(`/api/v1/namespaces/${namespace}/pods`, `job-name=${name}`)) {
      const unmet = (pod.status?.conditions ?? [])
        .filter((condition: any) => condition.status !== 'True')
        .map((condition: any) => `${condition.type}: ${condition.reason ?? ''} ${condition.message ?? ''}`.trim());
      found.push(`  pod ${pod.metadata.name} on ${pod.spec?.nodeName ?? '(unscheduled)'}: ${pod.status?.phase} [${unmet.join('; ')}]`);
    }
    for (const event of await client.list(`/api/v1/namespaces/${namespace}/events`)) {
      if (event.type === 'Warning')
        found.push(`  event ${event.involvedObject?.kind}/${event.involvedObject?.name}: ${event.reason} ${event.message}`);
    }
  }
  return found;
}

/**
 * Removes what a failed test left in its namespace, so that it cannot fail the tests after it: NodePorts are
 * unique in the cluster, and a release left installed keeps them. Uninstalls the release (ignoring the outcome:
 * a failed install may have recorded none), deletes the namespace and waits until no Service of it is left.
 */
export async function cleanUpAfterFailure(plane: ControlPlane, major: HelmMajor, namespace: string, release: string): Promise<void> {
  helmOn(plane, major, ['uninstall', release, '--namespace', namespace, '--wait', '--timeout', '2m']);
  await plane.client.request('DELETE', `/api/v1/namespaces/${namespace}`);
  try {
    await waitFor(
      `the Services of namespace ${namespace} to be deleted`,
      async () => ((await plane.client.list(`/api/v1/namespaces/${namespace}/services`)).length === 0 ? true : undefined),
      120_000,
      500,
    );
  } catch {
    // the test has failed already; its own error is the one to report
  }
}

/** Kinds that the API server or controllers create in every namespace, which no release owns. */
const NAMESPACE_DEFAULTS = new Set(['ServiceAccount/default', 'ConfigMap/kube-root-ca.crt']);

/**
 * Every object left in a namespace besides what Kubernetes puts in every namespace (and Events): found by
 * listing every namespaced resource type the server serves.
 */
export async function leftoverObjects(client: KubeClient, namespace: string): Promise<string[]> {
  const groups = [{ version: 'v1', prefix: '/api/v1' }];
  const apis = await client.get('/apis');
  for (const group of apis.groups)
    groups.push({ version: group.preferredVersion.groupVersion, prefix: `/apis/${group.preferredVersion.groupVersion}` });
  const left: string[] = [];
  for (const group of groups) {
    const resources = (await client.get(group.prefix)).resources as Array<{
      name: string;
      kind: string;
      namespaced: boolean;
      verbs: string[];
    }>;
    for (const resource of resources) {
      if (!resource.namespaced || resource.name.includes('/') || !resource.verbs.includes('list') || resource.kind === 'Event') continue;
      for (const item of await client.list(`${group.prefix}/namespaces/${namespace}/${resource.name}`)) {
        const id = `${resource.kind}/${item.metadata.name}`;
        // what the test provided as the user would is theirs, not the release's
        if (!NAMESPACE_DEFAULTS.has(id) && item.metadata.labels?.[PROVIDED_LABEL] !== 'true') left.push(id);
      }
    }
  }
  return left.sort();
}

/** The objects of a release's manifest that Helm keeps when the release goes, but for Namespaces. */
export function keptObjects(manifest: string): Manifest[] {
  return parseManifestsText(manifest).filter(
    (item) =>
      item.kind !== 'Namespace' &&
      (item.metadata as { annotations?: Record<string, string> }).annotations?.['helm.sh/resource-policy'] === 'keep',
  );
}

/**
 * Removes the objects of a release's manifest (`helm get manifest`) that Helm keeps when the release goes
 * (`helm.sh/resource-policy: keep`) and that live in the release's namespace (a claim holding data, say); returns
 * them as `Kind/name`, sorted, each one that was there.
 */
export async function removeKeptObjects(client: KubeClient, namespace: string, manifest: string): Promise<string[]> {
  const removed: string[] = [];
  const kept = keptObjects(manifest);
  for (const item of kept) {
    const path = await objectPath(client, item, namespace);
    if ((await client.request('DELETE', path)).status < 300) removed.push(`${item.kind}/${item.metadata.name}`);
  }
  return removed.sort();
}

/**
 * Removes the Namespaces a release of `releaseNamespace` created and Helm kept when the release went
 * (`helm.sh/resource-policy: keep`, the state-base chart's), so that a later release may create them again; waits
 * (within 30 s) until the namespace controller has finalized them. Returns their names, sorted.
 */
export async function removeKeptNamespaces(client: KubeClient, releaseNamespace: string): Promise<string[]> {
  const kept = (await client.list('/api/v1/namespaces'))
    .filter(
      (item) =>
        item.metadata.annotations?.['helm.sh/resource-policy'] === 'keep' &&
        item.metadata.annotations?.['meta.helm.sh/release-namespace'] === releaseNamespace,
    )
    .map((item) => item.metadata.name as string)
    .sort();
  for (const name of kept) await client.call('DELETE', `/api/v1/namespaces/${name}`);
  for (let attempt = 0; kept.length > 0 && attempt < 60; attempt += 1) {
    const names = new Set((await client.list('/api/v1/namespaces')).map((item) => item.metadata.name as string));
    if (kept.every((name) => !names.has(name))) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return kept;
}

/** The API server's words for pods a controller could not create because of Pod Security (from Events). */
export async function podSecurityRefusals(client: KubeClient, namespace: string): Promise<string[]> {
  const events = await client.list(`/api/v1/namespaces/${namespace}/events`);
  return events
    .filter((event) => event.reason === 'FailedCreate' && String(event.message).includes('violates PodSecurity'))
    .map((event) => String(event.message));
}

/**
 * Asks the API server, in a dry run (`dryRun=All`: validation and admission, nothing stored), whether it accepts
 * `manifest` as the new state of the object: an update of the live object when there is one (a full replacement,
 * as the object Helm renders is the whole object), otherwise a creation. Returns the server's refusal, undefined
 * when it accepts.
 */
export async function dryRunRefusal(client: KubeClient, manifest: Manifest, defaultNamespace: string): Promise<string | undefined> {
  const path = await objectPath(client, manifest, defaultNamespace);
  const namespace = path.includes('/namespaces/') ? { namespace: manifest.metadata.namespace ?? defaultNamespace } : {};
  const annotations = (manifest.metadata as { annotations?: Record<string, string> }).annotations ?? {};
  if (annotations['helm.sh/hook'] !== undefined && (annotations['helm.sh/hook-delete-policy'] ?? '').includes('before-hook-creation')) {
    // a hook Helm deletes and creates anew, never updates: asked as a creation, under a name of its own
    const name = `${manifest.metadata.name.slice(0, 50)}-dry-run`;
    const created = { ...manifest, metadata: { ...manifest.metadata, ...namespace, name } };
    const answer = await client.request('POST', `${path.slice(0, path.lastIndexOf('/'))}?dryRun=All`, created);
    if (answer.status >= 200 && answer.status < 300) return undefined;
    return `${manifest.kind}/${manifest.metadata.name}: ${answer.status} ${(answer.body as { message?: string } | undefined)?.message ?? ''}`;
  }
  const live = await client.request('GET', path);
  let object: Manifest = { ...manifest, metadata: { ...manifest.metadata, ...namespace } };
  if (manifest.kind === 'PersistentVolumeClaim' && live.status === 200) {
    // what the volume binder and the defaults put into a claim's spec, which Helm's three-way merge keeps
    const liveSpec = (live.body as { spec: Record<string, unknown> }).spec;
    const spec = { ...(manifest.spec as Record<string, unknown>) };
    for (const key of ['volumeName', 'storageClassName', 'volumeMode']) if (spec[key] === undefined) spec[key] = liveSpec[key];
    object = { ...object, spec };
  }
  const answer =
    live.status === 404
      ? await client.request('POST', `${path.slice(0, path.lastIndexOf('/'))}?dryRun=All`, object)
      : await client.request('PUT', `${path}?dryRun=All`, {
          ...object,
          metadata: {
            ...object.metadata,
            resourceVersion: (live.body as { metadata: { resourceVersion: string } }).metadata.resourceVersion,
          },
        });
  if (answer.status >= 200 && answer.status < 300) return undefined;
  const message = (answer.body as { message?: string } | undefined)?.message ?? JSON.stringify(answer.body);
  return `${manifest.kind}/${manifest.metadata.name}: ${answer.status} ${message}`;
}

/**
 * What the controllers show of a namespace's workloads, for a failure message: each StatefulSet's and Deployment's
 * generation and status, and each pod's controller revision, phase, readiness, node and deletion mark.
 */
export async function workloadState(client: KubeClient, namespace: string): Promise<string[]> {
  const workloads = (
    await Promise.all(
      (['StatefulSet', 'Deployment'] as const).map(async (kind) =>
        (await client.list(`/apis/apps/v1/namespaces/${namespace}/${kind.toLowerCase()}s`)).map(
          (workload) => `${kind} ${workload.metadata.name} generation ${workload.metadata.generation}: ${JSON.stringify(workload.status)}`,
        ),
      ),
    )
  ).flat();
  const pods = (await client.list(`/api/v1/namespaces/${namespace}/pods`)).map((pod) => {
    const ready = (pod.status?.conditions ?? []).find((condition: { type: string }) => condition.type === 'Ready')?.status;
    const deleting = pod.metadata.deletionTimestamp === undefined ? '' : ` deleting since ${pod.metadata.deletionTimestamp}`;
    return `pod ${pod.metadata.name} revision ${pod.metadata.labels?.['controller-revision-hash'] ?? '-'} ${pod.status?.phase} ready=${ready} node ${pod.spec.nodeName ?? '-'}${deleting}`;
  });
  return [...workloads, ...pods];
}
