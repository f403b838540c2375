/**
 * A federal state's installation as its synthesized Terraform stack describes it (`apps/infra/cdktf.out/stacks/
 * <state>/cdk.tf.json`, written by `npm run build`), rebuilt on the real control plane (`@meetscale/cluster`):
 * kwok nodes shaped like the state's IONOS node pools at their autoscaling maximum; the state's cluster base (the
 * `state-base` chart's releases: namespaces with their Pod Security labels, the in-cluster media taint, the
 * Gateway), rendered from `charts/state-base` with exactly the values the stack passes and applied first; and the
 * other meetscale charts installed from `charts/` with exactly the values the stack passes them. Nothing here names
 * a state; everything is read from the stack.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';

import type { SizingInput } from '@meetscale/capacity';
import { ControlPlane, type ControlPlaneOptions, type KubeClient, type NodePoolShape, type NodeTaint, waitFor } from '@meetscale/cluster';
import { runHelm } from '@meetscale/helm-binaries';
import YAML from 'yaml';

import { chartDir, chartNames, type Manifest, parseManifests, renderChart, WORKSPACE_ROOT } from './charts';
import { helmOn, helmOutcome, objectPath } from './helm-on';

/** The folder of the state files, one stack each. */
const STATES_DIR = join(WORKSPACE_ROOT, 'apps/infra/states');

/** Where `npx nx run infra:synth` writes the stacks. */
const STACKS_DIR = join(WORKSPACE_ROOT, 'apps/infra/cdktf.out/stacks');

/**
 * The charts of the state's cluster base, whose releases the test renders (`helm template`) and applies before it
 * installs the other meetscale charts, as the stack installs them before everything else: their objects are the
 * namespaces with their labels, the media taint's DaemonSet and RBAC, and the Gateway's objects, whose controllers
 * (Envoy Gateway, cert-manager) the control plane does not run.
 */
const BASE_CHARTS: ReadonlySet<string> = new Set(['state-base']);

/**
 * Stand-ins for the Terraform expressions (`${...}`) in the values of a base release, which Terraform substitutes
 * before Helm sees them, by the key they are the value of: the reserved IP of the Gateway's load balancer becomes
 * an address of TEST-NET-1 (RFC 5737), which the chart's schema accepts like the real one.
 */
const EXPRESSION_STAND_INS: Readonly<Record<string, string>> = { loadBalancerIP: '192.0.2.1' };

/** The component label of the videobridges in the jitsi-shard chart. */
export const BRIDGE_COMPONENT = 'jvb';

/** The label selector of the videobridges. */
export const BRIDGE_SELECTOR = `app.kubernetes.io/component=${BRIDGE_COMPONENT}`;

/** Whether a pod (or the workload of the pods) is a videobridge: the jitsi-shard chart's component label says so. */
export const isBridge = (object: { metadata?: { labels?: Record<string, string> } }): boolean =>
  object.metadata?.labels?.['app.kubernetes.io/component'] === BRIDGE_COMPONENT;

/** Every state in `apps/infra/states/` (the file name is the state's id and its stack's name). */
export function stateIds(): string[] {
  return readdirSync(STATES_DIR)
    .filter((file) => file.endsWith('.ts'))
    .map((file) => basename(file, '.ts'))
    .sort();
}

/**
 * The state `npm start` runs when none is named, and the tests simulate a day on: the one with the smallest declared
 * peak load (its stack's `sizing_input`), so the quickest to run.
 */
export function exampleStateId(): string {
  const sized = stateIds().map((id) => ({ id, participants: stateInstallation(id).sizingInput?.participants ?? Infinity }));
  return sized.sort((a, b) => a.participants - b.participants || a.id.localeCompare(b.id))[0]!.id;
}

/** An IONOS node pool of the stack, with what its nodes offer the scheduler. */
export interface StatePool {
  /** The pool's IONOS name; its kwok nodes are `<name>-0`, `<name>-1`, ... */
  readonly name: string;
  /** CPU cores per node. */
  readonly cores: number;
  /** RAM per node in MB (IONOS: a multiple of 1024, i.e. MiB). */
  readonly ramMb: number;
  /** The autoscaler's maximum node count. */
  readonly maxNodes: number;
  /** Kubernetes labels of the nodes. */
  readonly labels: Readonly<Record<string, string>>;
  /** Taints the cluster puts on the nodes (IONOS pools take none; the media taint's DaemonSet applies it). */
  readonly taints: readonly NodeTaint[];
}

/** A Helm release of the stack whose chart is one of `charts/`. */
export interface StateRelease {
  /** Release name. */
  readonly name: string;
  /** Chart name (the directory under `charts/`). */
  readonly chart: string;
  /** Namespace of the release. */
  readonly namespace: string;
  /** The values documents exactly as synthesized (YAML), passed to Helm as `-f` files in order. */
  readonly valuesYaml: readonly string[];
  /** The first values document, parsed (the stack writes one per release), for reading the bridges' settings. */
  readonly values: any;
}

/** A state's installation as its stack describes it. */
export interface StateInstallation {
  /** The state's id. */
  readonly stateId: string;
  /** The IONOS node pools. */
  readonly pools: readonly StatePool[];
  /** The releases of the meetscale charts the test installs with Helm (all but the cluster base's). */
  readonly releases: readonly StateRelease[];
  /** Namespaces the stack creates, with the labels it gives them (`{}` for the Helm provider's plain ones). */
  readonly namespaces: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * The objects of the cluster base's releases (the `state-base` chart, rendered with the stack's values),
   * Namespaces excluded, in stack order.
   */
  readonly manifests: ReadonlyArray<{ readonly release: string; readonly namespace: string; readonly manifest: Manifest }>;
  /** Problems of the stack itself that keep the test from reproducing it (e.g. values from Terraform expressions). */
  readonly stackProblems: readonly string[];
  /** The capacity model's input the state was sized from (the stack's `sizing_input` output), if the stack has it. */
  readonly sizingInput: SizingInput | undefined;
  /** The custom rules of the stack's prometheus-adapter release (the custom metrics the HPAs read), if it has one. */
  readonly adapterRules: readonly unknown[];
  /** The stack's releases of upstream charts (`namespace/name (chart version)`), which the local cluster does not install. */
  readonly upstreamReleases: readonly string[];
}

/**
 * Allocatable CPU and memory of a node with `cores` and `ramMb`: what the kubelet offers the scheduler after its
 * reservations for itself, the container runtime and the operating system, and the eviction threshold.
 *
 * ASSUMPTION: IONOS does not publish the reservations of its managed Kubernetes nodes (`platform-facts.md` has
 * nothing on them), so this uses the curve GKE documents and AKS follows (kube-reserved):
 * - CPU: 6% of the first core, 1% of the second, 0.5% of the third and fourth, 0.25% of every further core;
 * - memory: 25% of the first 4 GiB, 20% of the next 4 GiB, 10% of the next 8 GiB, 6% of the next 112 GiB and
 *   2% of the rest, plus the kubelet's default hard eviction threshold of 100 MiB.
 * Reservations are rounded up, so a node offers never more than this.
 */
export function nodeAllocatable(cores: number, ramMb: number): { cpuMillis: number; memoryMi: number } {
  const tiers = (amount: number, steps: ReadonlyArray<readonly [number, number]>): number => {
    let reserved = 0;
    let below = 0;
    for (const [upTo, share] of steps) {
      reserved += Math.max(0, Math.min(amount, upTo) - below) * share;
      below = upTo;
    }
    return reserved;
  };
  const cpuReserved = tiers(cores * 1000, [
    [1000, 0.06],
    [2000, 0.01],
    [4000, 0.005],
    [Infinity, 0.0025],
  ]);
  const memoryReserved =
    tiers(ramMb, [
      [4 * 1024, 0.25],
      [8 * 1024, 0.2],
      [16 * 1024, 0.1],
      [128 * 1024, 0.06],
      [Infinity, 0.02],
    ]) + 100;
  return { cpuMillis: cores * 1000 - Math.ceil(cpuReserved), memoryMi: ramMb - Math.ceil(memoryReserved) };
}

/** The kwok node pool of a stack's pool: nodes at the pool's maximum, allocatable by {@link nodeAllocatable}. */
export function nodePoolShape(pool: StatePool): NodePoolShape {
  const allocatable = nodeAllocatable(pool.cores, pool.ramMb);
  return {
    name: pool.name,
    count: pool.maxNodes,
    cpu: `${allocatable.cpuMillis}m`,
    memory: `${allocatable.memoryMi}Mi`,
    labels: pool.labels,
    taints: pool.taints,
  };
}

/** `9 nodes of 8897m CPU and 2972Mi memory`: a pool as the scheduler sees it. */
export function describePool(pool: StatePool): string {
  const shape = nodePoolShape(pool);
  return `${shape.count} node${shape.count === 1 ? '' : 's'} of ${shape.cpu} CPU and ${shape.memory} memory`;
}

const matches = (selector: Readonly<Record<string, string>> | undefined, labels: Readonly<Record<string, string>>): boolean =>
  Object.entries(selector ?? {}).every(([key, value]) => labels[key] === value);

/** `key=value:Effect`, as `kubectl taint` takes it. */
const TAINT_ARGUMENT = /^([^=:\s]+)(?:=([^:\s]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/;

/** The taint a DaemonSet applies to its nodes with `kubectl taint node ... <taint>`, if it does. */
function appliedTaint(manifest: Manifest): { taint: NodeTaint; nodeSelector: Record<string, string> } | undefined {
  if (manifest.kind !== 'DaemonSet') return undefined;
  const spec = (manifest as any).spec?.template?.spec ?? {};
  for (const container of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    const command: string[] = [...(container.command ?? []), ...(container.args ?? [])];
    if (command[0] !== 'kubectl' || command[1] !== 'taint') continue;
    const argument = command.map((word) => TAINT_ARGUMENT.exec(word)).find((match) => match !== null);
    if (argument === undefined || argument === null) continue;
    const [, key, value, effect] = argument;
    const taint = { key, ...(value === undefined ? {} : { value }), effect } as NodeTaint;
    return { taint, nodeSelector: spec.nodeSelector ?? {} };
  }
  return undefined;
}

/**
 * A base release's values with every Terraform expression replaced by its stand-in ({@link EXPRESSION_STAND_INS});
 * an expression without one is a problem of the stack, named by its path.
 */
function withStandIns(values: unknown, problems: string[], release: string, path = ''): unknown {
  if (Array.isArray(values)) return values.map((item, index) => withStandIns(item, problems, release, `${path}[${index}]`));
  if (values !== null && typeof values === 'object')
    return Object.fromEntries(
      Object.entries(values).map(([key, value]) => {
        const at = path === '' ? key : `${path}.${key}`;
        if (typeof value !== 'string' || !value.includes('${')) return [key, withStandIns(value, problems, release, at)];
        const standIn = EXPRESSION_STAND_INS[key];
        if (standIn === undefined) problems.push(`release ${release} has values from Terraform expressions at ${at}: ${value}`);
        return [key, standIn ?? value];
      }),
    );
  return values;
}

/**
 * The objects a base release installs: its chart rendered by Helm 4 from `charts/<chart>` with the stack's values
 * (Terraform expressions replaced by stand-ins), so that the chart's schema checks them as at install time.
 */
function renderBaseRelease(release: any, documents: readonly unknown[], problems: string[]): Manifest[] {
  if (documents.length > 1) problems.push(`release ${release.name} has ${documents.length} values documents; the test renders one`);
  const values = withStandIns(documents[0] ?? {}, problems, release.name);
  const rendered = renderChart(4, release.chart, { release: release.name, namespace: release.namespace, values });
  if (rendered.status !== 0) problems.push(`helm template ${release.name} (${release.chart}) failed: ${rendered.stderr}`);
  return rendered.manifests;
}

/** The path of the stack a state's synthesis writes. */
export function stackFile(stateId: string): string {
  return join(STACKS_DIR, stateId, 'cdk.tf.json');
}

/**
 * A state's installation, read from its synthesized stack.
 * @throws naming the command that writes the stack when it is missing
 */
export function stateInstallation(stateId: string): StateInstallation {
  const file = stackFile(stateId);
  if (!existsSync(file)) {
    throw new Error(
      `no synthesized stack for state "${stateId}" at ${relative(WORKSPACE_ROOT, file)}: run \`npm run build\` (or \`npx nx run infra:synth\`) first`,
    );
  }
  const stack = JSON.parse(readFileSync(file, 'utf8')) as {
    resource?: Record<string, Record<string, any>>;
    output?: Record<string, { value?: unknown }>;
  };
  const stackProblems: string[] = [];
  const helmReleases = Object.values(stack.resource?.helm_release ?? {});
  const localCharts = new Set(chartNames());

  const namespaces: Record<string, Record<string, string>> = {};
  const manifests: Array<{ release: string; namespace: string; manifest: Manifest }> = [];
  const releases: StateRelease[] = [];
  let adapterRules: unknown[] = [];
  const upstreamReleases: string[] = [];
  for (const release of helmReleases) {
    const documents: string[] = release.values ?? [];
    for (const key of ['set', 'set_list', 'set_sensitive'])
      if (release[key] !== undefined && localCharts.has(release.chart))
        stackProblems.push(`release ${release.name} sets values through \`${key}\`, which the test cannot reproduce`);
    const parsed = documents.map((document) => YAML.parse(document) as any);
    if (release.create_namespace === true) namespaces[release.namespace] ??= {};
    if (BASE_CHARTS.has(release.chart) && localCharts.has(release.chart)) {
      // the cluster base: its objects are applied before the charts, the Namespaces with their labels
      for (const manifest of renderBaseRelease(release, parsed, stackProblems)) {
        if (manifest.kind === 'Namespace') namespaces[manifest.metadata.name] = { ...manifest.metadata.labels };
        else manifests.push({ release: release.name, namespace: release.namespace, manifest });
      }
      continue;
    }
    if (localCharts.has(release.chart)) {
      const interpolated = documents.find((document) => document.includes('${'));
      if (interpolated !== undefined) stackProblems.push(`release ${release.name} has values from Terraform expressions: ${interpolated}`);
      releases.push({
        name: release.name,
        chart: release.chart,
        namespace: release.namespace,
        valuesYaml: documents,
        values: parsed[0] ?? {},
      });
      continue;
    }
    // an upstream chart (the add-ons): nothing of it is reproduced but its namespace (and the adapter's rules, which
    // the day simulation serves the custom metrics API with)
    if (release.chart === 'prometheus-adapter') adapterRules = parsed[0]?.rules?.custom ?? [];
    upstreamReleases.push(`${release.namespace}/${release.name} (${release.chart} ${release.version ?? ''})`.replace(' )', ')'));
  }

  const taints = manifests.map(({ manifest }) => appliedTaint(manifest)).filter((found) => found !== undefined);
  const pools = Object.values(stack.resource?.ionoscloud_k8s_node_pool ?? {}).map((pool): StatePool => {
    const labels: Record<string, string> = { ...pool.labels };
    return {
      name: pool.name,
      cores: pool.cores_count,
      ramMb: pool.ram_size,
      maxNodes: pool.auto_scaling?.max_node_count ?? pool.node_count,
      labels,
      taints: taints.filter((applied) => matches(applied.nodeSelector, labels)).map((applied) => applied.taint),
    };
  });
  const sizingInput = stack.output?.sizing_input?.value as SizingInput | undefined;
  return { stateId, pools, releases, namespaces, manifests, stackProblems, sizingInput, adapterRules, upstreamReleases };
}

/** The media pools: those the bridges of the state's jitsi-shard releases are selected onto. */
export function mediaPools(installation: StateInstallation): StatePool[] {
  const selectors = installation.releases
    .map((release) => release.values?.jvb?.nodeSelector as Record<string, string> | undefined)
    .filter((selector) => selector !== undefined && Object.keys(selector).length > 0);
  return installation.pools.filter((pool) => selectors.some((selector) => matches(selector, pool.labels)));
}

/**
 * The installation with its media pools capped at `maxNodes` nodes (a pool the platform team limited, or an IONOS
 * quota): what the day simulation runs to show where demand meets no capacity.
 * @throws Error when `maxNodes` is not a whole number of at least 1 or the state has no media pool
 */
export function withMediaNodes(installation: StateInstallation, maxNodes: number): StateInstallation {
  if (!Number.isInteger(maxNodes) || maxNodes < 1)
    throw new Error(`a media pool needs a whole number of nodes of at least 1, not ${maxNodes}`);
  const media = new Set(mediaPools(installation).map((pool) => pool.name));
  if (media.size === 0) throw new Error(`state ${installation.stateId} has no media pool to cap`);
  return { ...installation, pools: installation.pools.map((pool) => (media.has(pool.name) ? { ...pool, maxNodes } : pool)) };
}

/** The bridges of the state at the autoscalers' maximum: the sum of the jitsi-shard releases' `jvb.autoscaling.maxReplicas`. */
export function bridgesAtMaximum(installation: StateInstallation): number {
  return installation.releases.reduce((sum, release) => sum + (release.values?.jvb?.autoscaling?.maxReplicas ?? 0), 0);
}

/** Parses a CPU (`8`, `400m`) or memory (`1000Mi`, `2Gi`, `1G`) quantity into cores or bytes. */
export function quantity(value: string | number): number {
  const match = /^([0-9.]+)([a-zA-Z]*)$/.exec(String(value));
  if (match === null) throw new Error(`not a quantity: ${value}`);
  const units: Record<string, number> = {
    '': 1,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
  };
  const unit = units[match[2] ?? ''];
  if (unit === undefined) throw new Error(`unknown quantity unit: ${value}`);
  return Number(match[1]) * unit;
}

/**
 * The media nodes the bridges need at the autoscalers' maximum, from the numbers: the bridge pods as the chart
 * renders them with the release's values (CPU and memory requests, a host port meaning one bridge per node) against
 * a media node's allocatable.
 */
export function mediaNodesNeeded(installation: StateInstallation, pool: StatePool): number {
  const allocatable = nodeAllocatable(pool.cores, pool.ramMb);
  let needed = 0;
  for (const release of installation.releases) {
    const bridges = release.values?.jvb?.autoscaling?.maxReplicas ?? 0;
    if (bridges === 0) continue;
    const rendered = parseManifests(
      withValuesFiles(release, (files) => {
        const args = ['template', release.name, chartDir(release.chart), '--namespace', release.namespace, ...files];
        const result = runHelm(4, args);
        if (result.status !== 0) throw new Error(`helm template ${release.name}: ${result.stderr}`);
        return result.stdout;
      }),
    );
    const workload = rendered.find((manifest) => ['Deployment', 'StatefulSet'].includes(manifest.kind) && isBridge(manifest)) as any;
    if (workload === undefined) throw new Error(`release ${release.name} renders no bridge workload`);
    const containers: any[] = workload.spec.template.spec.containers;
    const cpu = containers.reduce((sum, container) => sum + quantity(container.resources?.requests?.cpu ?? 0), 0);
    const memory = containers.reduce((sum, container) => sum + quantity(container.resources?.requests?.memory ?? 0), 0);
    const hostPort = containers.some((container) => (container.ports ?? []).some((port: any) => port.hostPort !== undefined));
    const fit = Math.min(
      cpu > 0 ? Math.floor(allocatable.cpuMillis / 1000 / cpu) : Infinity,
      memory > 0 ? Math.floor((allocatable.memoryMi * 2 ** 20) / memory) : Infinity,
    );
    if (fit === 0)
      throw new Error(`a bridge of release ${release.name} does not fit a node of pool "${pool.name}" (${describePool(pool)})`);
    needed += Math.ceil(bridges / (hostPort ? 1 : fit));
  }
  return needed;
}

/** Runs `use` with the release's values documents written as `-f` arguments, exactly as synthesized. */
function withValuesFiles<T>(release: StateRelease, use: (args: string[]) => T): T {
  const scratch = mkdtempSync(join(tmpdir(), 'meetscale-state-values-'));
  try {
    const args = release.valuesYaml.flatMap((document, index) => {
      const file = join(scratch, `values-${index}.yaml`);
      writeFileSync(file, document);
      return ['-f', file];
    });
    return use(args);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Why the scheduler left a pod Pending: its PodScheduled condition's message. */
export function pendingReason(pod: { status?: { conditions?: Array<Record<string, any>> } }): string {
  const condition = (pod.status?.conditions ?? []).find((entry: any) => entry.type === 'PodScheduled');
  return condition?.status === 'False' ? String(condition.message ?? condition.reason) : 'not yet considered by the scheduler';
}

const isUnschedulable = (pod: any): boolean =>
  (pod.status?.conditions ?? []).some(
    (entry: any) => entry.type === 'PodScheduled' && entry.status === 'False' && entry.reason === 'Unschedulable',
  );

/** The API path of the workload an HPA scales (its `scaleTargetRef`, an apps/v1 Deployment or StatefulSet). */
export function scaleTargetPath(hpa: {
  metadata: { namespace?: string };
  spec: { scaleTargetRef: { kind: string; name: string } };
}): string {
  const target = hpa.spec.scaleTargetRef;
  return `/apis/apps/v1/namespaces/${hpa.metadata.namespace}/${target.kind.toLowerCase()}s/${target.name}`;
}

/**
 * A state's installation on a real control plane: one kwok node per node at each pool's autoscaling maximum.
 * {@link StateCluster.start} prepares what the stack installs before the meetscale charts (the namespaces and the
 * other objects of the cluster base's releases, such as the media taint's DaemonSet); {@link StateCluster.install}
 * installs the charts.
 */
export class StateCluster {
  /**
   * Starts the control plane with the state's nodes, creates its namespaces and applies its cluster base's objects.
   * `plane` adds options of the control plane (its folder, the HPA controller's timing).
   */
  static async start(
    installation: StateInstallation,
    plane: Omit<ControlPlaneOptions, 'nodePools' | 'upstreamCrds'> = {},
  ): Promise<StateCluster> {
    const started = await ControlPlane.start({ ...plane, nodePools: installation.pools.map(nodePoolShape), upstreamCrds: true });
    const cluster = new StateCluster(installation, started);
    try {
      await cluster._prepare();
      return cluster;
    } catch (error) {
      await started.stop();
      throw error;
    }
  }

  private constructor(
    /** The installation this cluster holds. */
    readonly installation: StateInstallation,
    /** The control plane. */
    readonly plane: ControlPlane,
  ) {}

  /** An admin client. */
  get client(): KubeClient {
    return this.plane.client;
  }

  /** Namespaces with their labels, then the cluster base's other objects, then waits for their DaemonSets' pods. */
  private async _prepare(): Promise<void> {
    for (const [name, labels] of Object.entries(this.installation.namespaces))
      await this.client.apply(`/api/v1/namespaces/${name}`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
    const daemonSets: string[] = [];
    for (const { namespace, manifest } of this.installation.manifests) {
      const path = await objectPath(this.client, manifest, namespace);
      await this.client.apply(path, manifest);
      if (manifest.kind === 'DaemonSet') daemonSets.push(path);
    }
    for (const path of daemonSets) {
      await waitFor(`DaemonSet ${path} to have every pod Ready`, async () => {
        const { metadata, status } = await this.client.get(path);
        const settled = status?.observedGeneration >= metadata.generation && status.numberReady === status.desiredNumberScheduled;
        return settled ? true : undefined;
      });
    }
  }

  /**
   * Installs every meetscale release with Helm 4 from `charts/<chart>`, with exactly the synthesized values
   * documents as `-f` files, `--wait`; returns what failed (with Helm's output), empty when all installed. `log` hears
   * of each release as it is done.
   */
  async install(log?: (line: string) => void): Promise<string[]> {
    const problems = [...this.installation.stackProblems];
    for (const release of this.installation.releases) {
      const started = Date.now();
      const args = ['install', release.name, chartDir(release.chart), '--namespace', release.namespace, '--wait', '--timeout', '3m'];
      const outcome = withValuesFiles(release, (files) => helmOutcome(helmOn(this.plane, 4, [...args, ...files], { timeoutMs: 240_000 })));
      if (outcome.status !== 0) problems.push(`helm install ${release.name} (${release.chart}) failed: ${outcome.output}`);
      const took = `${((Date.now() - started) / 1000).toFixed(1)} s`;
      log?.(
        `${outcome.status === 0 ? 'installed' : 'FAILED to install'} ${release.namespace}/${release.name} (chart ${release.chart}) in ${took}`,
      );
    }
    return problems;
  }

  /**
   * Waits until the cluster is settled after the install: every bridge autoscaler has raised its workload to its
   * minimum (the HPA controller enforces its bounds before it reads any metric), and every pod is scheduled or found
   * unschedulable.
   */
  async settle(timeoutMs = 120_000): Promise<void> {
    const namespaces = [...new Set(this.installation.releases.map((release) => release.namespace))];
    let seen = '';
    await waitFor(
      'the bridge autoscalers at their minimum and every pod scheduled or unschedulable',
      async () => {
        for (const namespace of namespaces)
          for (const hpa of await this.client.list(`/apis/autoscaling/v2/namespaces/${namespace}/horizontalpodautoscalers`)) {
            const workload = await this.client.get(scaleTargetPath(hpa));
            seen = `${namespace}/${hpa.spec.scaleTargetRef.name} at ${workload.spec.replicas} of at least ${hpa.spec.minReplicas ?? 1}`;
            if (workload.spec.replicas < (hpa.spec.minReplicas ?? 1)) return undefined;
            if ((workload.status?.replicas ?? 0) < workload.spec.replicas) return undefined;
          }
        const pods = (await this.client.list('/api/v1/pods')).filter((pod) => pod.metadata.deletionTimestamp === undefined);
        const unsettled = pods.filter((pod) => pod.spec.nodeName === undefined && !isUnschedulable(pod));
        seen = `${unsettled.length} pods neither scheduled nor unschedulable`;
        return unsettled.length === 0 ? true : undefined;
      },
      timeoutMs,
      500,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; last seen: ${seen}`);
    });
  }

  /**
   * What is wrong with where the pods are (empty when all is well): a Pending pod, named with the pool it is
   * selected onto and the scheduler's reason (bridges counted per media pool); a bridge off the media pools; any
   * other pod on a media node, except node agents: pods of DaemonSets that tolerate the media node's taints, which
   * run on every node by design (the DaemonSet that applies the media taint, the log shipper). Their requests still
   * count: a bridge that no longer fits beside them is Pending, and reported.
   */
  async placementProblems(): Promise<string[]> {
    const pools = this.installation.pools;
    const media = new Set(mediaPools(this.installation).map((pool) => pool.name));
    const poolOfNode = new Map(pools.flatMap((pool) => nodeNames(pool).map((node) => [node, pool] as const)));
    const isNodeAgent = (pod: any, pool: StatePool | undefined): boolean =>
      (pod.metadata.ownerReferences ?? []).some((owner: any) => owner.kind === 'DaemonSet') &&
      (pool?.taints ?? []).every((taint) => tolerates(pod.spec.tolerations ?? [], taint));
    const pods = (await this.client.list('/api/v1/pods')).filter((pod) => pod.metadata.deletionTimestamp === undefined);
    const id = (pod: any): string => `${pod.metadata.namespace}/${pod.metadata.name}`;
    const poolsOf = (pod: any): StatePool[] => pools.filter((pool) => matches(pod.spec.nodeSelector, pool.labels));

    const problems: string[] = [];
    for (const pool of pools.filter((candidate) => media.has(candidate.name))) {
      const bridges = pods.filter((pod) => isBridge(pod) && poolsOf(pod).includes(pool));
      const pending = bridges.filter((pod) => pod.spec.nodeName === undefined);
      if (pending.length === 0) continue;
      const reasons = [...new Set(pending.map(pendingReason))].join(' | ');
      problems.push(
        `media pool "${pool.name}" (${describePool(pool)}) cannot hold ${bridges.length} bridges: ${pending.length} Pending: ${reasons}`,
      );
    }
    for (const pod of pods) {
      const node: string | undefined = pod.spec.nodeName;
      if (node === undefined) {
        if (isBridge(pod) && poolsOf(pod).some((pool) => media.has(pool.name))) continue; // counted per media pool above
        const selected = poolsOf(pod);
        const where =
          selected.length === 0
            ? `no node pool matches its node selector ${JSON.stringify(pod.spec.nodeSelector ?? {})}`
            : selected.map((pool) => `pool "${pool.name}" (${describePool(pool)})`).join(' or ') + ' cannot hold it';
        problems.push(`pod ${id(pod)} is Pending, ${where}: ${pendingReason(pod)}`);
        continue;
      }
      const pool = poolOfNode.get(node);
      const onMedia = media.has(pool?.name ?? '');
      if (isBridge(pod) && !onMedia) problems.push(`bridge ${id(pod)} runs on ${node}, which is not a media node`);
      if (!isBridge(pod) && onMedia && !isNodeAgent(pod, pool)) problems.push(`pod ${id(pod)} runs on media node ${node}`);
    }
    return problems;
  }

  /**
   * Scales every bridge autoscaler to its maximum the way a load peak would leave it: `minReplicas` raised to
   * `maxReplicas`, so the real HPA controller scales the workload (it enforces its bounds without metrics). Waits
   * until every bridge pod is either scheduled or found unschedulable, then returns {@link placementProblems}.
   */
  async scaleBridgesToMaximum(): Promise<string[]> {
    const shards = new Set(this.installation.releases.map((release) => `${release.namespace}/${release.name}`));
    const namespaces = [...new Set(this.installation.releases.map((release) => release.namespace))];
    const hpas: any[] = [];
    for (const namespace of namespaces)
      for (const hpa of await this.client.list(`/apis/autoscaling/v2/namespaces/${namespace}/horizontalpodautoscalers`, BRIDGE_SELECTOR))
        if (shards.has(`${namespace}/${hpa.metadata.labels?.['app.kubernetes.io/instance']}`)) hpas.push(hpa);
    for (const hpa of hpas)
      await this.client.call(
        'PATCH',
        `/apis/autoscaling/v2/namespaces/${hpa.metadata.namespace}/horizontalpodautoscalers/${hpa.metadata.name}`,
        { spec: { minReplicas: hpa.spec.maxReplicas } },
        'application/merge-patch+json',
      );
    const expected = hpas.reduce((sum, hpa) => sum + hpa.spec.maxReplicas, 0);
    const problems: string[] = [];
    let seen = '';
    try {
      await waitFor(
        `${expected} bridges, each scheduled or unschedulable`,
        async () => {
          const scaled: string[] = [];
          for (const hpa of hpas) {
            const workload = await this.client.get(scaleTargetPath(hpa));
            scaled.push(`${hpa.spec.scaleTargetRef.name} ${workload.spec.replicas}/${hpa.spec.maxReplicas}`);
            if (workload.spec.replicas !== hpa.spec.maxReplicas) return undefined;
          }
          const bridges: any[] = [];
          for (const namespace of namespaces)
            bridges.push(...(await this.client.list(`/api/v1/namespaces/${namespace}/pods`, BRIDGE_SELECTOR)));
          const live = bridges.filter((pod) => pod.metadata.deletionTimestamp === undefined);
          seen = `${scaled.join(', ')}; ${live.length} bridge pods`;
          const settled = live.every((pod) => pod.spec.nodeName !== undefined || isUnschedulable(pod));
          return live.length === expected && settled ? true : undefined;
        },
        180_000,
        500,
      );
    } catch {
      problems.push(`the bridges did not reach the autoscalers' maximum of ${expected}: ${seen}`);
    }
    return [...problems, ...(await this.placementProblems())];
  }

  /** Stops the control plane. */
  async stop(): Promise<void> {
    await this.plane.stop();
  }
}

/** Whether a pod's tolerations tolerate a taint, as the scheduler matches them (key, `Exists` or `Equal`, effect). */
export function tolerates(tolerations: readonly any[], taint: NodeTaint): boolean {
  return tolerations.some(
    (toleration) =>
      (toleration.key === undefined || toleration.key === '' ? toleration.operator === 'Exists' : toleration.key === taint.key) &&
      (toleration.operator === 'Exists' || (toleration.value ?? '') === (taint.value ?? '')) &&
      (toleration.effect === undefined || toleration.effect === '' || toleration.effect === taint.effect),
  );
}

/** The kwok node names of a pool (`<name>-0` ... at its maximum). */
function nodeNames(pool: StatePool): string[] {
  return Array.from({ length: pool.maxNodes }, (_, index) => `${pool.name}-${index}`);
}

/**
 * Everything that keeps a state's installation from scheduling as in production (empty when nothing does): on a
 * fresh control plane with its pools at their maximum, the charts installed, then the bridges scaled to the
 * autoscalers' maximum.
 */
export async function stateSchedulingProblems(installation: StateInstallation): Promise<string[]> {
  const cluster = await StateCluster.start(installation);
  try {
    const problems = [...(await cluster.install()), ...(await cluster.placementProblems()), ...(await cluster.scaleBridgesToMaximum())];
    return [...new Set(problems)];
  } finally {
    await cluster.stop();
  }
}
