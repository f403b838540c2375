import type { HaproxyValues } from '@meetscale/chart-values/haproxy';

import { CLUSTER_ISSUER, INGRESS_CLASS, PROMETHEUS_RELEASE_LABEL } from './addon-releases';
import type { HelmReleaseSpec, ReleaseContext } from './helm-release-spec';
import { SYSTEM_NODE_SELECTOR } from './placement';

/** The OCI registry the meetscale charts are published to. */
export const MEETSCALE_CHART_REGISTRY = 'oci://ghcr.io/meetscale/charts';

/** The namespace of the Jitsi installation (HAProxy and the shards). */
export const JITSI_NAMESPACE = 'jitsi';

/** A meetscale chart release whose values have the chart's generated values type `V`. */
export interface MeetscaleChart<V extends object> {
  /** Chart name (the directory under `charts/`); also the release name. */
  readonly chart: string;
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
    name: release.chart,
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
 * The meetscale chart releases of a state, one entry per chart, installed after the add-ons. The jitsi-shard
 * chart (a later issue) becomes one more entry here, with `nodeSelector: { ...MEDIA_NODE_SELECTOR }` and
 * `tolerations: [MEDIA_TOLERATION]` (see `placement.ts`) for its bridges.
 */
export function meetscaleReleases(context: ReleaseContext): HelmReleaseSpec[] {
  const tlsSecret = `${context.meetingHost.replaceAll('.', '-')}-tls`;
  return [
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
