/**
 * The Kubernetes release meetscale runs on, in one place: the state stacks ask IONOS for it (a state may
 * override it in its configuration), and the test control plane every chart is installed on runs it. It must
 * equal `k8s.io/kubernetes` in `tools/cluster/modules/control-plane/go.mod`, which a test checks.
 */
export const KUBERNETES = {
  /** The minor, e.g. for `kubeVersion` constraints and add-on compatibility. */
  minor: '1.33',
  /** The exact release. */
  release: '1.33.3',
} as const;
