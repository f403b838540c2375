import {
  baseValues,
  existingSecretValue,
  hostname,
  type PodSecurityLevel,
  port,
  serviceMonitorValues,
  stringMap,
  workloadValues,
} from '@meetscale/chart-toolkit';
import { z } from 'zod';

/**
 * UID and GID of the upstream image's user: `USER nobody:nogroup` in coturn's `docker/coturn/debian/Dockerfile`
 * (tag `docker/4.17.0-r0`), the Debian `nobody` (65534) and `nogroup` (65534).
 */
export const COTURN_USER = 65534;

/**
 * One peer address or range as coturn's `denied-peer-ip` takes it: an IPv4 or IPv6 address, or `first-last`.
 * coturn parses no CIDR notation (`add_ip_list_range` in `src/apps/relay/userdb.c` splits at `-` only).
 */
const peerRange = () =>
  z
    .string()
    .max(80)
    .regex(
      /^([0-9]{1,3}(\.[0-9]{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)(-([0-9]{1,3}(\.[0-9]{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*))?$/,
      'must be an IP address or a range first-last (coturn takes no CIDR notation)',
    );

/**
 * Peer ranges TURN must never relay to, so that an authenticated client cannot use the relay to reach the
 * cluster, the node or anything else not public: "this" network, RFC 1918, loopback, link-local, CGNAT (RFC 6598),
 * IETF protocol assignments, the benchmark range, and their IPv6 counterparts (unique local, link-local, the
 * IPv4-mapped and NAT64 prefixes). Multicast is refused by `no-multicast-peers`.
 */
export const DEFAULT_DENIED_PEER_IPS: readonly string[] = [
  '0.0.0.0-0.255.255.255',
  '10.0.0.0-10.255.255.255',
  '100.64.0.0-100.127.255.255',
  '127.0.0.0-127.255.255.255',
  '169.254.0.0-169.254.255.255',
  '172.16.0.0-172.31.255.255',
  '192.0.0.0-192.0.0.255',
  '192.168.0.0-192.168.255.255',
  '198.18.0.0-198.19.255.255',
  '::-::1',
  '::ffff:0.0.0.0-::ffff:255.255.255.255',
  '64:ff9b::-64:ff9b::ffff:ffff',
  'fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
  'fe80::-febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
];

/** How clients reach coturn. */
export const EXPOSURE_MODES = ['service', 'hostNetwork'] as const;

/** The Pod Security level each exposure mode needs: the host's network namespace is `privileged` only. */
export const EXPOSURE_POD_SECURITY = {
  service: 'restricted',
  hostNetwork: 'privileged',
} as const satisfies Record<(typeof EXPOSURE_MODES)[number], PodSecurityLevel>;

const exposure = z
  .strictObject({
    mode: z
      .enum(EXPOSURE_MODES)
      .default('service')
      .describe(
        "`hostNetwork`: one coturn per selected node in the node's network namespace, listening and relaying on the node's own addresses (IONOS: a dedicated public node pool; needs Pod Security `privileged`). `service`: the pods behind the `service` Service (Pod Security `restricted`); the relay addresses are then the pods' own, reachable from inside the cluster only, so a peer must be in the cluster (a bridge).",
      ),
    externalIp: z
      .string()
      .max(100)
      .regex(
        /^(([0-9]{1,3}(\.[0-9]{1,3}){3})(\/[0-9]{1,3}(\.[0-9]{1,3}){3})?)?$/,
        'must be empty, an IPv4 address, or public/private IPv4 addresses',
      )
      .default('')
      .describe(
        "coturn's `external-ip`: the public address it announces when it sits behind NAT, as `public` or `public/private`; empty when the listening address is public (IONOS public node pools).",
      ),
  })
  .prefault({})
  .describe('How clients reach coturn and which addresses its relays announce.');

const ports = z
  .strictObject({
    turn: port().default(3478).describe('STUN and TURN over UDP and TCP (`listening-port`).'),
    tls: port()
      .default(5349)
      .describe(
        'TURN over TLS (TCP) and DTLS (UDP) (`tls-listening-port`). With `exposure.mode: hostNetwork`, set 443 for networks that pass only HTTPS (ports below 1024 need the `NET_BIND_SERVICE` capability, see the README); with `service`, the Service serves it on `service.tlsPort`.',
      ),
    metrics: port().default(9641).describe("coturn's Prometheus exporter (`prometheus-port`), when `metrics.enabled`."),
  })
  .prefault({})
  .describe('Ports coturn listens on (on the node itself with `exposure.mode: hostNetwork`).');

const relay = z
  .strictObject({
    minPort: z.number().int().min(1024).max(65535).default(49152).describe('Lowest UDP port of relay allocations (`min-port`).'),
    maxPort: z.number().int().min(1024).max(65535).default(65535).describe('Highest UDP port of relay allocations (`max-port`).'),
    deniedPeerIps: z
      .array(peerRange())
      .max(64)
      .default([...DEFAULT_DENIED_PEER_IPS])
      .describe(
        'Peer addresses TURN never relays to (`denied-peer-ip`): private, loopback, link-local, CGNAT and their IPv6 counterparts, so that no client reaches in-cluster services through the relay. Addresses or `first-last` ranges; coturn takes no CIDR.',
      ),
    extraDeniedPeerIps: z
      .array(peerRange())
      .max(64)
      .default([])
      .describe(
        "More denied peers: the cluster's pod and Service ranges when they lie outside the private ranges above, a node pool's public addresses.",
      ),
  })
  .prefault({})
  .describe('Relay allocations and the peers they may reach.');

const auth = z
  .strictObject({
    existingSecret: existingSecretValue(
      'Secret holding the shared TURN secret (`use-auth-secret`), which prosody signs the time-limited credentials with; empty to generate one on first install and keep it across upgrades.',
    ),
    secretKey: z
      .string()
      .regex(/^[-._a-zA-Z0-9]+$/, 'must be a Secret key')
      .max(253)
      .default('static-auth-secret')
      .describe('Key of the shared secret in that Secret (and in the generated one).'),
  })
  .prefault({})
  .describe('Shared-secret authentication (the TURN REST API scheme): no user list, credentials prosody computes.');

const tls = z
  .strictObject({
    mode: z
      .enum(['certManager', 'existingSecret'])
      .default('existingSecret')
      .describe(
        '`existingSecret`: a `kubernetes.io/tls` Secret you provide (`existingSecret`); `certManager`: a cert-manager Certificate for `hostname` from `issuerRef` (needs cert-manager, as the state stacks have it). The default renders no custom resource, so the chart installs on a cluster without cert-manager.',
      ),
    issuerRef: z
      .strictObject({
        name: z
          .string()
          .min(1)
          .max(253)
          .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a DNS subdomain name')
          .default('letsencrypt')
          .describe("The issuer's name (state-base's ClusterIssuer is `letsencrypt` by default)."),
        kind: z.enum(['ClusterIssuer', 'Issuer']).default('ClusterIssuer').describe('The issuer kind.'),
      })
      .prefault({})
      .describe('The cert-manager issuer of the Certificate (`mode: certManager`).'),
    existingSecret: existingSecretValue(
      'The `kubernetes.io/tls` Secret with `tls.crt` and `tls.key` (`mode: existingSecret`); empty for `<fullname>-tls`.',
    ),
  })
  .prefault({})
  .describe('The certificate of TURN over TLS (`cert` and `pkey`).');

const service = z
  .strictObject({
    type: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer']).default('ClusterIP').describe('Service type (`exposure.mode: service`).'),
    port: port().default(3478).describe('Port of STUN and TURN over UDP and TCP.'),
    tlsPort: port().default(443).describe('Port of TURN over TLS, forwarded to `ports.tls`.'),
    loadBalancerIP: z
      .string()
      .regex(/^([0-9]{1,3}(\.[0-9]{1,3}){3})?$/, 'must be empty or an IPv4 address')
      .default('')
      .describe('A reserved address for a LoadBalancer Service; empty for one the provider picks.'),
    annotations: stringMap('Service annotations.'),
    labels: stringMap('Extra Service labels.'),
  })
  .prefault({})
  .describe('The Service in front of the pods, with `exposure.mode: service` only.');

const metrics = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe(
        "Serve coturn's Prometheus metrics (`prometheus`) on `ports.metrics`, path `/metrics`; in the host network on every address of the node, so keep that port closed to the outside (see the README).",
      ),
    podMonitor: serviceMonitorValues().describe(
      'Prometheus operator PodMonitor scraping the pods (they may run in the host network); needs `metrics.enabled`.',
    ),
  })
  .prefault({})
  .describe('Prometheus metrics.');

/** Destinations a relay never reaches, as NetworkPolicy `ipBlock.except` CIDRs (the IPv4 ranges above). */
export const DEFAULT_DENIED_EGRESS_CIDRS: readonly string[] = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
];

const cidr = () => z.string().regex(/^[0-9]{1,3}(\.[0-9]{1,3}){3}\/[0-9]{1,2}$/, 'must be an IPv4 CIDR such as 10.0.0.0/8');

const networkPolicy = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe(
        'With `exposure.mode: service` (a NetworkPolicy does not apply to pods in the host network): admit TURN from anywhere and metrics from the monitoring namespace only, and let relays reach public addresses only, a second fence behind `relay.deniedPeerIps`.',
      ),
    monitoringNamespaceSelector: stringMap('Labels of the namespace Prometheus scrapes from.').default({
      'kubernetes.io/metadata.name': 'monitoring',
    }),
    deniedEgressCidrs: z
      .array(cidr())
      .max(64)
      .default([...DEFAULT_DENIED_EGRESS_CIDRS])
      .describe('IPv4 ranges the pods may not send to (`ipBlock.except` of the egress rule): add the cluster ranges outside them.'),
  })
  .prefault({})
  .describe('NetworkPolicy for the coturn pods.');

/** The values of the coturn chart: every field has a description and a default. */
export const coturnValues = z.strictObject({
  ...baseValues,
  hostname: hostname()
    .default('turn.example.org')
    .describe('Public DNS name of the TURN service: the TLS certificate name and, unless `realm` is set, the realm.'),
  realm: z
    .string()
    .max(253)
    .regex(/^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*)?$/, 'must be empty or a lower-case DNS name')
    .default('')
    .describe('TURN realm (`realm`); empty for `hostname`.'),
  exposure,
  ports,
  relay,
  auth,
  tls,
  service,
  metrics,
  networkPolicy,
  extraConfig: z
    .array(
      z
        .string()
        .max(500)
        .regex(/^[a-z][-a-z0-9_]*(=[^\n]*)?$/, 'must be one coturn option, `name` or `name=value`'),
    )
    .max(64)
    .default([])
    .describe('More `turnserver.conf` lines (`user-quota=12`, `max-bps=3000000`), appended after the chart’s own.'),
  // image, resources, placement, security contexts, probes, service account and every escape hatch
  ...workloadValues({
    image: { repository: 'coturn/coturn', tag: '4.17.0-r0' },
    resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '512Mi' } },
    podSecurityContext: {
      runAsNonRoot: true,
      runAsUser: COTURN_USER,
      runAsGroup: COTURN_USER,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    containerSecurityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
    livenessProbe: { tcpSocket: { port: 'turn-tcp' }, periodSeconds: 10, failureThreshold: 3 },
    readinessProbe: { tcpSocket: { port: 'turn-tcp' }, periodSeconds: 5 },
  }),
});

/** Values of the coturn chart after defaults are applied. */
export type CoturnValues = z.output<typeof coturnValues>;
