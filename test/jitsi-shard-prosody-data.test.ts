/**
 * Prosody's data directory on a PersistentVolumeClaim (`prosody.persistence`, which `auth.type: internal` needs for
 * its accounts), under Helm 3 and Helm 4 on one real control plane (`@meetscale/cluster`: etcd, kube-apiserver,
 * kube-controller-manager with its volume binder, kube-scheduler, kwok nodes): the chart creates the claim, the
 * prosody pod mounts it at /var/lib/prosody, and the same claim (same UID, same volume) survives a `helm upgrade`
 * that replaces the pod, the deletion of the pod, and `helm uninstall` (`helm.sh/resource-policy: keep`).
 *
 * The control plane has no storage provisioner, so each test creates the PersistentVolume the claim binds to (reserved
 * for it by `claimRef`; nothing is ever mounted: kwok runs no containers). Every test installs into a namespace
 * of its own, deleted after it with its volume.
 */
import { ControlPlane, type KubeJson, waitFor } from '@meetscale/cluster';
import type { HelmMajor } from '@meetscale/helm-binaries';

import { chartDir, HELM_MAJORS } from './support/charts';
import { createNamespace, helmOn, helmOutcome } from './support/cluster';

jest.setTimeout(300_000);

const CHART = 'jitsi-shard';
const RELEASE = 'shard-0';
const CLAIM = `${RELEASE}-jitsi-shard-prosody-data`;
const PROSODY = `${RELEASE}-jitsi-shard-prosody`;
const PROSODY_PODS = `app.kubernetes.io/instance=${RELEASE},app.kubernetes.io/component=prosody`;

/** Room for one shard: a bridge asks for 8 CPUs. */
const NODE_POOLS = [{ name: 'node', count: 2, cpu: '32', memory: '128Gi' }];

let plane: ControlPlane;

beforeAll(async () => {
  plane = await ControlPlane.start({ nodePools: NODE_POOLS });
}, 600_000);

afterAll(async () => {
  await plane?.stop();
});

/** What the running test created: deleted after it (the namespace takes the release, the kept claim and the pods). */
const created: Array<{ namespace: string; volume: string }> = [];

afterEach(async () => {
  for (const { namespace, volume } of created.splice(0)) {
    await plane.client.call('DELETE', `/api/v1/namespaces/${namespace}`);
    await plane.client.call('DELETE', `/api/v1/persistentvolumes/${volume}`);
  }
});

/** Runs Helm in a namespace against the control plane; its standard output, or an error with Helm's output. */
function helm(major: HelmMajor, namespace: string, ...args: string[]): string {
  const result = helmOn(plane, major, [...args, '--namespace', namespace]);
  const { status, output } = helmOutcome(result);
  if (status !== 0) throw new Error(`helm ${args.join(' ')} (Helm ${major}) exited with ${status}: ${output}`);
  return result.stdout;
}

const sets = (...assignments: string[]): string[] => assignments.flatMap((assignment) => ['--set', assignment]);

/** The claim as the API server stores it. */
const storedClaim = (namespace: string): Promise<KubeJson> =>
  plane.client.get(`/api/v1/namespaces/${namespace}/persistentvolumeclaims/${CLAIM}`);

/** The release's prosody pods that are not being deleted, as the API server stores them. */
async function prosodyPods(namespace: string): Promise<KubeJson[]> {
  const pods = await plane.client.list(`/api/v1/namespaces/${namespace}/pods`, PROSODY_PODS);
  return pods.filter((pod) => pod.metadata.deletionTimestamp === undefined);
}

/** The one running prosody pod other than `not` (a pod UID), once there is exactly one. */
function runningProsody(namespace: string, not?: string): Promise<KubeJson> {
  return waitFor(
    `one running prosody pod${not === undefined ? '' : ' replacing the old one'}`,
    async () => {
      const pods = await prosodyPods(namespace);
      const [pod] = pods;
      return pods.length === 1 && pod?.status?.phase === 'Running' && pod.metadata.uid !== not ? pod : undefined;
    },
    120_000,
    500,
  );
}

/** The claim the pod's `data` volume names, and where the prosody container mounts that volume. */
function dataVolumeOf(pod: KubeJson): { claim: string | undefined; mountPath: string | undefined } {
  const volume = (pod.spec.volumes as KubeJson[]).find((entry) => entry.name === 'data');
  const container = (pod.spec.containers as KubeJson[]).find((entry) => entry.name === 'prosody');
  const mount = (container?.volumeMounts as KubeJson[] | undefined)?.find((entry) => entry.name === 'data');
  return { claim: volume?.persistentVolumeClaim?.claimName, mountPath: mount?.mountPath };
}

describe.each(HELM_MAJORS)('prosody data on a PersistentVolumeClaim, with Helm %i', (major) => {
  test('the claim is created, mounted by the prosody pod, and kept through an upgrade, a pod deletion and uninstall', async () => {
    // GIVEN a namespace and a volume reserved for the claim the chart will create
    const namespace = `prosody-data-h${major}`;
    const volume = `prosody-data-h${major}`;
    await createNamespace(plane.client, namespace, 'restricted');
    created.push({ namespace, volume });
    await plane.client.create('/api/v1/persistentvolumes', {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: volume },
      spec: {
        capacity: { storage: '1Gi' },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Retain',
        // reserved for the chart's claim (the cluster has no default StorageClass, so the claim names none)
        claimRef: { namespace, name: CLAIM },
        hostPath: { path: `/var/lib/meetscale-test/${volume}` },
      },
    });

    // WHEN shard-0 is installed with internal accounts and prosody persistence
    const values = sets(
      'auth.type=internal',
      'prosody.persistence.enabled=true',
      `jvb.media.nodePort.basePort=${major === 3 ? 30_600 : 30_700}`,
    );
    helm(major, namespace, 'install', RELEASE, chartDir(CHART), ...values, '--wait', '--timeout', '3m');

    // THEN the chart's claim is bound to the volume, owned by the release and marked to be kept
    const claim = await waitFor(
      'the claim to be bound',
      async () => {
        const stored = await storedClaim(namespace);
        return stored.status?.phase === 'Bound' ? stored : undefined;
      },
      60_000,
      500,
    );
    expect(claim.spec.volumeName).toBe(volume);
    expect(claim.metadata.annotations).toMatchObject({
      'helm.sh/resource-policy': 'keep',
      'meta.helm.sh/release-name': RELEASE,
    });
    const claimUid = claim.metadata.uid as string;
    // AND the one prosody pod runs with the claim mounted at prosody's data directory
    const first = await runningProsody(namespace);
    expect(dataVolumeOf(first)).toEqual({ claim: CLAIM, mountPath: '/var/lib/prosody' });

    // WHEN the release is upgraded with a change that replaces the prosody pod (a module more)
    helm(
      major,
      namespace,
      'upgrade',
      RELEASE,
      chartDir(CHART),
      ...values,
      ...sets('prosody.modules.muc={muc_lobby_rooms}'),
      '--wait',
      '--timeout',
      '3m',
    );
    // THEN a new prosody pod runs on the same claim, still bound to the same volume
    const upgraded = await runningProsody(namespace, first.metadata.uid);
    expect(dataVolumeOf(upgraded)).toEqual({ claim: CLAIM, mountPath: '/var/lib/prosody' });
    expect(await storedClaim(namespace)).toMatchObject({
      metadata: { uid: claimUid },
      spec: { volumeName: volume },
      status: { phase: 'Bound' },
    });

    // WHEN the prosody pod is deleted
    await plane.client.call('DELETE', `/api/v1/namespaces/${namespace}/pods/${upgraded.metadata.name}`);
    // THEN its Deployment starts another one on the same claim
    const replaced = await runningProsody(namespace, upgraded.metadata.uid);
    expect(replaced.metadata.ownerReferences?.[0]?.kind).toBe('ReplicaSet');
    expect(dataVolumeOf(replaced)).toEqual({ claim: CLAIM, mountPath: '/var/lib/prosody' });
    expect((await storedClaim(namespace)).metadata.uid).toBe(claimUid);
    const deployment = await plane.client.get(`/apis/apps/v1/namespaces/${namespace}/deployments/${PROSODY}`);
    expect({ replicas: deployment.spec.replicas, strategy: deployment.spec.strategy.type }).toEqual({ replicas: 1, strategy: 'Recreate' });

    // WHEN the release is uninstalled
    helm(major, namespace, 'uninstall', RELEASE, '--wait');
    // THEN the accounts' claim is still there, bound to the same volume
    expect(await storedClaim(namespace)).toMatchObject({ metadata: { uid: claimUid }, spec: { volumeName: volume } });
  });
});
