/**
 * The coturn chart's shared TURN secret (packages/coturn), under Helm 3 and Helm 4 on one real control plane
 * (`@meetscale/cluster`, with the cert-manager CRDs for the Certificate): the Secret `<release>-coturn-auth` is generated on first install, read back with `lookup`
 * on `helm upgrade` (one that changes turnserver.conf) and kept by `helm rollback`, so prosody's credentials stay
 * valid; with `auth.existingSecret` the chart generates none and the container reads the named one. Every test
 * installs into a namespace of its own, deleted after it.
 */
import { ControlPlane } from '@meetscale/cluster';
import type { HelmMajor } from '@meetscale/helm-binaries';

import { chartDir, HELM_MAJORS } from './support/charts';
import { createNamespace, helmOn, helmOutcome } from './support/cluster';

jest.setTimeout(300_000);

const CHART = 'coturn';
const RELEASE = 'turn';
const SECRET = `${RELEASE}-coturn-auth`;
const KEY = 'static-auth-secret';

let plane: ControlPlane;
const namespaces: string[] = [];

beforeAll(async () => {
  plane = await ControlPlane.start({ nodePools: [{ name: 'node', count: 2, cpu: '8', memory: '32Gi' }], upstreamCrds: true });
}, 600_000);

afterAll(async () => {
  await plane?.stop();
});

afterEach(async () => {
  for (const namespace of namespaces.splice(0)) await plane.client.call('DELETE', `/api/v1/namespaces/${namespace}`);
});

async function namespaceFor(major: HelmMajor, name: string): Promise<string> {
  const namespace = `${name}-h${major}`;
  await createNamespace(plane.client, namespace, 'restricted');
  namespaces.push(namespace);
  return namespace;
}

function helm(major: HelmMajor, namespace: string, ...args: string[]): void {
  const { status, output } = helmOutcome(helmOn(plane, major, [...args, '--namespace', namespace]));
  if (status !== 0) throw new Error(`helm ${args.join(' ')} (Helm ${major}) exited with ${status}: ${output}`);
}

const secretStatus = async (namespace: string, name: string): Promise<number> =>
  (await plane.client.request('GET', `/api/v1/namespaces/${namespace}/secrets/${name}`)).status;

const storedSecret = async (namespace: string): Promise<Record<string, string>> =>
  (await plane.client.get(`/api/v1/namespaces/${namespace}/secrets/${SECRET}`)).data as Record<string, string>;

const turnserverConf = async (namespace: string): Promise<string> =>
  (await plane.client.get(`/api/v1/namespaces/${namespace}/configmaps/${RELEASE}-coturn`)).data['turnserver.conf'] as string;

/** Where the coturn container's TURN_STATIC_AUTH_SECRET comes from, as `<secret>/<key>`. */
async function secretSource(namespace: string): Promise<string> {
  const daemonSet = await plane.client.get(`/apis/apps/v1/namespaces/${namespace}/daemonsets/${RELEASE}-coturn`);
  const env = (daemonSet.spec.template.spec.containers[0].env as any[]).find((entry) => entry.name === 'TURN_STATIC_AUTH_SECRET');
  return `${env.valueFrom.secretKeyRef.name}/${env.valueFrom.secretKeyRef.key}`;
}

describe.each(HELM_MAJORS)('Helm %i: the coturn shared secret', (major) => {
  test('is generated on first install, kept by an upgrade that changes turnserver.conf, and kept by rollback', async () => {
    // GIVEN a namespace holding no Secret of the release
    const namespace = await namespaceFor(major, 'coturn-secret');
    expect(await secretStatus(namespace, SECRET)).toBe(404);

    // WHEN the chart is installed
    helm(major, namespace, 'install', RELEASE, chartDir(CHART));

    // THEN the Secret holds one key, the base64 of 40 random alphanumeric characters, which the container reads
    const installed = await storedSecret(namespace);
    expect(Object.keys(installed)).toEqual([KEY]);
    expect(Buffer.from(installed[KEY] as string, 'base64').toString('utf8')).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(await secretSource(namespace)).toBe(`${SECRET}/${KEY}`);
    // AND the ConfigMap holds no secret
    expect(await turnserverConf(namespace)).not.toContain(Buffer.from(installed[KEY] as string, 'base64').toString('utf8'));

    // WHEN the release is upgraded with another relay range
    helm(major, namespace, 'upgrade', RELEASE, chartDir(CHART), '--set', 'relay.minPort=50000');

    // THEN the configuration changed and the secret did not
    expect(await turnserverConf(namespace)).toContain('min-port=50000');
    expect(await storedSecret(namespace)).toEqual(installed);

    // WHEN the upgrade is rolled back
    helm(major, namespace, 'rollback', RELEASE, '1');

    // THEN the first configuration is back, with the same secret
    expect(await turnserverConf(namespace)).toContain('min-port=49152');
    expect(await storedSecret(namespace)).toEqual(installed);
  });

  test('comes from auth.existingSecret when set: no Secret is generated and the container reads the named one', async () => {
    // GIVEN a namespace holding the platform team's own Secret
    const namespace = await namespaceFor(major, 'coturn-existing');
    await plane.client.create(`/api/v1/namespaces/${namespace}/secrets`, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'turn-shared' },
      stringData: { secret: 'shared-with-prosody' },
    });

    // WHEN the chart is installed naming it
    helm(
      major,
      namespace,
      'install',
      RELEASE,
      chartDir(CHART),
      '--set',
      'auth.existingSecret=turn-shared',
      '--set',
      'auth.secretKey=secret',
    );

    // THEN no Secret is generated, and the container reads the named key
    expect(await secretStatus(namespace, SECRET)).toBe(404);
    expect(await secretSource(namespace)).toBe('turn-shared/secret');
  });
});
