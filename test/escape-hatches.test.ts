import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { chartDir, chartNames, HELM_MAJORS, type Manifest, renderChart, scenarioFiles } from './support/charts';

/**
 * Every workload component of every chart takes every escape hatch of its values block (issue: a workload
 * layer). The toolkit gives each chart an `escape-hatches` scenario setting all of them for every component;
 * the real-cluster tests install it like any scenario. Here: what each hatch must change in the rendered pods.
 */

interface SchemaNode {
  readonly properties?: Readonly<Record<string, SchemaNode>>;
}

type Json = Record<string, unknown>;

/** Paths of the values blocks that are workload components (they hold `extraContainers`), found in the schema. */
function workloadBlocks(node: SchemaNode, path: string[] = []): string[][] {
  const properties = node.properties ?? {};
  const own = 'extraContainers' in properties && 'extraEnv' in properties ? [path] : [];
  return [...own, ...Object.entries(properties).flatMap(([key, child]) => workloadBlocks(child, [...path, key]))];
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

function podTemplates(manifests: readonly Manifest[]): Array<{ component: string; pod: Json; metadata: Json }> {
  return manifests
    .filter((manifest) => WORKLOAD_KINDS.has(manifest.kind))
    .map((manifest) => {
      const template = (manifest.spec as Json).template as Json;
      const metadata = template.metadata as Json;
      const component = (metadata.labels as Record<string, string>)['app.kubernetes.io/component'] ?? '';
      return { component, pod: template.spec as Json, metadata };
    });
}

const charts = chartNames().filter((chart) => {
  const schema = JSON.parse(readFileSync(join(chartDir(chart), 'values.schema.json'), 'utf8')) as SchemaNode;
  return workloadBlocks(schema).length > 0;
});

describe.each(charts)('chart %s: escape hatches of every workload component', (chart) => {
  const schema = JSON.parse(readFileSync(join(chartDir(chart), 'values.schema.json'), 'utf8')) as SchemaNode;
  const blocks = workloadBlocks(schema);
  const scenario = scenarioFiles(chart).find((file) => file.endsWith('-escape-hatches-values.yaml'));

  test('the chart has an escape-hatches scenario', () => {
    expect(scenario).toBeDefined();
  });

  describe.each(HELM_MAJORS)('with Helm %s', (major) => {
    const rendered = renderChart(major, chart, { valuesFiles: scenario === undefined ? [] : [scenario] });
    const pods = podTemplates(rendered.manifests);
    const defaults = podTemplates(renderChart(major, chart).manifests);
    /** The init containers a component's pod has of its own (the media-node taint's `taint`), by default. */
    const ownInitContainers = (component: string): string[] =>
      ((defaults.find((pod) => pod.component === component)?.pod.initContainers as Json[] | undefined) ?? []).map(
        (container) => container.name as string,
      );
    /**
     * The containers a component's pod has of its own by default: its main container and the chart's sidecars (a
     * component off by default has its main container alone).
     */
    const ownContainers = (component: string, main: string): string[] =>
      ((defaults.find((pod) => pod.component === component)?.pod.containers as Json[] | undefined) ?? [{ name: main }]).map(
        (container) => container.name as string,
      );

    test('renders one pod template per workload block of the values', () => {
      expect(rendered.stderr).toBe('');
      expect(rendered.status).toBe(0);
      expect(new Set(pods.map((pod) => pod.component)).size).toBe(blocks.length);
    });

    test.each(pods.map((pod) => [pod.component, pod] as const))(
      'every hatch of component %s takes effect',
      (_name, { component, pod, metadata }) => {
        {
          const containers = pod.containers as Json[];
          const main = containers[0] as Json;
          const env = main.env as Json[];
          // THEN extra env: a value, and a valueFrom Secret reference, once each
          expect(env.filter((entry) => entry.name === 'ESCAPE_HATCH_VALUE')).toEqual([{ name: 'ESCAPE_HATCH_VALUE', value: component }]);
          expect(env.filter((entry) => entry.name === 'ESCAPE_HATCH_SECRET')).toEqual([
            { name: 'ESCAPE_HATCH_SECRET', valueFrom: { secretKeyRef: { name: 'escape-hatch', key: 'value', optional: true } } },
          ]);
          expect(main.envFrom).toContainEqual({ configMapRef: { name: 'escape-hatch', optional: true } });
          // an extra volume, mounted into the container
          expect(pod.volumes).toContainEqual({ name: 'escape-hatch', emptyDir: { sizeLimit: '1Mi' } });
          expect(main.volumeMounts).toContainEqual({ name: 'escape-hatch', mountPath: '/escape-hatch' });
          // a sidecar after the chart's containers (its main one and its own sidecars, which stay), and an init container
          expect(containers.map((container) => container.name)).toEqual([
            ...ownContainers(component, main.name as string),
            'escape-hatch-sidecar',
          ]);
          // (after the component's own init containers, which stay)
          expect((pod.initContainers as Json[]).map((container) => container.name)).toEqual([
            ...ownInitContainers(component),
            'escape-hatch-init',
          ]);
          // security contexts and probes merged over the hardened defaults, which stay
          // (the hardened defaults are the component's own: non-root, but for a component that reads root's files)
          const hardened = (defaults.find((own) => own.component === component)?.pod.securityContext as Json | undefined) ?? {
            runAsNonRoot: true,
          };
          expect(pod.securityContext).toMatchObject({ ...hardened, fsGroupChangePolicy: 'OnRootMismatch' });
          expect(main.securityContext).toMatchObject({
            privileged: false,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
          });
          expect(main.startupProbe).toMatchObject({ exec: { command: ['/bin/sh', '-c', 'true'] } });
          expect(main.readinessProbe).toMatchObject({ timeoutSeconds: 3 });
          expect(main.livenessProbe).toMatchObject({ timeoutSeconds: 5 });
          // (a default readiness probe keeps its handler; a container without one, the idle taint container, gets the hatch's)
          const ownReadiness = ((defaults.find((other) => other.component === component)?.pod.containers as Json[] | undefined)?.[0] ?? {})
            .readinessProbe;
          if (ownReadiness !== undefined)
            expect(Object.keys(main.readinessProbe as Json).some((key) => ['httpGet', 'tcpSocket', 'exec', 'grpc'].includes(key))).toBe(
              true,
            );
          // placement, pull secrets, pod metadata
          expect(pod.topologySpreadConstraints).toEqual([
            expect.objectContaining({ topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' }),
          ]);
          expect(pod.tolerations).toContainEqual({ key: 'meetscale.dev/escape-hatch', operator: 'Exists', effect: 'NoSchedule' });
          expect(pod.imagePullSecrets).toContainEqual({ name: 'escape-hatch-registry' });
          expect(metadata.labels).toMatchObject({ 'meetscale.dev/escape-hatch': 'pod-label', 'app.kubernetes.io/component': component });
          expect(metadata.annotations).toMatchObject({ 'meetscale.dev/escape-hatch': 'pod-annotation' });
          // its own ServiceAccount, created by the chart with the annotations given
          const serviceAccount = rendered.manifests.find(
            (manifest) => manifest.kind === 'ServiceAccount' && manifest.metadata.name === pod.serviceAccountName,
          );
          expect(serviceAccount?.metadata.annotations).toEqual({ 'meetscale.dev/escape-hatch': 'service-account' });
        }
      },
    );

    test("with defaults, no hatch shows: the chart's containers only, own init containers, no topology spread, nothing of the scenario", () => {
      // a chart with workload components renders pods by default (a refused render would show none)
      expect(defaults.length).toBeGreaterThan(0);
      for (const { pod } of defaults) {
        // the main container, then the chart's own sidecars (nginx beside Scalelite's API), none from values
        expect((pod.containers as Json[]).slice(1).every((container) => !String(container.image).includes('busybox'))).toBe(true);
        for (const init of (pod.initContainers as Json[] | undefined) ?? []) expect(init.image).not.toMatch(/busybox/);
        expect(pod.topologySpreadConstraints).toBeUndefined();
        expect(JSON.stringify(pod)).not.toContain('escape-hatch');
      }
    });
  });
});
