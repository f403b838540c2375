import { Password } from '@cdktf/provider-random/lib/password';
import { Construct } from 'constructs';

import type { Datacenter } from '../generated/providers/ionoscloud/datacenter';
import type { Lan } from '../generated/providers/ionoscloud/lan';
import { PgCluster } from '../generated/providers/ionoscloud/pg-cluster';
import { PgDatabase } from '../generated/providers/ionoscloud/pg-database';
import { dbaasMaintenanceWindow, type MaintenanceWindow } from './node-pool';

/** The port IONOS DBaaS PostgreSQL listens on. */
export const POSTGRES_PORT = 5432;

/** Properties of a {@link ManagedPostgres}. */
export interface ManagedPostgresProps {
  /** Display name of the cluster. */
  readonly name: string;
  /** IONOS location of the cluster (the data center's). */
  readonly location: string;
  /** The data center whose LAN the cluster joins. */
  readonly datacenter: Datacenter;
  /** The private LAN the cluster joins. */
  readonly lan: Lan;
  /** The cluster's fixed address in the LAN with the LAN's prefix, outside the DHCP range (e.g. `10.7.222.3/24`). */
  readonly cidr: string;
  /** PostgreSQL major version. */
  readonly version: string;
  /** CPU cores per instance. */
  readonly cores: number;
  /** RAM per instance in MB. */
  readonly ramMb: number;
  /** Storage per instance in GB (even). */
  readonly storageGb: number;
  /** Instances: a primary and standbys. */
  readonly instances: number;
  /** Storage type, e.g. `SSD Standard`. */
  readonly storageType: string;
  /** Replication mode of the standbys, e.g. `ASYNCHRONOUS`. */
  readonly synchronizationMode: string;
  /** When IONOS may update the cluster. */
  readonly maintenanceWindow: MaintenanceWindow;
  /** The cluster's initial user, who owns {@link ManagedPostgresProps.database}. */
  readonly user: string;
  /** The database the application uses. */
  readonly database: string;
}

/**
 * An IONOS DBaaS PostgreSQL cluster in a private LAN, with one database owned by the cluster's initial user, whose
 * password Terraform generates (letters and digits only, so it needs no escaping in a connection URL). The password
 * is in the Terraform state (the provider stores the credentials), never in an output.
 */
export class ManagedPostgres extends Construct {
  /** The cluster. */
  public readonly cluster: PgCluster;
  /** The initial user's generated password (`result` is sensitive). */
  public readonly password: Password;
  /** The host name clients connect to (the cluster's DNS name, a Terraform expression). */
  public readonly host: string;

  constructor(scope: Construct, id: string, props: ManagedPostgresProps) {
    super(scope, id);
    this.password = new Password(this, 'password', { length: 40, special: false });
    this.cluster = new PgCluster(this, 'cluster', {
      displayName: props.name,
      location: props.location,
      postgresVersion: props.version,
      instances: props.instances,
      cores: props.cores,
      ram: props.ramMb,
      storageSize: props.storageGb * 1024,
      storageType: props.storageType,
      synchronizationMode: props.synchronizationMode,
      connections: { datacenterId: props.datacenter.id, lanId: props.lan.id, cidr: props.cidr },
      maintenanceWindow: dbaasMaintenanceWindow(props.maintenanceWindow),
      credentials: { username: props.user, password: this.password.result },
    });
    new PgDatabase(this, 'database', { clusterId: this.cluster.id, name: props.database, owner: props.user });
    this.host = this.cluster.dnsName;
  }
}
