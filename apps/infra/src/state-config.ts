import { figure, VIDEO_QUALITIES } from '@meetscale/capacity';
import {
  AVAILABILITY_ZONES,
  IONOS_LOCATIONS,
  isNodePoolRam,
  NODE_POOL_SIZES,
  OBJECT_STORAGE_ENDPOINTS,
  type ObjectStorageRegion,
  WEEKDAYS,
} from '@meetscale/ionos-facts';
import { OCI_LOCATION, OCI_LOCATION_EXAMPLE } from '@meetscale/releases';
import { z } from 'zod';

import { type BbbServerPoolConfig, bigBlueButtonLocationProblem, bigBlueButtonSchema } from './bigbluebutton-config';
import { loggingProblems, loggingSchema } from './logging-config';
import { MAX_SHARDS, sizeStateConfig, type StateSizingResult } from './state-sizing';

/** Lowercase DNS labels of letters, digits and inner hyphens, at least two, the last one not numeric. */
const DOMAIN_PATTERN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

const quoted = (input: unknown): string => JSON.stringify(input) ?? String(input);

const maintenanceWindowSchema = z.strictObject({
  /** Day of the week. */
  day: z.enum(WEEKDAYS, { error: (issue) => `unknown day ${quoted(issue.input)}; expected one of ${WEEKDAYS.join(', ')}` }),
  /** UTC start time, `HH:MM:SSZ`. */
  time: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d:[0-5]\dZ$/, { error: (issue) => `${quoted(issue.input)} is not a UTC time of the form HH:MM:SSZ` }),
});

/**
 * Let's Encrypt's ACME directories: `production` issues trusted certificates; `staging` issues untrusted ones
 * under far higher rate limits, for trying out a new installation.
 */
export const ACME_SERVERS = {
  production: 'https://acme-v02.api.letsencrypt.org/directory',
  staging: 'https://acme-staging-v02.api.letsencrypt.org/directory',
} as const;

/** The name of a Let's Encrypt ACME directory in {@link ACME_SERVERS}. */
export type AcmeServer = keyof typeof ACME_SERVERS;

const ACME_SERVER_NAMES = Object.keys(ACME_SERVERS) as [AcmeServer, ...AcmeServer[]];

const cidrSchema = z.union([z.cidrv4(), z.cidrv6()], { error: (issue) => `${quoted(issue.input)} is not a CIDR block` });

/**
 * Settings both node pools share. The autoscaler's bounds derive from the state's `peakLoad` (`state-sizing.ts`);
 * a bound the state sets wins, without a warning.
 */
const poolSettings = {
  /** Fewest nodes the autoscaler keeps; derived from `peakLoad` unless set. */
  minNodes: z.int().min(1).optional(),
  /** Most nodes the autoscaler adds; derived from `peakLoad` unless set. */
  maxNodes: z.int().min(1).optional(),
  /** Compute availability zone. */
  availabilityZone: z
    .enum(AVAILABILITY_ZONES, {
      error: (issue) => `unknown availability zone ${quoted(issue.input)}; expected one of ${AVAILABILITY_ZONES.join(', ')}`,
    })
    .default('AUTO'),
  /** Maintenance window of the pool; defaults to the cluster's. */
  maintenanceWindow: maintenanceWindowSchema.optional(),
};

/** RAM per node in MB, as IONOS node pools take it. */
const nodePoolRam = () =>
  z.int().refine((ram) => isNodePoolRam(ram), {
    error: (issue) =>
      `${quoted(issue.input)} MB is not a node pool's RAM: a multiple of ${NODE_POOL_SIZES.ramStepMb} MB, at least ${NODE_POOL_SIZES.minRamMb}`,
  });

const systemPoolSchema = z.strictObject({
  ...poolSettings,
  /** CPU cores per node. */
  cores: z.int().min(2),
  /** RAM per node in MB, a multiple of 1024 (what IONOS node pools take). */
  ramMb: z
    .int()
    .min(4096)
    .refine((ram) => isNodePoolRam(ram), {
      error: (issue) => `${quoted(issue.input)} MB is not a multiple of ${NODE_POOL_SIZES.ramStepMb}`,
    }),
  /** SSD storage per node in GB. */
  storageGb: z.int().min(20).default(100),
});

const mediaPoolSchema = z.strictObject({
  ...poolSettings,
  /**
   * CPU cores per node: one videobridge per node gets them all but the node's own core (`nodeReservedCores`).
   * Default: an 8-core bridge, HPI's production size, plus that core.
   */
  cores: z.int().min(2).default(figure('mediaNodeCores')),
  /** RAM per node in MB; default: the bridge's memory limit plus the node's own 2 GB, in whole GB. */
  ramMb: nodePoolRam().default(figure('mediaNodeRamGb') * NODE_POOL_SIZES.ramStepMb),
  /** Give the media nodes fixed public IPs from a reserved IP block (maxNodes + 1 addresses). */
  reservedPublicIps: z.boolean().default(false),
  /** SSD storage per node in GB. */
  storageGb: z.int().min(20).default(50),
});

/** A share of the peak, 0 to 1. */
const share = (lowest: 'atLeast0' | 'above0') => {
  const what = lowest === 'above0' ? 'a share above 0 and at most 1' : 'a share from 0 to 1';
  const error = (issue: { input: unknown }) => `${quoted(issue.input)} is not ${what}, such as 0.6`;
  const number = z.number({ error });
  return (lowest === 'above0' ? number.gt(0, { error }) : number.min(0, { error })).max(1, { error });
};

const lastNError = (input: unknown): string => `${quoted(input)} is not a lastN: a whole number of at least 1, or "unlimited"`;

/**
 * A state's peak load: what the pools, the shards and the autoscalers' bounds derive from (`state-sizing.ts`, by the
 * capacity model of `@meetscale/capacity`; `npm run size` prints the same sizing for the same figures).
 */
const peakLoadSchema = z.strictObject({
  /** Concurrent participants at the state's peak, Jitsi and BigBlueButton together. */
  participants: z.int({ error: (issue) => `${quoted(issue.input)} is not a whole number of participants` }).min(1, {
    error: (issue) => `${quoted(issue.input)} participants: a state is sized for at least 1`,
  }),
  /** The share of them in Jitsi (above 0: every state runs Jitsi). */
  jitsiShare: share('above0'),
  /** The share of them in BigBlueButton: above 0 if the state runs BigBlueButton (`bigbluebutton.enabled`), else 0. */
  bbbShare: share('atLeast0').default(0),
  /** Participants of a conference or meeting, teacher included (default: a class of 24 and its teacher). */
  conferenceSize: z
    .int({ error: (issue) => `${quoted(issue.input)} is not a whole number of participants` })
    .min(2, { error: (issue) => `${quoted(issue.input)} participants make no conference: at least 2` })
    .default(figure('defaultConferenceSize')),
  /** The video every participant sends and receives at most: `720p` (jitsi-meet's default), `360p` or `180p`. */
  video: z
    .enum(VIDEO_QUALITIES, {
      error: (issue) => `unknown video quality ${quoted(issue.input)}; expected one of ${VIDEO_QUALITIES.join(', ')}`,
    })
    .default('720p'),
  /**
   * `channelLastN`, the video streams a participant receives at most (`unlimited`: all). The sizing assumes it, and the
   * stack gives it to the clients (the jitsi-shard chart's `web.channelLastN`).
   */
  lastN: z
    .union([z.int().min(1, { error: (issue) => lastNError(issue.input) }), z.literal('unlimited')], {
      error: (issue) => lastNError(issue.input),
    })
    .default(figure('defaultLastN')),
});

/** The registry the project publishes its charts to, which a state installs from unless it names its own. */
export const DEFAULT_CHART_REGISTRY = 'oci://ghcr.io/meetscale/charts';

/** The zod schema of a federal state's configuration (`states/<state>.ts`). */
const emailAddress = () => z.string().check(z.email({ error: (issue) => `${quoted(issue.input)} is not an e-mail address` }));

/** The state's alert e-mail: its SMTP relay, and who gets which alerts. */
const alertingSchema = z.strictObject({
  /** The SMTP relay Alertmanager sends through. */
  smtp: z.strictObject({
    /** `host:port`, e.g. `smtp.example.org:587`. */
    smarthost: z.string().regex(/^[a-z0-9.-]+:[0-9]{1,5}$/, { error: (issue) => `${quoted(issue.input)} is not an SMTP relay host:port` }),
    /** Sender address. */
    from: emailAddress(),
    /** SMTP user, if the relay wants one. */
    username: z.string().min(1).optional(),
    /**
     * The Secret in the monitoring namespace holding the SMTP password under the key `password`; create it before
     * the stack is applied (`kubectl -n monitoring create secret generic <name> --from-literal=password=...`): the
     * password never enters the configuration or the Terraform state.
     */
    passwordSecret: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { error: (issue) => `${quoted(issue.input)} is not a Secret name` })
      .optional(),
  }),
  /** The video team: every warning and critical alert. */
  team: z.array(emailAddress()).min(1, { error: 'name at least one address of the team' }),
  /** On call: the critical alerts, which mean a lesson is at risk now. */
  onCall: z.array(emailAddress()).default([]),
});

/** A state's alert e-mail configuration. */
export type StateAlerting = z.output<typeof alertingSchema>;

export const stateConfigSchema = z
  .strictObject({
    /** The state's id, equal to its file name: names the stack, the cloud resources and the buckets. */
    id: z
      .string()
      .regex(/^[a-z][a-z0-9-]{1,30}[a-z0-9]$/, { error: (issue) => `${quoted(issue.input)} is not a kebab-case id of 3 to 32 characters` }),
    /** The state's name, for descriptions. */
    name: z.string().min(1),
    /** The IONOS location of the data center and the cluster. */
    location: z.enum(IONOS_LOCATIONS, {
      error: (issue) => `unknown IONOS location ${quoted(issue.input)}; expected one of ${IONOS_LOCATIONS.join(', ')}`,
    }),
    /** The state's DNS zone: the meetings are served at `<meetingHost>.<domain>`. */
    domain: z.string().regex(DOMAIN_PATTERN, {
      error: (issue) =>
        `${quoted(issue.input)} is not a valid domain name (lowercase labels of letters, digits and hyphens, separated by dots)`,
    }),
    /** The host name of the meetings inside the zone. */
    meetingHost: z
      .string()
      .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, { error: (issue) => `${quoted(issue.input)} is not a DNS label` })
      .default('meet'),
    /** The meetings' TLS certificates, issued by Let's Encrypt through cert-manager's ClusterIssuer. */
    certificates: z.strictObject({
      /** Contact e-mail of the ACME account, e.g. the platform team's address (no secret: the account key stays in the cluster). */
      acmeEmail: z.string().check(z.email({ error: (issue) => `${quoted(issue.input)} is not an e-mail address` })),
      /** Let's Encrypt's `production` directory, or `staging` (untrusted certificates) while trying out an installation. */
      acmeServer: z
        .enum(ACME_SERVER_NAMES, {
          error: (issue) => `unknown ACME server ${quoted(issue.input)}; expected one of ${ACME_SERVER_NAMES.join(', ')}`,
        })
        .default('production'),
    }),
    /** Where the meetscale charts come from. */
    charts: z
      .strictObject({
        /**
         * The OCI registry the state installs the meetscale charts from (`oci://<host>[/<path>]`, no tag): the
         * project's own by default; a state that publishes its fork's charts (`npm run release`) names its registry.
         */
        registry: z
          .string()
          .regex(OCI_LOCATION, {
            error: (issue) => `${quoted(issue.input)} is not an OCI registry location such as ${OCI_LOCATION_EXAMPLE}`,
          })
          .default(DEFAULT_CHART_REGISTRY),
      })
      .default({ registry: DEFAULT_CHART_REGISTRY }),
    /** The managed Kubernetes cluster. */
    kubernetes: z.strictObject({
      /** Kubernetes version, one IONOS offers (`major.minor.patch`). */
      version: z
        .string()
        .regex(/^\d+\.\d+\.\d+$/, { error: (issue) => `${quoted(issue.input)} is not a Kubernetes version of the form 1.33.3` }),
      /** When IONOS may update the control plane. */
      maintenanceWindow: maintenanceWindowSchema,
      /** Networks that may reach the API server; must include wherever Terraform runs (it installs the Helm releases). */
      apiAllowList: z.array(cidrSchema).min(1, { error: 'list at least one CIDR block: Terraform must reach the API server' }),
    }),
    /** The state's peak load, which the node pools, the shards and the autoscalers' bounds derive from. */
    peakLoad: peakLoadSchema,
    /** The node pools. */
    nodePools: z.strictObject({
      /** The Gateway, HAProxy, the Jitsi signalling, monitoring, logging and operators. */
      system: systemPoolSchema,
      /** The videobridges, one per node. */
      media: mediaPoolSchema.prefault({}),
    }),
    /** The Jitsi installation. */
    jitsi: z
      .strictObject({
        /** Jitsi shards behind HAProxy (`shard-0` ... `shard-<n-1>`); derived from `peakLoad` unless set. */
        shards: z.int().min(1).max(MAX_SHARDS).optional(),
        /** The bounds of each shard's bridge autoscaler (HPA); each derived unless set. */
        bridgeAutoscaling: z
          .strictObject({
            /** Fewest bridges of a shard. */
            minReplicas: z.int().min(1).max(figure('maxBridgesPerShard')).optional(),
            /** Most bridges of a shard. */
            maxReplicas: z.int().min(1).max(figure('maxBridgesPerShard')).optional(),
          })
          .prefault({}),
        /** HAProxy replicas (all share one stick table). */
        haproxyReplicas: z.int().min(1).max(9).default(2),
      })
      .prefault({}),
    /** IONOS Object Storage: the Terraform state and backup buckets. */
    objectStorage: z
      .strictObject({
        /** Region of the buckets. */
        region: z
          .enum(Object.keys(OBJECT_STORAGE_ENDPOINTS) as [ObjectStorageRegion, ...ObjectStorageRegion[]], {
            error: (issue) =>
              `unknown object storage region ${quoted(issue.input)}; expected one of ${Object.keys(OBJECT_STORAGE_ENDPOINTS).join(', ')}`,
          })
          .default('eu-central-3'),
        /** Days a backup object is kept. */
        backupRetentionDays: z.int().min(1).default(30),
      })
      .default({ region: 'eu-central-3', backupRetentionDays: 30 }),
    /** Prometheus. */
    monitoring: z
      .strictObject({
        /** How long Prometheus keeps samples. */
        retention: z
          .string()
          .regex(/^\d+[dw]$/, { error: (issue) => `${quoted(issue.input)} is not a retention such as 15d or 2w` })
          .default('15d'),
        /** Prometheus replicas. */
        prometheusReplicas: z.int().min(1).max(3).default(1),
        /**
         * Who is told of alerts, by e-mail: without it, Alertmanager keeps kube-prometheus-stack's default configuration
         * (alerts visible in its UI, sent nowhere).
         */
        alerting: alertingSchema.optional(),
      })
      .default({ retention: '15d', prometheusReplicas: 1 }),
    /**
     * BigBlueButton behind Scalelite, with Scalelite's IONOS managed backing services in the state's LAN. Off by
     * default: the state stays Jitsi-only.
     */
    bigbluebutton: bigBlueButtonSchema,
    /**
     * The logs of the platform in Elasticsearch and Kibana (the logging chart, run by the ECK operator), with the
     * state's retention, masking and Kibana users. On by default.
     */
    logging: loggingSchema,
  })
  .transform((state, context) => {
    const refuse = (path: readonly PropertyKey[], message: string): void =>
      void context.issues.push({ code: 'custom', path: [...path], message, input: state });
    const problem = bigBlueButtonLocationProblem(state.location, state.bigbluebutton);
    if (problem !== undefined) refuse(['bigbluebutton', 'enabled'], problem);
    const outcome = sizeStateConfig(state);
    if (!outcome.ok) {
      for (const { path, message } of outcome.problems) refuse(path, message);
      return z.NEVER;
    }
    const sizing: StateSizingResult = outcome.sizing;
    const takenHosts = {
      [state.meetingHost]: 'the meetings',
      ...(state.bigbluebutton.enabled ? { [state.bigbluebutton.host]: 'BigBlueButton' } : {}),
    };
    const logging = loggingProblems(state.logging, { systemMinNodes: sizing.nodePools.system.minNodes, takenHosts });
    for (const { path, message } of logging) refuse(['logging', ...path], message);
    if (problem !== undefined || logging.length > 0) return z.NEVER;
    const { servers, ...bigbluebutton } = state.bigbluebutton;
    const resolvedServers: BbbServerPoolConfig | undefined =
      servers === undefined || sizing.bigbluebutton === undefined
        ? undefined
        : {
            ...servers,
            count: sizing.bigbluebutton.count,
            autoscaler: { ...servers.autoscaler, policy: sizing.bigbluebutton.policy },
          };
    return {
      ...state,
      nodePools: {
        system: { ...state.nodePools.system, ...sizing.nodePools.system },
        media: { ...state.nodePools.media, ...sizing.nodePools.media },
      },
      jitsi: { ...state.jitsi, shards: sizing.jitsi.shards, bridgeAutoscaling: sizing.jitsi.bridgeAutoscaling },
      bigbluebutton: { ...bigbluebutton, ...(resolvedServers === undefined ? {} : { servers: resolvedServers }) },
      /** How the state was sized: the model's sizing of its peak load, and which figures the state set itself. */
      sizing,
    };
  });

/** A state's configuration as written in `states/<state>.ts` (defaults may be left out). */
export type StateConfigInput = z.input<typeof stateConfigSchema>;

/** A validated state configuration, defaults filled in. */
export type StateConfig = z.output<typeof stateConfigSchema>;

/** A state configuration that does not validate; the message lists every problem, one per line. */
export class StateConfigError extends Error {
  override readonly name = 'StateConfigError';
}

function _formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) => (typeof key === 'number' ? `${text}[${key}]` : text === '' ? String(key) : `${text}.${String(key)}`),
    '',
  );
}

/**
 * Validates a state configuration.
 * @param source where the configuration comes from, for the error message (e.g. `states/bremen.ts`)
 * @throws StateConfigError listing every problem as `- <path>: <message>`
 */
export function parseStateConfig(input: unknown, source: string): StateConfig {
  const result = stateConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const where = _formatPath(issue.path);
    return `  - ${where === '' ? '(root)' : where}: ${issue.message}`;
  });
  throw new StateConfigError(`Invalid state configuration in ${source}:\n${problems.join('\n')}`);
}
