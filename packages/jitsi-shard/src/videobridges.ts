import {
  add,
  and,
  checksum,
  concatLists,
  eq,
  expr,
  expressionOf,
  type HelmChart,
  HelmValue,
  listWhen,
  not,
  omitIfEmpty,
  onlyWhen,
  raw,
  setAtPointer,
  str,
  ternary,
} from '@meetscale/chart-toolkit';
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';

import { applyPodSettings, ComponentDisruptionBudget, componentPodSpec } from './_pod';
import { GRACEFUL_SHUTDOWN_SCRIPT, SCRIPTS_DIR, START_SCRIPT } from './jvb-scripts';
import { CREDENTIAL_KEYS, PORTS, type ShardSettings } from './shard-settings';
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
    defineBridgeCounts(chart);
    const possibleBridges = possibleBridgeCount(chart);

    const scripts = { 'start.sh': START_SCRIPT, 'graceful-shutdown.sh': GRACEFUL_SHUTDOWN_SCRIPT };
    new k8s.KubeConfigMap(this, 'scripts', {
      metadata: { name, labels },
      data: scripts,
    });

    const health = { httpGet: { path: '/about/health', port: k8s.IntOrString.fromString('http') } };
    const podSpec: k8s.PodSpec = {
      ...componentPodSpec({
        component: JVB_COMPONENT,
        values: v,
        settingsConfigMap: settings.configMapName,
        container: {
          ports: [],
          readinessProbe: { ...health, periodSeconds: 5, failureThreshold: 3 },
          livenessProbe: { ...health, initialDelaySeconds: 30, periodSeconds: 10, failureThreshold: 3 },
          lifecycle: { preStop: { exec: { command: ['/bin/sh', `${SCRIPTS_DIR}/graceful-shutdown.sh`] } } },
          volumeMounts: [{ name: 'scripts', mountPath: SCRIPTS_DIR, readOnly: true }],
        },
        volumes: [{ name: 'scripts', configMap: { name } }],
      }),
      terminationGracePeriodSeconds: 7200,
    };
    const template: Record<string, unknown> = { metadata: {}, spec: k8s.toJson_PodSpec(podSpec) };

    const set = (pointer: string, value: unknown): void => setAtPointer(template, pointer, value);
    const mediaPort = { name: 'media', containerPort: v.media.hostPort.port, hostPort: v.media.hostPort.port, protocol: 'UDP' };
    // hostPort: one bridge per node, across all shards' bridges, unless the user gives an affinity of their own.
    const spreadOverNodes = {
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
    applyPodSettings(chart, set, {
      component: JVB_COMPONENT,
      values: v,
      checksums: { 'checksum/settings': settings.checksum, 'checksum/scripts': checksum(scripts) },
      env: [
        [
          settings.credential('JVB_AUTH_PASSWORD', CREDENTIAL_KEYS.jvb),
          // The private REST API (port 8080) takes the graceful shutdown request of the preStop hook.
          { name: 'COLIBRI_REST_ENABLED', value: 'true' },
          { name: 'SHUTDOWN_REST_ENABLED', value: 'true' },
          { name: 'VIDEOBRIDGE_MAX_MEMORY', value: String(v.maxMemory) },
          { name: 'SHUTDOWN_POLL_SECONDS', value: str(v.gracefulShutdown.pollSeconds) },
        ],
        listWhen(hostPortMode, [{ name: 'JVB_PORT', value: str(v.media.hostPort.port) }]),
        listWhen(nodePortMode, [{ name: 'JVB_NODE_PORT_BASE', value: str(v.media.nodePort.basePort) }]),
        listWhen(nodeIp, [
          { name: 'JVB_ADVERTISE_IPS', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
          { name: 'JVB_DISABLE_STUN', value: 'true' },
        ]),
        listWhen(not(nodeIp), [{ name: 'JVB_STUN_SERVERS', value: String(v.media.stunServers) }]),
      ],
    });
    set(
      '/spec/affinity',
      ternary(
        and(hostPortMode, expr(`(empty ${expressionOf(v.affinity)})`, 'boolean')),
        spreadOverNodes,
        omitIfEmpty(v.affinity),
        'object',
      ),
    );
    set('/spec/terminationGracePeriodSeconds', v.gracefulShutdown.terminationGracePeriodSeconds);
    set(
      '/spec/containers/0/ports',
      concatLists([{ name: 'http', containerPort: PORTS.jvbHttp, protocol: 'TCP' }], listWhen(hostPortMode, [mediaPort])),
    );
    set('/spec/containers/0/command', onlyWhen(nodePortMode, ['/bin/sh', `${SCRIPTS_DIR}/start.sh`, '/init']));
    // One pod template for both workload kinds.
    const podTemplate = chart.defineYaml('jvb.podTemplate', template);

    const deployment = new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name, labels },
      spec: {
        selector: { matchLabels: selector },
        // New bridges start before old ones go; an old bridge then drains in the background (preStop).
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromString('25%') },
        },
        template: {},
      },
    });
    chart.renderWhen(deployment, hostPortMode);

    const headless = new k8s.KubeService(this, 'headless', {
      metadata: { name, labels },
      spec: {
        clusterIp: 'None',
        selector,
        ports: [{ name: 'http', port: PORTS.jvbHttp, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }],
      },
    });
    chart.renderWhen(headless, nodePortMode);
    const statefulSet = new k8s.KubeStatefulSet(this, 'statefulset', {
      metadata: { name, labels },
      spec: {
        serviceName: name,
        // Scale-up starts every new bridge at once; scale-down drains every removed bridge at once.
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: selector },
        updateStrategy: { type: 'RollingUpdate' },
        template: {},
      },
    });
    chart.renderWhen(statefulSet, nodePortMode);
    for (const workload of [deployment, statefulSet]) {
      chart.setField(workload, '/spec/replicas', onlyWhen(not(v.autoscaling.enabled), v.replicaCount));
      chart.setField(workload, '/spec/template', podTemplate);
    }

    chart.repeat(possibleBridges, (index) => {
      const bridgePort = add(v.media.nodePort.basePort, index);
      const service = new k8s.KubeService(this, 'nodeport', {
        // Room for `-<index>` of up to three digits, so the Service name stays within 63 characters.
        metadata: { name: `${chart.componentName(JVB_COMPONENT, 4)}-${index}`, labels: chart.standardLabels('jvb-media') },
        spec: {
          type: 'NodePort',
          // Only the node the bridge runs on answers, and it keeps the client's address: the bridge announces
          // that node's IP and this port.
          externalTrafficPolicy: 'Local',
          selector: { ...selector, 'statefulset.kubernetes.io/pod-name': `${name}-${index}` },
          ports: [{ name: 'media', port: 10000, protocol: 'UDP' }],
        },
      });
      chart.setField(service, '/spec/ports/0/port', bridgePort);
      chart.setField(service, '/spec/ports/0/targetPort', bridgePort);
      chart.setField(service, '/spec/ports/0/nodePort', bridgePort);
      chart.renderWhen(service, nodePortMode);
      return service;
    });
    chart.failWhen(
      and(nodePortMode, expr(`(gt ${expressionOf(lastBridgePort(chart))} 32767)`, 'boolean')),
      'jvb.media.nodePort.basePort: basePort + the most bridges (jvb.autoscaling.maxReplicas) must stay within the NodePort range, at most 32767',
    );

    const hpa = new k8s.KubeHorizontalPodAutoscalerV2(this, 'autoscaler', {
      metadata: { name, labels },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name }, maxReplicas: 10 },
    });
    const a = v.autoscaling;
    chart.setField(hpa, '/spec/scaleTargetRef/kind', ternary(nodePortMode, 'StatefulSet', 'Deployment', 'string'));
    chart.setField(hpa, '/spec/minReplicas', a.minReplicas);
    chart.setField(hpa, '/spec/maxReplicas', a.maxReplicas);
    chart.setField(
      hpa,
      '/spec/metrics',
      concatLists(
        listWhen(eq(a.metric, 'cpu'), [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: a.targetCPUUtilizationPercentage } },
          },
        ]),
        listWhen(eq(a.metric, 'jvbStress'), [podsMetric(a.customMetrics.jvbStress, a.targetJvbStress)]),
        listWhen(eq(a.metric, 'networkTransmit'), [podsMetric(a.customMetrics.networkTransmit, a.targetNetworkTransmit)]),
      ),
    );
    chart.setField(hpa, '/spec/behavior', a.behavior);
    chart.renderWhen(hpa, a.enabled);
    chart.failWhen(
      and(a.enabled, expr(`(gt (int ${expressionOf(a.minReplicas)}) (int ${expressionOf(a.maxReplicas)}))`, 'boolean')),
      'jvb.autoscaling.minReplicas must not exceed jvb.autoscaling.maxReplicas',
    );

    new ComponentDisruptionBudget(this, 'disruption-budget', { chart, component: JVB_COMPONENT, values: v });

    const podMonitor = new ApiObject(this, 'podmonitor', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PodMonitor',
      metadata: { name, labels },
      spec: {
        selector: { matchLabels: selector },
        namespaceSelector: { matchNames: [String(chart.release.namespace)] },
        podMetricsEndpoints: [{ port: 'http', path: '/metrics' }],
      },
    });
    const m = chart.values.metrics.podMonitor;
    chart.setField(podMonitor, '/spec/podMetricsEndpoints/0/interval', m.interval);
    chart.setField(podMonitor, '/spec/podMetricsEndpoints/0/scrapeTimeout', m.scrapeTimeout);
    chart.addLabels(podMonitor, m.labels);
    chart.renderWhen(podMonitor, m.enabled);
  }
}

/** Bridges that can exist: the autoscaler's maximum, or the fixed count when it is off. */
export function possibleBridgeCount(chart: HelmChart<JitsiShardValues>): HelmValue<number> {
  return expr<number>(`(int (include "${chart.chartName}.jvb.possibleBridges" $))`, 'integer');
}

/** The NodePort of the last bridge that can exist (`basePort` with no bridge at all). */
export function lastBridgePort(chart: HelmChart<JitsiShardValues>): HelmValue<number> {
  return new HelmValue<number>(`(include "${chart.chartName}.jvb.lastBridgePort" $ | int)`, 'integer', undefined, { small: true });
}

/** Defines the named templates behind `possibleBridgeCount` and `lastBridgePort`, once per chart. */
function defineBridgeCounts(chart: HelmChart<JitsiShardValues>): void {
  const v = chart.values.jvb;
  chart.defineText(
    'jvb.possibleBridges',
    String(ternary<number>(v.autoscaling.enabled, v.autoscaling.maxReplicas, v.replicaCount, 'integer')),
  );
  // (max ...): with no bridge at all the range would end before it starts
  const base = raw(`{{- $base := int ${expressionOf(v.media.nodePort.basePort)} }}`);
  const last = expr<number>(`(max $base (add $base ${expressionOf(possibleBridgeCount(chart))} -1))`, 'integer');
  chart.defineText('jvb.lastBridgePort', `${base}${last}`);
}

/** An autoscaling/v2 Pods metric aiming at an average value per bridge. */
function podsMetric(metric: HelmValue<string>, target: HelmValue<string>): Record<string, unknown> {
  return { type: 'Pods', pods: { metric: { name: metric }, target: { type: 'AverageValue', averageValue: target } } };
}
