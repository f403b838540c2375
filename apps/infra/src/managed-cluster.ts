import type { HelmProviderKubernetes } from '@cdktf/provider-helm/lib/provider';
import { Construct } from 'constructs';

import { DataIonoscloudK8SCluster } from '../generated/providers/ionoscloud/data-ionoscloud-k8s-cluster';
import type { Datacenter } from '../generated/providers/ionoscloud/datacenter';
import { K8SCluster } from '../generated/providers/ionoscloud/k8s-cluster';
import type { Lan } from '../generated/providers/ionoscloud/lan';
import { type MaintenanceWindow, NodePool, type NodePoolProps } from './node-pool';

/** Properties of a {@link ManagedCluster}. */
export interface ManagedClusterProps {
  /** Cluster name. */
  readonly name: string;
  /** Kubernetes version of the control plane and the node pools. */
  readonly kubernetesVersion: string;
  /** When IONOS may update the control plane; also the node pools' default. */
  readonly maintenanceWindow: MaintenanceWindow;
  /** CIDR blocks that may reach the API server. */
  readonly apiAllowList: readonly string[];
  /** The data center of the node pools. */
  readonly datacenter: Datacenter;
  /** The private LAN the node pools join. */
  readonly privateLan: Lan;
}

/** What a node pool needs beyond what the cluster provides. */
export type ClusterNodePoolProps = Omit<
  NodePoolProps,
  'cluster' | 'datacenter' | 'privateLan' | 'kubernetesVersion' | 'maintenanceWindow'
> & {
  /**
   * When IONOS may replace the pool's nodes.
   * @default - the cluster's maintenance window
   */
  readonly maintenanceWindow?: MaintenanceWindow;
};

/**
 * An IONOS managed Kubernetes cluster (public control plane behind an API allow-list) with its node pools, and
 * the credentials the Helm provider and the platform team use, read back through the cluster data source.
 */
export class ManagedCluster extends Construct {
  /** The cluster. */
  public readonly cluster: K8SCluster;
  /** The cluster as a data source: kubeconfig, API server, CA certificate, tokens. */
  public readonly access: DataIonoscloudK8SCluster;
  private readonly props: ManagedClusterProps;
  private readonly pools: NodePool[] = [];

  constructor(scope: Construct, id: string, props: ManagedClusterProps) {
    super(scope, id);
    this.props = props;
    this.cluster = new K8SCluster(this, 'cluster', {
      name: props.name,
      k8SVersion: props.kubernetesVersion,
      maintenanceWindow: { dayOfTheWeek: props.maintenanceWindow.day, time: props.maintenanceWindow.time },
      apiSubnetAllowList: [...props.apiAllowList],
    });
    this.access = new DataIonoscloudK8SCluster(this, 'access', { id: this.cluster.id });
  }

  /** Adds an autoscaled node pool in the cluster's data center and private LAN. */
  public addNodePool(id: string, props: ClusterNodePoolProps): NodePool {
    const pool = new NodePool(this, id, {
      ...props,
      cluster: this.cluster,
      datacenter: this.props.datacenter,
      privateLan: this.props.privateLan,
      kubernetesVersion: this.props.kubernetesVersion,
      maintenanceWindow: props.maintenanceWindow ?? this.props.maintenanceWindow,
    });
    this.pools.push(pool);
    return pool;
  }

  /** The node pools added so far. */
  public get nodePools(): readonly NodePool[] {
    return [...this.pools];
  }

  /** How the Helm provider reaches the cluster: API server, CA certificate and the first user's token. */
  public get kubernetesAccess(): HelmProviderKubernetes {
    return {
      host: this.access.server,
      clusterCaCertificate: this.access.caCrt,
      token: this.access.config.get(0).users.get(0).user.lookup('token'),
    };
  }
}
