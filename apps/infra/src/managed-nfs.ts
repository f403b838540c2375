import { Construct } from 'constructs';

import type { Datacenter } from '../generated/providers/ionoscloud/datacenter';
import type { Lan } from '../generated/providers/ionoscloud/lan';
import { NfsCluster } from '../generated/providers/ionoscloud/nfs-cluster';
import { NfsShare } from '../generated/providers/ionoscloud/nfs-share';

/** The NFS version IONOS Network File Storage serves (its only one); the PersistentVolume mounts with it. */
export const NFS_VERSION = '4.2';

/** Properties of a {@link ManagedNfs}. */
export interface ManagedNfsProps {
  /** Name of the NFS cluster. */
  readonly name: string;
  /** IONOS location of the cluster (the data center's). */
  readonly location: string;
  /** The data center whose LAN the cluster joins. */
  readonly datacenter: Datacenter;
  /** The private LAN the cluster joins. */
  readonly lan: Lan;
  /** The cluster's fixed address in the LAN with the LAN's prefix, outside the DHCP range. */
  readonly cidr: string;
  /** The cluster's size in TiB. */
  readonly sizeTib: number;
  /** The exported directory. */
  readonly share: string;
  /** The user that owns the exported directory. */
  readonly uid: number;
  /** The group that owns the exported directory. */
  readonly gid: number;
  /** The networks that may mount the share (CIDR blocks, Terraform expressions allowed). */
  readonly clientNetworks: readonly string[];
}

/**
 * An IONOS Network File Storage cluster in a private LAN with one share, owned by the given user and group and
 * exported read-write to the given networks with root squashed (the clients' root is anonymous; the application's
 * user keeps its identity).
 */
export class ManagedNfs extends Construct {
  /** The NFS cluster. */
  public readonly cluster: NfsCluster;
  /** The share. */
  public readonly share: NfsShare;

  constructor(scope: Construct, id: string, props: ManagedNfsProps) {
    super(scope, id);
    this.cluster = new NfsCluster(this, 'cluster', {
      name: props.name,
      location: props.location,
      size: props.sizeTib,
      nfs: { minVersion: NFS_VERSION },
      connections: { datacenterId: props.datacenter.id, lan: props.lan.id, ipAddress: props.cidr },
    });
    this.share = new NfsShare(this, 'share', {
      clusterId: this.cluster.id,
      location: props.location,
      name: props.share,
      uid: props.uid,
      gid: props.gid,
      clientGroups: [
        {
          description: `${props.name} clients`,
          ipNetworks: [...props.clientNetworks],
          hosts: [],
          nfs: { squash: 'root-anonymous' },
        },
      ],
    });
  }
}
