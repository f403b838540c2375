/**
 * The oldest Helm 3 release every emitted chart supports. The contract tests lint each chart and check its values
 * schema with exactly this release (pinned in `tools/helm`, which a test keeps equal to this constant).
 */
export const OLDEST_SUPPORTED_HELM_3 = '3.18.0';

/** The Helm versions every emitted chart supports, as a semver range: Helm 3 from {@link OLDEST_SUPPORTED_HELM_3} on, and Helm 4. */
export const SUPPORTED_HELM_VERSIONS = `>=${OLDEST_SUPPORTED_HELM_3} <5.0.0`;

/** The `Chart.yaml` annotation that states {@link SUPPORTED_HELM_VERSIONS} (Helm 3 charts have no field for it). */
export const HELM_VERSIONS_ANNOTATION = 'meetscale.io/helm-versions';
