import { HAPROXY_CHART } from '@meetscale/chart-values/facts/haproxy';
import { JITSI_SHARD_CHART } from '@meetscale/chart-values/facts/jitsi-shard';
import type { HaproxyValues } from '@meetscale/chart-values/haproxy';
import type { JitsiShardValues } from '@meetscale/chart-values/jitsi-shard';
import { MEDIA_NODE_SELECTOR, MEDIA_TOLERATION, SYSTEM_NODE_SELECTOR } from '@meetscale/placement';
import { releasedVersion } from '@meetscale/releases';

import { ADDON_CHARTS, BRIDGE_METRICS, MONITORING_NAMESPACE, PROMETHEUS_RELEASE_LABEL } from './addon-releases';
import { ENVOY_GATEWAY_NAMESPACE, gatewayParentRef } from './gateway';
import type { HelmReleaseSpec, ReleaseContext } from './helm-release-spec';

/** The namespace of the Jitsi installation (HAProxy and the shards). */
export const JITSI_NAMESPACE = 'jitsi';

/** A Pod Security Standards level, as the `pod-security.kubernetes.io/*` namespace labels name it. */
export type PodSecurityLevel = 'restricted' | 'baseline' | 'privileged';

/** How clients reach the videobridges: the jitsi-shard chart's `jvb.media.mode`. */
export type JvbMediaMode = NonNullable<NonNullable<NonNullable<JitsiShardValues['jvb']>['media']>['mode']>;

/**
 * The Pod Security level each media mode of the jitsi-shard chart needs, as the chart states it (its facts): host
 * ports are forbidden from `baseline` up, so `hostPort` needs `privileged`; `nodePort` meets `restricted`.
 */
export const MEDIA_MODE_POD_SECURITY: Readonly<Record<JvbMediaMode, PodSecurityLevel>> = JITSI_SHARD_CHART.podSecurity.levels;

/**
 * The bridges' media mode: a host port on each dedicated media node, one bridge per node, announcing the node's
 * public IP (the IONOS design; the chart's default is `nodePort`).
 */
export const JVB_MEDIA_MODE = 'hostPort' satisfies JvbMediaMode;

/** The Pod Security level {@link JITSI_NAMESPACE} enforces: the one {@link JVB_MEDIA_MODE} needs. */
export const JITSI_POD_SECURITY_LEVEL: PodSecurityLevel = MEDIA_MODE_POD_SECURITY[JVB_MEDIA_MODE];

/**
 * Pod Security labels of a namespace: `enforce` the given level, and `warn` and `audit` at `restricted`, so that
 * every violation beyond what the level is there for stays visible (kubectl warnings, the audit log).
 */
export function podSecurityLabels(enforce: PodSecurityLevel): Record<string, string> {
  return {
    'pod-security.kubernetes.io/enforce': enforce,
    'pod-security.kubernetes.io/warn': 'restricted',
    'pod-security.kubernetes.io/audit': 'restricted',
  };
}

/** The release that creates {@link JITSI_NAMESPACE} with its Pod Security labels, before HAProxy and the shards. */
export const JITSI_NAMESPACE_RELEASE = 'jitsi-namespace';

/**
 * The Namespace {@link JITSI_NAMESPACE}, labelled for {@link JITSI_POD_SECURITY_LEVEL}. Helm keeps it when the
 * release goes (`helm.sh/resource-policy: keep`): uninstalling or renaming the release must not delete the
 * namespace, and with it every shard.
 */
export function jitsiNamespaceManifest(): object {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: JITSI_NAMESPACE,
      labels: podSecurityLabels(JITSI_POD_SECURITY_LEVEL),
      annotations: { 'helm.sh/resource-policy': 'keep' },
    },
  };
}

/**
 * The release of {@link jitsiNamespaceManifest}, through the pinned `raw` chart. The Helm provider's own
 * `create_namespace` cannot label a namespace; and a release is recorded in a namespace that must exist before
 * it, so this one is recorded in `default`. The releases in the namespace find it there (Helm's
 * `--create-namespace` leaves an existing namespace alone).
 */
function jitsiNamespace(): HelmReleaseSpec {
  return {
    name: JITSI_NAMESPACE_RELEASE,
    ...ADDON_CHARTS.rawManifests,
    namespace: 'default',
    values: { resources: [jitsiNamespaceManifest()] },
  };
}

/** A meetscale chart release whose values have the chart's generated values type `V`. */
export interface MeetscaleChart<V extends object> {
  /** Chart name (the directory under `charts/`). */
  readonly chart: string;
  /**
   * Release name.
   * @default - the chart name
   */
  readonly release?: string;
  /** The OCI registry of the chart (the state's `charts.registry`). */
  readonly registry: string;
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
 * A meetscale chart release from the OCI registry, at the chart's last released version (its release record in
 * `releases/<chart>/releases.json`; a version is never typed here). Call it with the chart's values type,
 * `meetscaleChart<HaproxyValues>({ ... })`, so the values object literal is checked key by key.
 * @throws when the chart has no release yet
 */
export function meetscaleChart<V extends object>(release: MeetscaleChart<V>): HelmReleaseSpec {
  return {
    name: release.release ?? release.chart,
    chart: release.chart,
    repository: release.registry,
    version: releasedVersion(release.chart),
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
    chart: JITSI_SHARD_CHART.chart,
    registry: context.chartRegistry,
    release: name,
    namespace: JITSI_NAMESPACE,
    after: [JITSI_NAMESPACE_RELEASE],
    values: {
      domain: context.meetingHost,
      commonLabels: { 'meetscale.io/state': context.stateId },
      web: system,
      prosody: system,
      jicofo: system,
      jvb: {
        nodeSelector: { ...MEDIA_NODE_SELECTOR },
        tolerations: [{ ...MEDIA_TOLERATION }],
        media: { mode: JVB_MEDIA_MODE, advertise: 'nodeIP' },
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
        // the Envoy proxies of the Gateway run in Envoy Gateway's namespace
        ingressNamespaceSelector: { 'kubernetes.io/metadata.name': ENVOY_GATEWAY_NAMESPACE },
        monitoringNamespaceSelector: { 'kubernetes.io/metadata.name': MONITORING_NAMESPACE },
      },
    },
  });
}

/**
 * The HAProxy server of one jitsi-shard release: the release's web Service, named as the chart names it (its
 * generated naming facts), at the Service's port (the chart's default, which the shard releases keep).
 */
export function shardServer(release: string): { name: string; host: string; port: number } {
  return { name: release, host: JITSI_SHARD_CHART.serviceName('web', release), port: JITSI_SHARD_CHART.ports.web };
}

/**
 * The meetscale chart releases of a state, installed after the add-ons: the Jitsi namespace with its Pod Security
 * labels, one jitsi-shard release per shard (`shard-0`, `shard-1`, ...) with its bridges on the media pool
 * (`placement.ts`), and HAProxy in front of them, routed to from the state's Gateway for the meeting host (TLS ends
 * at the Gateway, whose certificate the state-base chart has cert-manager issue).
 */
export function meetscaleReleases(context: ReleaseContext): HelmReleaseSpec[] {
  return [
    jitsiNamespace(),
    ...shardNames(context.jitsiShards).map((name) => jitsiShard(name, context)),
    meetscaleChart<HaproxyValues>({
      chart: HAPROXY_CHART.chart,
      registry: context.chartRegistry,
      namespace: JITSI_NAMESPACE,
      after: [JITSI_NAMESPACE_RELEASE],
      values: {
        replicaCount: context.haproxyReplicas,
        commonLabels: { 'meetscale.io/state': context.stateId },
        shards: shardNames(context.jitsiShards).map(shardServer),
        // The chart's route timeouts stay at their default `0s` (none): the XMPP websocket lasts as long as the
        // conference, and BOSH requests wait up to a minute.
        httpRoute: { enabled: true, parentRefs: [gatewayParentRef()], hostnames: [context.meetingHost] },
        metrics: { serviceMonitor: { enabled: true, labels: { ...PROMETHEUS_RELEASE_LABEL } } },
        networkPolicy: {
          enabled: true,
          // the chart's default names ingress-nginx; the Gateway's Envoy proxies run in Envoy Gateway's namespace
          ingressNamespaceSelector: { 'kubernetes.io/metadata.name': ENVOY_GATEWAY_NAMESPACE },
        },
        podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
        nodeSelector: { ...SYSTEM_NODE_SELECTOR },
      },
    }),
  ];
}
