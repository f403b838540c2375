import * as fs from 'node:fs';

import { builtHelmPath } from './build-helm';
import { cachedBinaryPath, helmCacheRoot } from './cache-location';
import { helmName, type HelmPin, helmRelease } from './helm-releases';

/** The command that fills the Helm caches, quoted in errors. */
export const HELM_FETCH_COMMAND = 'npx nx run helm-binaries:fetch (or: npx tsx tools/helm/src/cli.ts fetch)';

/**
 * The path of the binary of a pinned Helm release, without building, downloading or re-hashing it (use
 * `ensureHelm` for that, e.g. in a jest global setup).
 * @throws if the binary is not there, naming the command that provides it
 */
export function helmBinaryPath(pin: HelmPin): string {
  const release = helmRelease(pin);
  const binaryPath = release.source === 'npm' ? cachedBinaryPath(release, helmCacheRoot()) : builtHelmPath(release);
  if (!fs.existsSync(binaryPath)) {
    throw new Error(`${helmName(pin)} is not in the cache (${binaryPath}); run ${HELM_FETCH_COMMAND}`);
  }
  return binaryPath;
}
