export { HELM_CACHE_ENV, helmCacheRoot } from './cache-location';
export { ensureAllHelm, ensureHelm, type HelmBinary } from './ensure-helm';
export { HELM_FETCH_COMMAND, helmBinaryPath } from './helm-binary-path';
export { HELM_RELEASES, type HelmMajor, type HelmRelease, helmRelease } from './helm-releases';
export { HelmChecksumError } from './install-helm';
export { helmHomeDir, type HelmRunResult, runHelm, type RunHelmOptions } from './run-helm';
