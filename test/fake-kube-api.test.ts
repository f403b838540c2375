/**
 * The fake Kubernetes API server (support/fake-kube-api) and what it is for: under Helm 3 and Helm 4, a chart's
 * generated Secret keeps its value across upgrades through `lookup`, rendered with
 * `helm template … --kubeconfig <fake> --dry-run=server --disable-openapi-validation`. Every server listens on
 * 127.0.0.1 only and is closed in a `finally`; the throwaway chart is removed in afterAll.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

import { type HelmMajor, runHelm } from '@meetscale/helm-binaries';

import { HELM_MAJORS, type Manifest, parseManifests } from './support/charts';
import { asInstalledByHelm, type FakeKubeApi, startFakeKubeApi } from './support/fake-kube-api';

jest.setTimeout(60_000);

const RELEASE = 'demo';
const NAMESPACE = 'ns';
const SECRET = `${RELEASE}-credentials`;
const SETTINGS = `${RELEASE}-settings`;

/** Reuses the stored Secret's password, or generates one; a ConfigMap shows which values were rendered. */
const SECRET_TEMPLATE = `{{- $existing := lookup "v1" "Secret" .Release.Namespace (printf "%s-credentials" .Release.Name) }}
apiVersion: v1
kind: Secret
metadata:
  name: {{ .Release.Name }}-credentials
type: Opaque
data:
  {{- if and $existing $existing.data $existing.data.password }}
  password: {{ $existing.data.password }}
  {{- else }}
  password: {{ randAlphaNum 24 | b64enc }}
  {{- end }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-settings
data:
  greeting: {{ .Values.greeting | quote }}
`;

/** What Helm requested (unique `<METHOD> <path>`, sorted) for renders that look up an absent and a stored Secret. */
const EXPECTED_REQUESTS: Record<HelmMajor, string[]> = {
  3: ['GET /api/v1', `GET /api/v1/namespaces/${NAMESPACE}/secrets/${SECRET}`],
  4: [
    'GET /api',
    'GET /api/v1',
    `GET /api/v1/namespaces/${NAMESPACE}/configmaps/${SETTINGS}`,
    `GET /api/v1/namespaces/${NAMESPACE}/secrets/${SECRET}`,
    'GET /apis',
    'GET /apis/apps/v1',
    'GET /apis/autoscaling/v2',
    'GET /apis/batch/v1',
    'GET /apis/networking.k8s.io/v1',
    'GET /apis/policy/v1',
    'GET /apis/rbac.authorization.k8s.io/v1',
    'GET /version',
  ],
};

let scratch: string;
let chart: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'meetscale-lookup-chart-'));
  chart = join(scratch, 'lookup-demo');
  mkdirSync(join(chart, 'templates'), { recursive: true });
  writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: lookup-demo\nversion: 0.1.0\n');
  writeFileSync(join(chart, 'values.yaml'), 'greeting: hello\n');
  writeFileSync(join(chart, 'templates', 'secret.yaml'), SECRET_TEMPLATE);
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** Renders the throwaway chart against the fake server; throws with Helm's error output when Helm fails. */
function render(api: FakeKubeApi, major: HelmMajor, greeting: string): Manifest[] {
  const result = api.helm(major, ['template', RELEASE, chart, '--namespace', NAMESPACE, '--set', `greeting=${greeting}`], {
    timeoutMs: 30_000,
  });
  if (result.status !== 0) throw new Error(`helm template (Helm ${major}) exited with ${result.status}: ${result.stderr}`);
  return parseManifests(result.stdout);
}

function find(manifests: readonly Manifest[], kind: string, name: string): Manifest {
  const found = manifests.find((manifest) => manifest.kind === kind && manifest.metadata.name === name);
  if (found === undefined) throw new Error(`${kind}/${name} was not rendered`);
  return found;
}

/** The rendered (base64) password. */
function password(manifests: readonly Manifest[]): string {
  return (find(manifests, 'Secret', SECRET).data as Record<string, string>).password as string;
}

function greeting(manifests: readonly Manifest[]): string {
  return (find(manifests, 'ConfigMap', SETTINGS).data as Record<string, string>).greeting as string;
}

const uniqueSorted = (requests: readonly string[]): string[] => [...new Set(requests)].sort();

/** The discovery cache client-go would have written into the user's home folder for a server. */
const realDiscoveryCache = (api: FakeKubeApi): string =>
  join(homedir(), '.kube', 'cache', 'discovery', new URL(api.url).host.replace(':', '_'));

describe('the fake Kubernetes API server', () => {
  test('serves stored objects, lists and discovery, and answers the rest with a Status', async () => {
    // GIVEN a server holding one Secret in ns and one ConfigMap in the default namespace
    const api = await startFakeKubeApi([
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'ns', labels: { owner: 'helm' } }, data: { k: 'dg==' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { k: 'v' } },
    ]);
    try {
      const get = async (path: string): Promise<{ status: number; body: any }> => {
        const response = await fetch(`${api.url}${path}`, { signal: AbortSignal.timeout(5_000) });
        return { status: response.status, body: await response.json() };
      };

      // WHEN objects, lists and discovery documents are requested
      // THEN they are served as a real server would
      expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await get('/api/v1/namespaces/ns/secrets/s')).body.data).toEqual({ k: 'dg==' });
      expect((await get('/api/v1/namespaces/default/configmaps/c')).body.metadata.namespace).toBe('default');
      const list = await get('/api/v1/namespaces/ns/secrets?labelSelector=owner%3Dhelm');
      expect(list.body.kind).toBe('SecretList');
      expect(list.body.items.map((item: Manifest) => item.metadata.name)).toEqual(['s']);
      expect((await get('/api/v1/namespaces/ns/secrets?labelSelector=owner!%3Dhelm')).body.items).toEqual([]);
      expect((await get('/api/v1/configmaps')).body.items.map((item: Manifest) => item.metadata.name)).toEqual(['c']);
      expect((await get('/version')).body.gitVersion).toBe('v1.33.0');
      expect((await get('/apis')).body.groups.map((group: { name: string }) => group.name)).toContain('apps');
      expect((await get('/apis/apps/v1')).body.resources.map((resource: { kind: string }) => resource.kind)).toContain('Deployment');

      // WHEN an absent object or an unknown path is requested
      // THEN the answer is a 404 Status
      expect(await get('/api/v1/namespaces/ns/secrets/absent')).toEqual({
        status: 404,
        body: {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: 'secrets "absent" not found',
          reason: 'NotFound',
          details: { name: 'absent', kind: 'secrets' },
          code: 404,
        },
      });
      expect(await get('/openapi/v3')).toMatchObject({ status: 404, body: { kind: 'Status', reason: 'NotFound', code: 404 } });

      // WHEN an object is put
      // THEN it is served as soon as put returns, and every request was recorded
      api.put({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'ns' }, data: { k: 'dzI=' } });
      expect((await get('/api/v1/namespaces/ns/secrets/s')).body.data).toEqual({ k: 'dzI=' });
      expect(api.requests).toContain('GET /openapi/v3');
      expect(api.requests).toContain('GET /api/v1/namespaces/ns/secrets/absent');
      expect(() => api.put({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })).toThrow(/not served/);
    } finally {
      await api.close();
    }
    // THEN closing removed the kubeconfig and its directory
    expect(existsSync(api.kubeconfig)).toBe(false);
  });
});

describe.each(HELM_MAJORS)('Helm %i: lookup against the fake Kubernetes API server', (major) => {
  test('generates a new password while no Secret is stored', async () => {
    // GIVEN a fake server without any Secret
    const api = await startFakeKubeApi([], { namespace: NAMESPACE });
    try {
      // WHEN the chart is rendered twice
      const first = render(api, major, 'hello');
      const second = render(api, major, 'hello');

      // THEN each render asked the server for the Secret, found none and generated a different password
      expect(api.requests).toContain(`GET /api/v1/namespaces/${NAMESPACE}/secrets/${SECRET}`);
      expect(Buffer.from(password(first), 'base64').toString()).toMatch(/^[A-Za-z0-9]{24}$/);
      expect(password(second)).not.toBe(password(first));
      expect(uniqueSorted(api.requests)).toEqual(EXPECTED_REQUESTS[major]);
      // AND Helm did not write client-go's discovery cache into the user's home folder
      expect(existsSync(realDiscoveryCache(api))).toBe(false);
    } finally {
      await api.close();
    }
  });

  test('reuses the stored password when values change', async () => {
    // GIVEN a first render, and its Secret stored in the fake server as `helm install` would have created it
    const api = await startFakeKubeApi([], { namespace: NAMESPACE });
    try {
      const installed = render(api, major, 'hello');
      api.put(asInstalledByHelm(find(installed, 'Secret', SECRET), RELEASE, NAMESPACE));

      // WHEN the chart is rendered again with changed values
      const upgraded = render(api, major, 'changed');

      // THEN the new values are rendered, and the password is exactly the stored one
      expect(greeting(installed)).toBe('hello');
      expect(greeting(upgraded)).toBe('changed');
      expect(password(upgraded)).toBe(password(installed));
      expect(uniqueSorted(api.requests)).toEqual(EXPECTED_REQUESTS[major]);
    } finally {
      await api.close();
    }
  });

  test('plain helm template (without the lookup flags) never contacts the server', async () => {
    // GIVEN a fake server holding the Secret
    const stored = asInstalledByHelm(
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: SECRET }, data: { password: Buffer.from('stored').toString('base64') } },
      RELEASE,
      NAMESPACE,
    );
    const api = await startFakeKubeApi([stored], { namespace: NAMESPACE });
    try {
      // WHEN the chart is rendered without --dry-run=server (the kubeconfig still given)
      const result = runHelm(major, ['template', RELEASE, chart, '--namespace', NAMESPACE, '--kubeconfig', api.kubeconfig]);

      // THEN lookup returned nothing: a new password, and no request reached the server
      expect(result.stderr).toBe('');
      expect(password(parseManifests(result.stdout))).not.toBe(Buffer.from('stored').toString('base64'));
      expect(api.requests).toEqual([]);
    } finally {
      await api.close();
    }
  });
});
