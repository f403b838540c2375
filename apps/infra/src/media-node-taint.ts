import { formatTaint, MEDIA_NODE_SELECTOR, MEDIA_TAINT, MEDIA_TOLERATION, type NodeTaint } from '@meetscale/placement';
import { KUBERNETES } from '@meetscale/platform-versions';

/**
 * The in-cluster step that taints the media nodes. IONOS node pools (provider 6.7.12) take labels and
 * annotations but no taints, so a DaemonSet on the media pool applies {@link MEDIA_TAINT} to the node it runs on
 * (and to every node the autoscaler adds later), with a ServiceAccount that may only read and patch nodes.
 *
 * Its own namespace rather than `kube-system`: `kube-system` belongs to IONOS's managed control plane, a
 * namespace holding nothing but this ServiceAccount keeps the right to patch nodes easy to audit and to remove
 * (`helm uninstall` and the namespace go together), and like every other add-on it gets a namespace of its own.
 */

/** Namespace of the media-node taint's ServiceAccount and DaemonSet. */
export const NODE_TAINT_NAMESPACE = 'node-taint';

/** Name of the release and of every object it installs. */
export const MEDIA_NODE_TAINT = 'media-node-taint';

/**
 * The kubectl image, from the Kubernetes project's own registry, at the clusters' Kubernetes version (kubectl
 * supports one minor version of skew either way: bump it with `kubernetes.version`). The image is Debian-based
 * and also carries coreutils, whose `sleep` keeps the DaemonSet's pods running.
 */
export const KUBECTL_IMAGE = `registry.k8s.io/kubectl:v${KUBERNETES.release}`;

/** The user and group the containers run as (no root; the image needs no particular user). */
export const NODE_TAINT_USER = 65532;

const labels = (): Record<string, string> => ({ 'app.kubernetes.io/name': MEDIA_NODE_TAINT, 'app.kubernetes.io/part-of': 'meetscale' });

/**
 * The command that taints the pod's node: `kubectl taint node $(NODE_NAME) <key>=<value>:<effect> --overwrite`.
 * Kubernetes substitutes `$(NODE_NAME)` from the container's environment, so no shell is involved.
 */
export function taintCommand(taint: NodeTaint): string[] {
  return ['kubectl', 'taint', 'node', '$(NODE_NAME)', formatTaint(taint), '--overwrite'];
}

const containerSecurityContext = (): object => ({
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
});

/**
 * The manifests of the media-node taint: a ServiceAccount, a ClusterRole that may only `get` and `patch`
 * nodes, its ClusterRoleBinding, and a DaemonSet on the media pool (it tolerates the taint it applies). Each
 * pod taints its node in an init container and then idles, so a pod is Ready only once its node is tainted:
 * Helm's wait (all pods Ready: `maxUnavailable: 0`) holds the releases after this one until every media node
 * carries the taint.
 */
export function mediaNodeTaintManifests(): object[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: MEDIA_NODE_TAINT, namespace: NODE_TAINT_NAMESPACE, labels: labels() },
      // Only the DaemonSet's pods, which ask for it, get a token.
      automountServiceAccountToken: false,
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: MEDIA_NODE_TAINT, labels: labels() },
      rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'patch'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: MEDIA_NODE_TAINT, labels: labels() },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: MEDIA_NODE_TAINT },
      subjects: [{ kind: 'ServiceAccount', name: MEDIA_NODE_TAINT, namespace: NODE_TAINT_NAMESPACE }],
    },
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: MEDIA_NODE_TAINT, namespace: NODE_TAINT_NAMESPACE, labels: labels() },
      spec: {
        selector: { matchLabels: labels() },
        // A new pod starts before the old one stops, so Helm waits for every media node's pod.
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: {
          metadata: { labels: labels() },
          spec: {
            serviceAccountName: MEDIA_NODE_TAINT,
            // The taint is applied through the API server, so this pod needs the ServiceAccount's token.
            automountServiceAccountToken: true,
            nodeSelector: { ...MEDIA_NODE_SELECTOR },
            tolerations: [{ ...MEDIA_TOLERATION }],
            // `sleep` as PID 1 ignores SIGTERM; nothing to clean up, so stop soon.
            terminationGracePeriodSeconds: 5,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: NODE_TAINT_USER,
              runAsGroup: NODE_TAINT_USER,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            initContainers: [
              {
                name: 'taint',
                image: KUBECTL_IMAGE,
                command: taintCommand(MEDIA_TAINT),
                env: [
                  { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                  // kubectl writes its discovery cache below $HOME; the root file system is read-only.
                  { name: 'HOME', value: '/tmp' },
                ],
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
                resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '100m', memory: '128Mi' } },
                securityContext: containerSecurityContext(),
              },
            ],
            containers: [
              {
                name: 'idle',
                image: KUBECTL_IMAGE,
                command: ['sleep', 'infinity'],
                resources: { requests: { cpu: '1m', memory: '8Mi' }, limits: { cpu: '10m', memory: '16Mi' } },
                securityContext: containerSecurityContext(),
              },
            ],
            volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '32Mi' } }],
          },
        },
      },
    },
  ];
}
