/**
 * The Kubernetes releases meetscale runs on, kept together so that the cluster the state stacks provision and
 * the control plane the tests install every chart on cannot drift apart.
 */
export const KUBERNETES = {
  /** The minor both follow. */
  minor: '1.33',
  /**
   * The release the state stacks ask IONOS for (a state may override it in its configuration).
   */
  provisioned: '1.33.3',
  /**
   * The release of the test control plane: the newest patch of {@link KUBERNETES.minor} the Go module proxy
   * serves (1.33.3 itself is not served). It must equal `k8s.io/kubernetes` in
   * `tools/cluster/modules/control-plane/go.mod`, which a test checks.
   */
  controlPlane: '1.33.13',
} as const;
