import {
  baseValues,
  hostname,
  httpRouteValues,
  imagePullSecrets,
  ingressValues,
  type PodSecurityLevel,
  port,
  promDuration,
  quantity,
  serviceMonitorValues,
  serviceValues,
  stringMap,
  workloadValues,
} from '@meetscale/chart-toolkit';
import { MEDIA_POOL_LABELS, MEDIA_TOLERATION, POOL_LABEL } from '@meetscale/placement';
import { z } from 'zod';

import { etherpadValues } from './etherpad';
import { whiteboardValues } from './whiteboard';

/** The docker-jitsi-meet release every component image defaults to (the chart's appVersion). */
export const JITSI_RELEASE = 'stable-11146-2';

/** The Pods metrics of the custom metrics API the bridge autoscaler reads by default, by `jvb.autoscaling.metric`. */
export const CUSTOM_METRICS = {
  jvbStress: 'jitsi_jvb_stress',
  networkTransmit: 'network_transmit_bytes_per_second',
} as const;

/**
 * The Pod Security level each media mode needs. Host ports are forbidden from `baseline` up, so `hostPort` needs
 * `privileged`; in `nodePort` mode every pod of the shard meets `restricted`, which is why it is the default.
 */
export const MEDIA_MODE_POD_SECURITY = {
  hostPort: 'privileged',
  nodePort: 'restricted',
} as const satisfies Record<JitsiShardValues['jvb']['media']['mode'], PodSecurityLevel>;

/** A metric name of the custom metrics API. */
const metricName = (fallback: string, description: string) =>
  z
    .string()
    .regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'must be a Prometheus metric name')
    .default(fallback)
    .describe(description);

/** The private IPv4 networks, one of which holds the pod network of every cluster we know. */
const POD_NETWORKS = '10.0.0.0/8,172.16.0.0/12,192.168.0.0/16';

/** Comma-separated IPv4 CIDRs. */
const ipv4Cidrs = (fallback: string) =>
  z
    .string()
    .regex(/^([0-9]{1,3}\.){3}[0-9]{1,3}\/[0-9]{1,2}(,([0-9]{1,3}\.){3}[0-9]{1,3}\/[0-9]{1,2})*$/, 'must be IPv4 CIDRs, comma-separated')
    .default(fallback);

/** Prosody module names, enabled besides the image's own. */
const moduleList = (description: string) =>
  z
    .array(z.string().regex(/^[a-z0-9_]+$/, 'must be a prosody module name (without mod_), such as muc_lobby_rooms'))
    .default([])
    .describe(description);

/** An XMPP domain (internal, not resolved by DNS). */
const xmppDomain = (fallback: string, description: string) => hostname().default(fallback).describe(description);

/** How one direction of the bridge autoscaler behaves (autoscaling/v2 `HPAScalingRules`). */
const scalingRules = (defaults: { window: number; pods: number; period: number }, description: string) =>
  z
    .strictObject({
      stabilizationWindowSeconds: z
        .number()
        .int()
        .min(0)
        .max(3600)
        .default(defaults.window)
        .describe('Past recommendations the autoscaler considers, so a short spike or dip does not resize the pool.'),
      selectPolicy: z
        .enum(['Max', 'Min', 'Disabled'])
        .default('Max')
        .describe('Which policy wins when several apply; `Disabled` turns this direction off.'),
      policies: z
        .array(
          z.strictObject({
            type: z.enum(['Pods', 'Percent']).describe('`Pods`: a number of bridges; `Percent`: a share of the current bridges.'),
            value: z.number().int().min(1).describe('Bridges (or percent) the pool may change by per period.'),
            periodSeconds: z.number().int().min(1).max(1800).describe('Length of the period.'),
          }),
        )
        .min(1)
        .default([{ type: 'Pods', value: defaults.pods, periodSeconds: defaults.period }])
        .describe('How fast the pool may change.'),
    })
    .prefault({})
    .describe(description);

/** UID and GID of the `s6` user the jitsi images (stable-11146 and later) run as. */
export const JITSI_USER = 1000;

/**
 * The pod security context of every component: the jitsi images run rootless as `s6` (UID 1000), so the pods
 * run non-root with the runtime's default seccomp profile; `fsGroup` makes the emptyDirs theirs.
 */
const POD_SECURITY_CONTEXT = {
  runAsNonRoot: true,
  runAsUser: JITSI_USER,
  runAsGroup: JITSI_USER,
  fsGroup: JITSI_USER,
  seccompProfile: { type: 'RuntimeDefault' },
};

/** The container security context: no capabilities at all (every port is above 1024), read-only root. */
const CONTAINER_SECURITY_CONTEXT = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
};

/**
 * The standard values block of a component (image, resources, placement, security contexts, probes, service
 * account, extra env, volumes and containers, disruption budget), with the component's own figures.
 */
export const component = (defaults: {
  repository: string;
  requests: Record<string, string>;
  limits: Record<string, string>;
  readinessProbe: Record<string, unknown>;
  livenessProbe: Record<string, unknown>;
}) =>
  workloadValues({
    image: { repository: defaults.repository, tag: JITSI_RELEASE },
    resources: { requests: defaults.requests, limits: defaults.limits },
    podSecurityContext: POD_SECURITY_CONTEXT,
    containerSecurityContext: CONTAINER_SECURITY_CONTEXT,
    readinessProbe: defaults.readinessProbe,
    livenessProbe: defaults.livenessProbe,
    podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
    extraEnvDescription:
      'Extra environment variables of the container (docker-jitsi-meet settings the chart does not set), with `value` or `valueFrom`; an entry named like one the chart sets replaces it.',
  });

/** An IPv4 address. */
const ipv4 = () =>
  z.string().regex(/^((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])$/, 'must be an IPv4 address');

const turn = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe(
        "Hand the clients the shard's own STUN and TURN servers (such as the coturn chart's) with time-limited credentials, so that pupils behind firewalls that block UDP still get audio and video over TURN on TCP or TLS on 443.",
      ),
    hosts: z
      .array(hostname())
      .default([])
      .describe('Public host names (or IPs) of the TURN servers, as clients reach them; required with `enabled`.'),
    port: port().default(3478).describe('Port of TURN over UDP and TCP (`TURN_PORT`).'),
    transports: z
      .array(z.enum(['udp', 'tcp']))
      .min(1)
      .default(['udp', 'tcp'])
      .describe('Transports of plain TURN offered to clients (`TURN_TRANSPORT`).'),
    tls: z
      .strictObject({
        enabled: z
          .boolean()
          .default(true)
          .describe('Also offer TURN over TLS (`turns:`), the way through firewalls that allow only HTTPS.'),
        port: port().default(443).describe('Port of TURN over TLS (`TURNS_PORT`).'),
      })
      .prefault({})
      .describe('TURN over TLS.'),
    stun: z
      .strictObject({
        enabled: z
          .boolean()
          .default(true)
          .describe("Offer the first TURN host's STUN service to clients, also for peer-to-peer calls, instead of any third party's."),
        port: port().default(3478).describe('STUN port of the TURN servers (`STUN_PORT`).'),
      })
      .prefault({})
      .describe('STUN on the TURN servers.'),
    credentialTtl: z
      .number()
      .int()
      .min(600)
      .max(604800)
      .default(86400)
      .describe('Seconds a TURN credential prosody hands out stays valid (`TURN_TTL`).'),
    existingSecret: z
      .string()
      .default('')
      .describe(
        "Secret holding the TURN servers' shared secret (coturn's `static-auth-secret`); required with `enabled`. Prosody derives each credential from it; it never appears in values or in a ConfigMap.",
      ),
    secretKey: z.string().min(1).default('static-auth-secret').describe('Key of the shared secret in `existingSecret`.'),
  })
  .prefault({})
  .describe('STUN and TURN for clients behind restrictive firewalls.');

const web = z
  .strictObject({
    replicaCount: z.number().int().min(1).max(32).default(2).describe('Web (nginx + Jitsi Meet frontend) replicas.'),
    ...component({
      repository: 'ghcr.io/jitsi/web',
      requests: { cpu: '400m', memory: '300Mi' },
      limits: { memory: '300Mi' },
      // The image has no health endpoint; nginx answering the app page is the health signal.
      readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 5, failureThreshold: 3 },
      livenessProbe: { httpGet: { path: '/', port: 'http' }, initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 3 },
    }),
    welcomePage: z
      .boolean()
      .default(true)
      .describe('Show the welcome page (room name entry) at `/` (`ENABLE_WELCOME_PAGE`); off, `/` shows no way to open a room.'),
    defaultLanguage: z
      .string()
      .regex(/^([A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8})*)?$/, 'must be a language code such as de, en or ptBR')
      .default('')
      .describe('Language of the app when the browser gives none it supports (`DEFAULT_LANGUAGE`), e.g. `de`; empty: the image default.'),
    channelLastN: z
      .union([z.int().min(1), z.literal([-1, null])])
      .default(null)
      .describe(
        "The most video streams a participant receives: Jitsi Meet's `channelLastN`, written into the `config.js` the clients load as `config.channelLastN = <n>;`. null (nothing written) or -1: Jitsi Meet's default, unlimited. The main lever on bridge CPU: by the meetscale capacity model a class of 25 at 720p with unlimited streams does not fit an 8-core bridge; the meetscale state stacks are sized for 5. A ceiling the clients get in `config.js`, not a limit the bridges enforce (a client may ask for fewer, and Jitsi Meet lets a link's `#config.channelLastN=` override it).",
      ),
    customConfig: z
      .string()
      .default('')
      .describe(
        "JavaScript appended to the image's `config.js` (the image reads `/config/custom-config.js`, after the `channelLastN` line), e.g. `config.requireDisplayName = true;`: branding and any Jitsi Meet option the chart does not set.",
      ),
    customInterfaceConfig: z
      .string()
      .default('')
      .describe(
        "JavaScript appended to the image's `interface_config.js` (`/config/custom-interface_config.js`), for the options Jitsi Meet still reads from `interfaceConfig`.",
      ),
    nginxSnippet: z
      .string()
      .default('')
      .describe(
        "nginx directives included in the server block of the web image (`/config/nginx-custom/custom.conf`), before the image's own locations: an exact-match `location = /imprint { return 302 https://...; }`, extra headers. Tested with `nginx -t` only at start: a broken snippet keeps the new web pods from getting ready, and the rollout stops while the old pods serve on.",
      ),
    service: serviceValues({ port: 80, description: 'Service port (what the haproxy chart lists as the shard port).' }).describe(
      'The web Service, `<release>-jitsi-shard-web`: the shard endpoint the haproxy chart targets.',
    ),
    ingress: ingressValues({ path: '/' }).describe(
      'An Ingress straight to this shard, for a single-shard installation without HAProxy (the simplest install).',
    ),
    // The XMPP websocket lives as long as the conference and BOSH holds each request up to a minute: a Gateway's
    // default request timeout (Envoy's is 15 s) would cut both, so the route disables its timeouts.
    httpRoute: httpRouteValues({ path: '/', timeouts: { request: '0s', backendRequest: '0s' } }).describe(
      'A Gateway API HTTPRoute straight to this shard (TLS ends at the Gateway), the alternative to the Ingress for a single-shard installation. Timeouts are off (`0s`) by default: the XMPP websocket lasts as long as the conference and BOSH requests wait up to a minute.',
    ),
  })
  .prefault({})
  .describe('The Jitsi Meet frontend: static files, config.js, and the BOSH/websocket proxy to prosody.');

const prosody = z
  .strictObject({
    ...component({
      repository: 'ghcr.io/jitsi/prosody',
      requests: { cpu: '300m', memory: '300Mi' },
      limits: { memory: '300Mi' },
      // `/health` answers only 127.0.0.1 (mod_http_health), so the probes use BOSH and the XMPP port.
      readinessProbe: { httpGet: { path: '/http-bind', port: 'http' }, periodSeconds: 5, failureThreshold: 3 },
      livenessProbe: { tcpSocket: { port: 'xmpp-c2s' }, initialDelaySeconds: 15, periodSeconds: 10, failureThreshold: 3 },
    }),
    metricsAllowedCidr: ipv4Cidrs(POD_NETWORKS).describe(
      'Networks allowed to read prosody `/metrics`; must include the pod network Prometheus scrapes from.',
    ),
    persistence: z
      .strictObject({
        enabled: z
          .boolean()
          .default(false)
          .describe(
            "Keep prosody's data directory (`/var/lib/prosody`) on a PersistentVolumeClaim instead of an emptyDir: required with `auth.type: internal`, whose accounts live there. The chart's claim asks the cluster's default StorageClass for 1Gi; for anything else give `existingClaim`.",
          ),
        existingClaim: z
          .string()
          .default('')
          .describe(
            "A PersistentVolumeClaim of your own for prosody's data directory (another StorageClass or size, say): prosody mounts it, persistence on, and the chart creates none.",
          ),
      })
      .prefault({})
      .describe(
        "Prosody's data directory. The claim the chart creates is kept when the release is uninstalled (`helm.sh/resource-policy: keep`); prosody stays one replica, recreated on every change.",
      ),
    pluginsConfigMap: z
      .string()
      .default('')
      .describe(
        'A ConfigMap of yours holding prosody plugins (`kubectl create configmap --from-file=mod_<name>.lua`), mounted whole into `/prosody-plugins-custom`, the first of the plugin paths the image searches; enable them with `modules`. Prosody reads them at start: restart prosody after changing the ConfigMap.',
      ),
    modules: z
      .strictObject({
        global: moduleList('Modules enabled globally (`GLOBAL_MODULES`).'),
        main: moduleList('Modules enabled on the main XMPP domain, where the participants log in (`XMPP_MODULES`).'),
        muc: moduleList('Modules enabled on the conference rooms component (`XMPP_MUC_MODULES`).'),
        internalMuc: moduleList(
          'Modules enabled on the internal rooms component, such as the bridge brewery (`XMPP_INTERNAL_MUC_MODULES`).',
        ),
      })
      .prefault({})
      .describe("Prosody modules enabled besides the image's own: names without `mod_`, from the image or `pluginsConfigMap`."),
    trustedProxies: ipv4Cidrs(POD_NETWORKS).describe(
      "Networks prosody trusts as HTTP proxies (`PROSODY_TRUSTED_PROXIES`): from these it takes the client's address from `X-Forwarded-For`, which web's nginx sets on BOSH and websocket requests, so its logs and limits see clients rather than the web pods. Must include the pod network; anything that can reach prosody's port 5280 from these networks can claim any address (`networkPolicy.enabled` admits only web).",
    ),
  })
  .prefault({})
  .describe('Prosody, the XMPP server of the shard (one replica: XMPP sessions live in its memory).');

const jicofo = z
  .strictObject({
    ...component({
      repository: 'ghcr.io/jitsi/jicofo',
      // /about/health also fails while no bridge is operational ("No operational bridges available"): fine for
      // readiness, but as liveness it would restart jicofo in a loop until a bridge comes up. Liveness asks only
      // whether jicofo's REST port answers.
      readinessProbe: { httpGet: { path: '/about/health', port: 'http' }, periodSeconds: 5, failureThreshold: 3 },
      livenessProbe: { tcpSocket: { port: 'http' }, initialDelaySeconds: 30, periodSeconds: 10, failureThreshold: 3 },
      requests: { cpu: '400m', memory: '400Mi' },
      limits: { memory: '400Mi' },
    }),
    maxMemory: z
      .string()
      .regex(/^[0-9]+[mg]$/, 'must be a JVM size such as 300m')
      .default('300m')
      .describe('JVM heap limit (`JICOFO_MAX_MEMORY`); keep it below the memory limit.'),
  })
  .prefault({})
  .describe('Jicofo, the conference focus: places each conference on a bridge (one replica).');

const media = z
  .strictObject({
    mode: z
      .enum(['hostPort', 'nodePort'])
      .default('nodePort')
      .describe(
        '`nodePort`: bridge `i` listens on `nodePort.basePort + i` behind a NodePort Service of its own, so several bridges can share a node; runs under Pod Security `restricted`. `hostPort`: every bridge listens on `hostPort.port` of its node, one bridge per node, and the node-pool autoscaler adds nodes as bridges are added; host ports need a namespace at Pod Security `privileged`.',
      ),
    advertise: z
      .enum(['nodeIP', 'stun', 'publicAddresses'])
      .default('nodeIP')
      .describe(
        'Address the bridges announce to clients: `nodeIP`, the IP of the node the bridge runs on (IONOS public node pools give nodes public IPs); `stun`, whatever the STUN servers see (nodes behind NAT); `publicAddresses`, the addresses listed in `publicAddresses`. Bridges never announce their pod IPs.',
      ),
    stunServers: z
      .string()
      .regex(/^([a-z0-9.-]+:[0-9]+(,[a-z0-9.-]+:[0-9]+)*)?$/, 'must be host:port pairs, comma-separated')
      .default('')
      .describe(
        "STUN servers the bridges ask for their public address when `advertise` is `stun`. Empty: the shard's own STUN server (`turn.hosts[0]` on `turn.stun.port`); no third party's server is ever asked by default.",
      ),
    publicAddresses: z
      .strictObject({
        nodes: z
          .record(hostname().describe('Node name.'), ipv4().describe('Public IPv4 address of the node.'))
          .default({})
          .describe('Public address per node name: every bridge on that node announces it.'),
        bridges: z
          .record(
            z.string().regex(/^(0|[1-9][0-9]{0,2})$/, 'must be a bridge ordinal such as 0'),
            ipv4().describe('Public IPv4 address of the bridge.'),
          )
          .default({})
          .describe(
            "Public address per bridge ordinal (`nodePort` mode, where bridge `i` is the StatefulSet's pod `i`); wins over the node's entry.",
          ),
      })
      .prefault({})
      .describe(
        'The addresses bridges announce when `advertise` is `publicAddresses`: for nodes whose own addresses are private (behind 1:1 NAT). A bridge that finds no entry for itself or its node refuses to start, naming both.',
      ),
    hostPort: z
      .strictObject({
        port: port().default(10000).describe('UDP port on the node, the same for every bridge.'),
      })
      .prefault({})
      .describe('The `hostPort` mode.'),
    nodePort: z
      .strictObject({
        basePort: z
          .number()
          .int()
          .min(30000)
          .max(32767)
          .default(30300)
          .describe(
            'NodePort of bridge 0; bridge `i` uses `basePort + i`. Give every shard its own range (shard 0: 30300, shard 1: 30400, ...) and keep `basePort + maximum bridges - 1` within the cluster NodePort range (30000-32767).',
          ),
      })
      .prefault({})
      .describe('The `nodePort` mode.'),
  })
  .prefault({})
  .describe('How clients reach the bridges over UDP.');

const autoscaling = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Scale the bridges with a HorizontalPodAutoscaler (otherwise `jvb.replicaCount`).'),
    minReplicas: z.number().int().min(1).max(100).default(1).describe('Fewest bridges.'),
    maxReplicas: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(10)
      .describe('Most bridges; in `nodePort` mode also the number of NodePort Services rendered.'),
    metric: z
      .enum(['cpu', 'jvbStress', 'networkTransmit'])
      .default('cpu')
      .describe(
        "`cpu`: CPU utilisation of the bridges (needs only metrics-server). `jvbStress`: the bridges' own `jitsi_jvb_stress`, and `networkTransmit`: per-pod transmitted bytes per second, both Pods metrics of the custom metrics API served by prometheus-adapter (metric names in the chart README).",
      ),
    targetCPUUtilizationPercentage: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(60)
      .describe('Average CPU utilisation (of the requests) the `cpu` metric aims at.'),
    targetJvbStress: quantity()
      .default('600m')
      .describe('Average `jitsi_jvb_stress` the `jvbStress` metric aims at (`600m` = 0.6; 1.0 is a saturated bridge).'),
    targetNetworkTransmit: quantity()
      .default('100k')
      .describe('Average bytes per second a bridge sends that the `networkTransmit` metric aims at (HPI ran 100 kB/s).'),
    customMetrics: z
      .strictObject({
        jvbStress: metricName(CUSTOM_METRICS.jvbStress, "Name under which the custom metrics API serves the bridges' `jitsi_jvb_stress`."),
        networkTransmit: metricName(
          CUSTOM_METRICS.networkTransmit,
          "Name under which the custom metrics API serves a pod's transmitted bytes per second (a rate of `container_network_transmit_bytes_total`).",
        ),
      })
      .prefault({})
      .describe('Pods metric names, as your prometheus-adapter rules name them (see the README).'),
    behavior: z
      .strictObject({
        scaleUp: scalingRules({ window: 60, pods: 2, period: 60 }, 'Scale-up: fast, since a new bridge takes a minute to join.'),
        scaleDown: scalingRules(
          { window: 900, pods: 1, period: 300 },
          'Scale-down: slow, one bridge at a time; a removed bridge drains its conferences first.',
        ),
      })
      .prefault({})
      .describe('Scale-up and scale-down behaviour (autoscaling/v2 `behavior`).'),
  })
  .prefault({})
  .describe('The bridge autoscaler.');

/** Bridge selection strategies of jicofo that may place one conference on several bridges. */
export const CASCADING_STRATEGIES = [
  'IntraRegionBridgeSelectionStrategy',
  'RegionBasedBridgeSelectionStrategy',
  'SplitBridgeSelectionStrategy',
] as const;

const cascading = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe(
        "Let one conference span several bridges of the shard (bridge-to-bridge relays, the successor of Octo): jicofo adds a bridge to a conference when its bridge is full or stressed. Sets `ENABLE_OCTO` on jicofo and the bridges; with `networkPolicy.enabled`, the bridges then admit each other's media.",
      ),
    region: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a lower-case region name')
      .default('default')
      .describe('Region of jicofo and every bridge of the shard (`JICOFO_OCTO_REGION`, `JVB_OCTO_REGION`): one region per shard.'),
    selectionStrategy: z
      .enum(CASCADING_STRATEGIES)
      .default('IntraRegionBridgeSelectionStrategy')
      .describe(
        'How jicofo picks a bridge for a participant (`OCTO_BRIDGE_SELECTION_STRATEGY`): `IntraRegionBridgeSelectionStrategy` keeps a conference on one bridge until that bridge is full (`maxBridgeParticipants`) or stressed; `SplitBridgeSelectionStrategy` puts every participant on another bridge (for testing only).',
      ),
    maxBridgeParticipants: z
      .number()
      .int()
      .min(0)
      .max(10000)
      .default(0)
      .describe(
        'Participants per bridge after which jicofo adds another bridge to a conference (`MAX_BRIDGE_PARTICIPANTS`); 0: no limit, only the bridge stress counts.',
      ),
  })
  .prefault({})
  .describe('Cascading: conferences larger than one bridge.');

const jvbWorkload = component({
  repository: 'ghcr.io/jitsi/jvb',
  readinessProbe: { httpGet: { path: '/about/health', port: 'http' }, periodSeconds: 5, failureThreshold: 3 },
  livenessProbe: { httpGet: { path: '/about/health', port: 'http' }, initialDelaySeconds: 30, periodSeconds: 10, failureThreshold: 3 },
  requests: { cpu: '8', memory: '1000Mi' },
  limits: { cpu: '8', memory: '2000Mi' },
});

const jvb = z
  .strictObject({
    replicaCount: z.number().int().min(0).max(100).default(1).describe('Bridges when `autoscaling.enabled` is false.'),
    ...jvbWorkload,
    // A toleration of a taint no node has changes nothing, so the bridges may always run on the media pool.
    tolerations: jvbWorkload.tolerations
      .unwrap()
      .default([{ ...MEDIA_TOLERATION }])
      .describe(
        `Tolerations for node taints; by default the media pool's taint (\`${MEDIA_TOLERATION.key}=${MEDIA_TOLERATION.value}:${MEDIA_TOLERATION.effect}\`). A list you give replaces the default: keep that entry to let the bridges run on media nodes.`,
      ),
    affinity: jvbWorkload.affinity.describe(
      `Pod affinity rules (Kubernetes \`affinity\` object), passed through whole. Empty: the bridges prefer nodes labelled \`${POOL_LABEL}=${MEDIA_POOL_LABELS[POOL_LABEL]}\` (harmless without that pool; set \`nodeSelector\` to require them) and, in hostPort mode, run one per node. An affinity you give replaces both.`,
    ),
    maxMemory: z
      .string()
      .regex(/^[0-9]+[mg]$/, 'must be a JVM size such as 1500m')
      .default('1500m')
      .describe('JVM heap limit (`VIDEOBRIDGE_MAX_MEMORY`); keep it below the memory limit.'),
    media,
    autoscaling,
    gracefulShutdown: z
      .strictObject({
        terminationGracePeriodSeconds: z
          .number()
          .int()
          .min(30)
          .max(86400)
          .default(7200)
          .describe(
            'Longest a stopping bridge waits for its conferences to end before it is killed: two hours cover a double lesson (90 minutes) that began just before the bridge was asked to stop.',
          ),
        pollSeconds: z.number().int().min(1).max(300).default(10).describe('How often the preStop hook counts the participants left.'),
      })
      .prefault({})
      .describe(
        'Scale-down and rollout without cutting a lesson: the preStop hook asks the bridge to shut down gracefully (jicofo places no new conferences there) and waits until no participant is left.',
      ),
    cascading,
  })
  .prefault({})
  .describe('The videobridges (JVB): a pool that routes the media, scaled by the autoscaler.');

/** The values of the jitsi-shard chart. */
export const jitsiShardValues = z.strictObject({
  ...baseValues,
  domain: hostname()
    .default('meet.example.org')
    .describe('Public hostname users open (`PUBLIC_URL` is `https://<domain>`); the same for every shard behind one HAProxy.'),
  clusterDomain: hostname()
    .default('cluster.local')
    .describe(
      'Cluster DNS domain. The prosody address is fully qualified (`<service>.<namespace>.svc.<clusterDomain>`) because nginx in the web image resolves it at run time without search domains.',
    ),
  timezone: z
    .string()
    .regex(/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/, 'must be a tz database name such as Europe/Berlin')
    .default('Europe/Berlin')
    .describe('Time zone of the components (logs).'),
  xmpp: z
    .strictObject({
      domain: xmppDomain('meet.jitsi', 'Main XMPP domain (internal; not resolved by DNS).'),
      authDomain: xmppDomain('auth.meet.jitsi', 'XMPP domain of the jicofo and bridge accounts.'),
      mucDomain: xmppDomain('muc.meet.jitsi', 'XMPP domain of the conference rooms.'),
      internalMucDomain: xmppDomain('internal-muc.meet.jitsi', 'XMPP domain of the internal rooms, such as the bridge brewery.'),
      guestDomain: xmppDomain('guest.meet.jitsi', 'XMPP domain of guests when JWT authentication admits them.'),
      breweryMuc: z
        .string()
        .regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be a lower-case room name')
        .default('jvbbrewery')
        .describe('The room every bridge of the shard joins so that jicofo finds it.'),
    })
    .prefault({})
    .describe('XMPP domains inside the shard.'),
  credentials: z
    .strictObject({
      existingSecret: z
        .string()
        .default('')
        .describe(
          'Secret with keys `jicofo-auth-password` and `jvb-auth-password` for the XMPP accounts of jicofo and the bridges. Empty: the chart generates them on first install and keeps them on upgrade.',
        ),
    })
    .prefault({})
    .describe('XMPP credentials of jicofo and the bridges.'),
  auth: z
    .strictObject({
      type: z
        .enum(['anonymous', 'jwt', 'ldap', 'internal'])
        .default('anonymous')
        .describe(
          '`anonymous`: anyone with the link joins; `jwt`: a signed token (from the school platform) is required; `ldap`: a user name and password checked against `auth.ldap`; `internal`: accounts kept by prosody itself (needs `prosody.persistence`).',
        ),
      enableGuests: z.boolean().default(false).describe('With `jwt`, let people without a token join rooms a token holder has opened.'),
      jwt: z
        .strictObject({
          appId: z
            .string()
            .regex(/^[A-Za-z0-9._-]+$/, 'must be an application id')
            .default('meetscale')
            .describe('Application id the tokens carry (`JWT_APP_ID`).'),
          existingSecret: z
            .string()
            .default('')
            .describe('Secret holding the token signing secret (`JWT_APP_SECRET`); required with `auth.type: jwt`.'),
          secretKey: z.string().min(1).default('jwt-app-secret').describe('Key of the signing secret in `existingSecret`.'),
          acceptedIssuers: z.array(z.string().min(1)).default([]).describe('Token issuers accepted; empty accepts any.'),
          acceptedAudiences: z.array(z.string().min(1)).default([]).describe('Token audiences accepted; empty accepts any.'),
        })
        .prefault({})
        .describe('JWT token authentication.'),
      ldap: z
        .strictObject({
          url: z
            .string()
            .default('')
            .describe('LDAP server(s) (`LDAP_URL`), e.g. `ldaps://ldap.schule.example.org`; required with `auth.type: ldap`.'),
          base: z
            .string()
            .default('')
            .describe('Search base of the users (`LDAP_BASE`), e.g. `ou=people,dc=schule,dc=example,dc=org`; required with `ldap`.'),
          filter: z.string().min(1).default('uid=%u').describe('Filter finding a user, `%u` the name typed at login (`LDAP_FILTER`).'),
          bindDn: z.string().default('').describe('DN to bind as for the search (`LDAP_BINDDN`); empty: bind anonymously.'),
          existingSecret: z
            .string()
            .default('')
            .describe('Secret holding the bind password (`LDAP_BINDPW`); required when `bindDn` is set.'),
          secretKey: z.string().min(1).default('ldap-bind-password').describe('Key of the bind password in `existingSecret`.'),
          startTls: z.boolean().default(false).describe('Upgrade an `ldap://` connection with StartTLS (`LDAP_START_TLS`).'),
        })
        .prefault({})
        .describe("LDAP authentication through the prosody image's saslauthd."),
    })
    .prefault({})
    .describe('Who may open and join conferences.'),
  turn,
  shardName: z
    .string()
    .regex(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)?$/, 'must be a lower-case name such as shard-0')
    .default('')
    .describe(
      "This shard's name in the haproxy chart's `shards` list; empty: the release name. Etherpad and the whiteboard carry it in their public URLs, so HAProxy sends them to this shard.",
    ),
  imagePullSecrets: imagePullSecrets(),
  web,
  prosody,
  jicofo,
  jvb,
  etherpad: etherpadValues,
  whiteboard: whiteboardValues,
  metrics: z
    .strictObject({
      serviceMonitor: serviceMonitorValues().describe('ServiceMonitor for jicofo and prosody (Prometheus operator).'),
      podMonitor: z
        .strictObject({
          enabled: z.boolean().default(false).describe('Create a PodMonitor for the bridges (each bridge is scraped on its own).'),
          interval: promDuration().default('30s').describe('Scrape interval.'),
          scrapeTimeout: promDuration().default('10s').describe('Scrape timeout.'),
          labels: stringMap('Extra labels, e.g. the `release` label your Prometheus selects PodMonitors by.'),
        })
        .prefault({})
        .describe('PodMonitor for the bridges (Prometheus operator).'),
    })
    .prefault({})
    .describe('Prometheus metrics, served by the bridges, jicofo and prosody themselves.'),
  networkPolicy: z
    .strictObject({
      enabled: z
        .boolean()
        .default(false)
        .describe(
          'Admit only the flows a shard needs: the ingress controller and HAProxy to web, web, jicofo and the bridges to prosody, UDP media from anywhere to the bridges, metrics from the monitoring namespace.',
        ),
      ingressNamespaceSelector: stringMap(
        'Labels of the namespace of the ingress controller or of the Gateway proxies (allowed to reach web).',
      ).default({
        'kubernetes.io/metadata.name': 'ingress-nginx',
      }),
      haproxyPodSelector: stringMap('Labels of the HAProxy pods in the release namespace (allowed to reach web).').default({
        'app.kubernetes.io/name': 'haproxy',
      }),
      monitoringNamespaceSelector: stringMap('Labels of the namespace Prometheus scrapes from.').default({
        'kubernetes.io/metadata.name': 'monitoring',
      }),
      clusterNetworks: z
        .array(z.string().regex(/^([0-9]{1,3}\.){3}[0-9]{1,3}\/[0-9]{1,2}$/, 'must be an IPv4 CIDR'))
        .default(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'])
        .describe(
          "IPv4 networks of the cluster's pods and nodes. The bridges admit media from every IPv4 address outside them (clients reach the bridges from public addresses), and from inside them only from other bridges of the shard, and only with `jvb.cascading.enabled`. Clients on a private network need their range removed here.",
        ),
    })
    .prefault({})
    .describe('NetworkPolicies for every component of the shard.'),
});

/** Values of the jitsi-shard chart after defaults are applied. */
export type JitsiShardValues = z.output<typeof jitsiShardValues>;
