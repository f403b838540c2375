import { ensureGoTool, type EnsureGoToolOptions, type GoTool } from '@meetscale/go-tools';

/** Trivy, pinned at an exact version (and with it the checks it embeds) in `tools/trivy/modules/trivy/go.mod`. */
export const TRIVY_TOOL: GoTool = {
  name: 'trivy',
  moduleDir: 'tools/trivy/modules/trivy',
  packagePath: 'github.com/aquasecurity/trivy/cmd/trivy',
};

/**
 * Trivy imports `encoding/json/v2`, which Go builds only with this experiment on (Trivy's own release builds set
 * it in `goreleaser.yml` and `magefiles/magefile.go`).
 */
const JSON_V2_EXPERIMENT = 'jsonv2';

/**
 * Returns the path of the Trivy binary, building it into the go-tools cache first when it is missing (minutes
 * on a small machine; later calls return at once).
 * @throws {GoBuildError} when the go command fails
 */
export function ensureTrivy(options: EnsureGoToolOptions = {}): string {
  // ensureGoTool passes its process environment to `go build`; the experiment is set for that one call only.
  const previous = process.env.GOEXPERIMENT;
  const experiments = (previous ?? '').split(',').filter((name) => name !== '');
  process.env.GOEXPERIMENT = [...experiments.filter((name) => name !== JSON_V2_EXPERIMENT), JSON_V2_EXPERIMENT].join(',');
  try {
    return ensureGoTool(TRIVY_TOOL, options);
  } finally {
    if (previous === undefined) delete process.env.GOEXPERIMENT;
    else process.env.GOEXPERIMENT = previous;
  }
}
