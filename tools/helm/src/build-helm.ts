import * as fs from 'node:fs';
import * as path from 'node:path';

import { ensureGoTool, type GoTool, goToolPath, reportBuildsOnStderr, WORKSPACE_ROOT } from '@meetscale/go-tools';

import type { GoModuleHelmRelease } from './helm-releases';

/** The version of `modulePath` that the pinning `go.mod` of `release` selects, e.g. `v3.22.0`. */
function _requiredVersion(release: GoModuleHelmRelease, modulePath: string): string {
  const goMod = path.resolve(WORKSPACE_ROOT, release.tool.moduleDir, 'go.mod');
  const escaped = modulePath.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`^\\s*(?:require\\s+)?${escaped} (v\\S+)`, 'm').exec(fs.readFileSync(goMod, 'utf8'));
  if (match?.[1] === undefined) throw new Error(`${goMod} requires no ${modulePath}`);
  return match[1];
}

/**
 * The linker settings of a Helm release build, as Helm's own `Makefile` sets them: the version `helm version`
 * reports (otherwise only `v3.22`), and for Helm 3 the Kubernetes version it assumes without a cluster
 * (`.Capabilities.KubeVersion`, `helm lint`'s deprecation checks; otherwise 1.20, which refuses every chart with a
 * newer `kubeVersion`), derived from the pinned `k8s.io/client-go` as upstream does. Helm 4 reads the latter from
 * its build info. Versions come from the pinning `go.mod`, so the binary never claims a version it is not.
 */
export function helmLinkerSettings(release: GoModuleHelmRelease): string[] {
  const module = `helm.sh/helm/v${release.major}`;
  const settings = [`${module}/internal/version.version=${_requiredVersion(release, module)}`];
  if (release.major === 3) {
    const [major, minor] = _requiredVersion(release, 'k8s.io/client-go').replace(/^v/, '').split('.');
    const kubeMajor = String(Number(major) + 1);
    for (const pkg of ['pkg/chartutil', 'pkg/lint/rules']) {
      settings.push(`${module}/${pkg}.k8sVersionMajor=${kubeMajor}`, `${module}/${pkg}.k8sVersionMinor=${minor}`);
    }
  }
  return settings;
}

/** The Go program of `release`, with {@link helmLinkerSettings}, built static as Helm's releases are. */
export function helmTool(release: GoModuleHelmRelease): GoTool {
  return { ...release.tool, linkerSettings: helmLinkerSettings(release), buildEnv: { CGO_ENABLED: '0' } };
}

/** Where the binary of `release` lives in the `@meetscale/go-tools` cache. */
export function builtHelmPath(release: GoModuleHelmRelease): string {
  return goToolPath(helmTool(release));
}

/**
 * Returns the path of the binary of `release`, building it first when the cache lacks it (minutes, said on
 * standard error).
 * @throws {GoBuildError} when the go command fails (or is missing), quoting its output
 */
export function ensureBuiltHelm(release: GoModuleHelmRelease): string {
  return ensureGoTool(helmTool(release), { onBuild: reportBuildsOnStderr });
}
