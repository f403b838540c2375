import {
  baseValues,
  existingSecretValue,
  httpRouteValues,
  imageValues,
  ingressValues,
  podPlacementValues,
  quantity,
  resourcesValues,
  workloadValues,
} from '@meetscale/chart-toolkit';
import { z } from 'zod';

import { type DefaultLogStream, loggingFacts } from './facts';

/**
 * The Elastic Stack release of the default Elasticsearch and Kibana: the one the samples of ECK 3.5.0 (the operator
 * the state stack installs) run.
 */
export const ELASTIC_STACK_VERSION = '9.4.3';

/** The Fluent Bit release of the default shipper image. */
export const FLUENT_BIT_VERSION = '5.1.0';

/** UID of the Elasticsearch and Kibana images' own user. */
export const ELASTIC_UID = 1000;

/** UID of the `curl_user` of the curl image the setup Job runs. */
export const CURL_UID = 100;

/** A name Elasticsearch accepts as a data stream's dataset part and an ILM policy suffix. */
const streamName = () =>
  z
    .string()
    .min(1)
    .max(40)
    .regex(/^[a-z][a-z0-9_]*$/, 'must be lower-case letters, digits and `_`, starting with a letter');

/** A Kubernetes container name (a DNS label). */
const containerName = () =>
  z
    .string()
    .min(1)
    .max(63)
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a container name (a DNS label)');

/** How long an index lifecycle phase waits: Elasticsearch time units, in whole days or hours. */
const retention = () => z.string().regex(/^[1-9][0-9]{0,3}[dh]$/, 'must be a number of days or hours, such as 7d or 36h');

const stream = z.strictObject({
  containers: z.array(containerName()).default([]).describe('Containers (by name, in every namespace) whose logs go to this stream.'),
  retention: retention().describe(
    'How long a backing index is kept after it was rolled over (`min_age` of the delete phase): logs are kept at most this plus `rolloverAfter`.',
  ),
});

/** The streams of the defaults: personal data in access and TURN logs is kept shortest. */
const DEFAULT_STREAMS = {
  access: { containers: ['web', 'haproxy'], retention: '7d' },
  jitsi: { containers: ['jicofo', 'jvb', 'prosody'], retention: '14d' },
  turn: { containers: ['coturn'], retention: '7d' },
  bigbluebutton: { containers: ['api', 'poller', 'importer', 'autoscaler'], retention: '14d' },
  platform: { containers: [], retention: '30d' },
} satisfies Record<DefaultLogStream, unknown>;

/** Roles Elasticsearch defines itself; a user may hold them, a chart-defined role may not take their names. */
const roleName = () =>
  z
    .string()
    .min(1)
    .max(100)
    .regex(/^[a-zA-Z][-a-zA-Z0-9_.@]*$/, 'must be a role name of letters, digits, `-`, `_`, `.` and `@`');

const indicesPrivileges = z.strictObject({
  names: z.array(z.string().min(1).max(255)).min(1).describe('Index or data stream patterns, e.g. `logs-meetscale.*`.'),
  privileges: z
    .array(z.string().regex(/^[a-z_]+$/, 'must be an index privilege such as read'))
    .min(1)
    .describe('Index privileges, e.g. `read`, `view_index_metadata`.'),
});

const role = z.strictObject({
  cluster: z
    .array(z.string().regex(/^[a-z_:]+$/, 'must be a cluster privilege such as monitor'))
    .default([])
    .describe('Cluster privileges, e.g. `monitor`.'),
  indices: z.array(indicesPrivileges).default([]).describe('Index privileges.'),
  kibana: z
    .array(z.enum(['read', 'all']))
    .default([])
    .describe('Kibana privileges in every space (`read` or `all`); empty: no Kibana access.'),
});

const user = z.strictObject({
  username: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[a-zA-Z0-9_][-a-zA-Z0-9_.@]*$/, 'must be a user name of letters, digits, `-`, `_`, `.` and `@`')
    .describe('User name.'),
  fullName: z.string().max(200).default('').describe('Full name shown in Kibana.'),
  roles: z.array(roleName()).min(1).describe('Roles of the user: of `security.roles` or built into Elasticsearch.'),
  passwordSecret: z
    .strictObject({
      name: z
        .string()
        .min(1)
        .max(253)
        .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a Secret name')
        .describe('Secret holding the password.'),
      key: z
        .string()
        .min(1)
        .max(253)
        .regex(/^[-._a-zA-Z0-9]+$/, 'must be a Secret key')
        .default('password')
        .describe('Key in the Secret.'),
    })
    .describe('Secret in the release namespace holding the password (at least 8 characters).'),
});

const nodeSet = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(23)
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS label of at most 23 characters')
    .describe('Name of the node set (part of the StatefulSet and pod names ECK creates).'),
  count: z.number().int().min(1).max(50).describe('Elasticsearch nodes of the set.'),
  roles: z
    .array(
      z.enum([
        'master',
        'data',
        'data_content',
        'data_hot',
        'data_warm',
        'data_cold',
        'ingest',
        'ml',
        'remote_cluster_client',
        'transform',
      ]),
    )
    .describe('Node roles (`node.roles`); empty: a coordinating-only node.'),
  storage: z
    .strictObject({
      size: quantity().default('30Gi').describe('Size of each node’s data volume.'),
      storageClassName: z
        .string()
        .max(253)
        .default('')
        .describe('StorageClass of the data volumes; empty: `elasticsearch.storageClassName`.'),
    })
    .prefault({})
    .describe('Data volume of each node.'),
  resources: resourcesValues({ requests: { cpu: '1', memory: '4Gi' }, limits: { memory: '4Gi' } }),
  config: z.record(z.string(), z.unknown()).default({}).describe('More `elasticsearch.yml` settings of the set, passed through.'),
});

const podPlacement = () => podPlacementValues();

export const loggingValues = z.strictObject({
  ...baseValues,
  elasticsearch: z
    .strictObject({
      version: z
        .string()
        .regex(/^[0-9]+\.[0-9]+\.[0-9]+$/, 'must be an Elastic Stack version such as 9.4.3')
        .default(ELASTIC_STACK_VERSION)
        .describe('Elastic Stack version of Elasticsearch and Kibana (ECK runs the official images of it).'),
      image: z
        .string()
        .max(500)
        .default('')
        .describe(
          "Elasticsearch image; empty: the official image of `version`, from the registry of the ECK operator (its `config.containerRegistry`; `global.imageRegistry` applies to the chart's own images only).",
        ),
      nodeSets: z
        .array(nodeSet)
        .min(1)
        .default([
          {
            name: 'default',
            count: 1,
            roles: ['master', 'data', 'ingest'],
            storage: { size: '30Gi', storageClassName: '' },
            resources: { requests: { cpu: '1', memory: '4Gi' }, limits: { memory: '4Gi' } },
            config: {},
          },
        ])
        .describe(
          'Node sets. The default is one small set; production: three dedicated `master` nodes and data nodes in sets of their own (see the README).',
        ),
      storageClassName: z.string().max(253).default('').describe('StorageClass of the data volumes; empty: the cluster default.'),
      zoneAntiAffinity: z
        .enum(['preferred', 'required', 'none'])
        .default('preferred')
        .describe(
          'Zone awareness of ECK: spread the nodes of each set across zones (`topology.kubernetes.io/zone`) and keep shard replicas in other zones; `required` leaves a pod pending rather than crowd a zone, `none` turns it off.',
        ),
      allowMmap: z
        .boolean()
        .default(false)
        .describe(
          '`node.store.allow_mmap`: `true` needs `vm.max_map_count` ≥ 1048576 on every node (not set by the chart: no privileged container).',
        ),
      ...podPlacement(),
    })
    .prefault({})
    .describe('The Elasticsearch cluster (an ECK `Elasticsearch`).'),
  kibana: z
    .strictObject({
      enabled: z.boolean().default(true).describe('Run Kibana (an ECK `Kibana`).'),
      count: z.number().int().min(1).max(10).default(1).describe('Kibana instances.'),
      telemetry: z
        .boolean()
        .default(false)
        .describe('Let Kibana send usage data to Elastic (`telemetry.optIn`); off, and users cannot switch it on.'),
      image: z
        .string()
        .max(500)
        .default('')
        .describe(
          'Kibana image; empty: the official image of `elasticsearch.version`, from the registry of the ECK operator (its `config.containerRegistry`).',
        ),
      resources: resourcesValues({ requests: { cpu: '200m', memory: '1Gi' }, limits: { memory: '1Gi' } }),
      ...podPlacement(),
      ingress: ingressValues({ path: '/' }),
      httpRoute: httpRouteValues({ path: '/', timeouts: { request: '', backendRequest: '' } }),
    })
    .prefault({})
    .describe('Kibana, behind the Ingress or HTTPRoute (TLS at the Gateway; sign-in with the users of `security.users`).'),
  streams: z
    .record(streamName(), stream)
    .default(DEFAULT_STREAMS)
    .describe(
      'Data streams `logs-meetscale.<name>-default`, each with its own retention; a container listed in none goes to `defaultStream`.',
    ),
  defaultStream: streamName().default('platform').describe('Stream of the containers no stream lists (one of `streams`).'),
  rolloverAfter: retention()
    .default('1d')
    .describe('Roll a stream over to a new backing index after this long (`max_age`), or at 50 GB of primary shard size.'),
  privacy: z
    .strictObject({
      clientAddresses: z
        .enum(['truncate', 'remove', 'keep'])
        .default('truncate')
        .describe(
          'What the shipper stores of IP addresses in log lines: `truncate` keeps the network part (`ipv4PrefixLength`, `ipv6PrefixLength`), `remove` replaces them, `keep` stores them whole.',
        ),
      ipv4PrefixLength: z
        .union([z.literal(8), z.literal(16), z.literal(24)])
        .default(24)
        .describe('Bits of an IPv4 address kept by `truncate`: 203.0.113.7 becomes 203.0.113.0 with 24.'),
      ipv6PrefixLength: z
        .union([z.literal(16), z.literal(32), z.literal(48), z.literal(64)])
        .default(48)
        .describe('Bits of an IPv6 address kept by `truncate`: 2001:db8:1:2::7 becomes 2001:db8:1:: with 48.'),
    })
    .prefault({})
    .describe('Personal data in logs: client addresses are masked before they leave the node.'),
  security: z
    .strictObject({
      roles: z
        .record(roleName(), role)
        .default({
          [loggingFacts.names.readerRole]: {
            cluster: [],
            indices: [{ names: ['logs-meetscale.*'], privileges: ['read', 'view_index_metadata'] }],
            kibana: ['read'],
          },
        })
        .describe('Roles the setup Job creates in the native realm.'),
      users: z
        .array(user)
        .default([])
        .describe('Users the setup Job creates in the native realm (Kibana sign-in), passwords from Secrets.'),
    })
    .prefault({})
    .describe("Elasticsearch's native realm: the chart's roles and users."),
  shipper: z
    .strictObject({
      enabled: z.boolean().default(true).describe('Run the Fluent Bit DaemonSet (reads every container log on every node).'),
      ...workloadValues({
        image: { repository: 'fluent/fluent-bit', tag: FLUENT_BIT_VERSION },
        resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
        // root reads the node's container logs (root-owned, 0640); no capability, no privilege escalation
        podSecurityContext: { runAsUser: 0, runAsGroup: 0, runAsNonRoot: false, seccompProfile: { type: 'RuntimeDefault' } },
        containerSecurityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        readinessProbe: { httpGet: { path: '/api/v1/health', port: 'http' } },
        livenessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 30 },
        serviceAccount: { create: true },
        tolerations: [{ operator: 'Exists' }],
      }),
      existingSecret: existingSecretValue(
        'Secret with the keys `username` and `password` of the shipper’s Elasticsearch user; empty: generated on first install and kept',
      ),
      flushSeconds: z.number().int().min(1).max(60).default(5).describe('Seconds between flushes to Elasticsearch.'),
      memBufLimit: z
        .string()
        .regex(/^[1-9][0-9]{0,5}[KMG]B?$/, 'must be a size in Fluent Bit units, such as 50MB')
        .default('50MB')
        .describe('Memory a log input may buffer before it pauses reading (`mem_buf_limit`).'),
    })
    .prefault({})
    .describe('The log shipper: Fluent Bit on every node.'),
  setup: z
    .strictObject({
      image: imageValues({ repository: 'curlimages/curl', tag: '8.17.0' }),
      resources: resourcesValues({ requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } }),
      activeDeadlineSeconds: z
        .number()
        .int()
        .min(60)
        .max(86400)
        .default(1800)
        .describe('Seconds the setup Job may take (it waits for Elasticsearch).'),
      ...podPlacement(),
    })
    .prefault({})
    .describe('The Job run after every install and upgrade: lifecycle policies, index templates, roles, users, Kibana objects.'),
  networkPolicy: z
    .strictObject({
      enabled: z.boolean().default(false).describe('Create NetworkPolicies for Elasticsearch, Kibana and the shipper.'),
      ingressNamespaceSelector: z
        .record(z.string(), z.string())
        .default({ 'kubernetes.io/metadata.name': 'envoy-gateway-system' })
        .describe('Labels of the namespaces whose ingress controller or Gateway reaches Kibana.'),
      operatorNamespaceSelector: z
        .record(z.string(), z.string())
        .default({ 'kubernetes.io/metadata.name': 'elastic-system' })
        .describe("Labels of the ECK operator's namespace: it manages Elasticsearch and Kibana through their HTTP APIs."),
    })
    .prefault({})
    .describe('NetworkPolicies.'),
});

/** Values of the logging chart after defaults are applied. */
export type LoggingValues = z.output<typeof loggingValues>;
