import { LOGGING_CHART } from '@meetscale/chart-values/facts/logging';
import { IONOS_STORAGE_CLASSES } from '@meetscale/ionos-facts';
import { z } from 'zod';

/**
 * The `logging` section of a state's configuration: whether the state runs the logging chart (Elasticsearch and
 * Kibana through the ECK operator, Fluent Bit on every node), where Kibana is served, how large Elasticsearch is,
 * how long each stream of logs is kept, how client addresses are masked and who may sign in to Kibana. On by
 * default: the logs hold personal data, so what a state keeps and for how long is its data protection officer's
 * choice, and the chart's defaults are the starting point.
 */

const quoted = (input: unknown): string => JSON.stringify(input) ?? String(input);

/** The streams of the logging chart's defaults (its `streams` value), whose retention a state may set: the chart's facts. */
export const LOG_STREAMS = LOGGING_CHART.names.streams;

/** A stream of {@link LOG_STREAMS}. */
export type LogStream = (typeof LOG_STREAMS)[number];

/** The read-only role of the logging chart's defaults (`security.roles`): read the log streams, Kibana `read`. */
export const LOG_READER_ROLE = LOGGING_CHART.names.readerRole;

/**
 * How Elasticsearch is laid out:
 * - `small`: one node holding every role (a test or small state; the chart's default);
 * - `production`: three dedicated master nodes and `dataNodes` data nodes (ingest too), two Kibana instances.
 */
export const ELASTICSEARCH_LAYOUTS = ['small', 'production'] as const;

/** An Elasticsearch layout of {@link ELASTICSEARCH_LAYOUTS}. */
export type ElasticsearchLayout = (typeof ELASTICSEARCH_LAYOUTS)[number];

/** The master nodes of the `production` layout: a quorum that survives the loss of one. */
export const PRODUCTION_MASTER_NODES = 3;

/** The data volume of each data node (or of the one node) when the state names none, by layout, in GB. */
export const DEFAULT_DATA_VOLUME_GB: Readonly<Record<ElasticsearchLayout, number>> = { small: 30, production: 200 };

/** What the shipper stores of the client addresses in the logs: their network part, or nothing. */
export const CLIENT_ADDRESS_MODES = ['truncate', 'remove'] as const;

const enumError = (what: string, known: readonly string[]) => (issue: { input: unknown }) =>
  `unknown ${what} ${quoted(issue.input)}; expected one of ${known.join(', ')}`;

/** How long a stream is kept after its rollover: the chart's format, whole days or hours. */
const retentionSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,3}[dh]$/, { error: (issue) => `${quoted(issue.input)} is not a retention such as 7d or 36h` });

/** A role of the chart's (`security.roles`) or of Elasticsearch's own. */
const roleName = () =>
  z.string().regex(/^[a-zA-Z][-a-zA-Z0-9_.@]{0,99}$/, { error: (issue) => `${quoted(issue.input)} is not a role name` });

const userSchema = z.strictObject({
  /** The user name to sign in to Kibana with. */
  username: z.string().regex(/^[a-zA-Z0-9_][-a-zA-Z0-9_.@]{0,99}$/, {
    error: (issue) => `${quoted(issue.input)} is not a user name of letters, digits, -, _, . and @`,
  }),
  /** The name Kibana shows. */
  fullName: z.string().max(200).optional(),
  /** Roles: the chart's (`meetscale-log-reader`, the default) or Elasticsearch's own (`superuser`, `kibana_admin`, ...). */
  roles: z
    .array(roleName())
    .min(1, { error: 'give the user at least one role' })
    // checked non-empty: typed so, as the chart's values type wants it
    .transform((roles) => roles as [string, ...string[]])
    .default([LOG_READER_ROLE]),
  /**
   * The Secret in the `logging` namespace holding the password (at least 8 characters) under the key `password`;
   * create it before the apply that adds the user: the password never enters the configuration or the Terraform state.
   */
  passwordSecret: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { error: (issue) => `${quoted(issue.input)} is not a Secret name` }),
});

const elasticsearchSchema = z.strictObject({
  /** `small` (one node) or `production` (three masters and data nodes of their own). */
  layout: z.enum(ELASTICSEARCH_LAYOUTS, { error: enumError('Elasticsearch layout', ELASTICSEARCH_LAYOUTS) }).default('small'),
  /** Data (and ingest) nodes of the `production` layout, at least two so that every shard has a replica; 2 when left out. */
  dataNodes: z.int().min(2).max(20).optional(),
  /** The data volume of each data node (the one node of `small`) in GB; 30 for `small`, 200 for `production` when left out. */
  storageGb: z.int().min(10).max(4000).optional(),
  /** The IONOS StorageClass of the data volumes. */
  storageClass: z
    .enum(IONOS_STORAGE_CLASSES, { error: enumError('IONOS storage class', IONOS_STORAGE_CLASSES) })
    .default('ionos-enterprise-ssd'),
});

/** The `logging` section of a state's configuration. */
export const loggingSchema = z
  .strictObject({
    /** Run the logging chart (and with it Elasticsearch, Kibana and the shipper on every node). */
    enabled: z.boolean().default(true),
    /** The host name of Kibana inside the state's zone, served by the state's Gateway. */
    host: z
      .string()
      .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, { error: (issue) => `${quoted(issue.input)} is not a DNS label` })
      .default('logs'),
    /** Elasticsearch: its layout and storage, on the system pool. */
    elasticsearch: elasticsearchSchema.prefault({}),
    /**
     * How long a stream is kept after each rollover, by stream (`access`, `jitsi`, `turn`, `bigbluebutton`,
     * `platform`); the chart's default for the streams left out (7, 14, 7, 14 and 30 days).
     */
    retention: z.record(z.string(), retentionSchema).default({}),
    /**
     * What the shipper stores of client IP addresses: `truncate` (the network part, the chart's default) or
     * `remove`. Whole addresses (the chart's `keep`) are not offered: a state's logs are of pupils.
     */
    clientAddresses: z
      .enum(CLIENT_ADDRESS_MODES, {
        error: (issue) =>
          issue.input === 'keep'
            ? 'client addresses are personal data of pupils: a state stores them truncated or removed, not "keep"'
            : enumError('client address mode', CLIENT_ADDRESS_MODES)(issue),
      })
      .default('truncate'),
    /** Who signs in to Kibana (Elasticsearch's native realm), with passwords from Secrets. */
    users: z.array(userSchema).default([]),
  })
  .superRefine((logging, context) => {
    for (const stream of Object.keys(logging.retention)) {
      if (!(LOG_STREAMS as readonly string[]).includes(stream))
        context.addIssue({
          code: 'custom',
          path: ['retention', stream],
          message: `unknown stream ${quoted(stream)}; expected one of ${LOG_STREAMS.join(', ')}`,
        });
    }
    if (logging.elasticsearch.dataNodes !== undefined && logging.elasticsearch.layout !== 'production')
      context.addIssue({
        code: 'custom',
        path: ['elasticsearch', 'dataNodes'],
        message: 'data nodes of their own are the production layout’s; the small layout runs one node',
      });
    const seen = new Set<string>();
    logging.users.forEach((user, index) => {
      if (seen.has(user.username))
        context.addIssue({ code: 'custom', path: ['users', index, 'username'], message: `${quoted(user.username)} is listed twice` });
      seen.add(user.username);
    });
  })
  .prefault({});

/** A state's validated `logging` section. */
export type StateLogging = z.output<typeof loggingSchema>;

/**
 * A problem of the `logging` section that depends on the rest of the configuration, with its path below `logging`:
 * the production layout's masters need three system nodes to stand on, and Kibana's host must be a name of its own.
 */
export function loggingProblems(
  logging: StateLogging,
  state: { readonly systemMinNodes: number; readonly takenHosts: Readonly<Record<string, string>> },
): Array<{ path: PropertyKey[]; message: string }> {
  if (!logging.enabled) return [];
  const problems: Array<{ path: PropertyKey[]; message: string }> = [];
  if (logging.elasticsearch.layout === 'production' && state.systemMinNodes < PRODUCTION_MASTER_NODES)
    problems.push({
      path: ['elasticsearch', 'layout'],
      message:
        `the production layout's ${PRODUCTION_MASTER_NODES} master nodes need a system pool of at least ${PRODUCTION_MASTER_NODES} nodes, ` +
        `but nodePools.system.minNodes is ${state.systemMinNodes}`,
    });
  const taker = state.takenHosts[logging.host];
  if (taker !== undefined) problems.push({ path: ['host'], message: `${quoted(logging.host)} is the host name of ${taker} already` });
  return problems;
}
