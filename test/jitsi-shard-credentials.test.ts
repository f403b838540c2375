/**
 * The XMPP credentials of the jitsi-shard chart (packages/jitsi-shard, ShardSettings), under Helm 3 and Helm 4,
 * installed with real Helm on one real control plane (`@meetscale/cluster`): the Secret
 * `<release>-jitsi-shard-xmpp-credentials` is generated on first install, owned by its release, read back with
 * `lookup` on every `helm upgrade` (one that rolls the pods too) and kept by `helm rollback`, never shared between
 * releases, replaced by `credentials.existingSecret` when set, and no password is ever a value in `values.yaml`.
 * Every test installs into namespaces of its own, deleted after it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ControlPlane, type KubeJson, waitFor } from '@meetscale/cluster';
import type { HelmMajor } from '@meetscale/helm-binaries';
import YAML from 'yaml';

import { chartDir, HELM_MAJORS, type Manifest, objectId, parseManifests } from './support/charts';
import { createNamespace, helmOn, helmOutcome, type PodSecurityLevel } from './support/cluster';

jest.setTimeout(300_000);

const CHART = 'jitsi-shard';
const SHARD_0 = 'shard-0';
const SHARD_1 = 'shard-1';
const KEYS = ['jicofo-auth-password', 'jvb-auth-password'] as const;

/** Room for every release a test keeps installed: a bridge asks for 8 CPUs. */
const NODE_POOLS = [{ name: 'node', count: 3, cpu: '32', memory: '128Gi' }];

/** Name of the Secret the chart generates for a release. */
const secretName = (release: string): string => `${release}-jitsi-shard-xmpp-credentials`;

let plane: ControlPlane;

beforeAll(async () => {
  plane = await ControlPlane.start({ nodePools: NODE_POOLS });
}, 600_000);

afterAll(async () => {
  await plane?.stop();
});

/** The namespaces the running test installed into; deleting one removes its releases, pods included. */
const namespaces: string[] = [];

afterEach(async () => {
  for (const namespace of namespaces.splice(0)) await plane.client.call('DELETE', `/api/v1/namespaces/${namespace}`);
});

/** Creates the namespace `<name>-h<major>` at a Pod Security level, deleted after the test. */
async function namespaceFor(major: HelmMajor, name: string, level: PodSecurityLevel = 'restricted'): Promise<string> {
  const namespace = `${name}-h${major}`;
  await createNamespace(plane.client, namespace, level);
  namespaces.push(namespace);
  return namespace;
}

/** Runs Helm in a namespace against the control plane; its standard output, or an error with Helm's output. */
function helm(major: HelmMajor, namespace: string, ...args: string[]): string {
  const result = helmOn(plane, major, [...args, '--namespace', namespace]);
  const { status, output } = helmOutcome(result);
  if (status !== 0) throw new Error(`helm ${args.join(' ')} (Helm ${major}) exited with ${status}: ${output}`);
  return result.stdout;
}

/** `--set` arguments. */
const sets = (...assignments: string[]): string[] => assignments.flatMap((assignment) => ['--set', assignment]);

/** The NodePort of the first bridge of the next release: 30000, 30010, ... */
let nextBasePort = 30_000;

/**
 * A NodePort range of its own for a release's bridges (10, the default `jvb.autoscaling.maxReplicas`), as the
 * chart asks of every shard: NodePorts are unique in the cluster, and a deleted namespace frees them only later.
 */
function ownNodePorts(): string[] {
  const basePort = nextBasePort;
  nextBasePort += 10;
  return sets(`jvb.media.nodePort.basePort=${basePort}`);
}

/** The objects Helm recorded for the release's current revision (`helm get manifest`). */
const releaseManifests = (major: HelmMajor, namespace: string, release: string): Manifest[] =>
  parseManifests(helm(major, namespace, 'get', 'manifest', release));

const secretPath = (namespace: string, name: string): string => `/api/v1/namespaces/${namespace}/secrets/${name}`;

/** The release's credentials Secret as the API server stores it. */
const storedSecret = (namespace: string, release: string): Promise<KubeJson> =>
  plane.client.get(secretPath(namespace, secretName(release)));

/** The `data` of the release's stored credentials Secret (base64 values). */
const storedCredentials = async (namespace: string, release: string): Promise<Record<string, string>> =>
  (await storedSecret(namespace, release)).data as Record<string, string>;

/** The HTTP status of a GET of the release's credentials Secret (404 when the server holds none). */
const secretStatus = async (namespace: string, release: string): Promise<number> =>
  (await plane.client.request('GET', secretPath(namespace, secretName(release)))).status;

/** Whether a value is the base64 of 40 alphanumeric characters (as `randAlphaNum 40 | b64enc` yields). */
function isGeneratedPassword(value: string): boolean {
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  return /^[A-Za-z0-9]{40}$/.test(decoded) && Buffer.from(decoded, 'utf8').toString('base64') === value;
}

/**
 * Every `*_AUTH_PASSWORD` env entry of every workload container of the release, read from the API server (every
 * object of `helm get manifest` that has a pod template), as `<Kind>/<workload> <container>: <ENV> <- <secret>/<key>`
 * (or the entry as JSON when it is not a plain secretKeyRef, e.g. a literal value), sorted.
 */
async function credentialEnv(major: HelmMajor, namespace: string, release: string): Promise<string[]> {
  const found: string[] = [];
  const workloads = releaseManifests(major, namespace, release).filter((manifest) => (manifest.spec as any)?.template?.spec !== undefined);
  for (const manifest of workloads) {
    if (manifest.apiVersion !== 'apps/v1') throw new Error(`${objectId(manifest)}: a workload kind this test does not read`);
    const stored = await plane.client.get(
      `/apis/apps/v1/namespaces/${namespace}/${manifest.kind.toLowerCase()}s/${manifest.metadata.name}`,
    );
    const podSpec = stored.spec.template.spec;
    for (const container of [...(podSpec.initContainers ?? []), ...(podSpec.containers ?? [])]) {
      for (const entry of container.env ?? []) {
        if (!/_AUTH_PASSWORD$/.test(entry.name)) continue;
        const ref = entry.valueFrom?.secretKeyRef;
        const plain = ref !== undefined && entry.value === undefined && Object.keys(entry.valueFrom).length === 1;
        const source = plain ? `${ref.name}/${ref.key}` : JSON.stringify(entry);
        found.push(`${objectId(manifest)} ${container.name}: ${entry.name} <- ${source}`);
      }
    }
  }
  return found.sort();
}

/** What {@link credentialEnv} should find: prosody both, jicofo its own, the bridge workload its own. */
function expectedCredentialEnv(release: string, jvbKind: string, secret: string): string[] {
  const workload = (component: string): string => `${release}-jitsi-shard-${component}`;
  return [
    `Deployment/${workload('jicofo')} jicofo: JICOFO_AUTH_PASSWORD <- ${secret}/jicofo-auth-password`,
    `Deployment/${workload('prosody')} prosody: JICOFO_AUTH_PASSWORD <- ${secret}/jicofo-auth-password`,
    `Deployment/${workload('prosody')} prosody: JVB_AUTH_PASSWORD <- ${secret}/jvb-auth-password`,
    `${jvbKind}/${workload('jvb')} jvb: JVB_AUTH_PASSWORD <- ${secret}/jvb-auth-password`,
  ].sort();
}

/** The Secrets of a namespace that are not Helm's release records, as `Secret/<name>`, sorted. */
async function namespaceSecrets(namespace: string): Promise<string[]> {
  const secrets = await plane.client.list(`/api/v1/namespaces/${namespace}/secrets`);
  return secrets
    .filter((secret) => secret.type !== 'helm.sh/release.v1')
    .map((secret) => `Secret/${secret.metadata.name}`)
    .sort();
}

/** The release's pods that are not being deleted, as `<name> <uid>` (a StatefulSet's new pod keeps the name), sorted. */
async function livePods(namespace: string, release: string): Promise<string[]> {
  const pods = await plane.client.list(`/api/v1/namespaces/${namespace}/pods`, `app.kubernetes.io/instance=${release}`);
  return pods
    .filter((pod) => pod.metadata.deletionTimestamp === undefined)
    .map((pod) => `${pod.metadata.name} ${pod.metadata.uid}`)
    .sort();
}

describe.each(HELM_MAJORS)('Helm %i: jitsi-shard XMPP credentials', (major) => {
  test('are generated on first install: two different random passwords, new on every install', async () => {
    // GIVEN a namespace holding no Secret of the release
    const namespace = await namespaceFor(major, 'generated');
    const nodePorts = ownNodePorts();
    expect(await secretStatus(namespace, SHARD_0)).toBe(404);

    // WHEN shard-0 is installed
    helm(major, namespace, 'install', SHARD_0, chartDir(CHART), ...nodePorts);

    // THEN the API server holds its Secret with exactly the two keys
    const first = await storedCredentials(namespace, SHARD_0);
    expect(Object.keys(first).sort()).toEqual([...KEYS]);
    // AND each value is the base64 of 40 alphanumeric characters, the two keys differing
    for (const key of KEYS) expect(isGeneratedPassword(first[key] as string)).toBe(true);
    expect(first['jicofo-auth-password']).not.toBe(first['jvb-auth-password']);

    // WHEN the release is uninstalled, which deletes its Secret, and installed again
    helm(major, namespace, 'uninstall', SHARD_0);
    expect(await secretStatus(namespace, SHARD_0)).toBe(404);
    helm(major, namespace, 'install', SHARD_0, chartDir(CHART), ...nodePorts);

    // THEN the new install generated new passwords: they are random, not fixed
    const second = await storedCredentials(namespace, SHARD_0);
    expect(Object.keys(second).sort()).toEqual([...KEYS]);
    for (const key of KEYS) {
      expect(isGeneratedPassword(second[key] as string)).toBe(true);
      expect(second[key]).not.toBe(first[key]);
    }
  });

  test('are owned by the release, kept on upgrade while the changed values take effect, and kept by rollback', async () => {
    // GIVEN shard-0 installed
    const namespace = await namespaceFor(major, 'upgrade');
    const nodePorts = ownNodePorts();
    helm(major, namespace, 'install', SHARD_0, chartDir(CHART), ...nodePorts);
    const installed = await storedSecret(namespace, SHARD_0);
    const publicUrl = async (): Promise<unknown> =>
      (await plane.client.get(`/api/v1/namespaces/${namespace}/configmaps/${SHARD_0}-jitsi-shard-web-settings`)).data.PUBLIC_URL;
    const maxReplicas = async (): Promise<unknown> =>
      (await plane.client.get(`/apis/autoscaling/v2/namespaces/${namespace}/horizontalpodautoscalers/${SHARD_0}-jitsi-shard-jvb`)).spec
        .maxReplicas;
    expect(await publicUrl()).toBe('https://meet.example.org');
    expect(await maxReplicas()).toBe(10);

    // THEN the API server's Secret carries Helm's ownership marks for the release
    expect(installed.metadata.annotations).toMatchObject({
      'meta.helm.sh/release-name': SHARD_0,
      'meta.helm.sh/release-namespace': namespace,
    });
    expect(installed.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'Helm', 'app.kubernetes.io/instance': SHARD_0 });

    // WHEN the release is upgraded with changed values
    helm(
      major,
      namespace,
      'upgrade',
      SHARD_0,
      chartDir(CHART),
      ...nodePorts,
      ...sets('domain=lernen.example.de', 'jvb.autoscaling.maxReplicas=4'),
    );

    // THEN the server holds the same Secret object with exactly the installed passwords
    const upgraded = await storedSecret(namespace, SHARD_0);
    expect(upgraded.data).toEqual(installed.data);
    expect(upgraded.metadata.uid).toBe(installed.metadata.uid);
    // AND the change itself took effect on the server
    expect(await publicUrl()).toBe('https://lernen.example.de');
    expect(await maxReplicas()).toBe(4);

    // WHEN the upgrade is rolled back to the first revision
    helm(major, namespace, 'rollback', SHARD_0, '1');

    // THEN the passwords are still those of the install, in the same Secret, while the values are the first ones again
    const rolledBack = await storedSecret(namespace, SHARD_0);
    expect(rolledBack.data).toEqual(installed.data);
    expect(rolledBack.metadata.uid).toBe(installed.metadata.uid);
    expect(rolledBack.metadata.annotations).toMatchObject({ 'meta.helm.sh/release-name': SHARD_0 });
    expect(await publicUrl()).toBe('https://meet.example.org');
    expect(await maxReplicas()).toBe(10);
  });

  test('are kept on an upgrade that rolls every pod of the shard', async () => {
    // GIVEN shard-0 installed, every pod Ready
    const namespace = await namespaceFor(major, 'rolled');
    const nodePorts = ownNodePorts();
    helm(major, namespace, 'install', SHARD_0, chartDir(CHART), ...nodePorts, '--wait', '--timeout', '3m');
    const stored = await storedCredentials(namespace, SHARD_0);
    const before = await livePods(namespace, SHARD_0);
    expect(before.length).toBeGreaterThan(0);

    // WHEN an upgrade changes a setting every component reads (the time zone, in each component's settings
    // checksum), and waits for the roll
    helm(
      major,
      namespace,
      'upgrade',
      SHARD_0,
      chartDir(CHART),
      ...nodePorts,
      ...sets('timezone=Europe/Vienna'),
      '--wait',
      '--timeout',
      '3m',
    );
    let after: string[] = [];
    await waitFor(
      'every pod of shard-0 replaced',
      async () => {
        after = await livePods(namespace, SHARD_0);
        return after.length === before.length && after.every((pod) => !before.includes(pod)) ? true : undefined;
      },
      60_000,
      500,
    ).catch(() => undefined); // on a timeout, the assertion below shows the pods seen last

    // THEN every pod was replaced, and the pods started after the roll read the installed passwords
    expect({ before: before.length, after: after.length, kept: after.filter((pod) => before.includes(pod)) }).toEqual({
      before: before.length,
      after: before.length,
      kept: [],
    });
    expect(await storedCredentials(namespace, SHARD_0)).toEqual(stored);
    expect(await credentialEnv(major, namespace, SHARD_0)).toEqual(expectedCredentialEnv(SHARD_0, 'StatefulSet', secretName(SHARD_0)));
  });

  test("are not shared: a second release in the namespace does not reuse shard-0's credentials", async () => {
    // GIVEN shard-0 installed in the namespace
    const namespace = await namespaceFor(major, 'two-shards');
    const shard0NodePorts = ownNodePorts();
    helm(major, namespace, 'install', SHARD_0, chartDir(CHART), ...shard0NodePorts);
    const stored = await storedCredentials(namespace, SHARD_0);

    // WHEN shard-1 is installed in the same namespace
    helm(major, namespace, 'install', SHARD_1, chartDir(CHART), ...ownNodePorts());

    // THEN shard-1's release holds one Secret, its own, which the server stores beside shard-0's, each owned by its release
    expect(secretName(SHARD_1)).not.toBe(secretName(SHARD_0));
    const ownSecrets = releaseManifests(major, namespace, SHARD_1).filter((manifest) => manifest.kind === 'Secret');
    expect(ownSecrets.map(objectId)).toEqual([`Secret/${secretName(SHARD_1)}`]);
    expect(await namespaceSecrets(namespace)).toEqual([`Secret/${secretName(SHARD_0)}`, `Secret/${secretName(SHARD_1)}`]);
    for (const release of [SHARD_0, SHARD_1])
      expect((await storedSecret(namespace, release)).metadata.annotations).toMatchObject({ 'meta.helm.sh/release-name': release });
    // AND its passwords are newly generated, none of shard-0's
    const own = await storedCredentials(namespace, SHARD_1);
    expect(Object.keys(own).sort()).toEqual([...KEYS]);
    for (const key of KEYS) {
      expect(isGeneratedPassword(own[key] as string)).toBe(true);
      expect(Object.values(stored)).not.toContain(own[key]);
    }
    // AND (control) shard-0, upgraded, still finds its own passwords in the same namespace
    helm(major, namespace, 'upgrade', SHARD_0, chartDir(CHART), ...shard0NodePorts);
    expect(await storedCredentials(namespace, SHARD_0)).toEqual(stored);
  });

  test.each([
    ['hostPort', 'Deployment', 'privileged'],
    ['nodePort', 'StatefulSet', 'restricted'],
  ] as const)('come from credentials.existingSecret when set (jvb media mode %s: a %s)', async (mode, jvbKind, level) => {
    // GIVEN a namespace holding the Secret my-xmpp, created by hand
    const namespace = await namespaceFor(major, `existing-${mode.toLowerCase()}`, level);
    const given = {
      'jicofo-auth-password': Buffer.from('jicofo-given').toString('base64'),
      'jvb-auth-password': Buffer.from('jvb-given').toString('base64'),
    };
    await plane.client.create(`/api/v1/namespaces/${namespace}/secrets`, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'my-xmpp' },
      data: given,
    });

    const nodePorts = ownNodePorts();

    // WHEN shard-0 is installed with credentials.existingSecret=my-xmpp
    helm(
      major,
      namespace,
      'install',
      SHARD_0,
      chartDir(CHART),
      ...nodePorts,
      ...sets('credentials.existingSecret=my-xmpp', `jvb.media.mode=${mode}`),
    );

    // THEN the release holds no Secret and the server has none besides my-xmpp, which Helm left as it was
    expect(releaseManifests(major, namespace, SHARD_0).filter((manifest) => manifest.kind === 'Secret')).toEqual([]);
    expect(await namespaceSecrets(namespace)).toEqual(['Secret/my-xmpp']);
    const mine = await plane.client.get(secretPath(namespace, 'my-xmpp'));
    expect(mine.data).toEqual(given);
    expect(mine.metadata.annotations?.['meta.helm.sh/release-name']).toBeUndefined();
    // AND every credential env entry of every workload on the server reads my-xmpp
    expect(await credentialEnv(major, namespace, SHARD_0)).toEqual(expectedCredentialEnv(SHARD_0, jvbKind, 'my-xmpp'));

    // WHEN the release is upgraded without existingSecret
    helm(major, namespace, 'upgrade', SHARD_0, chartDir(CHART), ...nodePorts, ...sets(`jvb.media.mode=${mode}`));

    // THEN the release holds the generated Secret, the server stores it with generated passwords, and every
    // credential env entry reads it
    expect(
      releaseManifests(major, namespace, SHARD_0)
        .filter((manifest) => manifest.kind === 'Secret')
        .map(objectId),
    ).toEqual([`Secret/${secretName(SHARD_0)}`]);
    const generated = await storedCredentials(namespace, SHARD_0);
    for (const key of KEYS) expect(isGeneratedPassword(generated[key] as string)).toBe(true);
    expect(await credentialEnv(major, namespace, SHARD_0)).toEqual(expectedCredentialEnv(SHARD_0, jvbKind, secretName(SHARD_0)));
  });
});

describe('jitsi-shard values.yaml', () => {
  /** Every `[dotted.path, value]` of a parsed YAML tree, containers included. */
  function entries(node: unknown, path = ''): [string, unknown][] {
    if (node === null || typeof node !== 'object') return [];
    return Object.entries(node as Record<string, unknown>).flatMap(([key, value]): [string, unknown][] => {
      const child = path === '' ? key : `${path}.${key}`;
      return [[child, value], ...entries(value, child)];
    });
  }

  test('holds no password', () => {
    // GIVEN the chart's default values
    const values = YAML.parse(readFileSync(join(chartDir(CHART), 'values.yaml'), 'utf8')) as Record<string, unknown>;
    const all = entries(values);
    const keyName = (path: string): string => path.slice(path.lastIndexOf('.') + 1);

    // WHEN they are searched for credentials
    // THEN no credential key appears anywhere
    expect(all.map(([path]) => path).filter((path) => (KEYS as readonly string[]).includes(keyName(path)))).toEqual([]);
    // AND no string holds a run of 20+ alphanumeric characters (what a generated password looks like)
    // (a CamelCase name such as a jicofo strategy, `IntraRegionBridgeSelectionStrategy`, is words, not a password)
    const camelCase = /^([A-Z][a-z]+)+$/;
    expect(all.filter(([, value]) => typeof value === 'string' && /[A-Za-z0-9]{20,}/.test(value) && !camelCase.test(value))).toEqual([]);
    // AND no key named like a password or a secret (`…password…`, `…secret`; not `secretKey`, a key name) holds a
    // non-empty string
    const secretish = all.filter(([path]) => /password|secret$/i.test(keyName(path)));
    expect(secretish.filter(([, value]) => typeof value === 'string' && value !== '')).toEqual([]);
    // AND every Secret reference defaults to empty: generated credentials, the JWT secret required only with
    // auth.type jwt, the LDAP bind password only with a bind DN, the TURN shared secret only with turn.enabled
    expect(Object.fromEntries(secretish)).toEqual({
      'turn.existingSecret': '',
      'credentials.existingSecret': '',
      'auth.jwt.existingSecret': '',
      'auth.ldap.existingSecret': '',
    });
  });
});
