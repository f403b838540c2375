import { HAPROXY_CHART } from '@meetscale/chart-values/facts/haproxy';
import { JITSI_SHARD_CHART } from '@meetscale/chart-values/facts/jitsi-shard';
import type { HaproxyValues } from '@meetscale/chart-values/haproxy';
import type { JitsiShardValues } from '@meetscale/chart-values/jitsi-shard';
import { MEDIA_NODE_SELECTOR, MEDIA_TOLERATION, SYSTEM_NODE_SELECTOR } from '@meetscale/placement';

import { BRIDGE_METRICS, MONITORING_NAMESPACE, PROMETHEUS_RELEASE_LABEL } from './addon-releases';
import { ENVOY_GATEWAY_NAMESPACE, gatewayParentRef } from './gateway';
import type { HelmReleaseSpec, ReleaseContext } from './helm-release-spec';
import { loggingRelease } from './logging-release';
import { meetscaleChart } from './meetscale-chart';
import { monitoringRelease } from './monitoring-release';
import { JITSI_NAMESPACE, JVB_MEDIA_MODE } from './state-base-releases';

/** The Jitsi shard names HAProxy balances over, `shard-0` ... `shard-<n-1>`. */
export function shardNames(shards: number): [string, ...string[]] {
  if (!Number.isInteger(shards) || shards < 1) throw new Error(`a state runs at least one Jitsi shard, not ${shards}`);
  return ['shard-0', ...Array.from({ length: shards - 1 }, (_, index) => `shard-${index + 1}`)];
}

/**
 * One jitsi-shard release: its bridges on the media pool, each with the cores the sizing gives a bridge and autoscaled
 * within the sizing's bounds, everything else on the system pool.
 */
function jitsiShard(name: string, context: ReleaseContext): HelmReleaseSpec {
  const cpu = String(context.bridgeCores);
  const system = { nodeSelector: { ...SYSTEM_NODE_SELECTOR } };
  return meetscaleChart<JitsiShardValues>({
    chart: JITSI_SHARD_CHART.chart,
    registry: context.chartRegistry,
    release: name,
    namespace: JITSI_NAMESPACE,
    values: {
      domain: context.meetingHost,
      commonLabels: { 'meetscale.io/state': context.stateId },
      // the clients' ceiling of video streams, which the sizing assumes (the main lever on bridge CPU)
      web: { ...system, channelLastN: context.channelLastN },
      prosody: system,
      jicofo: system,
      jvb: {
        nodeSelector: { ...MEDIA_NODE_SELECTOR },
        tolerations: [{ ...MEDIA_TOLERATION }],
        media: { mode: JVB_MEDIA_MODE, advertise: 'nodeIP' },
        // the chart's memory request and limit stay; Helm merges the maps
        resources: { requests: { cpu }, limits: { cpu } },
        autoscaling: {
          enabled: true,
          minReplicas: context.bridgeAutoscaling.minReplicas,
          maxReplicas: context.bridgeAutoscaling.maxReplicas,
          metric: 'jvbStress',
          targetJvbStress: `${Math.round(context.targetBridgeStress * 1000)}m`,
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
 * The meetscale chart releases of a state, installed after every add-on (among them the state-base chart's two
 * releases: the namespace {@link JITSI_NAMESPACE} with its Pod Security labels, and the state's Gateway with its
 * certificate): one jitsi-shard release per shard (`shard-0`, `shard-1`, ...) with its bridges on the media pool
 * (`placement.ts`), and HAProxy in front of them, routed to from the state's Gateway for the meeting host (TLS ends
 * at the Gateway, whose certificate the state-base chart has cert-manager issue). HAProxy's HTTPRoute thus attaches
 * to a Gateway that exists; the monitoring chart's rules, dashboards and alert routing for kube-prometheus-stack; and,
 * when the state runs logging, the logging chart, after the ECK operator that runs its Elasticsearch and Kibana.
 */
export function meetscaleReleases(context: ReleaseContext): HelmReleaseSpec[] {
  const [firstShard, ...moreShards] = shardNames(context.jitsiShards);
  return [
    ...shardNames(context.jitsiShards).map((name) => jitsiShard(name, context)),
    meetscaleChart<HaproxyValues>({
      chart: HAPROXY_CHART.chart,
      registry: context.chartRegistry,
      namespace: JITSI_NAMESPACE,
      values: {
        replicaCount: context.haproxyReplicas,
        commonLabels: { 'meetscale.io/state': context.stateId },
        // (a non-empty list, as the chart's schema requires)
        shards: [shardServer(firstShard), ...moreShards.map(shardServer)],
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
    monitoringRelease(context),
    ...(context.logging === undefined ? [] : [loggingRelease(context)]),
  ];
}
