export { HELM_CACHE_ENV, helmCacheRoot } from './cache-location';
export { ensureAllHelm, ensureHelm, type HelmBinary } from './ensure-helm';
export { HELM_FETCH_COMMAND, helmBinaryPath } from './helm-binary-path';
export {
  type GoModuleHelmRelease,
  HELM_RELEASES,
  type HelmMajor,
  helmName,
  type HelmPin,
  type HelmRelease,
  helmRelease,
  type NpmHelmRelease,
  OLDEST_HELM_3,
} from './helm-releases';
export { HelmChecksumError } from './install-helm';
export { helmHomeDir, type HelmRunResult, runHelm, runHelmAsync, type RunHelmOptions } from './run-helm';
