import { z } from 'zod';

import {
  imagePullSecrets,
  imageValues,
  podDisruptionBudgetValues,
  podPlacementValues,
  port,
  resourcesValues,
  stringMap,
} from './common-values';

/**
 * The standard values block of a workload component: every pod setting users of well-kept charts expect to
 * override, named as bitnami and jitsi-helm name them. A chart spreads it into the component's values
 * (`web: z.strictObject({ replicaCount, ...workloadValues({...}) })`, or at the root of a one-component chart),
 * and `Workload` reads every field of it.
 */

/** A Kubernetes object passed through whole (a probe, a security context, a volume): the API server checks it. */
const kubeObject = (description: string) => z.record(z.string(), z.unknown()).describe(description);

/** A list of Kubernetes objects passed through whole. */
const kubeList = (description: string) => z.array(z.record(z.string(), z.unknown())).default([]).describe(description);

/** An environment variable name. */
const envName = () =>
  z
    .string()
    .regex(/^[-._a-zA-Z][-._a-zA-Z0-9]*$/, 'must be an environment variable name')
    .describe('Variable name.');

/**
 * `extraEnv`: variables with a `value` or a `valueFrom` (a Secret or ConfigMap key, a field of the pod); an
 * entry named like one the chart sets replaces the chart's entry.
 */
export const extraEnvValues = (description: string) =>
  z
    .array(
      z.strictObject({
        name: envName(),
        value: z.string().optional().describe('Variable value.'),
        valueFrom: kubeObject(
          'Where the value comes from (`secretKeyRef`, `configMapKeyRef`, `fieldRef`, ...), instead of `value`.',
        ).optional(),
      }),
    )
    .default([])
    .describe(description);

/** A ServiceAccount of the component: created by the chart, or one that exists. */
export const serviceAccountValues = (defaults: { create: boolean }) =>
  z
    .strictObject({
      create: z.boolean().default(defaults.create).describe('Create a ServiceAccount for the pods.'),
      name: z
        .string()
        .max(253)
        .regex(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?)?$/, 'must be empty or a DNS subdomain name')
        .default('')
        .describe('Its name; empty for `<fullname>-<component>` when created, the namespace `default` otherwise.'),
      annotations: stringMap('Annotations of the created ServiceAccount (cloud workload identity, say).'),
      automountServiceAccountToken: z
        .boolean()
        .default(false)
        .describe('Mount an API token into the pods; the components never call the Kubernetes API.'),
    })
    .prefault({})
    .describe('ServiceAccount of the pods.');

/** What differs between components: image, resources, hardened security contexts, probes. */
export interface WorkloadDefaults {
  readonly image: { readonly repository: string; readonly tag: string };
  readonly resources: { readonly requests: Record<string, string>; readonly limits: Record<string, string> };
  /** The pod security context (non-root, `RuntimeDefault` seccomp); users override single keys. */
  readonly podSecurityContext: Record<string, unknown>;
  /** The container security context (no privilege escalation, capabilities dropped, read-only root). */
  readonly containerSecurityContext: Record<string, unknown>;
  readonly livenessProbe?: Record<string, unknown>;
  readonly readinessProbe?: Record<string, unknown>;
  readonly startupProbe?: Record<string, unknown>;
  /** Left out for a DaemonSet, whose pods node drains do not evict: the block then has no `podDisruptionBudget`. */
  readonly podDisruptionBudget?: { readonly enabled: boolean; readonly maxUnavailable: number };
  readonly serviceAccount?: { readonly create: boolean };
  /** Tolerations of a component that runs on every node (a DaemonSet reading each node's logs, say). @default none */
  readonly tolerations?: ReadonlyArray<Record<string, unknown>>;
  /** What `extraEnv` is for, in the component's words. */
  readonly extraEnvDescription?: string;
}

type PodDisruptionBudgetDefaults = NonNullable<WorkloadDefaults['podDisruptionBudget']>;

/**
 * The standard values block of a workload component (see the module comment); without
 * `podDisruptionBudget` defaults (a DaemonSet), the block has no `podDisruptionBudget`.
 */
export function workloadValues(
  defaults: WorkloadDefaults & { readonly podDisruptionBudget: PodDisruptionBudgetDefaults },
): ReturnType<typeof podValues> & { podDisruptionBudget: ReturnType<typeof podDisruptionBudgetValues> };
export function workloadValues(defaults: WorkloadDefaults & { readonly podDisruptionBudget?: undefined }): ReturnType<typeof podValues>;
export function workloadValues(defaults: WorkloadDefaults) {
  const pdb = defaults.podDisruptionBudget;
  return pdb === undefined ? podValues(defaults) : { ...podValues(defaults), podDisruptionBudget: podDisruptionBudgetValues(pdb) };
}

/** Every field of the block but the PodDisruptionBudget. */
function podValues(defaults: WorkloadDefaults) {
  const probe = (name: string, fallback: Record<string, unknown> | undefined) =>
    kubeObject(
      `${name} of the container, as in Kubernetes. Helm merges it over the default: to use another handler, set the default one to null (\`httpGet: null\`); set the probe to null to drop it.`,
    ).default(fallback ?? {});
  return {
    image: imageValues(defaults.image),
    imagePullSecrets: imagePullSecrets(),
    resources: resourcesValues(defaults.resources),
    ...podPlacementValues({ tolerations: defaults.tolerations as never }),
    topologySpreadConstraints: kubeList('How the pods spread over zones or nodes (Kubernetes `topologySpreadConstraints`).'),
    podSecurityContext: kubeObject('Security context of the pods; Helm merges it over the hardened default.').default(
      defaults.podSecurityContext,
    ),
    containerSecurityContext: kubeObject('Security context of the container; Helm merges it over the hardened default.').default(
      defaults.containerSecurityContext,
    ),
    livenessProbe: probe('Liveness probe', defaults.livenessProbe),
    readinessProbe: probe('Readiness probe', defaults.readinessProbe),
    startupProbe: probe('Startup probe', defaults.startupProbe),
    serviceAccount: serviceAccountValues(defaults.serviceAccount ?? { create: false }),
    extraEnv: extraEnvValues(defaults.extraEnvDescription ?? 'Extra environment variables of the container (`value` or `valueFrom`).'),
    extraEnvFrom: kubeList('Extra sources of environment variables (`secretRef`, `configMapRef`).'),
    extraVolumes: kubeList('Extra volumes of the pods.'),
    extraVolumeMounts: kubeList('Extra volume mounts of the container.'),
    extraContainers: kubeList('Sidecar containers added to the pods.'),
    initContainers: kubeList('Init containers run before the container.'),
  };
}

/** The values of a component's Service: type, port, annotations, labels. */
export const serviceValues = (defaults: { port: number; description: string }) =>
  z
    .strictObject({
      type: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer']).default('ClusterIP').describe('Service type.'),
      port: port().default(defaults.port).describe(defaults.description),
      annotations: stringMap('Service annotations.'),
      labels: stringMap('Extra Service labels.'),
    })
    .prefault({})
    .describe('The Service in front of the pods.');

/** A Secret of generated keys, or an existing one the user names. */
export const existingSecretValue = (description: string) =>
  z
    .string()
    .max(253)
    .regex(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?)?$/, 'must be empty or a Secret name')
    .default('')
    .describe(description);

type Shape = ReturnType<typeof podValues> & { podDisruptionBudget: ReturnType<typeof podDisruptionBudgetValues> };
/** The values of a workload component, as the chart code sees them. */
export type WorkloadValues = { [K in keyof Shape]: z.output<Shape[K]> };
/** The values of a component's Service. */
export type ServiceValues = z.output<ReturnType<typeof serviceValues>>;
