import type { IonosLocation } from '@meetscale/ionos-facts';
import { Token } from 'cdktf';
import { Construct } from 'constructs';

import type { Datacenter } from '../generated/providers/ionoscloud/datacenter';
import { Ipblock } from '../generated/providers/ionoscloud/ipblock';
import type { K8SCluster } from '../generated/providers/ionoscloud/k8s-cluster';
import { K8SNodePool } from '../generated/providers/ionoscloud/k8s-node-pool';
import type { Lan } from '../generated/providers/ionoscloud/lan';

/** A maintenance window: a weekday and a UTC time `HH:MM:SSZ`. */
export interface MaintenanceWindow {
  /** Day of the week, e.g. `Sunday`. */
  readonly day: string;
  /** UTC start time, e.g. `02:00:00Z`. */
  readonly time: string;
}

/** The window as IONOS DBaaS takes it: the time without the zone suffix the Kubernetes windows carry (UTC all the same). */
export function dbaasMaintenanceWindow(window: MaintenanceWindow): { dayOfTheWeek: string; time: string } {
  return { dayOfTheWeek: window.day, time: window.time.replace(/Z$/, '') };
}

/** Properties of a {@link NodePool}. */
export interface NodePoolProps {
  /** The cluster the pool belongs to. */
  readonly cluster: K8SCluster;
  /** The data center the nodes run in. */
  readonly datacenter: Datacenter;
  /** The private LAN the nodes join, with DHCP. */
  readonly privateLan: Lan;
  /** Node pool name. */
  readonly name: string;
  /** Kubernetes version of the nodes (the cluster's). */
  readonly kubernetesVersion: string;
  /** CPU cores per node. */
  readonly cores: number;
  /** RAM per node in MB. */
  readonly ramMb: number;
  /** SSD storage per node in GB. */
  readonly storageGb: number;
  /** Fewest nodes; also the initial node count. */
  readonly minNodes: number;
  /** Most nodes the autoscaler adds. */
  readonly maxNodes: number;
  /** Compute availability zone. */
  readonly availabilityZone: string;
  /** When IONOS may replace the nodes. */
  readonly maintenanceWindow: MaintenanceWindow;
  /** Kubernetes labels of the nodes. */
  readonly labels: Readonly<Record<string, string>>;
  /**
   * Kubernetes annotations of the nodes.
   * @default - none
   */
  readonly annotations?: Readonly<Record<string, string>>;
  /**
   * IONOS server type of the nodes (`DedicatedCore` or `VCPU`).
   * @default - the IONOS default
   */
  readonly serverType?: string;
  /**
   * Reserve an IP block in this location and give the nodes fixed public IPs from it. IONOS needs one address
   * more than the pool's maximum, for rolling node replacement.
   * @default - no reserved IPs: nodes get ephemeral public IPs
   */
  readonly reservedPublicIpsIn?: IonosLocation;
}

/**
 * An autoscaled IONOS managed Kubernetes node pool, optionally with fixed public IPs from its own reserved IP
 * block. The autoscaler owns the node count, so Terraform ignores later changes of it.
 */
export class NodePool extends Construct {
  /** The node pool. */
  public readonly pool: K8SNodePool;
  /** The reserved IP block of the nodes' public IPs, when there is one. */
  public readonly ipBlock?: Ipblock;

  constructor(scope: Construct, id: string, props: NodePoolProps) {
    super(scope, id);
    if (props.reservedPublicIpsIn !== undefined) {
      this.ipBlock = new Ipblock(this, 'public-ips', {
        name: `${props.name}-public-ips`,
        location: props.reservedPublicIpsIn,
        size: props.maxNodes + 1,
      });
    }
    this.pool = new K8SNodePool(this, 'pool', {
      k8SClusterId: props.cluster.id,
      datacenterId: props.datacenter.id,
      name: props.name,
      k8SVersion: props.kubernetesVersion,
      availabilityZone: props.availabilityZone,
      coresCount: props.cores,
      ramSize: props.ramMb,
      storageSize: props.storageGb,
      storageType: 'SSD',
      serverType: props.serverType,
      nodeCount: props.minNodes,
      autoScaling: { minNodeCount: props.minNodes, maxNodeCount: props.maxNodes },
      maintenanceWindow: { dayOfTheWeek: props.maintenanceWindow.day, time: props.maintenanceWindow.time },
      labels: { ...props.labels },
      annotations: props.annotations === undefined ? undefined : { ...props.annotations },
      lans: [{ id: Token.asNumber(props.privateLan.id), dhcp: true }],
      publicIps: this.ipBlock?.ips,
      lifecycle: { ignoreChanges: ['node_count'] },
    });
  }
}
