import * as fs from 'node:fs';

import { cachedBinaryPath, helmCacheRoot } from './cache-location';
import { type HelmMajor, helmRelease } from './helm-releases';

/** The command that fills the Helm cache, quoted in errors. */
export const HELM_FETCH_COMMAND = 'npx nx run helm-binaries:fetch (or: npx tsx tools/helm/src/cli.ts fetch)';

/**
 * The path of the cached binary of a Helm major version, without downloading or re-hashing it (use
 * `ensureHelm` for that, e.g. in a jest global setup).
 * @throws if the binary is not in the cache, naming the command that fetches it
 */
export function helmBinaryPath(major: HelmMajor): string {
  const release = helmRelease(major);
  const binaryPath = cachedBinaryPath(release, helmCacheRoot());
  if (!fs.existsSync(binaryPath)) {
    throw new Error(`Helm ${release.version} is not in the cache (${binaryPath}); run ${HELM_FETCH_COMMAND}`);
  }
  return binaryPath;
}
