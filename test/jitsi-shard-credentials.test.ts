/**
 * The XMPP credentials of the jitsi-shard chart (packages/jitsi-shard, ShardSettings), under Helm 3 and Helm 4:
 * the Secret `<release>-jitsi-shard-xmpp-credentials` is generated on first install, read back with `lookup` on
 * upgrade (rendered against the fake Kubernetes API of support/fake-kube-api), never shared between releases,
 * replaced by `credentials.existingSecret` when set, and no password is ever a value in `values.yaml`.
 * Every fake server listens on 127.0.0.1 only and is closed in a `finally`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { HelmMajor } from '@meetscale/helm-binaries';
import YAML from 'yaml';

import { chartDir, HELM_MAJORS, type Manifest, objectId, parseManifests } from './support/charts';
import { asInstalledByHelm, type FakeKubeApi, startFakeKubeApi } from './support/fake-kube-api';

jest.setTimeout(60_000);

const CHART = 'jitsi-shard';
const NAMESPACE = 'jitsi';
const SHARD_0 = 'shard-0';
const SHARD_1 = 'shard-1';
const KEYS = ['jicofo-auth-password', 'jvb-auth-password'] as const;

/** Name of the Secret the chart generates for a release. */
const secretName = (release: string): string => `${release}-jitsi-shard-xmpp-credentials`;

/** The request Helm sends to read (or, under Helm 4, to check the ownership of) a release's Secret. */
const secretGet = (release: string): string => `GET /api/v1/namespaces/${NAMESPACE}/secrets/${secretName(release)}`;

/** Runs a test body against a fresh fake API server in {@link NAMESPACE} (holding nothing), closing it after. */
async function withFakeApi(body: (api: FakeKubeApi) => void): Promise<void> {
  const api = await startFakeKubeApi([], { namespace: NAMESPACE });
  try {
    body(api);
  } finally {
    await api.close();
  }
}

/** Renders the chart against the fake server (lookups on); throws with Helm's error output when Helm fails. */
function render(api: FakeKubeApi, major: HelmMajor, release: string, sets: readonly string[] = []): Manifest[] {
  const args = ['template', release, chartDir(CHART), '--namespace', NAMESPACE];
  for (const set of sets) args.push('--set', set);
  const result = api.helm(major, args, { timeoutMs: 30_000 });
  if (result.status !== 0) throw new Error(`helm template (Helm ${major}) exited with ${result.status}: ${result.stderr}`);
  return parseManifests(result.stdout);
}

function find(manifests: readonly Manifest[], kind: string, name: string): Manifest {
  const found = manifests.filter((manifest) => manifest.kind === kind && manifest.metadata.name === name);
  if (found.length !== 1) throw new Error(`${kind}/${name} was rendered ${found.length} times, not once`);
  return found[0] as Manifest;
}

/** The `data` of a release's credentials Secret (base64 values). */
function credentials(manifests: readonly Manifest[], release: string): Record<string, string> {
  return find(manifests, 'Secret', secretName(release)).data as Record<string, string>;
}

/** Whether a rendered value is the base64 of 40 alphanumeric characters (as `randAlphaNum 40 | b64enc` yields). */
function isGeneratedPassword(value: string): boolean {
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  return /^[A-Za-z0-9]{40}$/.test(decoded) && Buffer.from(decoded, 'utf8').toString('base64') === value;
}

/**
 * Every `*_AUTH_PASSWORD` env entry of every workload container, as
 * `<Kind>/<workload> <container>: <ENV> <- <secret>/<key>` (or the entry as JSON when it is not a plain
 * secretKeyRef, e.g. a literal value), sorted.
 */
function credentialEnv(manifests: readonly Manifest[]): string[] {
  const found: string[] = [];
  for (const manifest of manifests) {
    const podSpec = (manifest.spec as any)?.template?.spec;
    if (podSpec === undefined) continue;
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

describe.each(HELM_MAJORS)('Helm %i: jitsi-shard XMPP credentials', (major) => {
  test('are generated on first install: two different random passwords, new on every render', async () => {
    // GIVEN a fake API server holding nothing
    await withFakeApi((api) => {
      // WHEN the chart is rendered twice, as for two first installs
      const first = credentials(render(api, major, SHARD_0), SHARD_0);
      const second = credentials(render(api, major, SHARD_0), SHARD_0);

      // THEN each render looked the Secret up, found none, and rendered exactly the two keys
      expect(api.requests).toContain(secretGet(SHARD_0));
      expect(Object.keys(first).sort()).toEqual([...KEYS]);
      expect(Object.keys(second).sort()).toEqual([...KEYS]);
      // AND each value is the base64 of 40 alphanumeric characters, the two keys differing
      for (const key of KEYS) {
        expect(isGeneratedPassword(first[key] as string)).toBe(true);
        expect(isGeneratedPassword(second[key] as string)).toBe(true);
      }
      expect(first['jicofo-auth-password']).not.toBe(first['jvb-auth-password']);
      // AND the second render generated new values: they are random, not fixed
      for (const key of KEYS) expect(second[key]).not.toBe(first[key]);
    });
  });

  test('are kept on upgrade while the changed values take effect', async () => {
    // GIVEN a first install of shard-0, its Secret stored in the fake server as `helm install` would have created it
    await withFakeApi((api) => {
      const installed = render(api, major, SHARD_0);
      const stored = credentials(installed, SHARD_0);
      api.put(asInstalledByHelm(find(installed, 'Secret', secretName(SHARD_0)), SHARD_0, NAMESPACE));
      const before = api.requests.length;

      // WHEN the release is upgraded with changed values
      const upgraded = render(api, major, SHARD_0, ['domain=lernen.example.de', 'jvb.autoscaling.maxReplicas=4']);

      // THEN the Secret holds exactly the stored passwords, read from the server
      expect(credentials(upgraded, SHARD_0)).toEqual(stored);
      expect(api.requests.slice(before)).toContain(secretGet(SHARD_0));
      // AND the change itself was rendered
      const publicUrl = (manifests: Manifest[]): unknown =>
        (find(manifests, 'ConfigMap', `${SHARD_0}-jitsi-shard-settings`).data as Record<string, unknown>).PUBLIC_URL;
      const maxReplicas = (manifests: Manifest[]): unknown =>
        (find(manifests, 'HorizontalPodAutoscaler', `${SHARD_0}-jitsi-shard-jvb`).spec as Record<string, unknown>).maxReplicas;
      expect(publicUrl(installed)).toBe('https://meet.example.org');
      expect(publicUrl(upgraded)).toBe('https://lernen.example.de');
      expect(maxReplicas(installed)).toBe(10);
      expect(maxReplicas(upgraded)).toBe(4);
    });
  });

  test("are not shared: a second release in the namespace does not reuse shard-0's stored credentials", async () => {
    // GIVEN shard-0 installed in the namespace, its Secret stored in the fake server
    await withFakeApi((api) => {
      const shard0 = render(api, major, SHARD_0);
      const stored = credentials(shard0, SHARD_0);
      api.put(asInstalledByHelm(find(shard0, 'Secret', secretName(SHARD_0)), SHARD_0, NAMESPACE));

      // WHEN shard-1 is installed in the same namespace
      const shard1 = render(api, major, SHARD_1);

      // THEN shard-1 renders its own Secret only, looked up under its own name
      expect(secretName(SHARD_1)).not.toBe(secretName(SHARD_0));
      expect(shard1.filter((manifest) => manifest.kind === 'Secret').map(objectId)).toEqual([`Secret/${secretName(SHARD_1)}`]);
      expect(api.requests).toContain(secretGet(SHARD_1));
      // AND its passwords are newly generated, none of shard-0's
      const own = credentials(shard1, SHARD_1);
      expect(Object.keys(own).sort()).toEqual([...KEYS]);
      for (const key of KEYS) {
        expect(isGeneratedPassword(own[key] as string)).toBe(true);
        expect(Object.values(stored)).not.toContain(own[key]);
      }
      // AND (control) shard-0 itself still finds its stored passwords in the same server
      expect(credentials(render(api, major, SHARD_0), SHARD_0)).toEqual(stored);
    });
  });

  test.each([
    ['hostPort', 'Deployment'],
    ['nodePort', 'StatefulSet'],
  ])('come from credentials.existingSecret when set (jvb media mode %s: a %s)', async (mode, jvbKind) => {
    await withFakeApi((api) => {
      // GIVEN credentials.existingSecret=my-xmpp
      // WHEN the chart is rendered
      const withExisting = render(api, major, SHARD_0, ['credentials.existingSecret=my-xmpp', `jvb.media.mode=${mode}`]);

      // THEN no Secret is rendered, none is looked up, and every credential env entry reads my-xmpp
      expect(withExisting.filter((manifest) => manifest.kind === 'Secret').map(objectId)).toEqual([]);
      expect(api.requests).not.toContain(secretGet(SHARD_0));
      expect(credentialEnv(withExisting)).toEqual(expectedCredentialEnv(SHARD_0, jvbKind, 'my-xmpp'));

      // GIVEN no existingSecret
      // WHEN the chart is rendered
      const generated = render(api, major, SHARD_0, [`jvb.media.mode=${mode}`]);

      // THEN every credential env entry reads the generated Secret, which is rendered
      expect(credentialEnv(generated)).toEqual(expectedCredentialEnv(SHARD_0, jvbKind, secretName(SHARD_0)));
      expect(generated.filter((manifest) => manifest.kind === 'Secret').map(objectId)).toEqual([`Secret/${secretName(SHARD_0)}`]);
    });
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
    expect(all.filter(([, value]) => typeof value === 'string' && /[A-Za-z0-9]{20,}/.test(value))).toEqual([]);
    // AND no key named like a password or a secret (`…password…`, `…secret`; not `secretKey`, a key name) holds a
    // non-empty string
    const secretish = all.filter(([path]) => /password|secret$/i.test(keyName(path)));
    expect(secretish.filter(([, value]) => typeof value === 'string' && value !== '')).toEqual([]);
    // AND both Secret references default to empty: generated credentials, JWT secret required only with auth.type jwt
    expect(Object.fromEntries(secretish)).toEqual({ 'credentials.existingSecret': '', 'auth.jwt.existingSecret': '' });
  });
});
