/**
 * The logging chart's own rules and choices, as real Helm renders the built chart: the rules between values JSON
 * Schema cannot state, ECK's zone awareness per `elasticsearch.zoneAntiAffinity`, a node set's defaults inside the
 * list, the Kibana routes following Kibana, and the shipper's Kubernetes API token.
 */
import { renderChart } from './support/charts';

const HELM = 4;

type Json = Record<string, unknown>;

function render(values: unknown): ReturnType<typeof renderChart> {
  return renderChart(HELM, 'logging', { release: 'logs', namespace: 'logging', values });
}

function object(values: unknown, kind: string): Json {
  const rendered = render(values);
  expect(rendered.stderr).toBe('');
  const found = rendered.manifests.find((manifest) => manifest.kind === kind);
  if (found === undefined) throw new Error(`no ${kind} rendered`);
  return found as unknown as Json;
}

describe('the logging chart refuses values that would lose or mix logs, naming them', () => {
  test.each([
    [
      'a defaultStream that is no stream',
      { defaultStream: 'everything' },
      'defaultStream must name one of streams (it has no lifecycle policy otherwise)',
    ],
    [
      'a container in two streams (the map merges: jvb stays in jitsi)',
      { streams: { media: { containers: ['jvb'], retention: '3d' } } },
      'streams: a container is listed in two streams',
    ],
    [
      "a role of the values named like the shipper's",
      { security: { roles: { 'meetscale-shipper': { indices: [{ names: ['*'], privileges: ['all'] }] } } } },
      "security.roles: meetscale-shipper is the shipper's own role",
    ],
  ])('%s', (_case, values, message) => {
    const rendered = render(values);
    expect(rendered.status).not.toBe(0);
    expect(rendered.stderr).toContain(message);
  });

  test('and takes a container moved from one stream to another, and a default stream set to null', () => {
    const rendered = render({
      streams: { media: { containers: ['jvb'], retention: '3d' }, jitsi: { containers: ['jicofo'] }, turn: null },
    });
    expect(rendered.stderr).toBe('');
    expect(rendered.status).toBe(0);
  });
});

describe('Elasticsearch', () => {
  const nodeSets = (values: unknown) => (object(values, 'Elasticsearch').spec as { nodeSets: Json[] }).nodeSets;

  test.each([
    ['preferred', true, 'ScheduleAnyway'],
    ['required', true, 'DoNotSchedule'],
    ['none', false, undefined],
  ] as const)('zoneAntiAffinity %s: zone awareness %s, spread %s', (mode, aware, whenUnsatisfiable) => {
    const [set] = nodeSets({ elasticsearch: { zoneAntiAffinity: mode } });
    expect('zoneAwareness' in (set as Json)).toBe(aware);
    const spread = ((set?.podTemplate as { spec: { topologySpreadConstraints?: Json[] | null } }).spec.topologySpreadConstraints ?? []).map(
      (constraint) => constraint.whenUnsatisfiable,
    );
    expect(spread).toEqual(whenUnsatisfiable === undefined ? [] : [whenUnsatisfiable]);
  });

  test("a node set given without resources or storage gets the schema's defaults (Helm applies none inside a list)", () => {
    const [set] = nodeSets({ elasticsearch: { nodeSets: [{ name: 'hot', count: 2, roles: ['data_hot'] }], storageClassName: 'fast' } });
    const container = (set?.podTemplate as { spec: { containers: Json[] } }).spec.containers[0];
    expect(container?.resources).toEqual({ requests: { cpu: '1', memory: '4Gi' }, limits: { memory: '4Gi' } });
    expect((set?.volumeClaimTemplates as Json[])[0]).toMatchObject({
      spec: { resources: { requests: { storage: '30Gi' } }, storageClassName: 'fast' },
    });
    expect(set?.config).toEqual({ 'node.roles': ['data_hot'], 'node.store.allow_mmap': false });
  });
});

test('the Kibana routes follow Kibana: with Kibana off, an enabled Ingress and HTTPRoute render nothing', () => {
  const routes = { ingress: { enabled: true, hosts: [{ host: 'logs.example.org' }] }, httpRoute: { enabled: true } };
  const kinds = (kibana: Json) =>
    render({ kibana: { ...kibana, ...routes } })
      .manifests.map((manifest) => manifest.kind)
      .filter((kind) => ['Kibana', 'Ingress', 'HTTPRoute'].includes(kind))
      .sort();
  expect(kinds({ enabled: true })).toEqual(['HTTPRoute', 'Ingress', 'Kibana']);
  expect(kinds({ enabled: false })).toEqual([]);
});

test("the shipper reaches the Kubernetes API with a projected token of its own, while the ServiceAccount's automount stays off", () => {
  const pod = (object({}, 'DaemonSet').spec as { template: { spec: Json } }).template.spec;
  expect(pod.automountServiceAccountToken).toBe(false);
  const volume = (pod.volumes as Json[]).find((entry) => entry.name === 'kube-api-access') as { projected: { sources: Json[] } };
  expect(volume.projected.sources.map((source) => Object.keys(source)[0])).toEqual(['serviceAccountToken', 'configMap', 'downwardAPI']);
  const mounts = ((pod.containers as Json[])[0]?.volumeMounts ?? []) as Json[];
  expect(mounts).toContainEqual({ name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true });
});
