import { type AutoscalingPolicy, autoscalingPolicy } from '@meetscale/bbb-autoscaling';
import type { IonosLocation } from '@meetscale/ionos-facts';
import { z } from 'zod';

/**
 * The `bigbluebutton` section of a state's configuration: whether the state runs BigBlueButton behind Scalelite,
 * and the size of Scalelite's IONOS managed backing services (PostgreSQL, In-Memory DB, NFS). Off by default: a
 * state stays Jitsi-only until it opts in.
 */

const quoted = (input: unknown): string => JSON.stringify(input) ?? String(input);

/**
 * The IONOS locations that offer all three backing services: DBaaS PostgreSQL (the provider documentation of
 * `ionoscloud_pg_cluster.location`), In-Memory DB, and Network File Storage (`ionoscloud_nfs_cluster.location` in
 * the 6.7.12 schema). A state with BigBlueButton must be in one of them.
 * TODO: move to `@meetscale/ionos-facts` beside `IONOS_LOCATIONS` (a library this app does not own).
 */
export const BACKING_SERVICE_LOCATIONS = [
  'de/fra',
  'de/txl',
  'es/vit',
  'gb/lhr',
  'us/ewr',
  'us/las',
] as const satisfies readonly IonosLocation[];

/** IONOS DBaaS PostgreSQL storage types (`ionoscloud_pg_cluster.storage_type`; `SSD` is deprecated upstream). */
export const POSTGRES_STORAGE_TYPES = ['SSD Standard', 'SSD Premium', 'HDD'] as const;

/** IONOS DBaaS PostgreSQL replication modes (`ionoscloud_pg_cluster.synchronization_mode`). */
export const POSTGRES_SYNCHRONIZATION_MODES = ['ASYNCHRONOUS', 'SYNCHRONOUS', 'STRICTLY_SYNCHRONOUS'] as const;

/**
 * The In-Memory DB persistence modes that keep data on disk (`ionoscloud_inmemorydb_replicaset.persistence_mode`
 * without `None`): Scalelite keeps its servers and meetings in Redis, so a restart must not lose them.
 */
export const REDIS_PERSISTENCE_MODES = ['RDB', 'AOF', 'RDB_AOF'] as const;

/** The sizes of IONOS Network File Storage clusters, in TiB (`ionoscloud_nfs_cluster.size`). */
export const NFS_SIZE_TIB = { min: 2, max: 42 } as const;

const enumError = (what: string, known: readonly string[]) => (issue: { input: unknown }) =>
  `unknown ${what} ${quoted(issue.input)}; expected one of ${known.join(', ')}`;

const postgresSchema = z.strictObject({
  /** PostgreSQL major version IONOS offers. */
  version: z
    .string()
    .regex(/^\d{2}$/, { error: (issue) => `${quoted(issue.input)} is not a PostgreSQL major version such as 16` })
    .default('16'),
  /** CPU cores per instance. */
  cores: z.int().min(1).default(2),
  /** RAM per instance in MB, a multiple of 1024. */
  ramMb: z
    .int()
    .min(2048)
    .refine((ram) => ram % 1024 === 0, { error: (issue) => `${quoted(issue.input)} MB is not a multiple of 1024` })
    .default(4096),
  /** Storage per instance in GB, even (IONOS takes PostgreSQL storage in steps of 2048 MB). */
  storageGb: z
    .int()
    .min(2)
    .refine((storage) => storage % 2 === 0, {
      error: (issue) => `${quoted(issue.input)} GB is not a multiple of 2 (IONOS takes PostgreSQL storage in steps of 2048 MB)`,
    })
    .default(20),
  /** Instances: one primary and `instances - 1` standbys in other zones. */
  instances: z.int().min(1).max(5).default(1),
  /** Storage type. */
  storageType: z
    .enum(POSTGRES_STORAGE_TYPES, { error: enumError('PostgreSQL storage type', POSTGRES_STORAGE_TYPES) })
    .default('SSD Standard'),
  /** How the standbys replicate. */
  synchronizationMode: z
    .enum(POSTGRES_SYNCHRONIZATION_MODES, { error: enumError('PostgreSQL synchronization mode', POSTGRES_SYNCHRONIZATION_MODES) })
    .default('ASYNCHRONOUS'),
});

const redisSchema = z.strictObject({
  /** In-Memory DB (Redis-compatible) version IONOS offers. */
  version: z
    .string()
    .regex(/^\d+\.\d+$/, { error: (issue) => `${quoted(issue.input)} is not an In-Memory DB version such as 7.2` })
    .default('7.2'),
  /** CPU cores per replica. */
  cores: z.int().min(1).default(1),
  /** RAM per replica in GB (IONOS derives the storage from it and the persistence mode). */
  ramGb: z.int().min(1).default(2),
  /** Replicas: one active and `replicas - 1` passive standbys. */
  replicas: z.int().min(1).max(5).default(1),
  /** How the data is persisted: snapshots (`RDB`), an append-only log (`AOF`) or both. */
  persistence: z
    .enum(REDIS_PERSISTENCE_MODES, { error: enumError('In-Memory DB persistence mode', REDIS_PERSISTENCE_MODES) })
    .default('RDB_AOF'),
});

const nfsSchema = z.strictObject({
  /** Size of the NFS cluster of the recordings in TiB (IONOS: 2 to 42, billed by size, never shrinks). */
  sizeTib: z
    .int({ error: (issue) => `${quoted(issue.input)} is not a whole number of TiB` })
    .min(NFS_SIZE_TIB.min, { error: (issue) => `${quoted(issue.input)} TiB is below the IONOS minimum of ${NFS_SIZE_TIB.min} TiB` })
    .max(NFS_SIZE_TIB.max, { error: (issue) => `${quoted(issue.input)} TiB exceeds the IONOS maximum of ${NFS_SIZE_TIB.max} TiB` })
    .default(NFS_SIZE_TIB.min),
});

/** The sizes of Scalelite's backing services. */
const scaleliteSchema = z.strictObject({
  /** DBaaS PostgreSQL: the recordings index. */
  postgres: postgresSchema.prefault({}),
  /** In-Memory DB (Redis-compatible, persistent): servers, meetings, the poller's state. */
  redis: redisSchema.prefault({}),
  /** Network File Storage: the recordings share. */
  nfs: nfsSchema.prefault({}),
});

/** The smallest BigBlueButton server `bbb-install.sh` installs on: 4 cores and 4 GB of RAM (its `check_cpus`, `check_mem`). */
export const BBB_SERVER_MINIMUM = { cores: 4, ramMb: 4096, diskGb: 50 } as const;

/** IONOS sizes a server's RAM in steps of 256 MB (Cloud API v6, `ServerProperties.ram`). */
export const SERVER_RAM_STEP_MB = 256;

const ipv4CidrSchema = z.cidrv4({
  error: (issue) => `${quoted(issue.input)} is not an IPv4 CIDR block (IONOS firewall rules match IPv4 sources)`,
});

/**
 * The autoscaler's policy as a state writes it: `@meetscale/bbb-autoscaling`'s, with its `minServers` and `maxServers`
 * left to the sizing unless set (`state-sizing.ts` fills them in and checks the whole policy with the library's schema).
 */
const policySchema = z.strictObject({
  ...autoscalingPolicy.shape,
  /** Servers that always run; derived from the peak load's off-peak share unless set. */
  minServers: autoscalingPolicy.shape.minServers.removeDefault().optional(),
  /** Most servers that may run (0: every server of the pool); the pool unless set. */
  maxServers: autoscalingPolicy.shape.maxServers.removeDefault().optional(),
  /**
   * Floors by weekday and time of day; unless set, the library's school day (weekdays 07:00 to 16:00) with the
   * servers the sizing gives the peak, since lessons start together and a server takes minutes to start.
   */
  schedule: autoscalingPolicy.shape.schedule.removeDefault().optional(),
});

/** The state's pool of BigBlueButton 3.0 VMs (`bbb-server-pool.ts`): size and who may reach them. */
const serversSchema = z.strictObject({
  /**
   * Servers in the pool, `<hostPrefix>-01` to `<hostPrefix>-<count>`; the autoscaler starts and stops them. Derived
   * from the peak load's BigBlueButton share unless set (the servers the autoscaler runs at peak).
   */
  count: z
    .int({ error: (issue) => `${quoted(issue.input)} is not a whole number of servers` })
    .min(1, { error: (issue) => `${quoted(issue.input)} servers: a pool has at least 1` })
    .optional(),
  /** CPU cores per server (bbb-install.sh refuses fewer than 4; BigBlueButton recommends 8 or more). */
  cores: z.int({ error: (issue) => `${quoted(issue.input)} is not a whole number of cores` }).min(BBB_SERVER_MINIMUM.cores, {
    error: (issue) => `${quoted(issue.input)} cores are fewer than the ${BBB_SERVER_MINIMUM.cores} bbb-install.sh requires`,
  }),
  /** RAM per server in MB, a multiple of 256 (IONOS), at least 4096 (bbb-install.sh; BigBlueButton recommends 16384). */
  ramMb: z
    .int({ error: (issue) => `${quoted(issue.input)} is not a whole number of MB` })
    .min(BBB_SERVER_MINIMUM.ramMb, {
      error: (issue) => `${quoted(issue.input)} MB is less than the ${BBB_SERVER_MINIMUM.ramMb} MB bbb-install.sh requires`,
    })
    .refine((ram) => ram % SERVER_RAM_STEP_MB === 0, {
      error: (issue) =>
        `${quoted(issue.input)} MB is not a multiple of ${SERVER_RAM_STEP_MB} (IONOS sizes server RAM in steps of ${SERVER_RAM_STEP_MB} MB)`,
    }),
  /** Size of the system volume in GB (recordings are processed there before they move to the shared volume). */
  diskGb: z.int({ error: (issue) => `${quoted(issue.input)} is not a whole number of GB` }).min(BBB_SERVER_MINIMUM.diskGb, {
    error: (issue) => `${quoted(issue.input)} GB is less than the ${BBB_SERVER_MINIMUM.diskGb} GB a BigBlueButton server needs`,
  }),
  /** IONOS CPU family (e.g. `INTEL_SKYLAKE`); the location's default when left out. */
  cpuFamily: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]*$/, { error: (issue) => `${quoted(issue.input)} is not an IONOS CPU family such as INTEL_SKYLAKE` })
    .optional(),
  /** The servers' host names are `<hostPrefix>-01`, `-02`, ... in the state's zone. */
  hostPrefix: z
    .string()
    .regex(/^[a-z](?:[a-z0-9-]{0,57}[a-z0-9])?$/, {
      error: (issue) => `${quoted(issue.input)} is not a DNS label of at most 59 characters starting with a letter`,
    })
    .default('bbb'),
  /** Networks that may reach the servers by SSH (TCP 22); none by default: SSH stays closed (the IONOS console still works). */
  adminCidrs: z.array(ipv4CidrSchema).default([]),
  /**
   * Networks Prometheus scrapes the servers' exporters from (TCP 9100 node-exporter, 9688 bigbluebutton-exporter):
   * the public addresses the cluster's system nodes leave from, or the network of a Prometheus elsewhere.
   */
  monitoringCidrs: z.array(ipv4CidrSchema).min(1, { error: 'list at least one CIDR block: Prometheus scrapes the exporters from there' }),
  /** SSH public keys authorized for the default user `ubuntu` (cloud-init), e.g. the platform team's. */
  sshKeys: z
    .array(
      z.string().regex(/^(?:ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)) [A-Za-z0-9+/]+={0,3}(?: [^\n]*)?$/, {
        error: (issue) => `${quoted(issue.input)} is not an SSH public key line such as "ssh-ed25519 AAAA... comment"`,
      }),
    )
    .default([]),
  /**
   * The autoscaler that powers the servers on and off (its chart, `bbb-autoscaler`): whether it only logs what it would
   * do, and its policy (schedule floor in the state's time zone, headroom, hysteresis, cool-down); the library's
   * defaults for what the state leaves out, `minServers` and `maxServers` derived from the peak load. A floor above
   * the pool is refused for a policy the state gives (and capped at the pool by the autoscaler otherwise).
   */
  autoscaler: z
    .strictObject({
      dryRun: z.boolean().default(false),
      policy: policySchema.optional(),
    })
    .prefault({}),
});

/** The server pool as a state writes it (`bigbluebutton.servers`): its size and the policy's bounds may be left out. */
export type BbbServerPoolSettings = z.output<typeof serversSchema>;

/** The validated server pool of a state, its size and the autoscaler's policy filled in (`state-sizing.ts`). */
export type BbbServerPoolConfig = Omit<BbbServerPoolSettings, 'count' | 'autoscaler'> & {
  readonly count: number;
  readonly autoscaler: { readonly dryRun: boolean; readonly policy: AutoscalingPolicy };
};

/** The validated sizes of Scalelite's backing services (`bigbluebutton.scalelite`). */
export type ScaleliteSizes = z.output<typeof scaleliteSchema>;

/** The `bigbluebutton` section of a state's configuration. */
export const bigBlueButtonSchema = z
  .strictObject({
    /** Run BigBlueButton behind Scalelite: creates the backing services below. Off by default. */
    enabled: z.boolean().default(false),
    /** The host name of the BigBlueButton API (Scalelite) and playback inside the state's zone. */
    host: z
      .string()
      .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, { error: (issue) => `${quoted(issue.input)} is not a DNS label` })
      .default('bbb'),
    /** Scalelite's IONOS managed backing services. */
    scalelite: scaleliteSchema.prefault({}),
    /** The pool of BigBlueButton VMs; without it the stack creates none (servers are then added through Scalelite's API). */
    servers: serversSchema.optional(),
  })
  .superRefine((bigbluebutton, context) => {
    if (bigbluebutton.servers !== undefined && !bigbluebutton.enabled) {
      context.addIssue({ code: 'custom', path: ['servers'], message: 'a server pool needs bigbluebutton.enabled: true' });
    }
  })
  .prefault({});

/** A state's validated `bigbluebutton` section. */
export type StateBigBlueButton = z.output<typeof bigBlueButtonSchema>;

/** A problem of the `bigbluebutton` section that depends on the rest of the configuration, or undefined. */
export function bigBlueButtonLocationProblem(location: string, bigbluebutton: StateBigBlueButton): string | undefined {
  if (!bigbluebutton.enabled || (BACKING_SERVICE_LOCATIONS as readonly string[]).includes(location)) return undefined;
  return (
    `IONOS offers PostgreSQL, In-Memory DB and NFS together only in ${BACKING_SERVICE_LOCATIONS.join(', ')}, ` +
    `not in the state's location ${quoted(location)}`
  );
}
