/**
 * The jitsi-shard chart's optional Etherpad and whiteboard (`etherpad.enabled`, `whiteboard.enabled`), rendered by
 * real Helm 3 and 4: nothing of them by default; when on, a hardened Deployment and a Service each, the web
 * environment that proxies them and hands their public URLs to the clients, URLs that name the shard the way the
 * haproxy chart routes them (test/haproxy-live.test.ts sends such requests through real HAProxy), and
 * NetworkPolicies admitting only web.
 */
import { configMapEntry, HELM_MAJORS, type Manifest, renderChart } from './support/charts';
import { configSection } from './support/haproxy';

const CHART = 'jitsi-shard';
const RELEASE = 'shard-1';
const NAMESPACE = 'jitsi';
const PADS = { etherpad: { enabled: true }, whiteboard: { enabled: true } };

describe.each(HELM_MAJORS)('jitsi-shard Etherpad and whiteboard rendered by Helm %i', (major) => {
  const render = (values: unknown = {}): Manifest[] => {
    const result = renderChart(major, CHART, { release: RELEASE, namespace: NAMESPACE, values });
    if (result.status !== 0) throw new Error(result.stderr);
    return result.manifests;
  };
  const named = (manifests: Manifest[], kind: string, name: string): any => {
    const found = manifests.filter((m) => m.kind === kind && m.metadata.name === name);
    expect(found).toHaveLength(1);
    return found[0];
  };
  const webEnv = (manifests: Manifest[]): Record<string, unknown> =>
    Object.fromEntries(
      named(manifests, 'Deployment', `${RELEASE}-jitsi-shard-web`).spec.template.spec.containers[0].env.map((entry: any) => [
        entry.name,
        entry.value ?? entry.valueFrom,
      ]),
    );
  const ofComponent = (manifests: Manifest[], component: string): Manifest[] =>
    manifests.filter((m) => (m.metadata.labels as Record<string, string> | undefined)?.['app.kubernetes.io/component'] === component);

  test('by default neither runs and web proxies neither', () => {
    const manifests = render();
    expect(ofComponent(manifests, 'etherpad')).toEqual([]);
    expect(ofComponent(manifests, 'whiteboard')).toEqual([]);
    expect(Object.keys(webEnv(manifests)).filter((name) => /ETHERPAD|WHITEBOARD/.test(name))).toEqual([]);
  });

  test.each([
    ['etherpad', 9001, 5001],
    ['whiteboard', 8080, 1000],
  ] as const)('%s runs as one non-root, read-only pod without capabilities, behind its own Service', (component, port, uid) => {
    // GIVEN both switched on
    const manifests = render(PADS);
    const name = `${RELEASE}-jitsi-shard-${component}`;

    // THEN one Deployment of one replica, recreated (a second pod would hold other pads or whiteboards)
    const deployment = named(manifests, 'Deployment', name);
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    // AND its pod meets Pod Security `restricted`
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: uid, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(pod.containers[0].resources.requests).toBeDefined();
    // AND its Service selects exactly its pods, on the port web proxies to
    const service = named(manifests, 'Service', name);
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    expect(service.spec.selector['app.kubernetes.io/component']).toBe(component);
    expect(service.spec.ports).toEqual([{ name: 'http', port, targetPort: 'http', protocol: 'TCP' }]);
    // AND it listens where the Service sends: the whiteboard's port comes from its ConfigMap (its default, 80, needs
    // root), Etherpad's from its env
    const settings =
      component === 'whiteboard'
        ? named(manifests, 'ConfigMap', name).data
        : Object.fromEntries(pod.containers[0].env.map((entry: any) => [entry.name, entry.value]));
    expect(settings.PORT).toBe(String(port));
    // AND a PodDisruptionBudget, as every component
    expect(named(manifests, 'PodDisruptionBudget', name).spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
  });

  test('web proxies both at their fully qualified Service names and gives the clients URLs naming the shard', () => {
    const env = webEnv(render({ ...PADS, domain: 'meet.schule.example.org' }));
    expect(env).toMatchObject({
      ETHERPAD_URL_BASE: `http://${RELEASE}-jitsi-shard-etherpad.${NAMESPACE}.svc.cluster.local:9001`,
      ETHERPAD_PUBLIC_URL: `https://meet.schule.example.org/etherpad/${RELEASE}/p/`,
      WHITEBOARD_COLLAB_SERVER_URL_BASE: `http://${RELEASE}-jitsi-shard-whiteboard.${NAMESPACE}.svc.cluster.local:8080`,
      WHITEBOARD_COLLAB_SERVER_PUBLIC_URL: `https://meet.schule.example.org/?shard=${RELEASE}`,
    });
    // The pad URL jitsi-meet builds (`new URL(<pad name>, etherpad_base)`) starts with /etherpad/<shard>/, the prefix
    // HAProxy routes by; the whiteboard URL keeps the default socket.io namespace (path `/`) and carries `shard`.
    expect(new URL('a1b2c3', String(env.ETHERPAD_PUBLIC_URL)).pathname).toBe(`/etherpad/${RELEASE}/p/a1b2c3`);
    const whiteboard = new URL(String(env.WHITEBOARD_COLLAB_SERVER_PUBLIC_URL));
    expect(whiteboard.pathname).toBe('/');
    expect(whiteboard.searchParams.get('shard')).toBe(RELEASE);
  });

  test("shardName replaces the release name in both URLs, to match the haproxy chart's shard name", () => {
    const env = webEnv(render({ ...PADS, shardName: 'bremen-2' }));
    expect(env.ETHERPAD_PUBLIC_URL).toBe('https://meet.example.org/etherpad/bremen-2/p/');
    expect(env.WHITEBOARD_COLLAB_SERVER_PUBLIC_URL).toBe('https://meet.example.org/?shard=bremen-2');
  });

  test('a shardName that is not a plain name is refused by the schema, naming it', () => {
    const result = renderChart(major, CHART, { release: RELEASE, namespace: NAMESPACE, values: { shardName: 'Shard/1' } });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/shardName/);
  });

  test("with networkPolicy on, only the shard's web pods reach them (and Prometheus the whiteboard metrics)", () => {
    const manifests = render({ ...PADS, networkPolicy: { enabled: true } });
    const webPods = {
      podSelector: {
        matchLabels: { 'app.kubernetes.io/name': 'jitsi-shard', 'app.kubernetes.io/instance': RELEASE },
        matchExpressions: [{ key: 'app.kubernetes.io/component', operator: 'In', values: ['web'] }],
      },
    };
    expect(named(manifests, 'NetworkPolicy', `${RELEASE}-jitsi-shard-etherpad`).spec.ingress).toEqual([
      { from: [webPods], ports: [{ port: 9001, protocol: 'TCP' }] },
    ]);
    const whiteboard = named(manifests, 'NetworkPolicy', `${RELEASE}-jitsi-shard-whiteboard`).spec.ingress;
    expect(whiteboard[0]).toEqual({ from: [webPods], ports: [{ port: 8080, protocol: 'TCP' }] });
    expect(whiteboard[1].ports).toEqual([{ port: 9090, protocol: 'TCP' }]);
    expect(whiteboard[1].from[0].namespaceSelector).toBeDefined();
    // AND without the components, no policy for them
    const off = render({ networkPolicy: { enabled: true } });
    expect(off.filter((m) => m.kind === 'NetworkPolicy' && /etherpad|whiteboard/.test(m.metadata.name))).toEqual([]);
  });

  test("the haproxy chart's defaults route the default shard's pad and whiteboard URLs to it", () => {
    // GIVEN the default shard (release shard-0, what the haproxy chart's default `shards` names) with both on
    const result = renderChart(major, CHART, { release: 'shard-0', namespace: NAMESPACE, values: PADS });
    if (result.status !== 0) throw new Error(result.stderr);
    const env = Object.fromEntries(
      (
        result.manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === 'shard-0-jitsi-shard-web') as any
      ).spec.template.spec.containers[0].env.map((entry: any) => [entry.name, entry.value]),
    );
    const padShard = new URL('pad', String(env.ETHERPAD_PUBLIC_URL)).pathname.split('/')[2];
    const whiteboardShard = new URL(String(env.WHITEBOARD_COLLAB_SERVER_PUBLIC_URL)).searchParams.get('shard');

    // WHEN the haproxy chart is rendered with its defaults
    const haproxy = renderChart(major, 'haproxy', { release: 'edge', namespace: NAMESPACE, values: {} });
    if (haproxy.status !== 0) throw new Error(haproxy.stderr);
    const backend = configSection(configMapEntry(haproxy.manifests, 'haproxy.cfg'), 'backend shards');

    // THEN both name shard-0, the server HAProxy sends that name to
    expect([padShard, whiteboardShard]).toEqual(['shard-0', 'shard-0']);
    expect(backend).toContain('use-server shard-0 if { var(txn.pad_shard) -m str shard-0 }');
    expect(backend).toContain('server shard-0 shard-0-jitsi-shard-web:80');
  });
});
