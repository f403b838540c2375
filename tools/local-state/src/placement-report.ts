/**
 * What runs where on a state's local cluster, and the headroom left: per node pool its nodes, what the pods there
 * request of them and which workloads they are; per shard its bridges against its autoscaler's bounds, and the
 * participants they carry now and at the maximum.
 */
import { bridgeFullParticipants, type StateSizing } from '@meetscale/capacity';

import { isBridge, nodeAllocatable, quantity, type StateCluster, type StatePool } from './state-cluster';

/** One node pool's share of the cluster. */
export interface PoolPlacement {
  readonly pool: StatePool;
  /** Nodes of the pool (its maximum: the local cluster has every node the pool may grow to). */
  readonly nodes: number;
  /** Nodes running a pod that is not a node agent (a DaemonSet's). */
  readonly nodesInUse: number;
  /** Allocatable and requested CPU (cores) and memory (MiB) over the pool's nodes. */
  readonly cpu: { readonly allocatable: number; readonly requested: number };
  readonly memoryMi: { readonly allocatable: number; readonly requested: number };
  /** `namespace/release component` (or the owner's name) and how many of its pods run there. */
  readonly workloads: ReadonlyArray<{ readonly workload: string; readonly pods: number }>;
}

/** One shard's bridges against its autoscaler. */
export interface ShardPlacement {
  readonly shard: string;
  readonly namespace: string;
  readonly running: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
}

/** The placement of a state's cluster. */
export interface PlacementReport {
  readonly stateId: string;
  readonly pools: readonly PoolPlacement[];
  readonly shards: readonly ShardPlacement[];
  /** Pods not scheduled, with the scheduler's reason. */
  readonly pending: readonly string[];
  /** Participants a bridge is planned for (at the model's planned load) and carries at full load. */
  readonly bridge: { readonly plannedParticipants: number; readonly fullParticipants: number } | undefined;
  /** The state's declared peak of Jitsi participants. */
  readonly peakJitsiParticipants: number | undefined;
  /** The stack's upstream releases, not installed here. */
  readonly notInstalled: readonly string[];
}

/** What a pod requests: its containers' requests (init containers run before them, and are not counted). */
function _requests(pod: any): { cpu: number; memoryMi: number } {
  const containers: any[] = pod.spec.containers ?? [];
  return {
    cpu: containers.reduce((sum, container) => sum + quantity(container.resources?.requests?.cpu ?? 0), 0),
    memoryMi: containers.reduce((sum, container) => sum + quantity(container.resources?.requests?.memory ?? 0) / 2 ** 20, 0),
  };
}

/** The workload a pod belongs to, as the report names it. */
function _workload(pod: any): string {
  const labels: Record<string, string> = pod.metadata.labels ?? {};
  const instance = labels['app.kubernetes.io/instance'];
  const component = labels['app.kubernetes.io/component'];
  if (instance !== undefined) return `${pod.metadata.namespace}/${instance}${component === undefined ? '' : ` ${component}`}`;
  const owner = pod.metadata.ownerReferences?.[0];
  const name = owner === undefined ? pod.metadata.name : String(owner.name).replace(/-[a-z0-9]{8,10}$/, '');
  return `${pod.metadata.namespace}/${name}`;
}

const isNodeAgent = (pod: any): boolean => (pod.metadata.ownerReferences ?? []).some((owner: any) => owner.kind === 'DaemonSet');

/** The placement of the cluster's pods now. */
export async function placementReport(cluster: StateCluster, sizing: StateSizing | undefined): Promise<PlacementReport> {
  const installation = cluster.installation;
  const pods = (await cluster.client.list('/api/v1/pods')).filter(
    (pod) => pod.metadata.deletionTimestamp === undefined && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed',
  );
  const pools = installation.pools.map((pool): PoolPlacement => {
    const onPool = pods.filter((pod) => String(pod.spec.nodeName ?? '').startsWith(`${pool.name}-`));
    const allocatable = nodeAllocatable(pool.cores, pool.ramMb);
    const counts = new Map<string, number>();
    for (const pod of onPool) counts.set(_workload(pod), (counts.get(_workload(pod)) ?? 0) + 1);
    const requested = onPool.map(_requests);
    return {
      pool,
      nodes: pool.maxNodes,
      nodesInUse: new Set(onPool.filter((pod) => !isNodeAgent(pod)).map((pod) => pod.spec.nodeName)).size,
      cpu: { allocatable: (pool.maxNodes * allocatable.cpuMillis) / 1000, requested: requested.reduce((sum, entry) => sum + entry.cpu, 0) },
      memoryMi: {
        allocatable: pool.maxNodes * allocatable.memoryMi,
        requested: requested.reduce((sum, entry) => sum + entry.memoryMi, 0),
      },
      workloads: [...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([workload, count]) => ({ workload, pods: count })),
    };
  });
  const shards: ShardPlacement[] = [];
  for (const release of installation.releases) {
    const autoscaling = release.values?.jvb?.autoscaling;
    if (autoscaling?.maxReplicas === undefined) continue;
    const bridges = pods.filter(
      (pod) =>
        pod.metadata.namespace === release.namespace &&
        isBridge(pod) &&
        pod.metadata.labels?.['app.kubernetes.io/instance'] === release.name,
    );
    shards.push({
      shard: release.name,
      namespace: release.namespace,
      running: bridges.filter((pod) => pod.spec.nodeName !== undefined).length,
      minReplicas: autoscaling.minReplicas,
      maxReplicas: autoscaling.maxReplicas,
    });
  }
  const pending = pods
    .filter((pod) => pod.spec.nodeName === undefined)
    .map((pod) => {
      const condition = (pod.status?.conditions ?? []).find((entry: any) => entry.type === 'PodScheduled');
      return `${pod.metadata.namespace}/${pod.metadata.name}: ${condition?.message ?? 'not yet scheduled'}`;
    });
  return {
    stateId: installation.stateId,
    pools,
    shards,
    pending,
    bridge:
      sizing?.jitsi == null
        ? undefined
        : { plannedParticipants: sizing.jitsi.bridge.participants, fullParticipants: bridgeFullParticipants(sizing) },
    peakJitsiParticipants: sizing?.jitsi?.participants,
    notInstalled: installation.upstreamReleases,
  };
}

const cores = (value: number): string => value.toFixed(1);
const gib = (mi: number): string => (mi / 1024).toFixed(1);
const percent = (part: number, whole: number): string => (whole === 0 ? '-' : `${Math.round((100 * part) / whole)} %`);

/** The report as text for a terminal. */
export function formatPlacement(report: PlacementReport): string {
  const lines: string[] = [`State ${report.stateId}: what runs where`, ''];
  for (const placement of report.pools) {
    const { pool, cpu, memoryMi } = placement;
    lines.push(
      `pool ${pool.name}: ${placement.nodesInUse} of ${placement.nodes} nodes in use (${pool.cores} cores, ${pool.ramMb / 1024} GiB each)`,
      `  CPU requested ${cores(cpu.requested)} of ${cores(cpu.allocatable)} cores (${percent(cpu.requested, cpu.allocatable)}), ` +
        `memory ${gib(memoryMi.requested)} of ${gib(memoryMi.allocatable)} GiB (${percent(memoryMi.requested, memoryMi.allocatable)})`,
    );
    for (const { workload, pods } of placement.workloads) lines.push(`    ${String(pods).padStart(3)} × ${workload}`);
    lines.push('');
  }
  if (report.shards.length > 0) {
    lines.push('Capacity headroom (bridges)');
    const planned = report.bridge?.plannedParticipants ?? 0;
    for (const shard of report.shards) {
      lines.push(
        `  ${shard.namespace}/${shard.shard}: ${shard.running} bridges running (autoscaler ${shard.minReplicas} to ${shard.maxReplicas}); ` +
          `${shard.running * planned} participants at the planned load now, ${shard.maxReplicas * planned} at the maximum`,
      );
    }
    const total = report.shards.reduce((sum, shard) => sum + shard.maxReplicas, 0) * planned;
    if (report.peakJitsiParticipants !== undefined && report.bridge !== undefined) {
      lines.push(
        `  at the maximum: ${total} participants at the planned load (${planned} a bridge; ${report.bridge.fullParticipants} at full load), ` +
          `for a declared peak of ${report.peakJitsiParticipants}`,
      );
    }
    lines.push('');
  }
  lines.push(report.pending.length === 0 ? 'Every pod is scheduled.' : `Pending pods:\n  ${report.pending.join('\n  ')}`);
  if (report.notInstalled.length > 0) {
    lines.push(
      '',
      'Not installed here (upstream charts: their namespaces and CRDs exist, their controllers and what they would run do not, such as',
      'Prometheus, Grafana, Elasticsearch and Kibana, the Gateway proxies):',
      `  ${report.notInstalled.join(', ')}`,
    );
  }
  return lines.join('\n');
}
