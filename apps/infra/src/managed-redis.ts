import { Password } from '@cdktf/provider-random/lib/password';
import { Construct } from 'constructs';

import type { Datacenter } from '../generated/providers/ionoscloud/datacenter';
import { InmemorydbReplicaset } from '../generated/providers/ionoscloud/inmemorydb-replicaset';
import type { Lan } from '../generated/providers/ionoscloud/lan';
import { dbaasMaintenanceWindow, type MaintenanceWindow } from './node-pool';

/** The port IONOS In-Memory DB listens on. */
export const REDIS_PORT = 6379;

/**
 * The In-Memory DB user the replica set is created with: Redis's `default` user, whom a client that sends only a
 * password (`AUTH <password>`, a `redis://:<password>@host` URL) authenticates as.
 */
export const REDIS_USER = 'default';

/** Properties of a {@link ManagedRedis}. */
export interface ManagedRedisProps {
  /** Display name of the replica set. */
  readonly name: string;
  /** IONOS location of the replica set (the data center's). */
  readonly location: string;
  /** The data center whose LAN the replica set joins. */
  readonly datacenter: Datacenter;
  /** The private LAN the replica set joins. */
  readonly lan: Lan;
  /** The replica set's fixed address in the LAN with the LAN's prefix, outside the DHCP range. */
  readonly cidr: string;
  /** In-Memory DB version, e.g. `7.2`. */
  readonly version: string;
  /** CPU cores per replica. */
  readonly cores: number;
  /** RAM per replica in GB. */
  readonly ramGb: number;
  /** Replicas: one active, the others standby. */
  readonly replicas: number;
  /** Persistence mode: `RDB`, `AOF` or `RDB_AOF`. */
  readonly persistence: string;
  /** When IONOS may update the replica set. */
  readonly maintenanceWindow: MaintenanceWindow;
}

/**
 * An IONOS In-Memory DB (Redis-compatible) replica set in a private LAN that persists its data and never evicts a
 * key (the application's state lives there, not a cache), with a password Terraform generates (letters and digits
 * only). The password is in the Terraform state, never in an output.
 */
export class ManagedRedis extends Construct {
  /** The replica set. */
  public readonly replicaSet: InmemorydbReplicaset;
  /** The generated password (`result` is sensitive). */
  public readonly password: Password;
  /** The host name clients connect to (the replica set's DNS name, a Terraform expression). */
  public readonly host: string;

  constructor(scope: Construct, id: string, props: ManagedRedisProps) {
    super(scope, id);
    this.password = new Password(this, 'password', { length: 40, special: false });
    this.replicaSet = new InmemorydbReplicaset(this, 'replica-set', {
      displayName: props.name,
      location: props.location,
      version: props.version,
      replicas: props.replicas,
      resources: { cores: props.cores, ram: props.ramGb },
      persistenceMode: props.persistence,
      evictionPolicy: 'noeviction',
      connections: { datacenterId: props.datacenter.id, lanId: props.lan.id, cidr: props.cidr },
      maintenanceWindow: dbaasMaintenanceWindow(props.maintenanceWindow),
      credentials: { username: REDIS_USER, plainTextPassword: this.password.result },
    });
    this.host = this.replicaSet.dnsName;
  }
}
