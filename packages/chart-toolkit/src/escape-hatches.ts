/**
 * The `escape-hatches` install scenario every chart with workload components gets: each component sets every
 * escape hatch of its values block (extra env with `value` and a `valueFrom` Secret reference, extraEnvFrom,
 * an extra volume and mount, a sidecar and an init container, topology spread, security context and probe
 * overrides, its own ServiceAccount, pull secrets, tolerations, pod labels and annotations). It renders,
 * validates and installs like any scenario, so every hatch of every component is proven on the real API
 * server; what each one must change in the rendered pods is asserted by `test/escape-hatches.test.ts`.
 */

/** The marker the scenario's names and labels carry. */
export const ESCAPE_HATCH = 'escape-hatch';

/** A small, hardened container for the sidecar and the init container (Pod Security `restricted`). */
function container(name: string): Record<string, unknown> {
  return {
    name,
    image: 'busybox:1.37.0',
    command: ['sh', '-c', name.endsWith('init') ? 'true' : 'sleep 3600'],
    resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '16Mi' } },
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    },
  };
}

/**
 * A probe override: merged over the component's default probe, it changes a timeout; a component without a default
 * probe gets a whole one (a probe needs a handler).
 */
function probe(timeoutSeconds: number, hasDefault: boolean): Record<string, unknown> {
  return hasDefault ? { timeoutSeconds } : { exec: { command: ['true'] }, timeoutSeconds };
}

/** The escape-hatch values of one component; `defaults` is its values block as the chart's defaults set it. */
export function escapeHatchValues(component: string, defaults: Record<string, unknown> = {}): Record<string, unknown> {
  const hasProbe = (name: string): boolean => Object.keys((defaults[name] as Record<string, unknown> | undefined) ?? {}).length > 0;
  const key = `meetscale.dev/${ESCAPE_HATCH}`;
  return {
    imagePullSecrets: [{ name: `${ESCAPE_HATCH}-registry` }],
    podLabels: { [key]: 'pod-label' },
    podAnnotations: { [key]: 'pod-annotation' },
    tolerations: [{ key, operator: 'Exists', effect: 'NoSchedule' }],
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: { 'app.kubernetes.io/component': component } },
      },
    ],
    podSecurityContext: { fsGroupChangePolicy: 'OnRootMismatch' },
    containerSecurityContext: { privileged: false },
    startupProbe: { exec: { command: ['/bin/sh', '-c', 'true'] }, periodSeconds: 5, failureThreshold: 60 },
    readinessProbe: probe(3, hasProbe('readinessProbe')),
    livenessProbe: probe(5, hasProbe('livenessProbe')),
    serviceAccount: { create: true, annotations: { [key]: 'service-account' } },
    extraEnv: [
      { name: 'ESCAPE_HATCH_VALUE', value: component },
      { name: 'ESCAPE_HATCH_SECRET', valueFrom: { secretKeyRef: { name: ESCAPE_HATCH, key: 'value', optional: true } } },
    ],
    extraEnvFrom: [{ configMapRef: { name: ESCAPE_HATCH, optional: true } }],
    extraVolumes: [{ name: ESCAPE_HATCH, emptyDir: { sizeLimit: '1Mi' } }],
    extraVolumeMounts: [{ name: ESCAPE_HATCH, mountPath: `/${ESCAPE_HATCH}` }],
    extraContainers: [container(`${ESCAPE_HATCH}-sidecar`)],
    initContainers: [container(`${ESCAPE_HATCH}-init`)],
  };
}

/**
 * The scenario's values: each component's escape hatches at its values path (`['jvb']`, or `[]` for a chart of
 * one component whose block is at the root), and a component that is off by default switched on.
 */
export function escapeHatchScenario(
  components: ReadonlyArray<{ readonly component: string; readonly path: readonly string[] }>,
  defaults: unknown = {},
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const { component, path } of components) {
    let node = values;
    let block = defaults as Record<string, unknown>;
    for (const key of path) {
      node = (node[key] ??= {}) as Record<string, unknown>;
      block = (block[key] ?? {}) as Record<string, unknown>;
    }
    // A component behind an off switch (`etherpad.enabled: false`) is turned on, so that its hatches render too.
    if (block.enabled === false) node.enabled = true;
    Object.assign(node, escapeHatchValues(component, block));
  }
  return values;
}
