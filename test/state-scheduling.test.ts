/**
 * Scheduling as in production, per federal state: kwok nodes shaped like the state's IONOS node pools at their
 * autoscaling maximum (labels, the in-cluster media taint, allocatable CPU and memory), the state-base chart's
 * objects (namespaces, taint DaemonSet, Gateway) rendered from `charts/state-base` and applied first, and the state's
 * other meetscale releases installed from `charts/` with exactly the values its synthesized stack passes them (read from
 * `apps/infra/cdktf.out`, which `npm run build` writes). Nothing here names a state.
 */
import {
  bridgesAtMaximum,
  describePool,
  mediaNodesNeeded,
  mediaPools,
  nodeAllocatable,
  StateCluster,
  stateIds,
  type StateInstallation,
  stateInstallation,
  stateSchedulingProblems,
  tolerates,
} from '@meetscale/local-state';

jest.setTimeout(900_000);

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('the allocatable model of an IONOS node', () => {
  test('reserves CPU and memory on the GKE curve plus the eviction threshold', () => {
    // 4 cores: 60m + 10m + 2 × 5m reserved; 16 GiB: 1024 + 819.2 + 819.2 Mi, plus 100 Mi
    expect(nodeAllocatable(4, 16384)).toEqual({ cpuMillis: 3920, memoryMi: 13621 });
    // 9 cores: 80m + 5 × 2.5m reserved, rounded up; 4 GiB: 1024 Mi, plus 100 Mi
    expect(nodeAllocatable(9, 4096)).toEqual({ cpuMillis: 8907, memoryMi: 2972 });
  });
});

describe('the toleration match of the placement check', () => {
  test('takes a media node agent by key and effect, or by tolerating every taint, and nothing else', () => {
    const media = { key: 'meetscale.io/media', value: 'true', effect: 'NoSchedule' } as const;
    // a toleration of every taint (the log shipper's), of the key, and of the key and value (the bridges')
    expect(tolerates([{ operator: 'Exists' }], media)).toBe(true);
    expect(tolerates([{ key: 'meetscale.io/media', operator: 'Exists' }], media)).toBe(true);
    expect(tolerates([{ key: 'meetscale.io/media', operator: 'Equal', value: 'true', effect: 'NoSchedule' }], media)).toBe(true);
    // not another key, value or effect, and not no toleration at all
    expect(tolerates([{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }], media)).toBe(false);
    expect(tolerates([{ key: 'meetscale.io/media', value: 'false' }], media)).toBe(false);
    expect(tolerates([{ key: 'meetscale.io/media', operator: 'Exists', effect: 'NoExecute' }], media)).toBe(false);
    expect(tolerates([], media)).toBe(false);
  });
});

describe('the synthesized stack of a state', () => {
  test('is required: without it the test fails, naming the command that writes it', () => {
    expect(() => stateInstallation('no-such-state')).toThrow(
      'no synthesized stack for state "no-such-state" at apps/infra/cdktf.out/stacks/no-such-state/cdk.tf.json: run `npm run build` (or `npx nx run infra:synth`) first',
    );
  });
});

describe.each(stateIds())("state %s, its cluster base as the state-base chart renders it with the stack's values", (stateId) => {
  test('holds the namespaces with their Pod Security labels, and the DaemonSet that taints the media pool', () => {
    // GIVEN / WHEN the state's installation, read from its stack
    const installation = stateInstallation(stateId);
    const podSecurity = (enforce: string) => ({
      'pod-security.kubernetes.io/enforce': enforce,
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    });

    // THEN the chart rendered without a problem (the reserved IP's expression stood in for), and created the
    // namespaces at their levels: privileged for the bridges' host ports and the log shipper's host paths,
    // restricted elsewhere
    expect(installation.stackProblems).toEqual([]);
    expect(installation.namespaces).toMatchObject({
      'meetscale-system': podSecurity('restricted'),
      jitsi: podSecurity('privileged'),
      gateway: podSecurity('restricted'),
      logging: podSecurity('privileged'),
    });
    // AND its DaemonSet taints the media pool, and only it, with the taint the bridges tolerate
    expect(mediaPools(installation).map((pool) => pool.taints)).toEqual([
      [{ key: 'meetscale.io/media', value: 'true', effect: 'NoSchedule' }],
    ]);
    expect(installation.pools.filter((pool) => pool.taints.length > 0)).toEqual(mediaPools(installation));
    // AND the Gateway and the ClusterIssuer are among the objects applied before the charts
    expect(installation.manifests.map(({ manifest }) => manifest.kind)).toEqual(
      expect.arrayContaining(['DaemonSet', 'ClusterRole', 'GatewayClass', 'Gateway', 'ClusterIssuer']),
    );
  });
});

describe.each(stateIds())('state %s, scheduled as in production', (stateId) => {
  let installation: StateInstallation;
  let cluster: StateCluster | undefined;
  let installProblems: string[] = [];

  beforeAll(async () => {
    installation = stateInstallation(stateId);
    cluster = await StateCluster.start(installation);
    installProblems = await cluster.install();
  }, 900_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  test('has a node per pool node at its maximum, labelled and tainted as the stack provisions them', async () => {
    const nodes = await cluster!.client.list('/api/v1/nodes');
    for (const pool of installation.pools) {
      const ofPool = nodes.filter((node) => node.metadata.name.startsWith(`${pool.name}-`));
      expect(ofPool).toHaveLength(pool.maxNodes);
      for (const node of ofPool) {
        expect(node.metadata.labels).toMatchObject(pool.labels);
        expect(node.spec.taints ?? []).toEqual(pool.taints);
      }
    }
    expect(mediaPools(installation).map((pool) => pool.taints.length > 0)).toEqual([true]);
  });

  test('its namespaces enforce the Pod Security level the stack gives them', async () => {
    for (const release of installation.releases) {
      const namespace = await cluster!.client.get(`/api/v1/namespaces/${release.namespace}`);
      expect(namespace.metadata.labels).toMatchObject(installation.namespaces[release.namespace] ?? {});
    }
  });

  test('its meetscale releases install with --wait and Helm 4, with the synthesized values', () => {
    expect(installation.releases.length).toBeGreaterThan(0);
    expect(installProblems).toEqual([]);
  });

  test('every pod schedules, the bridges on media nodes only, and nothing else on a media node', async () => {
    expect(await cluster!.placementProblems()).toEqual([]);
  });

  test('its log shipper has a Ready pod on every node, the media nodes included, wherever the state runs logging', async () => {
    // GIVEN the state's logging releases (none when it turns logging off) and its nodes
    const nodes = (await cluster!.client.list('/api/v1/nodes')).map((node) => node.metadata.name).sort();
    const logging = installation.releases.filter((candidate) => candidate.chart === 'logging');
    // the stack's state-base release creates the logging namespace exactly when the state runs logging
    expect(logging.map((release) => release.namespace)).toEqual('logging' in installation.namespaces ? ['logging'] : []);
    for (const release of logging) {
      // WHEN the shipper's pods are listed
      const selector = `app.kubernetes.io/instance=${release.name},app.kubernetes.io/component=shipper`;
      const pods = await cluster!.client.list(`/api/v1/namespaces/${release.namespace}/pods`, selector);
      const ready = (pod: any): boolean =>
        (pod.status?.conditions ?? []).some((condition: any) => condition.type === 'Ready' && condition.status === 'True');

      // THEN one runs, Ready, on each node: the bridges' logs are shipped too
      expect(
        pods
          .filter(ready)
          .map((pod) => pod.spec.nodeName)
          .sort(),
      ).toEqual(nodes);
    }
  });

  test("scaled to the autoscalers' maximum, every bridge still schedules on a media node", async () => {
    expect(await cluster!.scaleBridgesToMaximum()).toEqual([]);
    const bridges = await cluster!.client.list('/api/v1/pods', 'app.kubernetes.io/component=jvb');
    expect(bridges.filter((pod) => pod.spec.nodeName !== undefined)).toHaveLength(bridgesAtMaximum(installation));
  });
});

describe('a state whose pools cannot hold its own maximum', () => {
  test('fails, naming the media pool and the scheduler reason', async () => {
    // GIVEN the smallest state with its media pool one node short of what its bridges need at their maximum
    const smallest = stateIds()
      .map(stateInstallation)
      .reduce((small, state) => (bridgesAtMaximum(state) < bridgesAtMaximum(small) ? state : small));
    const [media] = mediaPools(smallest);
    const needed = mediaNodesNeeded(smallest, media!);
    const short = { ...media!, maxNodes: needed - 1 };
    const undersized: StateInstallation = {
      ...smallest,
      pools: smallest.pools.map((pool) => (pool.name === media!.name ? short : pool)),
    };
    // WHEN it is installed and its bridges scaled to their maximum
    const problems = await stateSchedulingProblems(undersized);
    // THEN the one problem names the media pool, its shape, the bridges it cannot hold and why
    const bridges = bridgesAtMaximum(smallest);
    expect(problems).toEqual([
      expect.stringMatching(
        new RegExp(
          `^media pool "${escape(media!.name)}" \\(${escape(describePool(short))}\\) cannot hold ${bridges} bridges: [1-9]\\d* Pending: 0/\\d+ nodes are available: `,
        ),
      ),
    ]);
  });
});
