/**
 * Scalelite's singletons on the real control plane (`@meetscale/cluster`, pods simulated by kwok): the database
 * migration Job runs once, and before the API's pods exist, on install and on upgrade; a rollout of the recording
 * importer never has two importer pods at once (the chart's `Recreate`), where a rolling update would.
 */
import { ControlPlane } from '@meetscale/cluster';

import { chartDir } from './support/charts';
import { createNamespace, helmOn, helmOutcome } from './support/cluster';

jest.setTimeout(300_000);

const RELEASE = 'bbb';
const NAMESPACE = 'scalelite';
const FULLNAME = `${RELEASE}-scalelite`;

let plane: ControlPlane;

beforeAll(async () => {
  plane = await ControlPlane.start({ nodePools: [{ name: 'node', count: 2, cpu: '8', memory: '32Gi' }], persistentVolumes: 2 });
  await createNamespace(plane.client, NAMESPACE, 'restricted');
}, 600_000);

afterAll(async () => {
  await plane?.stop();
});

function helm(...args: string[]): void {
  const { status, output } = helmOutcome(helmOn(plane, 4, [...args, '--namespace', NAMESPACE, '--wait', '--timeout', '3m']));
  if (status !== 0) throw new Error(`helm ${args.join(' ')} exited with ${status}: ${output}`);
}

const seconds = (timestamp: string): number => Date.parse(timestamp) / 1000;

/**
 * What the Job controller reported of the migration Jobs (its Events outlive the Jobs, which Helm deletes once they
 * succeeded): the pods it created and when each Job completed; and the creation times of the API's pods.
 */
async function migrationAndApi(): Promise<{ podsCreated: number; completions: number[]; apiCreated: number[] }> {
  const events = (await plane.client.list(`/api/v1/namespaces/${NAMESPACE}/events`)).filter(
    (event) => event.involvedObject?.kind === 'Job' && event.involvedObject?.name === `${FULLNAME}-migrate`,
  );
  const time = (event: any): number => seconds(event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp);
  const api = await plane.client.list(`/api/v1/namespaces/${NAMESPACE}/pods`, 'app.kubernetes.io/component=api');
  return {
    podsCreated: events.filter((event) => event.reason === 'SuccessfulCreate').reduce((sum, event) => sum + (event.count ?? 1), 0),
    completions: events
      .filter((event) => event.reason === 'Completed')
      .map(time)
      .sort(),
    apiCreated: api.filter((pod) => pod.metadata.deletionTimestamp === undefined).map((pod) => seconds(pod.metadata.creationTimestamp)),
  };
}

/**
 * Rolls the importer's Deployment (a new pod template annotation), waits until the new pod runs alone, and replays
 * the pods' watch events since the change: the most importer pods that existed at once, terminating ones included.
 */
async function mostImportersDuringRollout(mark: string): Promise<number> {
  const path = `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/${FULLNAME}-importer`;
  const podsPath = `/api/v1/namespaces/${NAMESPACE}/pods?labelSelector=${encodeURIComponent('app.kubernetes.io/component=importer')}`;
  // the pods before the change, and the resource version from which the API server replays every change after it
  const before = (await plane.client.get(podsPath)) as { metadata: { resourceVersion: string }; items: any[] };
  await plane.client.call(
    'PATCH',
    path,
    { spec: { template: { metadata: { annotations: { 'meetscale.test/rollout': mark } } } } },
    'application/merge-patch+json',
  );
  const deadline = Date.now() + 60_000;
  for (let poll = 0; poll < 600 && Date.now() < deadline; poll += 1) {
    const pods = await plane.client.list(`/api/v1/namespaces/${NAMESPACE}/pods`, 'app.kubernetes.io/component=importer');
    const current = pods.filter((pod) => pod.metadata.annotations?.['meetscale.test/rollout'] === mark);
    const ready = current.some((pod) =>
      pod.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True'),
    );
    if (ready && pods.length === 1) {
      // Replay the rollout from the watch (every pod added and deleted since, in order): polling can miss a short
      // overlap on a busy machine, the event history cannot.
      const watched = await plane.client.request(
        'GET',
        `${podsPath}&watch=true&resourceVersion=${before.metadata.resourceVersion}&timeoutSeconds=1`,
      );
      const events = (
        typeof watched.body === 'string' ? watched.body.split('\n').filter((line) => line.trim() !== '') : [watched.body]
      ).map((event) => (typeof event === 'string' ? JSON.parse(event) : event) as { type: string; object: any });
      const existing = new Set<string>(before.items.map((pod) => pod.metadata.name as string));
      let most = existing.size;
      for (const event of events) {
        if (event.type === 'ADDED') existing.add(event.object.metadata.name);
        if (event.type === 'DELETED') existing.delete(event.object.metadata.name);
        most = Math.max(most, existing.size);
      }
      expect(events.some((event) => event.type === 'ADDED')).toBe(true);
      return most;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the importer rollout ${mark} did not finish within 60 s`);
}

test('the migration runs once, and before the API pods, on install and on upgrade', async () => {
  // GIVEN the chart installed with its defaults
  helm('install', RELEASE, chartDir('scalelite'));
  // THEN the migration Job ran one pod and completed before any API pod was created, and is gone (it succeeded)
  const installed = await migrationAndApi();
  expect({ pods: installed.podsCreated, completions: installed.completions.length }).toEqual({ pods: 1, completions: 1 });
  expect(installed.apiCreated.length).toBe(2);
  for (const created of installed.apiCreated) expect(created).toBeGreaterThanOrEqual(installed.completions[0] as number);
  expect((await plane.client.request('GET', `/apis/batch/v1/namespaces/${NAMESPACE}/jobs/${FULLNAME}-migrate`)).status).toBe(404);

  // WHEN an upgrade changes the API (a new pod template)
  helm('upgrade', RELEASE, chartDir('scalelite'), '--set', 'logLevel=warn');
  // THEN the migration ran once more, and completed before the new API pods were created
  const upgraded = await migrationAndApi();
  expect({ pods: upgraded.podsCreated, completions: upgraded.completions.length }).toEqual({ pods: 2, completions: 2 });
  expect(upgraded.apiCreated.length).toBeGreaterThan(0);
  for (const created of upgraded.apiCreated) expect(created).toBeGreaterThanOrEqual(upgraded.completions[1] as number);
});

test('a rollout of the recording importer never runs two importers at once; a rolling update would', async () => {
  // GIVEN the installed release's importer (Recreate)
  // WHEN its pod template changes
  // THEN at no moment were there two importer pods
  expect(await mostImportersDuringRollout('recreate')).toBe(1);

  // AND the watch would have seen it: the same rollout as a rolling update overlaps the old and the new pod
  const path = `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/${FULLNAME}-importer`;
  await plane.client.call(
    'PATCH',
    path,
    { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } } },
    'application/merge-patch+json',
  );
  expect(await mostImportersDuringRollout('rolling')).toBe(2);
});
