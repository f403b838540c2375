/**
 * Where workloads run. The app labels the two node pools and installs every system workload on the system
 * pool; the media pool is reserved for the videobridges, and the `media-node-taint` release
 * (`media-node-taint.ts`) taints its nodes with {@link MEDIA_TAINT}. The jitsi-shard releases place their
 * bridges with exactly these values (`jvb.nodeSelector: MEDIA_NODE_SELECTOR`, `jvb.tolerations:
 * [MEDIA_TOLERATION]`), which `meetscale-releases.ts` passes in; a chart cannot import an app.
 */

/** The node label that names a node's pool. */
export const POOL_LABEL = 'meetscale.io/pool';

/** Labels of the system pool's nodes. */
export const SYSTEM_POOL_LABELS: Readonly<Record<string, string>> = { [POOL_LABEL]: 'system' };

/** Labels of the media pool's nodes. */
export const MEDIA_POOL_LABELS: Readonly<Record<string, string>> = { [POOL_LABEL]: 'media' };

/**
 * Labels of the TURN pool's nodes: a public node pool of its own where coturn runs in the host network, one per
 * node, its relays announcing the node's public address (the coturn chart's `exposure.mode: hostNetwork`).
 */
export const TURN_POOL_LABELS: Readonly<Record<string, string>> = { [POOL_LABEL]: 'turn' };

/** The node selector of coturn. */
export const TURN_NODE_SELECTOR: Readonly<Record<string, string>> = TURN_POOL_LABELS;

/** The node selector of system workloads (ingress, cert-manager, monitoring, operators, HAProxy). */
export const SYSTEM_NODE_SELECTOR: Readonly<Record<string, string>> = SYSTEM_POOL_LABELS;

/** The node selector of the videobridges. */
export const MEDIA_NODE_SELECTOR: Readonly<Record<string, string>> = MEDIA_POOL_LABELS;

/** A Kubernetes node taint. */
export interface NodeTaint {
  /** Taint key. */
  readonly key: string;
  /** Taint value. */
  readonly value: string;
  /** Taint effect. */
  readonly effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

/**
 * The taint that keeps everything but the bridges off the media nodes: `meetscale.io/media=true:NoSchedule`.
 * IONOS node pools (provider 6.7.12) take no taints, so the `media-node-taint` release applies it in the cluster.
 */
export const MEDIA_TAINT: NodeTaint = { key: 'meetscale.io/media', value: 'true', effect: 'NoSchedule' };

/** The toleration the bridges (and the DaemonSet that applies the taint) carry for {@link MEDIA_TAINT}. */
export const MEDIA_TOLERATION: Readonly<{ key: string; operator: 'Equal'; value: string; effect: NodeTaint['effect'] }> = {
  key: MEDIA_TAINT.key,
  operator: 'Equal',
  value: MEDIA_TAINT.value,
  effect: MEDIA_TAINT.effect,
};

/**
 * The taint that keeps everything but coturn off the TURN nodes, whose host network coturn owns:
 * `meetscale.io/turn=true:NoSchedule` (applied in the cluster, as {@link MEDIA_TAINT} is).
 */
export const TURN_TAINT: NodeTaint = { key: 'meetscale.io/turn', value: 'true', effect: 'NoSchedule' };

/** The toleration coturn carries for {@link TURN_TAINT}. */
export const TURN_TOLERATION: Readonly<{ key: string; operator: 'Equal'; value: string; effect: NodeTaint['effect'] }> = {
  key: TURN_TAINT.key,
  operator: 'Equal',
  value: TURN_TAINT.value,
  effect: TURN_TAINT.effect,
};

/** `key=value:effect`, the kubectl notation of a taint. */
export function formatTaint(taint: NodeTaint): string {
  return `${taint.key}=${taint.value}:${taint.effect}`;
}
