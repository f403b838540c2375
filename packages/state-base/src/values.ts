import { baseValues, hostname, stringMap, workloadValues } from '@meetscale/chart-toolkit';
import { MEDIA_NODE_SELECTOR, MEDIA_TAINT, MEDIA_TOLERATION, POOL_LABEL } from '@meetscale/placement';
import { KUBERNETES } from '@meetscale/platform-versions';
import { z } from 'zod';

/** The user and group the taint's containers run as (no root; the kubectl image needs no particular user). */
export const NODE_TAINT_USER = 65532;

/** A DNS label: a namespace or listener name. */
const dnsLabel = (): z.ZodString =>
  z
    .string()
    .max(63)
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a lower-case DNS label');

/** A DNS subdomain name (a GatewayClass, a ClusterIssuer); empty where the chart names the object. */
const objectName = (): z.ZodString =>
  z
    .string()
    .max(253)
    .regex(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?)?$/, 'must be empty or a DNS subdomain name');

/** An Envoy Gateway duration (`30s`, `1h`, `1h30m`). */
const envoyDuration = (): z.ZodString => z.string().regex(/^([0-9]{1,5}(h|m|s|ms)){1,4}$/, 'must be a duration such as 30s, 5m or 2h');

const podSecurityLevel = z.enum(['restricted', 'baseline', 'privileged']);

const namespace = z.strictObject({
  name: dnsLabel().describe('Namespace name.'),
  podSecurity: podSecurityLevel
    .default('restricted')
    .describe(
      'Pod Security Standards level the namespace enforces (`pod-security.kubernetes.io/enforce`); `warn` and `audit` stay at `restricted`, so every pod beyond that level is reported.',
    ),
  labels: stringMap('More labels of the namespace.'),
});

const taintWorkload = workloadValues({
  image: { repository: 'registry.k8s.io/kubectl', tag: `v${KUBERNETES.release}` },
  resources: { requests: { cpu: '1m', memory: '8Mi' }, limits: { cpu: '10m', memory: '16Mi' } },
  podSecurityContext: {
    runAsNonRoot: true,
    runAsUser: NODE_TAINT_USER,
    runAsGroup: NODE_TAINT_USER,
    seccompProfile: { type: 'RuntimeDefault' },
  },
  containerSecurityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
  serviceAccount: { create: true },
  extraEnvDescription: 'Extra environment variables of the idle container (`value` or `valueFrom`).',
});

const mediaNodeTaint = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe('Run the DaemonSet that taints the media nodes (for node pools that cannot carry taints themselves).'),
    taint: z
      .strictObject({
        key: z
          .string()
          .max(316)
          .regex(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, 'must be a label key')
          .default(MEDIA_TAINT.key)
          .describe('Taint key.'),
        value: z
          .string()
          .max(63)
          .regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/, 'must be a label value')
          .default(MEDIA_TAINT.value)
          .describe('Taint value.'),
        effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).default(MEDIA_TAINT.effect).describe('Taint effect.'),
      })
      .prefault({})
      .describe('The taint each selected node gets; the pods tolerate it.'),
    ...taintWorkload,
    nodeSelector: taintWorkload.nodeSelector
      .unwrap()
      .default({ ...MEDIA_NODE_SELECTOR })
      .describe(`The nodes to taint: by default the media pool (\`${POOL_LABEL}=${MEDIA_NODE_SELECTOR[POOL_LABEL]}\`).`),
    tolerations: taintWorkload.tolerations
      .unwrap()
      .default([{ ...MEDIA_TOLERATION }])
      .describe('Tolerations of the pods; keep the one of the taint they apply, or they leave the nodes they tainted.'),
  })
  .prefault({})
  .describe(
    'A DaemonSet that taints the nodes it runs on (`kubectl taint`) and then idles, with a ServiceAccount that may only read and patch nodes. A pod is Ready only once its node carries the taint, so `helm install --wait` returns when every selected node is tainted.',
  );

const gateway = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe('Create the Gateway (with its GatewayClass and EnvoyProxy), the HTTP-to-HTTPS redirect and the client timeouts.'),
    name: objectName().default('').describe('Gateway name; empty for `<fullname>`.'),
    annotations: stringMap('More Gateway annotations.'),
    hostnames: z
      .array(hostname())
      .max(64)
      .default([])
      .describe(
        'Host names served over HTTPS, one listener each (`https-<index>`, port 443), all with the certificate of `tls.secretName`.',
      ),
    tls: z
      .strictObject({
        secretName: objectName().default('').describe('Secret of the certificate of every HTTPS listener; empty for `<fullname>-tls`.'),
        clusterIssuer: objectName()
          .default('')
          .describe(
            'cert-manager ClusterIssuer that issues that certificate (`cert-manager.io/cluster-issuer` on the Gateway); empty for the ClusterIssuer of `clusterIssuer` when enabled, and none otherwise (bring the Secret yourself).',
          ),
      })
      .prefault({})
      .describe('TLS of the HTTPS listeners.'),
    routeNamespaceSelector: stringMap(
      'Labels of the namespaces whose HTTPRoutes may attach to the HTTPS listeners; empty for every namespace. The HTTP listener only takes routes of the Gateway namespace (the redirect and the ACME solver).',
    ),
    gatewayClass: z
      .strictObject({
        create: z.boolean().default(true).describe('Create the GatewayClass (cluster-wide) with the EnvoyProxy as its parameters.'),
        name: objectName().default('').describe('GatewayClass name; empty for `<fullname>`.'),
        controllerName: z
          .string()
          .max(253)
          .default('gateway.envoyproxy.io/gatewayclass-controller')
          .describe('Controller of the GatewayClass: Envoy Gateway.'),
      })
      .prefault({})
      .describe('The GatewayClass of the Gateway.'),
    proxy: z
      .strictObject({
        replicas: z.number().int().min(1).max(32).default(2).describe('Envoy proxy replicas.'),
        loadBalancerIP: z
          .string()
          .regex(/^((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])$|^$/, 'must be an IPv4 address or empty')
          .default('')
          .describe("Public IP of the proxies' LoadBalancer Service (a reserved IP); empty for one the cloud picks."),
        externalTrafficPolicy: z
          .enum(['Local', 'Cluster'])
          .default('Local')
          .describe('`Local` keeps the clients’ source addresses (HAProxy and the logs see them).'),
        nodeSelector: stringMap('Node labels the proxies must run on.'),
        resources: z
          .record(z.string(), z.unknown())
          .default({ requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } })
          .describe('Resources of the proxy container.'),
      })
      .prefault({})
      .describe('The Envoy proxies of the Gateway (an EnvoyProxy resource of Envoy Gateway).'),
    timeouts: z
      .strictObject({
        idle: envoyDuration().default('2h').describe('Idle time after which a client connection is closed (Envoy default: 1h).'),
        streamIdle: envoyDuration()
          .default('2h')
          .describe(
            'Idle time after which one request or websocket is closed (Envoy default: 5m, shorter than a lesson with a quiet websocket).',
          ),
      })
      .prefault({})
      .describe('Client connection timeouts (an Envoy Gateway ClientTrafficPolicy on the Gateway).'),
  })
  .prefault({})
  .describe('The state’s entry point: a Gateway API Gateway served by Envoy Gateway.');

const clusterIssuer = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe("Create a cert-manager ACME ClusterIssuer answering HTTP-01 challenges through the Gateway's HTTP listener."),
    name: objectName().default('letsencrypt').describe('ClusterIssuer name (cluster-wide: one per cluster).'),
    server: z
      .string()
      .regex(/^https:\/\/[^\s/]+(\/[^\s]*)?$/, 'must be an https:// URL')
      .default('https://acme-v02.api.letsencrypt.org/directory')
      .describe("ACME directory URL: Let's Encrypt production by default; its staging directory for trials."),
    email: z
      .union([z.email(), z.literal('')])
      .default('')
      .describe('Contact e-mail of the ACME account, where the ACME server warns of expiring certificates; empty for none.'),
    privateKeySecretName: objectName()
      .default('')
      .describe('Secret in the cert-manager namespace holding the ACME account key; empty for `<name>-account-key`.'),
    solverNodeSelector: stringMap('Node labels the HTTP-01 solver pods must run on.'),
  })
  .prefault({})
  .describe('Certificates from an ACME server (Let’s Encrypt) for the Gateway.');

/** The values of the state-base chart: every field has a description and a default. */
export const stateBaseValues = z.strictObject({
  ...baseValues,
  namespaces: z
    .array(namespace)
    .max(64)
    .default([])
    .describe(
      'Namespaces created with their Pod Security labels. Helm keeps them when the release goes (`helm.sh/resource-policy: keep`): deleting a namespace deletes everything in it.',
    ),
  mediaNodeTaint,
  gateway,
  clusterIssuer,
});

/** Values of the state-base chart after defaults are applied. */
export type StateBaseValues = z.output<typeof stateBaseValues>;
