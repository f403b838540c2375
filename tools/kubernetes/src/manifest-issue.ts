/** Which check found an issue. */
export type ManifestCheck = 'definitions' | 'kubernetes-models';

/** One problem of one rendered Kubernetes object. */
export interface ManifestIssue {
  /** The object, as `kind/name` (`<no kind>` / `<no name>` when missing). */
  readonly object: string;
  /** JSON pointer of the offending value, e.g. `/spec/template/spec/containers/0/ports/0/containerPort`. */
  readonly path: string;
  /** What is wrong, e.g. `must be integer` or `unknown field "securityContxt"`. */
  readonly message: string;
  /**
   * `definitions`: strict ajv check against the Kubernetes 1.33 definitions (or the derived CRD schemas);
   * `kubernetes-models`: the model package's own validator (built-in kinds only).
   */
  readonly check: ManifestCheck;
}

/** One line for a report: `Deployment/web /spec/replicas: must be integer [definitions]`. */
export function formatManifestIssue(issue: ManifestIssue): string {
  return `${issue.object} ${issue.path}: ${issue.message} [${issue.check}]`;
}
