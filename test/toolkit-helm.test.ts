/**
 * The chart toolkit's promise, shown with real Helm on the toolkit's demo chart: every kind of value is
 * honored at install time, with no re-synthesis.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { emitChart, helmYaml } from '@meetscale/chart-toolkit/build';
import { demoChart } from '@meetscale/chart-toolkit/testing';
import { type HelmMajor, runHelm } from '@meetscale/helm-binaries';

import { HELM_MAJORS, type Manifest, parseManifests } from './support/charts';

let chartsDir: string;
let chart: string;

beforeAll(async () => {
  chartsDir = mkdtempSync(join(tmpdir(), 'toolkit-helm-'));
  chart = await emitChart(demoChart, chartsDir);
});
afterAll(() => rmSync(chartsDir, { recursive: true, force: true }));

function render(
  major: HelmMajor,
  values: unknown = {},
  release = 'lesson',
): { manifests: Manifest[]; status: number; stderr: string; stdout: string } {
  const file = join(chartsDir, `values-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, helmYaml(values));
  const result = runHelm(major, ['template', release, chart, '--namespace', 'school', '-f', file]);
  return { ...result, manifests: result.status === 0 ? parseManifests(result.stdout) : [] };
}

const find = (manifests: Manifest[], kind: string): Manifest | undefined => manifests.find((manifest) => manifest.kind === kind);
const deployment = (manifests: Manifest[]): any => find(manifests, 'Deployment') as any;
const configText = (manifests: Manifest[]): string => (find(manifests, 'ConfigMap') as any).data['app.conf'];
/** The demo server's token, read from the Secret the chart generates (no `existingSecret` given). */
const GENERATED_TOKEN = { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'lesson-demo-token', key: 'token' } } };

describe.each(HELM_MAJORS)('a toolkit chart rendered by Helm %i', (major) => {
  test('derives names from the release and places objects in the release namespace', () => {
    const { manifests } = render(major, {}, 'shard-7');
    expect(deployment(manifests).metadata).toMatchObject({ name: 'shard-7-demo', namespace: 'school' });
    expect(deployment(manifests).spec.selector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'demo',
      'app.kubernetes.io/instance': 'shard-7',
      'app.kubernetes.io/component': 'web',
    });
  });

  test('keeps numbers typed and image tags strings', () => {
    const { manifests } = render(major, { replicaCount: 3 });
    expect(deployment(manifests).spec.replicas).toBe(3);
    expect(deployment(manifests).spec.template.spec.containers[0].image).toBe('nginx:1.10');
  });

  test('honors a scalar inside a longer string and inside a config file', () => {
    const { manifests } = render(major, { domain: 'lernen.example.de' });
    expect((find(manifests, 'ConfigMap') as any).data.url).toBe('https://lernen.example.de/x');
    expect(configText(manifests)).toContain('server_name lernen.example.de;');
  });

  test('passes objects and lists through whole', () => {
    const env = [{ name: 'A', value: 'it\'s "quoted"' }];
    const { manifests } = render(major, {
      extraEnv: env,
      nodeSelector: { pool: 'media' },
      resources: { requests: { cpu: '2' }, limits: { memory: '1Gi' } },
    });
    const spec = deployment(manifests).spec.template.spec;
    expect(spec.containers[0].env).toEqual([
      { name: 'PUBLIC_URL', value: 'https://meet.example.org/' },
      { name: 'SERVICE', value: 'on' },
      GENERATED_TOKEN,
      ...env,
    ]);
    // Helm merges maps with the defaults (requests.memory stays), and replaces lists
    expect(spec.containers[0].resources).toEqual({ requests: { cpu: '2', memory: '16Mi' }, limits: { memory: '1Gi' } });
    expect(spec.nodeSelector).toEqual({ pool: 'media' });
  });

  test('joins fixed list items, conditional items and a list value', () => {
    // GIVEN the Service off and a domain WHEN rendered THEN the conditional item is left out and the domain is in
    const { manifests } = render(major, { service: { enabled: false }, domain: 'schule.example.de' });
    expect(deployment(manifests).spec.template.spec.containers[0].env).toEqual([
      { name: 'PUBLIC_URL', value: 'https://schule.example.de/' },
      GENERATED_TOKEN,
    ]);
  });

  test('fails with the message of a values rule JSON Schema cannot state, rendering nothing', () => {
    const result = render(major, { service: { enabled: false, className: 'required' } });
    expect(result.status).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('service.className "required" needs service.enabled');
    expect(render(major, { service: { enabled: true, className: 'required' } }).status).toBe(0);
  });

  test('switches an optional resource with a boolean', () => {
    expect(find(render(major).manifests, 'Service')).toBeDefined();
    expect(find(render(major, { service: { enabled: false } }).manifests, 'Service')).toBeUndefined();
  });

  test('expands lists into repeated config, applying item defaults Helm itself ignores', () => {
    const { manifests } = render(major, { replicaCount: 2, upstreams: [{ name: 'x', port: 1000000 }, { name: 'y' }] });
    expect(configText(manifests)).toBe(
      'server_name meet.example.org;\nupstream x 127.0.0.1:1000000;\nupstream y 127.0.0.1:80;\nreplica 0;\nreplica 1;\nservice on;\n',
    );
  });

  test('repeats an object once per index, with the index in its name and fields', () => {
    // GIVEN three replicas WHEN rendered THEN one Service per replica, each with its own name and port
    const services = render(major, { replicaCount: 3, upstreams: [] }, 'shard-2').manifests.filter(
      (manifest) => manifest.kind === 'Service',
    );
    expect(services.map((service: any) => [service.metadata.name, service.spec.ports[0].port]).sort()).toEqual([
      ['shard-2-demo', 80],
      ['shard-2-demo-0', 8000],
      ['shard-2-demo-1', 8001],
      ['shard-2-demo-2', 8002],
      ['shard-2-demo-metrics', 9113],
    ]);
    // AND no replica gives no repeated object, and the condition still switches them all off
    expect(render(major, { replicaCount: 0, upstreams: [] }).manifests.filter((manifest) => manifest.kind === 'Service')).toHaveLength(2);
    expect(render(major, { service: { enabled: false } }).manifests.filter((manifest) => manifest.kind === 'Service')).toEqual([]);
  });

  test("renders an object per list element, with the element's fields and their defaults", () => {
    // GIVEN two upstreams, one without a port WHEN rendered THEN one ExternalName Service each, the default port applied
    const upstreams = (values: unknown): Array<[string, string, number]> =>
      render(major, values, 'shard-2')
        .manifests.filter((manifest: any) => manifest.kind === 'Service' && manifest.spec.type === 'ExternalName')
        .map((service: any) => [service.metadata.name, service.spec.externalName, service.spec.ports[0].port]);
    expect(upstreams({ upstreams: [{ name: 'x', port: 8080 }, { name: 'y' }] }).sort()).toEqual([
      ['shard-2-demo-upstream-x', 'x.example.org', 8080],
      ['shard-2-demo-upstream-y', 'y.example.org', 80],
    ]);
    // AND an empty list renders none
    expect(upstreams({ upstreams: [] })).toEqual([]);
  });

  test('leaves an empty optional field out and writes it when set', () => {
    expect(deployment(render(major).manifests).spec.template.spec).not.toHaveProperty('priorityClassName');
    expect(deployment(render(major, { priorityClassName: 'lessons' }).manifests).spec.template.spec.priorityClassName).toBe('lessons');
  });

  test('switches the monitors, the Ingress, the ServiceAccount and the disruption budget with their values', () => {
    const kinds = (values: unknown): string[] => render(major, values).manifests.map((manifest) => manifest.kind);
    for (const kind of ['ServiceMonitor', 'PodMonitor', 'Ingress', 'ServiceAccount', 'PodDisruptionBudget'])
      expect(kinds({})).not.toContain(kind);
    const on = kinds({
      metrics: { serviceMonitor: { enabled: true }, podMonitor: { enabled: true } },
      ingress: { enabled: true, hosts: [{ host: 'demo.example.de' }] },
      serviceAccount: { create: true },
      podDisruptionBudget: { enabled: true },
    });
    for (const kind of ['ServiceMonitor', 'PodMonitor', 'Ingress', 'ServiceAccount', 'PodDisruptionBudget']) expect(on).toContain(kind);
  });

  test('routes a Gateway API HTTPRoute to the Service port, with its Gateways, hostnames and timeouts when given', () => {
    expect(find(render(major).manifests, 'HTTPRoute')).toBeUndefined();
    const httpRoute = {
      enabled: true,
      parentRefs: [{ name: 'public', namespace: 'gateway-system', sectionName: 'https' }],
      hostnames: ['demo.example.de'],
      matches: [{ path: { value: '/app' } }],
    };
    const route = find(render(major, { httpRoute }).manifests, 'HTTPRoute') as any;
    expect(route.metadata).toMatchObject({ name: 'lesson-demo', namespace: 'school' });
    expect(route.spec).toEqual({
      parentRefs: [{ name: 'public', namespace: 'gateway-system', sectionName: 'https' }],
      hostnames: ['demo.example.de'],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/app' } }],
          timeouts: { request: '60s' },
          backendRefs: [{ name: 'lesson-demo', port: 80 }],
        },
      ],
    });
    // every timeout left empty: no timeouts object at all, so the Gateway's own defaults apply
    const untimed = find(render(major, { httpRoute: { ...httpRoute, timeouts: { request: '' } } }).manifests, 'HTTPRoute') as any;
    expect(untimed.spec.rules[0]).not.toHaveProperty('timeouts');
    // no Gateway named: a route attached to none, which Kubernetes accepts
    const unattached = find(render(major, { httpRoute: { enabled: true } }).manifests, 'HTTPRoute') as any;
    expect(Object.keys(unattached.spec)).toEqual(['rules']);
    expect(render(major, { httpRoute: { ...httpRoute, timeouts: { backendRequest: '10 s' } } }).stderr).toMatch(
      /httpRoute.*backendRequest/,
    );
  });

  test('generates a Secret key on install, and takes an existing Secret instead when given', () => {
    const secret = find(render(major).manifests, 'Secret') as any;
    expect(secret.metadata.name).toBe('lesson-demo-token');
    expect(Buffer.from(secret.data.token, 'base64').toString()).toMatch(/^[A-Za-z0-9]{40}$/);
    const withExisting = render(major, { existingSecret: 'demo-token' }).manifests;
    expect(withExisting.filter((manifest) => manifest.kind === 'Secret')).toEqual([]);
  });

  test('joins, counts and encodes values into a ConfigMap, and reads a value from the existing Secret given', () => {
    const { manifests } = render(major, { aliases: ['a.example.de', 'b.example.de'], replicaCount: 3, existingSecret: 'demo-token' });
    const data = (find(manifests, 'ConfigMap') as any).data;
    expect(data).toMatchObject({ aliases: 'a.example.de b.example.de', lastReplicaPort: '8002', upstreams: '[{"name":"a","port":80}]' });
    const container = deployment(manifests).spec.template.spec.containers[0];
    expect(container.env).toContainEqual({ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'demo-token', key: 'token' } } });
    expect(container.args).toEqual(['--peers', '3']);
    expect(deployment(render(major).manifests).spec.template.spec.containers[0]).not.toHaveProperty('args');
    expect(render(major, { domain: 'localhost' }).stderr).toContain('domain: give the public domain');
  });

  test('builds a workload kind outside the workload layer from the smaller value blocks', () => {
    expect(find(render(major).manifests, 'CronJob')).toBeUndefined();
    const cronJob = find(
      render(major, {
        cleanup: { enabled: true, schedule: '*/5 * * * *', nodeSelector: { pool: 'batch' }, extraEnv: [{ name: 'DRY_RUN', value: '1' }] },
      }).manifests,
      'CronJob',
    ) as any;
    expect(cronJob.spec.schedule).toBe('*/5 * * * *');
    const pod = cronJob.spec.jobTemplate.spec.template.spec;
    expect(pod).toMatchObject({ serviceAccountName: 'default', nodeSelector: { pool: 'batch' } });
    expect(pod.containers[0]).toMatchObject({ image: 'busybox:1.37.0', env: [{ name: 'DRY_RUN', value: '1' }] });
  });

  test.each([
    ['a Docker Hub name', 'nginx', 'mirror.example.org/hub/nginx:1.10'],
    ['a Docker Hub name with its namespace', 'jitsi/web', 'mirror.example.org/hub/jitsi/web:1.10'],
    ['a registry host', 'registry.k8s.io/kubectl', 'mirror.example.org/hub/kubectl:1.10'],
    ['a registry host with a port', 'registry.example.org:5000/team/app', 'mirror.example.org/hub/team/app:1.10'],
    ['localhost', 'localhost/app', 'mirror.example.org/hub/app:1.10'],
  ])('pulls %s from global.imageRegistry when one is set', (_case, repository, reference) => {
    const image = (values: unknown): string => {
      const pods = render(major, values).manifests.flatMap((manifest: any) => [
        manifest.spec?.template?.spec,
        manifest.spec?.jobTemplate?.spec?.template?.spec,
      ]);
      return pods.flatMap((pod: any) => (pod === undefined ? [] : pod.containers.map((container: any) => container.image))).join(' ');
    };
    // the web container and the cleanup CronJob's, each from its own values
    const values = { image: { repository }, cleanup: { enabled: true, image: { repository } } };
    expect(image(values)).toBe(`${repository}:1.10 ${repository}:1.37.0`);
    expect(image({ ...values, global: { imageRegistry: 'mirror.example.org/hub' } })).toBe(
      `${reference} ${reference.replace('1.10', '1.37.0')}`,
    );
  });

  test('refuses a global.imageRegistry that is not a registry', () => {
    for (const imageRegistry of ['https://mirror.example.org', 'mirror.example.org/', 'Mirror.example.org']) {
      const result = render(major, { global: { imageRegistry } });
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('/global/imageRegistry');
    }
  });

  test('refuses a wrong value before rendering anything', () => {
    const result = render(major, { replicaCount: 'three' });
    expect(result.status).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/replicaCount/);
  });
});
