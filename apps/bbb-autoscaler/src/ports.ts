/**
 * What the autoscaler reads and acts through: the IONOS Cloud API (the VMs), Scalelite's admin API (the pool as the
 * learning platforms see it), each BigBlueButton server's own API (is it serving?) and Prometheus (recordings not yet
 * processed). The reconciler depends on these interfaces only; the clients implement them over HTTP, the tests' fakes
 * serve the same HTTP on loopback.
 */

/** A VM of the pool as IONOS reports it (`GET /datacenters/{id}/servers?depth=1`). */
export interface PoolVm {
  /** The IONOS server id. */
  readonly id: string;
  /** The server's name in IONOS: the stack names each VM after its host (`bbb-03`). */
  readonly name: string;
  /** `properties.vmState`: `RUNNING`, `SHUTOFF`, `SHUTDOWN`, `CRASHED`, `PAUSED`, `BLOCKED`, `NOSTATE`, `SUSPENDED`. */
  readonly vmState: string;
  /** `metadata.state`: `AVAILABLE`, or `BUSY` while a request works on the server (`INACTIVE`, `DEPLOYING`, ...). */
  readonly provisioningState: string;
}

/** The VMs of one datacenter, powered on and off through the IONOS Cloud API v6. */
export interface CloudApi {
  /** Every server of the datacenter. */
  listServers(): Promise<PoolVm[]>;
  /**
   * Starts a server (`POST …/servers/{id}/start`) and waits until IONOS reports the request `DONE` (polling the
   * request's status). Retries 429 and 5xx with back-off; never sends a second start for one call.
   * @throws when IONOS reports the request `FAILED`, or gives up
   */
  startServer(id: string): Promise<void>;
  /** Stops (deallocates) a server (`POST …/servers/{id}/stop`), as {@link startServer}. */
  stopServer(id: string): Promise<void>;
}

/** A server's state in Scalelite. */
export type BalancerState = 'enabled' | 'cordoned' | 'disabled';

/** A BigBlueButton server as Scalelite's admin API reports it (`GET /scalelite/api/getServers`). */
export interface BalancedServer {
  readonly id: string;
  /** Its BigBlueButton API URL, `https://bbb-03.example.org/bigbluebutton/api/`. */
  readonly url: string;
  readonly state: BalancerState;
  /** Scalelite's load: participants (and the join buffer) times the load multiplier. */
  readonly load: number;
  /** Whether Scalelite's last polls of the server succeeded. */
  readonly online: boolean;
}

/** The action `updateServer` takes for a state. */
export type BalancerAction = 'enable' | 'cordon' | 'disable';

/** Scalelite's server list, through its checksum-signed admin API. */
export interface BalancerApi {
  listServers(): Promise<BalancedServer[]>;
  /** Registers a server (Scalelite adds it disabled) and returns it. */
  addServer(url: string, secret: string): Promise<BalancedServer>;
  /** Enables, cordons or disables a server (`POST /scalelite/api/updateServer`). */
  updateServer(id: string, action: BalancerAction): Promise<void>;
}

/** Whether a BigBlueButton server serves its API. */
export interface ServerProbe {
  /**
   * True when the server's API answers a checksum-signed call (`getMeetings`) with `SUCCESS`: installed, its secret
   * as configured, its web server and API up. False on any error, time-out or other answer.
   */
  serves(apiUrl: string, secret: string): Promise<boolean>;
  /**
   * The meetings the server itself reports (`getMeetings`), whatever Scalelite counts; undefined when it does not
   * answer as BigBlueButton does. Asked just before a stop: a server with a meeting is never stopped.
   */
  meetings(apiUrl: string, secret: string): Promise<number | undefined>;
}

/** What Prometheus knows of the servers (from their bigbluebutton-exporter). */
export interface MetricsApi {
  /**
   * Recordings each server has not finished processing, by the `server` label (its hostname), from
   * bigbluebutton-exporter's recording gauges. A server absent from the map has no series.
   */
  unprocessedRecordings(): Promise<Map<string, number>>;
}

/** Time, so that scenarios can run a school day in simulated time. */
export interface Clock {
  now(): Date;
  sleep(milliseconds: number): Promise<void>;
}
