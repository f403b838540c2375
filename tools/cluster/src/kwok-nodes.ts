/** A taint as in a Node's `spec.taints`. */
export interface NodeTaint {
  /** Taint key. */
  readonly key: string;
  /**
   * Taint value.
   * @default - none
   */
  readonly value?: string;
  /** What the taint does to pods that do not tolerate it. */
  readonly effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

/** A group of identical kwok nodes, shaped like one node pool. */
export interface NodePoolShape {
  /** Name prefix; nodes are `<name>-0`, `<name>-1`, ... */
  readonly name: string;
  /** How many nodes. */
  readonly count: number;
  /** Allocatable CPU, in Kubernetes quantity form (e.g. `16` or `15500m`). */
  readonly cpu: string;
  /** Allocatable memory, in Kubernetes quantity form (e.g. `60Gi`). */
  readonly memory: string;
  /**
   * Node labels (besides the well-known hostname, OS and architecture labels).
   * @default {}
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Node taints.
   * @default []
   */
  readonly taints?: readonly NodeTaint[];
  /**
   * Most pods per node.
   * @default 110
   */
  readonly maxPods?: number;
}

/** The annotation by which kwok knows the nodes it drives (the cluster runs kwok on these only). */
export const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';

/** The Node objects of a pool: allocatable and capacity as given, Ready once kwok takes them over. */
export function kwokNodes(pool: NodePoolShape, kubeletVersion: string): object[] {
  return Array.from({ length: pool.count }, (_, index) => {
    const name = `${pool.name}-${index}`;
    const resources = { cpu: pool.cpu, memory: pool.memory, pods: String(pool.maxPods ?? 110) };
    return {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        annotations: { [KWOK_NODE_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
        labels: {
          ...pool.labels,
          'kubernetes.io/hostname': name,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
          type: 'kwok',
        },
      },
      spec: { taints: (pool.taints ?? []).map((taint) => ({ ...taint })) },
      status: {
        allocatable: resources,
        capacity: resources,
        nodeInfo: { architecture: 'amd64', operatingSystem: 'linux', kubeletVersion: `v${kubeletVersion}`, kubeProxyVersion: '' },
      },
    };
  });
}
