import {
  add,
  and,
  checksum,
  concatLists,
  eq,
  gt,
  type HelmChart,
  type HelmValue,
  isEmpty,
  lengthOf,
  listWhen,
  Manifest,
  max,
  not,
  onlyWhen,
  or,
  orDefault,
  PodMonitor,
  str,
  ternary,
  Workload,
} from '@meetscale/chart-toolkit';
import { MEDIA_POOL_LABELS, POOL_LABEL } from '@meetscale/placement';
import { Construct } from 'constructs';
import type { HorizontalPodAutoscaler } from 'kubernetes-types/autoscaling/v2';
import type { ConfigMap, Service } from 'kubernetes-types/core/v1';

import { RUNTIME_MOUNTS, RUNTIME_VOLUMES } from './_pod';
import { GRACEFUL_SHUTDOWN_SCRIPT, PUBLIC_ADDRESSES_DIR, SCRIPTS_DIR, START_SCRIPT } from './jvb-scripts';
import { shardTargetLabels } from './shard-service-monitor';
import { CREDENTIAL_KEYS, PORTS, type ShardSettings } from './shard-settings';
import { hasOwnStun, shardStunServer } from './turn';
import type { JitsiShardValues } from './values';

/** Settings of the Videobridges construct. */
export interface VideobridgesProps {
  /** The chart whose values and release names the construct reads. */
  readonly chart: HelmChart<JitsiShardValues>;
  /** The shard's shared settings. */
  readonly settings: ShardSettings;
}

/** The component name of the bridges, in names, labels and selectors. */
export const JVB_COMPONENT = 'jvb';

/**
 * The videobridge pool of a shard. Every bridge joins the brewery room with the shared bridge account, so
 * bridges come and go without configuration; the autoscaler sizes the pool, and a preStop hook drains a
 * bridge before it stops.
 *
 * - `hostPort` mode: a Deployment; each bridge holds `hostPort.port` on its node (one bridge per node) and
 *   announces the node's IP. A rollout starts new bridges first while the old ones drain.
 * - `nodePort` mode: a StatefulSet; bridge `i` listens on `basePort + i`, and one NodePort Service per
 *   possible bridge (up to the autoscaler's maximum) forwards exactly that port on every node.
 */
export class Videobridges extends Construct {
  public constructor(scope: Construct, id: string, props: VideobridgesProps) {
    super(scope, id);
    const { chart, settings } = props;
    const v = chart.values.jvb;
    const name = String(chart.componentName(JVB_COMPONENT));
    const labels = chart.standardLabels(JVB_COMPONENT);
    const selector = chart.selectorLabels(JVB_COMPONENT);
    const hostPortMode = eq(v.media.mode, 'hostPort');
    const nodePortMode = eq(v.media.mode, 'nodePort');
    const nodeIp = eq(v.media.advertise, 'nodeIP');
    const stun = eq(v.media.advertise, 'stun');
    const listed = eq(v.media.advertise, 'publicAddresses');
    const cascading = v.cascading.enabled;
    const possibleBridges = possibleBridgeCount(chart);

    chart.failWhen(
      and(stun, not(v.media.stunServers), not(hasOwnStun(chart))),
      'jvb.media.stunServers: name the STUN servers the bridges ask (or turn on turn.enabled with turn.stun.enabled) when jvb.media.advertise is stun',
    );
    const listedAddresses = chart.defineNumber(
      'jvb.listedAddresses',
      add(lengthOf(v.media.publicAddresses.nodes), lengthOf(v.media.publicAddresses.bridges)),
    );
    chart.failWhen(
      and(listed, eq(listedAddresses, 0)),
      'jvb.media.publicAddresses: list the public address of every node or bridge when jvb.media.advertise is publicAddresses',
    );
    chart.failWhen(
      and(hostPortMode, not(isEmpty(v.media.publicAddresses.bridges))),
      'jvb.media.publicAddresses.bridges: addresses per bridge ordinal need media.mode nodePort (hostPort bridges have no ordinal); list nodes instead',
    );
    // Where node addresses are private: one ConfigMap per map, mounted as a directory of one file per node or
    // bridge, which start.sh reads.
    const addressMaps = (['nodes', 'bridges'] as const).map((kind) => {
      const map = new Manifest<ConfigMap>(this, `${kind}-addresses`, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: String(chart.componentName(`jvb-${kind}`)), labels },
        data: v.media.publicAddresses[kind],
      });
      chart.renderWhen(map, listed);
      return { kind, map, name: String(chart.componentName(`jvb-${kind}`)) };
    });

    const scripts = { 'start.sh': START_SCRIPT, 'graceful-shutdown.sh': GRACEFUL_SHUTDOWN_SCRIPT };
    new Manifest<ConfigMap>(this, 'scripts', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data: scripts });

    // Unless the user gives an affinity of their own: the bridges prefer the media pool's nodes (a preference no
    // node meets is ignored), and in hostPort mode there is one bridge per node, across all shards' bridges.
    const preferMediaPool = {
      nodeAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, preference: { matchExpressions: [{ key: POOL_LABEL, operator: 'In', values: [MEDIA_POOL_LABELS[POOL_LABEL]] }] } },
        ],
      },
    };
    const spreadOverNodes = {
      ...preferMediaPool,
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          {
            topologyKey: 'kubernetes.io/hostname',
            labelSelector: {
              matchLabels: { 'app.kubernetes.io/name': String(chart.include('name')), 'app.kubernetes.io/component': JVB_COMPONENT },
            },
          },
        ],
      },
    };
    const mediaPort = { name: 'media', containerPort: v.media.hostPort.port, hostPort: v.media.hostPort.port, protocol: 'UDP' };
    // One pod template for both workload kinds: a Deployment (hostPort) or a StatefulSet (nodePort).
    new Workload(this, 'workload', {
      chart: chart as HelmChart<unknown>,
      component: JVB_COMPONENT,
      values: v,
      replicas: onlyWhen(not(v.autoscaling.enabled), v.replicaCount),
      kindWhen: { deployment: hostPortMode, statefulSet: nodePortMode },
      deployment: {
        // New bridges start before old ones go; an old bridge then drains in the background (preStop).
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } },
      },
      statefulSet: {
        serviceName: name,
        // Scale-up starts every new bridge at once; scale-down drains every removed bridge at once.
        podManagementPolicy: 'Parallel',
        updateStrategy: { type: 'RollingUpdate' },
      },
      checksums: {
        'checksum/settings': settings.of(JVB_COMPONENT).checksum,
        'checksum/scripts': checksum(scripts),
        ...Object.fromEntries(addressMaps.map(({ kind, map }) => [`checksum/${kind}-addresses`, onlyWhen(listed, chart.checksumOf(map))])),
      },
      imagePullSecrets: [chart.values.imagePullSecrets],
      container: {
        command: onlyWhen(or(nodePortMode, listed), ['/bin/sh', `${SCRIPTS_DIR}/start.sh`, '/init']),
        ports: concatLists([{ name: 'http', containerPort: PORTS.jvbHttp, protocol: 'TCP' }], listWhen(hostPortMode, [mediaPort])),
        envFrom: [{ configMapRef: { name: settings.of(JVB_COMPONENT).configMapName } }],
        env: [
          [
            settings.credential('JVB_AUTH_PASSWORD', CREDENTIAL_KEYS.jvb),
            // The private REST API (port 8080) takes the graceful shutdown request of the preStop hook.
            { name: 'COLIBRI_REST_ENABLED', value: 'true' },
            { name: 'SHUTDOWN_REST_ENABLED', value: 'true' },
            { name: 'VIDEOBRIDGE_MAX_MEMORY', value: String(v.maxMemory) },
            { name: 'SHUTDOWN_POLL_SECONDS', value: str(v.gracefulShutdown.pollSeconds) },
            // Browsers get the node's (or the listed public) address, never the pod IP they cannot reach.
            { name: 'JVB_ADVERTISE_PRIVATE_CANDIDATES', value: 'false' },
          ],
          listWhen(hostPortMode, [{ name: 'JVB_PORT', value: str(v.media.hostPort.port) }]),
          listWhen(nodePortMode, [{ name: 'JVB_NODE_PORT_BASE', value: str(v.media.nodePort.basePort) }]),
          listWhen(nodeIp, [{ name: 'JVB_ADVERTISE_IPS', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } }]),
          listWhen(listed, [
            { name: 'JVB_PUBLIC_ADDRESSES', value: PUBLIC_ADDRESSES_DIR },
            { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
          ]),
          // The image's default STUN server is a third party's: only the `stun` mode asks one, and by default the
          // shard's own.
          listWhen(not(stun), [{ name: 'JVB_DISABLE_STUN', value: 'true' }]),
          listWhen(stun, [{ name: 'JVB_STUN_SERVERS', value: String(orDefault(v.media.stunServers, shardStunServer(chart))) }]),
          listWhen(cascading, [
            { name: 'ENABLE_OCTO', value: '1' },
            { name: 'JVB_OCTO_REGION', value: String(v.cascading.region) },
            // Unique per bridge: the pod name.
            { name: 'JVB_OCTO_RELAY_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          ]),
        ],
        lifecycle: { preStop: { exec: { command: ['/bin/sh', `${SCRIPTS_DIR}/graceful-shutdown.sh`] } } },
        volumeMounts: concatLists(
          [...RUNTIME_MOUNTS, { name: 'scripts', mountPath: SCRIPTS_DIR, readOnly: true }],
          listWhen(
            listed,
            addressMaps.map(({ kind }) => ({ name: `${kind}-addresses`, mountPath: `${PUBLIC_ADDRESSES_DIR}/${kind}`, readOnly: true })),
          ),
        ),
      },
      volumes: concatLists(
        [...RUNTIME_VOLUMES, { name: 'scripts', configMap: { name } }],
        listWhen(
          listed,
          addressMaps.map(({ kind, name: mapName }) => ({ name: `${kind}-addresses`, configMap: { name: mapName } })),
        ),
      ),
      spec: {
        affinity: ternary(isEmpty(v.affinity), ternary(hostPortMode, spreadOverNodes, preferMediaPool, 'object'), v.affinity, 'object'),
        terminationGracePeriodSeconds: v.gracefulShutdown.terminationGracePeriodSeconds,
      },
    });

    const headless = new Manifest<Service>(this, 'headless', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, labels },
      spec: {
        clusterIP: 'None',
        selector,
        ports: [{ name: 'http', port: PORTS.jvbHttp, targetPort: 'http', protocol: 'TCP' }],
      },
    });
    chart.renderWhen(headless, nodePortMode);

    chart.repeat(possibleBridges, (index) => {
      const bridgePort = add(v.media.nodePort.basePort, index);
      const service = new Manifest<Service>(this, 'nodeport', {
        apiVersion: 'v1',
        kind: 'Service',
        // Room for `-<index>` of up to three digits, so the Service name stays within 63 characters.
        metadata: { name: `${chart.componentName(JVB_COMPONENT, 4)}-${index}`, labels: chart.standardLabels('jvb-media') },
        spec: {
          type: 'NodePort',
          // Only the node the bridge runs on answers, and it keeps the client's address: the bridge announces
          // that node's IP and this port.
          externalTrafficPolicy: 'Local',
          selector: { ...selector, 'statefulset.kubernetes.io/pod-name': `${name}-${index}` },
          ports: [{ name: 'media', port: bridgePort, targetPort: bridgePort, nodePort: bridgePort, protocol: 'UDP' }],
        },
      });
      chart.renderWhen(service, nodePortMode);
      return service;
    });
    chart.failWhen(
      and(nodePortMode, gt(lastBridgePort(chart), 32767)),
      'jvb.media.nodePort.basePort: basePort + the most bridges (jvb.autoscaling.maxReplicas) must stay within the NodePort range, at most 32767',
    );

    const a = v.autoscaling;
    const hpa = new Manifest<HorizontalPodAutoscaler>(this, 'autoscaler', {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name, labels },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: ternary(nodePortMode, 'StatefulSet', 'Deployment', 'string'), name },
        minReplicas: a.minReplicas,
        maxReplicas: a.maxReplicas,
        metrics: concatLists(
          listWhen(eq(a.metric, 'cpu'), [
            {
              type: 'Resource',
              resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: a.targetCPUUtilizationPercentage } },
            },
          ]),
          listWhen(eq(a.metric, 'jvbStress'), [podsMetric(a.customMetrics.jvbStress, a.targetJvbStress)]),
          listWhen(eq(a.metric, 'networkTransmit'), [podsMetric(a.customMetrics.networkTransmit, a.targetNetworkTransmit)]),
        ),
        behavior: a.behavior,
      },
    });
    chart.renderWhen(hpa, a.enabled);
    chart.failWhen(
      and(a.enabled, gt(a.minReplicas, a.maxReplicas)),
      'jvb.autoscaling.minReplicas must not exceed jvb.autoscaling.maxReplicas',
    );

    new PodMonitor(this, 'podmonitor', {
      chart: chart as HelmChart<unknown>,
      component: JVB_COMPONENT,
      name,
      values: chart.values.metrics.podMonitor,
      selector,
      port: 'http',
      targetLabels: shardTargetLabels(chart),
    });
  }
}

const BRIDGE_COUNTS = new WeakMap<HelmChart<JitsiShardValues>, { possible: HelmValue<number>; lastPort: HelmValue<number> }>();

/** The named templates behind `possibleBridgeCount` and `lastBridgePort`, defined once per chart. */
function bridgeCounts(chart: HelmChart<JitsiShardValues>): { possible: HelmValue<number>; lastPort: HelmValue<number> } {
  const known = BRIDGE_COUNTS.get(chart);
  if (known !== undefined) return known;
  const v = chart.values.jvb;
  const possible = chart.defineNumber(
    'jvb.possibleBridges',
    ternary<number>(v.autoscaling.enabled, v.autoscaling.maxReplicas, v.replicaCount, 'integer'),
  );
  const base = v.media.nodePort.basePort;
  // (max 0 ...): with no bridge at all the range would end before it starts
  const lastPort = chart.defineNumber('jvb.lastBridgePort', add(base, max(0, add(possible, -1))));
  const counts = { possible, lastPort };
  BRIDGE_COUNTS.set(chart, counts);
  return counts;
}

/** Bridges that can exist: the autoscaler's maximum, or the fixed count when it is off. */
export function possibleBridgeCount(chart: HelmChart<JitsiShardValues>): HelmValue<number> {
  return bridgeCounts(chart).possible;
}

/** The NodePort of the last bridge that can exist (`basePort` with no bridge at all). */
export function lastBridgePort(chart: HelmChart<JitsiShardValues>): HelmValue<number> {
  return bridgeCounts(chart).lastPort;
}

/** An autoscaling/v2 Pods metric aiming at an average value per bridge. */
function podsMetric(metric: HelmValue<string>, target: HelmValue<string>): Record<string, unknown> {
  return { type: 'Pods', pods: { metric: { name: metric }, target: { type: 'AverageValue', averageValue: target } } };
}
