import type { HaproxyValues } from '@meetscale/chart-values/haproxy';
import type { JitsiShardValues } from '@meetscale/chart-values/jitsi-shard';

import {
  BRIDGE_METRICS,
  CLUSTER_ISSUER,
  INGRESS_CLASS,
  INGRESS_NAMESPACE,
  MONITORING_NAMESPACE,
  PROMETHEUS_RELEASE_LABEL,
} from './addon-releases';
import type { HelmReleaseSpec, ReleaseContext } from './helm-release-spec';
import { MEDIA_NODE_SELECTOR, MEDIA_TOLERATION, SYSTEM_NODE_SELECTOR } from './placement';

/** The OCI registry the meetscale charts are published to. */
export const MEETSCALE_CHART_REGISTRY = 'oci://ghcr.io/meetscale/charts';

/** The namespace of the Jitsi installation (HAProxy and the shards). */
export const JITSI_NAMESPACE = 'jitsi';

/** A meetscale chart release whose values have the chart's generated values type `V`. */
export interface MeetscaleChart<V extends object> {
  /** Chart name (the directory under `charts/`). */
  readonly chart: string;
  /**
   * Release name.
   * @default - the chart name
   */
  readonly release?: string;
  /** Exact published chart version. */
  readonly version: string;
  /** Namespace of the release. */
  readonly namespace: string;
  /** Values, checked against the chart's generated type: an unknown key does not compile. */
  readonly values: V;
  /**
   * Other meetscale releases to install first.
   * @default - none
   */
  readonly after?: readonly string[];
}

/**
 * A meetscale chart release from the OCI registry. Call it with the chart's values type,
 * `meetscaleChart<HaproxyValues>({ ... })`, so the values object literal is checked key by key.
 */
export function meetscaleChart<V extends object>(release: MeetscaleChart<V>): HelmReleaseSpec {
  return {
    name: release.release ?? release.chart,
    chart: release.chart,
    repository: MEETSCALE_CHART_REGISTRY,
    version: release.version,
    namespace: release.namespace,
    values: release.values,
    after: release.after,
  };
}

/** The Jitsi shard names HAProxy balances over, `shard-0` ... `shard-<n-1>`. */
export function shardNames(shards: number): string[] {
  return Array.from({ length: shards }, (_, index) => `shard-${index}`);
}

/**
 * The bridges one shard may run: the media nodes shared evenly (one bridge per node), at least one each.
 * @throws if there are more shards than media nodes at most
 */
export function bridgesPerShard(context: Pick<ReleaseContext, 'jitsiShards' | 'mediaNodesMin' | 'mediaNodesMax'>): {
  min: number;
  max: number;
} {
  if (context.mediaNodesMax < context.jitsiShards) {
    throw new Error(
      `${context.jitsiShards} shards need at least ${context.jitsiShards} media nodes, but the pool has at most ${context.mediaNodesMax}`,
    );
  }
  const max = Math.floor(context.mediaNodesMax / context.jitsiShards);
  return { min: Math.min(max, Math.max(1, Math.floor(context.mediaNodesMin / context.jitsiShards))), max };
}

/** One jitsi-shard release: its bridges on the media pool, everything else on the system pool. */
function jitsiShard(name: string, context: ReleaseContext): HelmReleaseSpec {
  const bridges = bridgesPerShard(context);
  const system = { nodeSelector: { ...SYSTEM_NODE_SELECTOR } };
  return meetscaleChart<JitsiShardValues>({
    chart: 'jitsi-shard',
    release: name,
    version: '0.1.0',
    namespace: JITSI_NAMESPACE,
    values: {
      domain: context.meetingHost,
      commonLabels: { 'meetscale.io/state': context.stateId },
      web: system,
      prosody: system,
      jicofo: system,
      jvb: {
        nodeSelector: { ...MEDIA_NODE_SELECTOR },
        tolerations: [{ ...MEDIA_TOLERATION }],
        media: { mode: 'hostPort', advertise: 'nodeIP' },
        autoscaling: {
          enabled: true,
          minReplicas: bridges.min,
          maxReplicas: bridges.max,
          metric: 'jvbStress',
          customMetrics: { ...BRIDGE_METRICS },
        },
      },
      metrics: {
        serviceMonitor: { enabled: true, labels: { ...PROMETHEUS_RELEASE_LABEL } },
        podMonitor: { enabled: true, labels: { ...PROMETHEUS_RELEASE_LABEL } },
      },
      networkPolicy: {
        enabled: true,
        ingressNamespaceSelector: { 'kubernetes.io/metadata.name': INGRESS_NAMESPACE },
        monitoringNamespaceSelector: { 'kubernetes.io/metadata.name': MONITORING_NAMESPACE },
      },
    },
  });
}

/**
 * The meetscale chart releases of a state, installed after the add-ons: one jitsi-shard release per shard
 * (`shard-0`, `shard-1`, ...) with its bridges on the media pool (`placement.ts`), and HAProxy in front of them.
 */
export function meetscaleReleases(context: ReleaseContext): HelmReleaseSpec[] {
  const tlsSecret = `${context.meetingHost.replaceAll('.', '-')}-tls`;
  return [
    ...shardNames(context.jitsiShards).map((name) => jitsiShard(name, context)),
    meetscaleChart<HaproxyValues>({
      chart: 'haproxy',
      version: '0.1.0',
      namespace: JITSI_NAMESPACE,
      values: {
        replicaCount: context.haproxyReplicas,
        commonLabels: { 'meetscale.io/state': context.stateId },
        shards: shardNames(context.jitsiShards).map((name) => ({ name, host: `${name}-jitsi-shard-web`, port: 80 })),
        ingress: {
          enabled: true,
          className: INGRESS_CLASS,
          annotations: { 'cert-manager.io/cluster-issuer': CLUSTER_ISSUER },
          hosts: [{ host: context.meetingHost }],
          tls: [{ secretName: tlsSecret, hosts: [context.meetingHost] }],
        },
        metrics: { serviceMonitor: { enabled: true, labels: { ...PROMETHEUS_RELEASE_LABEL } } },
        networkPolicy: { enabled: true },
        podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
        nodeSelector: { ...SYSTEM_NODE_SELECTOR },
      },
    }),
  ];
}
