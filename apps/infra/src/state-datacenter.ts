import type { IonosLocation } from '@meetscale/ionos-facts';
import { Construct } from 'constructs';

import { Datacenter } from '../generated/providers/ionoscloud/datacenter';
import { Lan } from '../generated/providers/ionoscloud/lan';

/** Properties of a {@link StateDatacenter}. */
export interface StateDatacenterProps {
  /** Name of the data center; the LAN is named after it. */
  readonly name: string;
  /** IONOS location. */
  readonly location: IonosLocation;
  /** Description shown in the IONOS console. */
  readonly description: string;
}

/**
 * A state's IONOS virtual data center with a private LAN that both node pools join (DHCP), for traffic between
 * the nodes and the managed backing services (PostgreSQL, in-memory DB) that attach to the same LAN.
 */
export class StateDatacenter extends Construct {
  /** The virtual data center. */
  public readonly datacenter: Datacenter;
  /** The private LAN of the nodes and backing services. */
  public readonly privateLan: Lan;

  constructor(scope: Construct, id: string, props: StateDatacenterProps) {
    super(scope, id);
    this.datacenter = new Datacenter(this, 'datacenter', {
      name: props.name,
      location: props.location,
      description: props.description,
    });
    this.privateLan = new Lan(this, 'private-lan', {
      datacenterId: this.datacenter.id,
      name: `${props.name}-private`,
      public: false,
    });
  }
}
