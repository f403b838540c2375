/**
 * The bbb-autoscaler chart writes the configuration file the service reads, and mounts what the service expects where
 * it expects it. Rendered by real Helm (both majors) for the defaults and every `ci/` scenario, the file parses with
 * the service's own schema (`autoscalerConfig` of `@meetscale/bbb-autoscaling`), holds the values as given and names the
 * chart's Lease; the pods read it from the file `--config` names, and the Secrets at `SECRET_PATHS`.
 */
import { readFileSync } from 'node:fs';
import { basename, posix } from 'node:path';

import { AUTOSCALER_PATHS, AUTOSCALER_PORT, autoscalerConfig, autoscalingPolicy, SECRET_PATHS } from '@meetscale/bbb-autoscaling';
import YAML from 'yaml';

import { chartDir, configMapEntry, HELM_MAJORS, type Manifest, renderChart, scenarioFiles } from './support/charts';
import { mergeValues } from './support/schema-values';

const CHART = 'bbb-autoscaler';
/** The release as the state stacks install it, where the monitoring chart's default service discovery URL points. */
const RELEASE = 'bbb-autoscaler';
const NAMESPACE = 'bigbluebutton';

type Json = Record<string, unknown>;

const defaults = YAML.parse(readFileSync(`${chartDir(CHART)}/values.yaml`, 'utf8')) as Json;
const contexts = [
  { name: 'defaults', file: undefined, values: defaults },
  ...scenarioFiles(CHART).map((file) => ({
    name: basename(file),
    file,
    // the scenario over the defaults, as Helm merges them
    values: mergeValues(defaults, YAML.parse(readFileSync(file, 'utf8'))) as Json,
  })),
];

function find(manifests: readonly Manifest[], kind: string): Manifest {
  const found = manifests.find((manifest) => manifest.kind === kind);
  if (found === undefined) throw new Error(`no ${kind} rendered`);
  return found;
}

describe.each(HELM_MAJORS)('with Helm %s', (major) => {
  describe.each(contexts)('$name', ({ file, values }) => {
    const rendered = renderChart(major, CHART, { release: RELEASE, namespace: NAMESPACE, valuesFiles: file === undefined ? [] : [file] });
    const deployment = find(rendered.manifests, 'Deployment');
    const pod = (deployment.spec as Json).template as Json;
    const podSpec = pod.spec as Json;
    const container = (podSpec.containers as Json[])[0] as Json;
    const volumes = podSpec.volumes as Json[];
    const mounts = container.volumeMounts as Json[];
    /** The volume mounted at a path, as the pod declares it. */
    const volumeAt = (path: string): Json | undefined =>
      volumes.find((volume) => volume.name === mounts.find((mount) => mount.mountPath === path)?.name);

    test('renders', () => {
      expect(rendered.stderr).toBe('');
      expect(rendered.status).toBe(0);
    });

    test("the configuration file parses with the service's schema and holds the values as given", () => {
      // GIVEN the configuration file of the rendered ConfigMap
      const text = configMapEntry(rendered.manifests, 'autoscaler.yaml');
      // WHEN the service reads it
      const parsed = autoscalerConfig.safeParse(YAML.parse(text));
      // THEN it is valid, and each block is the value given (defaults applied as the service applies them)
      expect(parsed.error?.issues ?? []).toEqual([]);
      expect(parsed.data).toEqual({
        policy: autoscalingPolicy.parse(values.policy),
        pool: values.pool,
        ionos: { apiUrl: (values.ionos as Json).apiUrl, datacenterId: (values.ionos as Json).datacenterId },
        scalelite: { url: (values.scalelite as Json).url },
        prometheus: { url: (values.prometheus as Json).url },
        intervalSeconds: values.intervalSeconds,
        dryRun: values.dryRun,
        // the chart's Lease: `<fullname>`
        lease: { name: RELEASE, durationSeconds: (values.lease as Json).durationSeconds },
      });
    });

    test('the pods read the configuration file --config names, and roll when it changes', () => {
      const args = container.args as string[];
      const configFile = args[args.indexOf('--config') + 1] as string;
      expect(volumeAt(posix.dirname(configFile))).toEqual({ name: 'config', configMap: { name: RELEASE } });
      expect(mounts.find((mount) => mount.name === 'config')).toMatchObject({ readOnly: true });
      expect((pod.metadata as Json).annotations).toHaveProperty('checksum/config');
    });

    test('the credentials are files of the Secrets named, at the paths the service reads', () => {
      const ionos = values.ionos as { token: { existingSecret: string; key: string } };
      const scalelite = values.scalelite as { secret: { existingSecret: string; key: string } };
      const servers = values.serverSecrets as { existingSecret: string };
      expect(volumeAt(posix.dirname(SECRET_PATHS.ionosToken))?.secret).toEqual({
        secretName: ionos.token.existingSecret || `${RELEASE}-ionos`,
        items: [{ key: ionos.token.key, path: posix.basename(SECRET_PATHS.ionosToken) }],
        defaultMode: 0o440,
      });
      expect(volumeAt(posix.dirname(SECRET_PATHS.scaleliteSecret))?.secret).toEqual({
        secretName: scalelite.secret.existingSecret || `${RELEASE}-scalelite`,
        items: [{ key: scalelite.secret.key, path: posix.basename(SECRET_PATHS.scaleliteSecret) }],
        defaultMode: 0o440,
      });
      // the whole Secret: one file per server host
      expect(volumeAt(SECRET_PATHS.serverSecrets)?.secret).toEqual({
        secretName: servers.existingSecret || `${RELEASE}-servers`,
        defaultMode: 0o440,
      });
      // the chart puts no credential into the environment (only `extraEnv` may)
      const extra = new Set((values.extraEnv as Json[]).map((entry) => entry.name));
      expect(JSON.stringify((container.env as Json[]).filter((entry) => !extra.has(entry.name)))).not.toMatch(/secretKeyRef/);
    });

    test('each pod knows the Lease namespace and its identity, and is probed on the health endpoints', () => {
      expect(container.env).toEqual(
        expect.arrayContaining([
          { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        ]),
      );
      expect(container.ports).toEqual([{ name: 'http', containerPort: AUTOSCALER_PORT, protocol: 'TCP' }]);
      expect(container.livenessProbe).toMatchObject({ httpGet: { path: AUTOSCALER_PATHS.live, port: 'http' } });
      expect(container.readinessProbe).toMatchObject({ httpGet: { path: AUTOSCALER_PATHS.ready, port: 'http' } });
    });

    test('the ServiceAccount may get and update the Lease of the release, and nothing else', () => {
      const lease = find(rendered.manifests, 'Lease');
      const role = find(rendered.manifests, 'Role');
      const binding = find(rendered.manifests, 'RoleBinding');
      expect(lease.metadata.name).toBe(RELEASE);
      expect(lease.spec).toBeUndefined();
      expect(role.rules).toEqual([
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [RELEASE], verbs: ['get', 'update'] },
      ]);
      expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name });
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: podSpec.serviceAccountName, namespace: NAMESPACE }]);
      expect(podSpec.automountServiceAccountToken).toBe(true);
      expect(rendered.manifests.map((manifest) => manifest.kind)).not.toContain('ClusterRole');
    });

    test("the Service is the monitoring chart's default service discovery target", () => {
      // http://bbb-autoscaler.bigbluebutton.svc:8080/targets
      const service = find(rendered.manifests, 'Service');
      expect(service.metadata).toMatchObject({ name: 'bbb-autoscaler', namespace: NAMESPACE });
      expect((service.spec as Json).ports).toEqual([
        { name: 'http', port: (values.service as Json).port, targetPort: 'http', protocol: 'TCP' },
      ]);
    });
  });
});
