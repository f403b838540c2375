import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { GoBuildError, goToolsCacheRoot, reportBuildsOnStderr, WORKSPACE_ROOT } from '@meetscale/go-tools';

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
 * The linker flags of a Helm release build, as Helm's own `Makefile` sets them: stripped symbols, the version
 * `helm version` reports (otherwise only `v3.22`), and for Helm 3 the Kubernetes version it assumes without a
 * cluster (`.Capabilities.KubeVersion`, `helm lint`'s deprecation checks; otherwise 1.20, which refuses every chart
 * with a newer `kubeVersion`), derived from the pinned `k8s.io/client-go` as upstream does. Helm 4 reads the latter
 * from its build info. Versions come from the pinning `go.mod`, so the binary never claims a version it is not.
 */
export function helmLinkerFlags(release: GoModuleHelmRelease): string[] {
  const module = `helm.sh/helm/v${release.major}`;
  const flags = ['-s', '-w', `-X ${module}/internal/version.version=${_requiredVersion(release, module)}`];
  if (release.major === 3) {
    const [major, minor] = _requiredVersion(release, 'k8s.io/client-go').replace(/^v/, '').split('.');
    const kubeMajor = String(Number(major) + 1);
    for (const pkg of ['pkg/chartutil', 'pkg/lint/rules']) {
      flags.push(`-X ${module}/${pkg}.k8sVersionMajor=${kubeMajor}`, `-X ${module}/${pkg}.k8sVersionMinor=${minor}`);
    }
  }
  return flags;
}

/**
 * Where the binary of `release` lives in the `@meetscale/go-tools` cache: `<cache>/helm-<key>/helm`, where the key
 * hashes the pinning `go.mod`, `go.sum`, the package path and the linker flags, so a changed pin builds anew.
 */
export function builtHelmPath(release: GoModuleHelmRelease): string {
  const { tool } = release;
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum']) hash.update(fs.readFileSync(path.resolve(WORKSPACE_ROOT, tool.moduleDir, file)));
  hash.update(tool.packagePath);
  hash.update(helmLinkerFlags(release).join('\n'));
  return path.join(goToolsCacheRoot(), `${tool.name}-${hash.digest('hex').slice(0, 12)}`, tool.name);
}

/**
 * Returns the path of the binary of `release`, building it first when the cache lacks it (minutes, said on
 * standard error). Builds as `ensureGoTool` of `@meetscale/go-tools` does (`go build -mod=readonly -trimpath`
 * inside the pinning module, every module checked against `go.sum`, renamed into place when complete), plus
 * {@link helmLinkerFlags}, which `ensureGoTool` has no option for.
 * @throws {GoBuildError} when the go command fails (or is missing), quoting its output
 */
export function ensureBuiltHelm(release: GoModuleHelmRelease): string {
  const binary = builtHelmPath(release);
  if (fs.existsSync(binary)) return binary;
  const { tool } = release;
  reportBuildsOnStderr(tool);
  fs.mkdirSync(path.dirname(binary), { recursive: true });
  const partial = `${binary}.partial-${process.pid}`;
  const ldflags = `-ldflags=${helmLinkerFlags(release).join(' ')}`;
  const result = spawnSync('go', ['build', '-mod=readonly', '-trimpath', ldflags, '-o', partial, tool.packagePath], {
    cwd: path.resolve(WORKSPACE_ROOT, tool.moduleDir),
    env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=readonly -buildvcs=false', CGO_ENABLED: '0' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error !== undefined || result.status !== 0) {
    fs.rmSync(partial, { force: true });
    throw new GoBuildError(tool, result.error !== undefined ? `go: ${result.error.message}` : `${result.stdout}${result.stderr}`);
  }
  fs.renameSync(partial, binary);
  return binary;
}
