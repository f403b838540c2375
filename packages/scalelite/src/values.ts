import {
  baseValues,
  existingSecretValue,
  hostname,
  httpRouteValues,
  imageValues,
  ingressValues,
  port,
  quantity,
  resourcesValues,
  serviceValues,
  stringMap,
  workloadValues,
} from '@meetscale/chart-toolkit';
import { z } from 'zod';

/**
 * UID (and GID) of the upstream images' user `scalelite`, and GID of its other group `scalelite-spool`, which owns the
 * recordings share (Dockerfile at v1.8.5).
 */
export const SCALELITE_UID = 1000;
export const SCALELITE_GID = 2000;

/** The Scalelite release the chart runs: the images `blindsidenetwks/scalelite:<release>-<component>`. */
export const SCALELITE_RELEASE = 'v1.8.5';

/** The repository of the upstream images. */
const REPOSITORY = 'blindsidenetwks/scalelite';

/** The hardened contexts of every Scalelite pod: the images' own user, the spool group owning the recordings. */
const SECURITY = {
  podSecurityContext: {
    runAsNonRoot: true,
    runAsUser: SCALELITE_UID,
    runAsGroup: SCALELITE_UID,
    // the images' user is in the group owning the recordings share too
    supplementalGroups: [SCALELITE_GID],
    fsGroup: SCALELITE_GID,
    seccompProfile: { type: 'RuntimeDefault' as const },
  },
  containerSecurityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
};

/** A Secret key holding one credential. */
const secretKeyRef = (what: string, key: string, absent: string) =>
  z
    .strictObject({
      existingSecret: existingSecretValue(`Secret holding ${what}; empty: ${absent}.`),
      key: z
        .string()
        .min(1)
        .max(253)
        .regex(/^[-._a-zA-Z0-9]+$/, 'must be a Secret key')
        .default(key)
        .describe('Key in the Secret.'),
    })
    .prefault({})
    .describe(`${what[0]?.toUpperCase() ?? ''}${what.slice(1)}, by reference.`);

const server = z.strictObject({
  url: z
    .string()
    .max(500)
    .regex(
      /^https:\/\/[^\s"'/]+(\/[^\s"']*)?\/bigbluebutton\/api\/?$/,
      'must be the https URL of a BigBlueButton API, ending in /bigbluebutton/api/',
    )
    .describe("The server's BigBlueButton API URL, e.g. `https://bbb-01.example.org/bigbluebutton/api/`."),
  secret: z
    .strictObject({
      existingSecret: z
        .string()
        .min(1)
        .max(253)
        .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a Secret name')
        .describe("Secret holding the server's BigBlueButton API secret."),
      key: z
        .string()
        .min(1)
        .max(253)
        .regex(/^[-._a-zA-Z0-9]+$/, 'must be a Secret key')
        .default('secret')
        .describe('Key in the Secret.'),
    })
    .describe("The server's API secret, by reference."),
  loadMultiplier: z.number().gt(0).max(100).default(1).describe("Weight of the server's load: 2 counts every participant twice."),
  tag: z
    .string()
    .max(63)
    .regex(/^([A-Za-z0-9][-A-Za-z0-9_.]*)?$/, 'must be empty or a tag of letters, digits, `-`, `_` and `.`')
    .default('')
    .describe('Tag routing the meetings created with `meta_server-tag` to this server; empty: untagged.'),
  enabled: z
    .boolean()
    .default(true)
    .describe(
      'Take new meetings. `false` cordons an enabled server: its meetings go on, it takes no new ones and turns disabled once empty.',
    ),
});

/** Meeting parameters of the BigBlueButton API (Scalelite joins them as `name=value,...`, so no value holds a comma). */
const parameters = (description: string) =>
  z
    .array(
      z.strictObject({
        name: z
          .string()
          .regex(/^[A-Za-z][-A-Za-z0-9_]*$/, 'must be a BigBlueButton API parameter name')
          .describe('Parameter, e.g. `meta_server-tag` or `muteOnStart`.'),
        value: z
          .string()
          .max(1000)
          .regex(/^[^,]*$/, 'must hold no comma')
          .describe('Its value.'),
      }),
    )
    .default([])
    .describe(description);

/** The playback formats Scalelite serves by default (`RECORDING_PLAYBACK_FORMATS`). */
export const DEFAULT_PLAYBACK_FORMATS = ['presentation', 'video', 'screenshare', 'podcast', 'notes', 'capture'] as const;

/**
 * The paths the public route sends to nginx: the BigBlueButton API, the players bundled in the nginx image
 * (`/playback`), the recordings (`/recording/<id>/<format>`) and each playback format's resources. Not the admin API
 * (`/scalelite/api`), whose checksum does not cover the request body: it stays on the cluster-internal Service.
 */
export const PUBLIC_PATHS = [
  '/bigbluebutton/api',
  '/playback',
  '/recording',
  ...DEFAULT_PLAYBACK_FORMATS.map((format) => `/${format}`),
] as [string, ...string[]];

/** The values of the scalelite chart: every field has a description and a default. */
export const scaleliteValues = z.strictObject({
  ...baseValues,
  urlHost: hostname()
    .or(z.literal(''))
    .default('')
    .describe(
      'The public host name of the BigBlueButton API and playback (`URL_HOST`), e.g. `bbb.example.org`; empty: the host of each request.',
    ),
  loadBalancerSecret: secretKeyRef(
    'the shared secret of the BigBlueButton API Scalelite serves (`LOADBALANCER_SECRET`), which the learning platforms sign requests with',
    'loadbalancer-secret',
    'generated on first install and kept across upgrades',
  ),
  secretKeyBase: secretKeyRef('the Rails `SECRET_KEY_BASE`', 'secret-key-base', 'generated on first install and kept across upgrades'),
  database: z
    .strictObject({
      host: z.string().min(1).max(253).default('postgresql').describe('PostgreSQL host.'),
      port: port().default(5432).describe('PostgreSQL port.'),
      name: z
        .string()
        .min(1)
        .max(63)
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain database name')
        .default('scalelite')
        .describe('Database name.'),
      user: z
        .string()
        .min(1)
        .max(63)
        .regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'must be a plain user name')
        .default('scalelite')
        .describe('Database user.'),
      password: secretKeyRef("the database user's password", 'password', 'no password (the server trusts the user)'),
      sslMode: z
        .enum(['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'])
        .default('prefer')
        .describe('libpq `sslmode` of the connection.'),
    })
    .prefault({})
    .describe('PostgreSQL (the recordings index), by reference: the chart runs none.'),
  redis: z
    .strictObject({
      host: z
        .string()
        .min(1)
        .max(253)
        .default('redis')
        .describe('Redis host; Redis must persist its data (servers and meetings live there).'),
      username: z
        .string()
        .max(253)
        .regex(/^[-._A-Za-z0-9]*$/, 'must be a plain user name')
        .default('')
        .describe('Redis ACL user; empty for the `default` user (a password alone).'),
      port: port().default(6379).describe('Redis port.'),
      db: z.number().int().min(0).max(15).default(0).describe('Redis database number.'),
      tls: z.boolean().default(false).describe('Connect with TLS (`rediss://`).'),
      password: secretKeyRef('the Redis password', 'password', 'no password'),
    })
    .prefault({})
    .describe('Redis (servers, meetings, tenants), by reference: the chart runs none.'),
  load: z
    .strictObject({
      minUserCount: z
        .number()
        .int()
        .min(0)
        .max(1000)
        .default(15)
        .describe('Participants a new meeting counts as while it is young (`LOAD_MIN_USER_COUNT`).'),
      joinBufferTime: z.number().int().min(0).max(240).default(15).describe('Minutes a meeting counts as young (`LOAD_JOIN_BUFFER_TIME`).'),
    })
    .prefault({})
    .describe("How Scalelite weighs a server's load when it picks one for a new meeting."),
  poll: z
    .strictObject({
      interval: z.number().int().min(5).max(3600).default(60).describe('Seconds between two polls of the servers (`POLL_INTERVAL`).'),
      healthyThreshold: z
        .number()
        .int()
        .min(1)
        .max(10)
        .default(1)
        .describe('Successful polls that bring a server online (`SERVER_HEALTHY_THRESHOLD`).'),
      unhealthyThreshold: z
        .number()
        .int()
        .min(1)
        .max(10)
        .default(2)
        .describe(
          'Failed polls after which a server counts offline and its meetings end (`SERVER_UNHEALTHY_THRESHOLD`). Raising it rides out short outages.',
        ),
    })
    .prefault({})
    .describe('The poller: how often and how patiently it checks the servers.'),
  meetings: z
    .strictObject({
      defaultCreateParams: parameters('`create` parameters a learning platform may override (`DEFAULT_CREATE_PARAMS`).'),
      overrideCreateParams: parameters('`create` parameters no learning platform can change (`OVERRIDE_CREATE_PARAMS`).'),
      defaultJoinParams: parameters('`join` parameters a learning platform may override (`DEFAULT_JOIN_PARAMS`).'),
      overrideJoinParams: parameters('`join` parameters no learning platform can change (`OVERRIDE_JOIN_PARAMS`).'),
      maxDuration: z
        .number()
        .int()
        .min(0)
        .max(1440)
        .default(0)
        .describe('Longest meeting in minutes (`MAX_MEETING_DURATION`); 0: no limit.'),
    })
    .prefault({})
    .describe('Meeting defaults and overrides applied to every request.'),
  multitenancy: z
    .strictObject({
      enabled: z
        .boolean()
        .default(false)
        .describe(
          "Serve several tenants, each on its own subdomain of `urlHost` with its own secret (`MULTITENANCY_ENABLED`); manage tenants with Scalelite's `tenants:*` tasks or admin API.",
        ),
    })
    .prefault({})
    .describe('Multitenancy.'),
  recordings: z
    .strictObject({
      enabled: z.boolean().default(true).describe('Import and serve recordings; off: `RECORDING_DISABLED`, no importer, no share.'),
      existingClaim: z
        .string()
        .max(253)
        .default('')
        .describe('A ReadWriteMany PersistentVolumeClaim of your own (an NFS share, say); the chart then creates none.'),
      size: quantity()
        .default('100Gi')
        .describe(
          "Size of the chart's ReadWriteMany claim, from the cluster's default StorageClass (for another class, give `existingClaim`).",
        ),
      playbackFormats: z
        .array(z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be a playback format name'))
        .min(1)
        .default([...DEFAULT_PLAYBACK_FORMATS])
        .describe('Playback formats served (`RECORDING_PLAYBACK_FORMATS`); each is also a path of the public route.'),
      importPollInterval: z
        .number()
        .int()
        .min(5)
        .max(3600)
        .default(60)
        .describe('Seconds between two looks of the importer into the spool (`RECORDING_IMPORT_POLL_INTERVAL`).'),
    })
    .prefault({})
    .describe(
      'The recordings share (`spool`, `recording`, `published`, `unpublished` owned by UID 1000 / GID 2000): the importer moves what the servers upload to `spool` into `published`; nginx serves it.',
    ),
  servers: z
    .array(server)
    .default([])
    .describe(
      "The BigBlueButton servers, applied with Scalelite's `servers:sync` in cordon mode after every install and upgrade: a server removed from the list is cordoned (it drains) instead of losing its meetings. Empty: no sync (servers managed otherwise).",
    ),
  api: z
    .strictObject({
      replicaCount: z.number().int().min(1).max(32).default(2).describe('API replicas, each with nginx beside it.'),
      ...workloadValues({
        image: { repository: REPOSITORY, tag: `${SCALELITE_RELEASE}-api` },
        resources: { requests: { cpu: '200m', memory: '512Mi' }, limits: { memory: '1Gi' } },
        ...SECURITY,
        readinessProbe: { httpGet: { path: '/health_check', port: 'api' }, periodSeconds: 10 },
        livenessProbe: { httpGet: { path: '/health_check', port: 'api' }, initialDelaySeconds: 30, periodSeconds: 20 },
        podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
      }),
      nginx: z
        .strictObject({
          image: imageValues({ repository: REPOSITORY, tag: `${SCALELITE_RELEASE}-nginx` }),
          resources: resourcesValues({ requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } }),
          clientMaxBodySize: z
            .string()
            .regex(/^[0-9]+[kKmMgG]?$/, 'must be an nginx size such as 50m')
            .default('50m')
            .describe('Largest request body (presentations uploaded with `insertDocument` or `create`).'),
        })
        .prefault({})
        .describe('nginx beside each API replica: the public entry, playback of the recordings, the API proxied.'),
    })
    .prefault({})
    .describe('The Scalelite API (the BigBlueButton API of the pool, and its admin API), with nginx for playback beside it.'),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info').describe('Rails log level (`RAILS_LOG_LEVEL`; upstream: debug).'),
  poller: z
    .strictObject({
      ...workloadValues({
        image: { repository: REPOSITORY, tag: `${SCALELITE_RELEASE}-poller` },
        resources: { requests: { cpu: '50m', memory: '256Mi' }, limits: { memory: '512Mi' } },
        ...SECURITY,
        // a single pod: a budget would only stop node drains
        podDisruptionBudget: { enabled: false, maxUnavailable: 1 },
      }),
    })
    .prefault({})
    .describe('The poller: one replica, checks the servers and their meetings.'),
  importer: z
    .strictObject({
      ...workloadValues({
        image: { repository: REPOSITORY, tag: `${SCALELITE_RELEASE}-recording-importer` },
        resources: { requests: { cpu: '50m', memory: '256Mi' }, limits: { memory: '512Mi' } },
        ...SECURITY,
        podDisruptionBudget: { enabled: false, maxUnavailable: 1 },
      }),
    })
    .prefault({})
    .describe('The recording importer: exactly one, never two at once (its rollout stops the old pod first).'),
  jobs: z
    .strictObject({
      resources: resourcesValues({ requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } }),
      activeDeadlineSeconds: z
        .number()
        .int()
        .min(60)
        .max(7200)
        .default(600)
        .describe('How long the migration and the server sync may run.'),
    })
    .prefault({})
    .describe('The database migration (before install and upgrade) and the server sync (after) Jobs: they run the API image.'),
  service: serviceValues({ port: 80, description: 'Port of the public Service (nginx: the BigBlueButton API and playback).' }),
  adminService: z
    .strictObject({
      port: port().default(3000).describe('Port of the cluster-internal Service of the admin API (`/scalelite/api`) and the API itself.'),
    })
    .prefault({})
    .describe('The Service for the admin API, inside the cluster only: its checksum does not cover the request body.'),
  ingress: ingressValues({ path: PUBLIC_PATHS }),
  httpRoute: httpRouteValues({ path: PUBLIC_PATHS, timeouts: { request: '60s', backendRequest: '' } }),
  networkPolicy: z
    .strictObject({
      enabled: z
        .boolean()
        .default(false)
        .describe('Admit to nginx only the ingress controller or Gateway, and to the admin API only the namespaces named below.'),
      ingressNamespaceSelector: stringMap('Labels of the namespace of the ingress controller or of the Gateway proxies.').default({
        'kubernetes.io/metadata.name': 'envoy-gateway-system',
      }),
      adminNamespaceSelector: stringMap('Labels of the namespaces that may use the admin API (the BigBlueButton autoscaler).').default({
        'kubernetes.io/metadata.name': 'bigbluebutton',
      }),
    })
    .prefault({})
    .describe('NetworkPolicies for the Scalelite pods.'),
  extraConfig: z
    .record(z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name such as GET_MEETINGS_API_DISABLED'), z.string())
    .default({})
    .describe('More Scalelite settings as environment variables (`GET_MEETINGS_API_DISABLED: "true"`, say), for every component.'),
});

/** Values of the scalelite chart after defaults are applied. */
export type ScaleliteValues = z.output<typeof scaleliteValues>;
