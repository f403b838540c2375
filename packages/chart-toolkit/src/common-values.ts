import { z } from 'zod';

/**
 * zod building blocks for the values every meetscale chart shares, named as `helm create` names them.
 * Each returns a fresh schema with descriptions and defaults, so a chart composes them and overrides
 * defaults where its component needs other figures.
 */

/** An RFC 1123 DNS name (a hostname or a Service's DNS name). */
export const hostname = (): z.ZodString =>
  z
    .string()
    .min(1)
    .max(253)
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/, 'must be a lower-case DNS name');

/** A TCP/UDP port. */
export const port = (): z.ZodNumber => z.number().int().min(1).max(65535);

/** A Kubernetes resource quantity such as `500m`, `1`, `256Mi`. */
export const quantity = (): z.ZodString =>
  z.string().regex(/^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/, 'must be a Kubernetes quantity such as 500m or 256Mi');

/** A Kubernetes label value (may be empty). */
export const labelValue = (): z.ZodString =>
  z
    .string()
    .max(63)
    .regex(/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/, 'must be a Kubernetes label value');

/** A free-form string map such as labels, annotations or a nodeSelector. */
export const stringMap = (description: string): z.ZodDefault<z.ZodRecord<z.ZodString, z.ZodString>> =>
  z.record(z.string(), z.string()).default({}).describe(description);

/** Names of Secrets holding registry credentials. */
export const imagePullSecrets = () =>
  z
    .array(z.strictObject({ name: z.string().min(1).describe('Name of a docker-registry Secret in the release namespace.') }))
    .default([])
    .describe('Registry credentials for pulling the images.');

/** `nameOverride`, `fullnameOverride`, `commonLabels`: the values the toolkit's naming and labels read. */
export const baseValues = {
  nameOverride: z
    .string()
    .max(40)
    .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$/, 'must be empty or a lower-case DNS label')
    .default('')
    .describe('Replaces the chart name in resource names.'),
  // It starts every resource name, and Service names must be DNS-1035 labels: a letter first (the API server
  // refused `0-metrics` when this allowed a leading digit).
  fullnameOverride: z
    .string()
    .max(52)
    .regex(/^([a-z]([-a-z0-9]*[a-z0-9])?)?$/, 'must be empty or a lower-case DNS-1035 label (a letter first)')
    .default('')
    .describe('Replaces the whole `<release>-<chart>` prefix of resource names.'),
  commonLabels: stringMap('Labels added to every resource of the release.'),
  // Umbrella charts pass `global` to every subchart, with keys meant for other charts too: it stays open.
  global: z
    .looseObject({
      imagePullSecrets: imagePullSecrets().describe('Registry credentials for pulling the images, shared by every chart of an umbrella.'),
      imageRegistry: z
        .string()
        .max(200)
        .regex(
          /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(:[0-9]{1,5})?(\/[a-z0-9]+([._-][a-z0-9]+)*)*)?$/,
          'must be empty or a registry host with an optional port and path, such as harbor.example.org/mirror',
        )
        .default('')
        .describe(
          'Registry every image of the chart is pulled from instead of its own (a mirror), with an optional path: `harbor.example.org/dockerhub`. An image that names a registry keeps its path there (`registry.k8s.io/kubectl` becomes `<imageRegistry>/kubectl`), any other its whole name. Empty: each image from its own registry.',
        ),
    })
    .prefault({})
    .describe('Values an umbrella chart shares with all its subcharts (Helm `global`); keys other charts read are accepted.'),
};

/** Container image settings. */
export function imageValues(defaults: { repository: string; tag: string }) {
  return z
    .strictObject({
      repository: z.string().min(1).default(defaults.repository).describe('Image repository.'),
      tag: z
        .string()
        .min(1)
        .max(128)
        .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'must be an image tag')
        .default(defaults.tag)
        .describe('Image tag (a string: `1.10` unquoted in YAML would be the number 1.1).'),
      pullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).default('IfNotPresent').describe('Image pull policy.'),
    })
    .prefault({})
    .describe('Container image.');
}

/** Container resource requests and limits, shaped as in Kubernetes; requests are always set. */
export function resourcesValues(defaults: { requests: Record<string, string>; limits: Record<string, string> }) {
  return z
    .strictObject({
      requests: z
        .record(z.string(), quantity())
        .default(defaults.requests)
        .describe('Resources the scheduler reserves for the container (`cpu`, `memory`, ...).'),
      limits: z.record(z.string(), quantity()).default(defaults.limits).describe('Resources the container may not exceed.'),
    })
    .prefault({})
    .describe('Container resources, passed through whole.');
}

/** A toleration's `tolerationSeconds` applies to `NoExecute` taints only (the API server refuses it with another effect). */
const TOLERATION_SECONDS_RULE = {
  if: { required: ['tolerationSeconds'] },
  then: { properties: { effect: { const: 'NoExecute' } }, required: ['effect'] },
};

/**
 * A toleration, as Kubernetes defines it, with the API server's rules across its fields in the schema (JSON Schema
 * `if`/`then`), so `helm install` refuses what the server would: a `value` with operator `Exists`, and
 * `tolerationSeconds` without effect `NoExecute`.
 */
const toleration = z
  .strictObject({
    key: z.string().optional().describe('Taint key the toleration applies to.'),
    operator: z.enum(['Exists', 'Equal']).optional().describe('`Equal` (default) or `Exists`.'),
    value: z.string().optional().describe('Taint value to match; none with operator `Exists`.'),
    effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional().describe('Taint effect to match; empty matches all.'),
    tolerationSeconds: z.number().int().min(0).optional().describe('How long a NoExecute taint is tolerated (effect `NoExecute` only).'),
  })
  .meta({
    if: { properties: { operator: { const: 'Exists' } }, required: ['operator'] },
    then: { properties: { value: { const: '' } }, ...TOLERATION_SECONDS_RULE },
    else: TOLERATION_SECONDS_RULE,
  });

/**
 * Pod placement and metadata: nodeSelector, tolerations, affinity, podAnnotations, podLabels; `tolerations` of a
 * component that must run on every node (a log shipper's `operator: Exists`) are its default.
 */
export const podPlacementValues = (defaults: { readonly tolerations?: ReadonlyArray<z.input<typeof toleration>> } = {}) => ({
  nodeSelector: stringMap('Node labels the pods must run on.'),
  tolerations: z
    .array(toleration)
    .default(() => [...(defaults.tolerations ?? [])] as Array<z.output<typeof toleration>>)
    .describe('Tolerations for node taints.'),
  affinity: z
    .record(z.string(), z.unknown())
    .default({})
    .describe('Pod affinity rules (Kubernetes `affinity` object), passed through whole.'),
  podAnnotations: stringMap('Annotations added to the pods.'),
  podLabels: stringMap('Labels added to the pods (the selector labels cannot be overridden).'),
  priorityClassName: z.string().default('').describe('PriorityClass of the pods; empty for the cluster default.'),
});

/** PodDisruptionBudget settings. */
export const podDisruptionBudgetValues = (defaults: { enabled: boolean; maxUnavailable: number }) =>
  z
    .strictObject({
      enabled: z.boolean().default(defaults.enabled).describe('Create a PodDisruptionBudget.'),
      maxUnavailable: z
        .number()
        .int()
        .min(0)
        .default(defaults.maxUnavailable)
        .describe('Pods that voluntary disruptions (node drains) may take down at once.'),
    })
    .prefault({})
    .describe('Limits voluntary disruptions such as node drains.');

/** A Prometheus duration such as `30s` or `1m`. */
export const promDuration = (): z.ZodString => z.string().regex(/^([0-9]+(ms|s|m|h|d|w|y))+$/, 'must be a Prometheus duration such as 30s');

/** ServiceMonitor settings (Prometheus operator). */
export const serviceMonitorValues = () =>
  z
    .strictObject({
      enabled: z.boolean().default(false).describe('Create a ServiceMonitor for the Prometheus operator.'),
      interval: promDuration().default('30s').describe('Scrape interval.'),
      scrapeTimeout: promDuration().default('10s').describe('Scrape timeout.'),
      labels: stringMap('Extra labels, e.g. the `release` label your Prometheus selects ServiceMonitors by.'),
    })
    .prefault({})
    .describe('Prometheus operator ServiceMonitor.');

/** ServiceMonitor or PodMonitor values, as the chart code sees them. */
export type ServiceMonitorValues = z.output<ReturnType<typeof serviceMonitorValues>>;

/** Ingress settings: class, annotations, hosts and TLS. */
export const ingressValues = (defaults: {
  /** The path routed on each host, or the paths (the first is the default of a path added without one). */
  path: string | readonly [string, ...string[]];
}) => {
  const paths = typeof defaults.path === 'string' ? [defaults.path] : [...defaults.path];
  return z
    .strictObject({
      enabled: z.boolean().default(false).describe('Create an Ingress.'),
      className: z.string().default('').describe('IngressClass name; empty for the cluster default.'),
      annotations: stringMap('Ingress annotations, e.g. `cert-manager.io/cluster-issuer`.'),
      hosts: z
        .array(
          z.strictObject({
            host: hostname().describe('Public hostname.'),
            paths: z
              .array(
                z.strictObject({
                  path: z
                    .string()
                    .regex(/^\//, 'must start with /')
                    .default(paths[0] as string)
                    .describe('URL path.'),
                  pathType: z.enum(['Prefix', 'Exact', 'ImplementationSpecific']).default('Prefix').describe('How the path matches.'),
                }),
              )
              .min(1)
              .default(paths.map((path) => ({ path, pathType: 'Prefix' as const })))
              .describe('Paths routed to the service.'),
          }),
        )
        .default([])
        .describe('Hosts the Ingress serves.'),
      tls: z
        .array(
          z.strictObject({
            secretName: z.string().min(1).describe('Secret holding the certificate (cert-manager creates it).'),
            hosts: z.array(hostname()).min(1).describe('Hosts the certificate covers.'),
          }),
        )
        .default([])
        .describe('TLS certificates.'),
    })
    .prefault({})
    .describe('Ingress in front of the service, with TLS.');
};

/**
 * A Gateway API duration (GEP-2257), with the pattern the HTTPRoute CRD validates it by: up to four
 * `<number><unit>` parts, units `h`, `m`, `s`, `ms` (`1h30m`, `500ms`); `0s` disables a timeout.
 */
const GATEWAY_DURATION = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;

/** A Gateway API duration, or empty to leave the field out. */
const gatewayTimeout = (fallback: string, description: string) =>
  z
    .string()
    .regex(new RegExp(`^$|${GATEWAY_DURATION.source}`), 'must be empty or a Gateway API duration such as 30s, 1h or 0s')
    .default(fallback)
    .describe(description);

/**
 * Gateway API HTTPRoute settings, named as `helm create` names them: the Gateways the route attaches to, its
 * hostnames, path matches and timeouts.
 */
export const httpRouteValues = (defaults: {
  /** The path routed, or the paths (the first is the default of a match added without one). */
  path: string | readonly [string, ...string[]];
  timeouts: { request: string; backendRequest: string };
}) => {
  const paths = typeof defaults.path === 'string' ? [defaults.path] : [...defaults.path];
  return z
    .strictObject({
      enabled: z.boolean().default(false).describe('Create a Gateway API HTTPRoute (`gateway.networking.k8s.io/v1`).'),
      annotations: stringMap('HTTPRoute annotations.'),
      labels: stringMap('Extra HTTPRoute labels.'),
      parentRefs: z
        .array(
          z.strictObject({
            name: z.string().min(1).max(253).describe('Name of the Gateway.'),
            namespace: z
              .string()
              .max(63)
              .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a namespace name')
              .optional()
              .describe("Namespace of the Gateway; the route's own namespace when left out."),
            sectionName: hostname()
              .optional()
              .describe('Listener of the Gateway to attach to (its `name`); every listener that accepts the route when left out.'),
            port: port().optional().describe('Attach only to listeners on this port.'),
          }),
        )
        .max(32)
        .default([])
        .describe('Gateways the route attaches to; without one the route serves no traffic.'),
      hostnames: z
        .array(
          z
            .string()
            .min(1)
            .max(253)
            .regex(
              /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
              'must be a lower-case DNS name, optionally starting with *.',
            ),
        )
        .max(16)
        .default([])
        .describe("Hostnames the route serves (`*.` wildcards allowed); empty for every hostname of the Gateway's listeners."),
      matches: z
        .array(
          z.strictObject({
            path: z
              .strictObject({
                type: z.enum(['PathPrefix', 'Exact']).default('PathPrefix').describe('How the path matches.'),
                value: z
                  .string()
                  .min(1)
                  .max(1024)
                  .regex(/^\//, 'must start with /')
                  .default(paths[0] as string)
                  .describe('URL path.'),
              })
              .prefault({})
              .describe('Path match.'),
          }),
        )
        .min(1)
        .max(64)
        .default(paths.map((value) => ({ path: { type: 'PathPrefix' as const, value } })))
        .describe('Requests routed to the service: any one match suffices.'),
      timeouts: z
        .strictObject({
          request: gatewayTimeout(
            defaults.timeouts.request,
            'Longest time the Gateway takes to answer a request; `0s` disables it, empty leaves it to the Gateway.',
          ),
          backendRequest: gatewayTimeout(
            defaults.timeouts.backendRequest,
            'Longest time one request to the backend may take (at most `request`); `0s` disables it, empty leaves it to the Gateway.',
          ),
        })
        .prefault({})
        .describe('Route timeouts (Gateway API durations such as 30s or 1h; an extended feature not every Gateway supports).'),
    })
    .prefault({})
    .describe('Gateway API HTTPRoute in front of the service (TLS ends at the Gateway).');
};
