import { ensureGoTool, type EnsureGoToolOptions, type GoTool } from '@meetscale/go-tools';

/**
 * Trivy, pinned at an exact version (and with it the checks it embeds) in `tools/trivy/modules/trivy/go.mod`.
 * It imports `encoding/json/v2`, which Go builds only with the `jsonv2` experiment on (Trivy's own release
 * builds set it in `goreleaser.yml` and `magefiles/magefile.go`).
 */
export const TRIVY_TOOL: GoTool = {
  name: 'trivy',
  moduleDir: 'tools/trivy/modules/trivy',
  packagePath: 'github.com/aquasecurity/trivy/cmd/trivy',
  buildEnv: { GOEXPERIMENT: 'jsonv2' },
};

/**
 * Returns the path of the Trivy binary, building it into the go-tools cache first when it is missing (minutes
 * on a small machine; later calls return at once).
 * @throws {GoBuildError} when the go command fails
 */
export function ensureTrivy(options: EnsureGoToolOptions = {}): string {
  return ensureGoTool(TRIVY_TOOL, options);
}
