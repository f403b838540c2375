import type { IonosLocation } from '@meetscale/ionos-facts';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';

import { Datacenter } from '../generated/providers/ionoscloud/datacenter';
import { Lan } from '../generated/providers/ionoscloud/lan';

/**
 * The host numbers of the private LAN that IONOS's DHCP never assigns (`x.x.x.3` to `x.x.x.10`, IONOS DBaaS
 * documentation, "Preparing the network"): the fixed addresses of the managed services attached to the LAN come
 * from here, so they cannot collide with a node's address.
 */
export const RESERVED_LAN_HOSTS = { first: 3, last: 10 } as const;

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

  /**
   * A fixed address of the private LAN with the LAN's prefix, e.g. `10.7.222.3/24`, for a managed service's
   * connection (`cidr` / `ip_address`): host `host` of the LAN's IPv4 block, which IONOS assigns to a private LAN
   * and reports in `ipv4_cidr_block` (Terraform expressions).
   * @param host a host number in {@link RESERVED_LAN_HOSTS}, which DHCP never hands out
   * @throws if `host` lies outside {@link RESERVED_LAN_HOSTS}
   */
  public reservedAddress(host: number): { readonly ip: string; readonly cidr: string } {
    if (!Number.isInteger(host) || host < RESERVED_LAN_HOSTS.first || host > RESERVED_LAN_HOSTS.last) {
      throw new Error(`host ${host} is outside the LAN's DHCP-free hosts ${RESERVED_LAN_HOSTS.first}-${RESERVED_LAN_HOSTS.last}`);
    }
    const block = this.privateLan.ipv4CidrBlock;
    const ip = Fn.cidrhost(block, host);
    return { ip, cidr: Fn.format('%s/%s', [ip, Fn.element(Fn.split('/', block), 1)]) };
  }
}
