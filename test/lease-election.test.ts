/**
 * One active BigBlueButton autoscaler: the Lease elector (`@meetscale/kube-lease`) on the real control plane, as the
 * autoscaler's pods run it — with the token of the chart's own ServiceAccount, whose Role (rendered by Helm from
 * `charts/bbb-autoscaler`) allows that one Lease only. Of two instances one leads; a released Lease passes at once, an
 * abandoned one after its duration; and the ServiceAccount can do nothing else.
 */
import { ControlPlane, KubeClient } from '@meetscale/cluster';
import { LeaseElector } from '@meetscale/kube-lease';

import { objectId, renderChart } from './support/charts';
import { createNamespace, objectPath } from './support/cluster';

jest.setTimeout(300_000);

const NAMESPACE = 'bigbluebutton';
const RELEASE = 'bbb-autoscaler';

let plane: ControlPlane;
let token: string;

beforeAll(async () => {
  plane = await ControlPlane.start({});
  await createNamespace(plane.client, NAMESPACE, 'restricted');
  // GIVEN the chart's ServiceAccount, Role, RoleBinding and Lease, as Helm renders them
  const objects = renderChart(4, 'bbb-autoscaler', { release: RELEASE, namespace: NAMESPACE }).manifests.filter((manifest) =>
    ['ServiceAccount', 'Role', 'RoleBinding', 'Lease'].includes(manifest.kind),
  );
  expect(objects.map(objectId).sort()).toEqual([
    'Lease/bbb-autoscaler',
    'Role/bbb-autoscaler',
    'RoleBinding/bbb-autoscaler',
    'ServiceAccount/bbb-autoscaler',
  ]);
  for (const object of objects) {
    const path = await objectPath(plane.client, object, NAMESPACE);
    await plane.client.create(path.slice(0, path.lastIndexOf('/')), object);
  }
  // AND a token of that ServiceAccount, as the pod's projected token
  const request = (await plane.client.create(`/api/v1/namespaces/${NAMESPACE}/serviceaccounts/${RELEASE}/token`, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: { expirationSeconds: 3600 },
  })) as { status: { token: string } };
  token = request.status.token;
}, 600_000);

afterAll(async () => {
  await plane?.stop();
});

const elector = (identity: string, durationSeconds = 2): LeaseElector =>
  new LeaseElector(
    { server: plane.client.options.server, ca: plane.client.options.ca, token: () => token },
    { namespace: NAMESPACE, name: RELEASE, identity, durationSeconds },
  );

const lease = async (): Promise<{ holderIdentity?: string | null; leaseTransitions?: number }> =>
  ((await plane.client.get(`/apis/coordination.k8s.io/v1/namespaces/${NAMESPACE}/leases/${RELEASE}`)) as { spec: Record<string, any> })
    .spec;

test('of two instances one leads; a released Lease passes at once, an abandoned one after its duration', async () => {
  const first = elector('bbb-autoscaler-7d9f-a');
  const second = elector('bbb-autoscaler-7d9f-b');
  // WHEN both compete, rounds interleaved
  expect(await first.round()).toBe(true);
  expect(await second.round()).toBe(false);
  expect(await first.round()).toBe(true);
  expect(await second.round()).toBe(false);
  expect((await lease()).holderIdentity).toBe('bbb-autoscaler-7d9f-a');
  // WHEN the leader shuts down and gives the Lease up, the other takes it at its next round
  await first.release();
  expect(await second.round()).toBe(true);
  expect(await first.round()).toBe(false);
  // WHEN the leader stops renewing (a crash), the other waits out the duration, measured on its own clock
  const started = Date.now();
  let took = false;
  for (let attempt = 0; attempt < 40 && !took; attempt += 1) {
    took = await first.round();
    if (!took) await new Promise((done) => setTimeout(done, 250));
  }
  expect(took).toBe(true);
  expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
  expect(await lease()).toMatchObject({ holderIdentity: 'bbb-autoscaler-7d9f-a', leaseTransitions: 3 });
});

test("the chart's ServiceAccount may read and renew its Lease, and nothing else", async () => {
  const serviceAccount = new KubeClient({ ...plane.client.options, token });
  const as = async (method: string, path: string, body?: unknown): Promise<number> =>
    (await serviceAccount.request(method, path, body)).status;
  expect(await as('GET', `/apis/coordination.k8s.io/v1/namespaces/${NAMESPACE}/leases/${RELEASE}`)).toBe(200);
  const other = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'someone-else', namespace: NAMESPACE }, spec: {} };
  expect(await as('POST', `/apis/coordination.k8s.io/v1/namespaces/${NAMESPACE}/leases`, other)).toBe(403);
  expect(await as('GET', `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler`)).toBe(403);
  expect(await as('GET', `/api/v1/namespaces/${NAMESPACE}/secrets`)).toBe(403);
  expect(await as('DELETE', `/apis/coordination.k8s.io/v1/namespaces/${NAMESPACE}/leases/${RELEASE}`)).toBe(403);
});
