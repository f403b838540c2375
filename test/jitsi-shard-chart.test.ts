/**
 * The jitsi-shard chart's own behaviours, rendered by real Helm 3 and 4: the bridge autoscaler, the two media
 * modes, graceful scale-down, the network policies, and the Pod Security level each mode needs. The chart
 * contract (chart-contract.test.ts) covers the rest.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import { helmYaml } from '@meetscale/chart-toolkit/build';
import { runHelm } from '@meetscale/helm-binaries';
import { GRACEFUL_SHUTDOWN_SCRIPT, MEDIA_MODE_POD_SECURITY, START_SCRIPT } from '@meetscale/jitsi-shard';
import { MEDIA_NODE_SELECTOR, MEDIA_POOL_LABELS, MEDIA_TOLERATION, POOL_LABEL } from '@meetscale/placement';
import YAML from 'yaml';

import { chartDir, HELM_MAJORS, type Manifest, renderChart, scenarioFiles } from './support/charts';

const CHART = 'jitsi-shard';

type Level = 'restricted' | 'baseline' | 'privileged';

/** Volume types the Pod Security Standards `restricted` level allows. */
const RESTRICTED_VOLUMES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

/**
 * Why the pods of rendered workloads break the Pod Security Standards, by the lowest level each violation
 * breaks (https://kubernetes.io/docs/concepts/security/pod-security-standards/): the checks a chart's own pod
 * specs can fail. The API server is the authority; this keeps a render from drifting from what the README says.
 */
function podSecurityViolations(manifests: readonly Manifest[]): { baseline: string[]; restricted: string[] } {
  const baseline: string[] = [];
  const restricted: string[] = [];
  for (const workload of manifests.filter((manifest) => ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(manifest.kind))) {
    const id = `${workload.kind}/${workload.metadata.name}`;
    const pod = (workload.spec as any).template.spec;
    const podContext = pod.securityContext ?? {};
    if (pod.hostNetwork || pod.hostPID || pod.hostIPC) baseline.push(`${id} shares host namespaces`);
    if ((podContext.sysctls ?? []).length > 0) baseline.push(`${id} sets sysctls`);
    for (const volume of pod.volumes ?? []) {
      const type = Object.keys(volume).find((key) => key !== 'name') as string;
      if (type === 'hostPath') baseline.push(`${id} mounts hostPath ${volume.name}`);
      if (!RESTRICTED_VOLUMES.has(type)) restricted.push(`${id} has a ${type} volume`);
    }
    for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
      const where = `${id} container ${container.name}`;
      const context = container.securityContext ?? {};
      for (const port of container.ports ?? []) if (port.hostPort) baseline.push(`${where} uses hostPort ${port.hostPort}`);
      if (context.privileged) baseline.push(`${where} is privileged`);
      if (context.procMount !== undefined && context.procMount !== 'Default') baseline.push(`${where} sets procMount`);
      if (context.seLinuxOptions || podContext.seLinuxOptions) baseline.push(`${where} sets SELinux options`);
      const added: string[] = context.capabilities?.add ?? [];
      if (added.some((capability) => capability !== 'NET_BIND_SERVICE')) restricted.push(`${where} adds ${added.join(',')}`);
      if (!(context.capabilities?.drop ?? []).includes('ALL')) restricted.push(`${where} keeps capabilities`);
      if (context.allowPrivilegeEscalation !== false) restricted.push(`${where} allows privilege escalation`);
      if ((context.runAsNonRoot ?? podContext.runAsNonRoot) !== true) restricted.push(`${where} may run as root`);
      if ((context.runAsUser ?? podContext.runAsUser) === 0) restricted.push(`${where} runs as UID 0`);
      const seccomp = context.seccompProfile?.type ?? podContext.seccompProfile?.type;
      if (seccomp === 'Unconfined') baseline.push(`${where} is unconfined`);
      if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') restricted.push(`${where} has no seccomp profile`);
    }
  }
  return { baseline, restricted };
}

/** The level a `ci/` scenario file declares in its `# pod-security: <level>` line; none means `restricted`. */
function declaredLevel(file: string): Level {
  const marker = /^# pod-security: (\w+)$/m.exec(readFileSync(file, 'utf8'));
  return (marker?.[1] as Level | undefined) ?? 'restricted';
}

describe.each(HELM_MAJORS)('jitsi-shard rendered by Helm %i', (major) => {
  const render = (values: unknown = {}, release = 'shard-0'): Manifest[] => {
    const result = renderChart(major, CHART, { release, namespace: 'jitsi', values });
    if (result.status !== 0) throw new Error(result.stderr);
    return result.manifests;
  };
  const failure = (values: unknown): string => {
    const result = renderChart(major, CHART, { release: 'shard-0', namespace: 'jitsi', values });
    expect({ status: result.status, stdout: result.stdout }).toEqual({ status: 1, stdout: '' });
    return result.stderr;
  };
  const one = (manifests: Manifest[], kind: string, name?: string): any => {
    const found = manifests.filter((manifest) => manifest.kind === kind && (name === undefined || manifest.metadata.name === name));
    expect(found.map((manifest) => `${manifest.kind}/${manifest.metadata.name}`)).toHaveLength(1);
    return found[0];
  };
  const bridgeContainer = (workload: any): any => workload.spec.template.spec.containers[0];
  const env = (container: any): Record<string, unknown> =>
    Object.fromEntries(container.env.map((entry: any) => [entry.name, entry.value ?? entry.valueFrom]));
  const HOST_PORT = { jvb: { media: { mode: 'hostPort' } } };

  describe('bridge autoscaler', () => {
    test('scales the bridge StatefulSet (default nodePort mode) on CPU between the default bounds', () => {
      const hpa = one(render(), 'HorizontalPodAutoscaler');
      expect(hpa.spec).toMatchObject({
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'shard-0-jitsi-shard-jvb' },
        minReplicas: 1,
        maxReplicas: 10,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }],
      });
      // AND the workload leaves its replica count to the autoscaler
      expect(one(render(), 'StatefulSet', 'shard-0-jitsi-shard-jvb').spec).not.toHaveProperty('replicas');
    });

    test.each([
      ['jvbStress', 'jitsi_jvb_stress', { targetJvbStress: '750m' }, '750m'],
      ['networkTransmit', 'network_transmit_bytes_per_second', { targetNetworkTransmit: '3M' }, '3M'],
    ])('scales on the Pods metric of %s with its target', (metric, name, target, averageValue) => {
      const hpa = one(render({ jvb: { autoscaling: { metric, minReplicas: 3, maxReplicas: 7, ...target } } }), 'HorizontalPodAutoscaler');
      expect(hpa.spec.minReplicas).toBe(3);
      expect(hpa.spec.maxReplicas).toBe(7);
      expect(hpa.spec.metrics).toEqual([{ type: 'Pods', pods: { metric: { name }, target: { type: 'AverageValue', averageValue } } }]);
    });

    test('takes scale-up and scale-down behaviour from values', () => {
      const behavior = {
        scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 30 }] },
        scaleDown: {
          stabilizationWindowSeconds: 1800,
          selectPolicy: 'Disabled',
          policies: [{ type: 'Pods', value: 1, periodSeconds: 600 }],
        },
      };
      expect(one(render({ jvb: { autoscaling: { behavior } } }), 'HorizontalPodAutoscaler').spec.behavior).toEqual(behavior);
    });

    test('targets the Deployment in hostPort mode', () => {
      const hpa = one(render(HOST_PORT), 'HorizontalPodAutoscaler');
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'shard-0-jitsi-shard-jvb' });
    });

    test('is left out when disabled, and the workload then runs jvb.replicaCount bridges', () => {
      const manifests = render({ jvb: { replicaCount: 4, autoscaling: { enabled: false } } });
      expect(manifests.filter((manifest) => manifest.kind === 'HorizontalPodAutoscaler')).toEqual([]);
      expect(one(manifests, 'StatefulSet', 'shard-0-jitsi-shard-jvb').spec.replicas).toBe(4);
      expect(
        one(
          render({ jvb: { replicaCount: 4, autoscaling: { enabled: false }, media: { mode: 'hostPort' } } }),
          'Deployment',
          'shard-0-jitsi-shard-jvb',
        ).spec.replicas,
      ).toBe(4);
    });

    test('refuses a minimum above the maximum, naming both values', () => {
      expect(failure({ jvb: { autoscaling: { minReplicas: 5, maxReplicas: 3 } } })).toContain(
        'jvb.autoscaling.minReplicas must not exceed jvb.autoscaling.maxReplicas',
      );
    });
  });

  describe('nodePort media mode', () => {
    const nodePortServices = (manifests: Manifest[]): any[] =>
      manifests.filter((manifest: any) => manifest.kind === 'Service' && manifest.spec.type === 'NodePort');

    test('is the default: one NodePort per possible bridge, all within the NodePort range, no host port', () => {
      // GIVEN the defaults WHEN rendered
      const manifests = render();
      // THEN the bridges are a StatefulSet behind ten NodePort Services, 30300-30309, inside 30000-32767
      const ports = nodePortServices(manifests)
        .map((service) => service.spec.ports[0].nodePort)
        .sort();
      expect(ports).toEqual([30300, 30301, 30302, 30303, 30304, 30305, 30306, 30307, 30308, 30309]);
      for (const port of ports) expect(port >= 30000 && port <= 32767).toBe(true);
      const statefulSet = one(manifests, 'StatefulSet', 'shard-0-jitsi-shard-jvb');
      expect(statefulSet.spec.serviceName).toBe('shard-0-jitsi-shard-jvb');
      expect(one(manifests, 'Service', 'shard-0-jitsi-shard-jvb').spec.clusterIP).toBe('None');
      expect(env(bridgeContainer(statefulSet))).toMatchObject({ JVB_NODE_PORT_BASE: '30300' });
      expect(bridgeContainer(statefulSet).ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
      expect(manifests.filter((manifest) => manifest.kind === 'Deployment' && manifest.metadata.name.endsWith('-jvb'))).toEqual([]);
    });

    test('renders exactly one NodePort Service per possible bridge, bridge i on basePort + i', () => {
      // GIVEN up to 6 bridges from port 30400
      const manifests = render({ jvb: { media: { mode: 'nodePort', nodePort: { basePort: 30400 } }, autoscaling: { maxReplicas: 6 } } });
      // THEN six Services, each forwarding basePort + i to exactly bridge i, on the node it runs on
      const services = nodePortServices(manifests);
      expect(services.map((service) => service.metadata.name).sort()).toEqual(
        [0, 1, 2, 3, 4, 5].map((index) => `shard-0-jitsi-shard-jvb-${index}`).sort(),
      );
      for (const service of services) {
        const index = Number(service.metadata.name.split('-').pop());
        expect(service.spec.externalTrafficPolicy).toBe('Local');
        expect(service.spec.ports).toEqual([
          { name: 'media', protocol: 'UDP', port: 30400 + index, targetPort: 30400 + index, nodePort: 30400 + index },
        ]);
        expect(service.spec.selector).toMatchObject({
          'app.kubernetes.io/instance': 'shard-0',
          'app.kubernetes.io/component': 'jvb',
          'statefulset.kubernetes.io/pod-name': `shard-0-jitsi-shard-jvb-${index}`,
        });
      }
      // AND the bridges are a StatefulSet whose pods compute the same port from their ordinal and announce their node
      const statefulSet = one(manifests, 'StatefulSet', 'shard-0-jitsi-shard-jvb');
      expect(manifests.filter((manifest) => manifest.kind === 'Deployment' && manifest.metadata.name.endsWith('-jvb'))).toEqual([]);
      expect(bridgeContainer(statefulSet).command).toEqual(['/bin/sh', '/scripts/start.sh', '/init']);
      expect(env(bridgeContainer(statefulSet))).toMatchObject({
        JVB_NODE_PORT_BASE: '30400',
        JVB_ADVERTISE_IPS: { fieldRef: { fieldPath: 'status.hostIP' } },
      });
      expect(env(bridgeContainer(statefulSet))).not.toHaveProperty('JVB_PORT');
      const configMap = one(manifests, 'ConfigMap', 'shard-0-jitsi-shard-jvb');
      expect(configMap.data['start.sh']).toBe(START_SCRIPT);
    });

    test('follows jvb.replicaCount when the autoscaler is off', () => {
      const manifests = render({ jvb: { media: { mode: 'nodePort' }, autoscaling: { enabled: false }, replicaCount: 2 } });
      expect(
        nodePortServices(manifests)
          .map((service) => service.spec.ports[0].nodePort)
          .sort(),
      ).toEqual([30300, 30301]);
    });

    test('gives two shards disjoint port ranges when their base ports differ', () => {
      const ports = (release: string, basePort: number): number[] =>
        nodePortServices(
          render({ jvb: { media: { mode: 'nodePort', nodePort: { basePort } }, autoscaling: { maxReplicas: 100 } } }, release),
        ).map((service) => service.spec.ports[0].nodePort);
      const first = ports('shard-0', 30300);
      const second = ports('shard-1', 30400);
      expect(first).toHaveLength(100);
      expect(first.filter((port) => second.includes(port))).toEqual([]);
    });

    test('refuses a port range beyond the NodePort range', () => {
      expect(failure({ jvb: { media: { mode: 'nodePort', nodePort: { basePort: 32760 } }, autoscaling: { maxReplicas: 10 } } })).toContain(
        'jvb.media.nodePort.basePort: basePort + the most bridges (jvb.autoscaling.maxReplicas) must stay within the NodePort range',
      );
    });

    test('is off in hostPort mode: one port on every node, one bridge per node', () => {
      const manifests = render(HOST_PORT);
      expect(nodePortServices(manifests)).toEqual([]);
      const deployment = one(manifests, 'Deployment', 'shard-0-jitsi-shard-jvb');
      expect(bridgeContainer(deployment).ports).toContainEqual({ name: 'media', containerPort: 10000, hostPort: 10000, protocol: 'UDP' });
      expect(bridgeContainer(deployment)).not.toHaveProperty('command');
      expect(env(bridgeContainer(deployment))).toMatchObject({
        JVB_PORT: '10000',
        JVB_ADVERTISE_IPS: { fieldRef: { fieldPath: 'status.hostIP' } },
      });
      expect(deployment.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
        {
          topologyKey: 'kubernetes.io/hostname',
          labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'jitsi-shard', 'app.kubernetes.io/component': 'jvb' } },
        },
      ]);
      // AND a placement of the user's replaces the one-bridge-per-node rule
      const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } };
      expect(
        one(render({ jvb: { affinity, media: { mode: 'hostPort' } } }), 'Deployment', 'shard-0-jitsi-shard-jvb').spec.template.spec
          .affinity,
      ).toEqual(affinity);
    });

    test('announces what STUN sees when the nodes sit behind NAT', () => {
      const stun = { jvb: { media: { advertise: 'stun', stunServers: 'stun.schule.example.org:3478' } } };
      const container = bridgeContainer(one(render(stun), 'StatefulSet', 'shard-0-jitsi-shard-jvb'));
      expect(env(container)).toMatchObject({ JVB_STUN_SERVERS: 'stun.schule.example.org:3478' });
      expect(env(container)).not.toHaveProperty('JVB_ADVERTISE_IPS');
      expect(env(container)).not.toHaveProperty('JVB_DISABLE_STUN');
    });
  });

  describe('bridge placement', () => {
    const bridgePod = (values: unknown = {}): any => one(render(values), 'StatefulSet', 'shard-0-jitsi-shard-jvb').spec.template.spec;
    const PREFER_MEDIA_POOL = {
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 100, preference: { matchExpressions: [{ key: POOL_LABEL, operator: 'In', values: [MEDIA_POOL_LABELS[POOL_LABEL]] }] } },
      ],
    };

    test('leans towards the media pool by default: its taint tolerated, its nodes preferred, none required', () => {
      const pod = bridgePod();
      expect(pod.tolerations).toEqual([MEDIA_TOLERATION]);
      expect(pod.affinity).toEqual({ nodeAffinity: PREFER_MEDIA_POOL });
      expect(pod).not.toHaveProperty('nodeSelector');
      // AND in hostPort mode the preference stands beside the one-bridge-per-node rule
      const hostPort = one(render(HOST_PORT), 'Deployment', 'shard-0-jitsi-shard-jvb').spec.template.spec.affinity;
      expect(hostPort.nodeAffinity).toEqual(PREFER_MEDIA_POOL);
      expect(hostPort).toHaveProperty('podAntiAffinity');
      // AND the other components stay off the media pool
      expect(one(render(), 'Deployment', 'shard-0-jitsi-shard-web').spec.template.spec).not.toHaveProperty('tolerations');
    });

    test('takes the lists and the affinity of the user instead of the defaults', () => {
      const tolerations = [{ key: 'dedicated', operator: 'Equal', value: 'video', effect: 'NoSchedule' }];
      const affinity = { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } };
      const pod = bridgePod({ jvb: { tolerations, affinity, nodeSelector: MEDIA_NODE_SELECTOR } });
      expect(pod.tolerations).toEqual(tolerations);
      expect(pod.affinity).toEqual(affinity);
      expect(pod.nodeSelector).toEqual(MEDIA_NODE_SELECTOR);
      expect(bridgePod({ jvb: { tolerations: [] } })).not.toHaveProperty('tolerations');
    });
  });

  describe('web HTTPRoute', () => {
    test('is off by default and routes to the web Service port number, with the timeouts off, when enabled', () => {
      expect(render().filter((manifest) => manifest.kind === 'HTTPRoute')).toEqual([]);
      const route = one(
        render({
          web: { service: { port: 8080 }, httpRoute: { enabled: true, parentRefs: [{ name: 'public' }], hostnames: ['meet.example.org'] } },
        }),
        'HTTPRoute',
      );
      expect(route.metadata.name).toBe('shard-0-jitsi-shard-web');
      expect(route.spec).toEqual({
        parentRefs: [{ name: 'public' }],
        hostnames: ['meet.example.org'],
        rules: [
          {
            matches: [{ path: { type: 'PathPrefix', value: '/' } }],
            timeouts: { request: '0s', backendRequest: '0s' },
            backendRefs: [{ name: 'shard-0-jitsi-shard-web', port: 8080 }],
          },
        ],
      });
    });
  });

  describe('jicofo probes', () => {
    test('liveness does not depend on the bridges, readiness does', () => {
      // GIVEN the defaults WHEN rendered
      const container = one(render(), 'Deployment', 'shard-0-jitsi-shard-jicofo').spec.template.spec.containers[0];
      // THEN liveness only asks whether the REST port answers: /about/health fails while no bridge is operational,
      // which would restart jicofo in a loop until one is
      expect(container.livenessProbe).toMatchObject({ tcpSocket: { port: 'http' } });
      expect(JSON.stringify(container.livenessProbe)).not.toContain('/about/health');
      // AND readiness keeps the health check: a jicofo without an operational bridge is reported not ready
      expect(container.readinessProbe).toMatchObject({ httpGet: { path: '/about/health', port: 'http' } });
    });
  });

  describe('graceful scale-down', () => {
    test.each(['hostPort', 'nodePort'])('every bridge drains in its preStop hook, bounded by the grace period (%s)', (mode) => {
      // GIVEN a grace period and poll interval from values
      const manifests = render({ jvb: { media: { mode }, gracefulShutdown: { terminationGracePeriodSeconds: 5400, pollSeconds: 20 } } });
      const workload = manifests.find(
        (manifest) => ['Deployment', 'StatefulSet'].includes(manifest.kind) && manifest.metadata.name.endsWith('-jvb'),
      );
      const pod = (workload as any).spec.template.spec;
      // THEN the preStop hook runs the graceful shutdown script, which the pod mounts from the chart's ConfigMap
      expect(pod.containers[0].lifecycle).toEqual({ preStop: { exec: { command: ['/bin/sh', '/scripts/graceful-shutdown.sh'] } } });
      expect(one(manifests, 'ConfigMap', 'shard-0-jitsi-shard-jvb').data['graceful-shutdown.sh']).toBe(GRACEFUL_SHUTDOWN_SCRIPT);
      expect(pod.volumes).toContainEqual({ name: 'scripts', configMap: { name: 'shard-0-jitsi-shard-jvb' } });
      // AND the grace period and poll interval follow values, and the shutdown API the hook calls is on
      expect(pod.terminationGracePeriodSeconds).toBe(5400);
      expect(env(pod.containers[0])).toMatchObject({
        SHUTDOWN_POLL_SECONDS: '20',
        COLIBRI_REST_ENABLED: 'true',
        SHUTDOWN_REST_ENABLED: 'true',
      });
    });

    test('the default grace period covers a double lesson', () => {
      for (const [values, kind] of [
        [{}, 'StatefulSet'],
        [HOST_PORT, 'Deployment'],
      ] as const) {
        const pod = one(render(values), kind, 'shard-0-jitsi-shard-jvb').spec.template.spec;
        expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(90 * 60);
      }
    });

    test('every component has a PodDisruptionBudget', () => {
      const budgets = render().filter((manifest) => manifest.kind === 'PodDisruptionBudget');
      expect(budgets.map((budget: any) => budget.spec.selector.matchLabels['app.kubernetes.io/component']).sort()).toEqual([
        'jicofo',
        'jvb',
        'prosody',
        'web',
      ]);
    });
  });

  describe('network policies', () => {
    const policies = (values: unknown = {}): Record<string, any> =>
      Object.fromEntries(
        render({ networkPolicy: { enabled: true }, ...(values as object) })
          .filter((manifest) => manifest.kind === 'NetworkPolicy')
          .map((policy: any) => [policy.spec.podSelector.matchLabels['app.kubernetes.io/component'], policy.spec]),
      );

    test('admit only the flows a shard needs', () => {
      const spec = policies();
      expect(Object.keys(spec).sort()).toEqual(['jicofo', 'jvb', 'prosody', 'web']);
      // web: the ingress controller's namespace and the HAProxy pods, on the HTTP port only
      expect(spec.web.ingress).toEqual([
        {
          from: [
            { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } },
            { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'haproxy' } } },
          ],
          ports: [{ port: 8000, protocol: 'TCP' }],
        },
      ]);
      // prosody: jicofo and the bridges on XMPP, web on BOSH/websocket, monitoring on metrics; all of this release
      const ofThisShard = (components: string[]): unknown => ({
        podSelector: {
          matchLabels: { 'app.kubernetes.io/name': 'jitsi-shard', 'app.kubernetes.io/instance': 'shard-0' },
          matchExpressions: [{ key: 'app.kubernetes.io/component', operator: 'In', values: components }],
        },
      });
      const monitoring = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } };
      expect(spec.prosody.ingress).toEqual([
        { from: [ofThisShard(['jicofo', 'jvb'])], ports: [{ port: 5222, protocol: 'TCP' }] },
        { from: [ofThisShard(['web'])], ports: [{ port: 5280, protocol: 'TCP' }] },
        { from: [monitoring], ports: [{ port: 5280, protocol: 'TCP' }] },
      ]);
      // jicofo: web's nginx asks /about/health for the shard health path; monitoring on metrics
      expect(spec.jicofo.ingress).toEqual([
        { from: [ofThisShard(['web'])], ports: [{ port: 8888, protocol: 'TCP' }] },
        { from: [monitoring], ports: [{ port: 8888, protocol: 'TCP' }] },
      ]);
      // bridges: UDP media from outside the cluster's networks (the NodePorts of the ten possible bridges), metrics
      // from monitoring
      expect(spec.jvb.ingress).toEqual([
        {
          from: [
            { ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'] } },
            { ipBlock: { cidr: '::/0' } },
          ],
          ports: [{ port: 30300, endPort: 30309, protocol: 'UDP' }],
        },
        { from: [monitoring], ports: [{ port: 8080, protocol: 'TCP' }] },
      ]);
      for (const policy of Object.values(spec)) expect(policy.policyTypes).toEqual(['Ingress']);
    });

    test('open the whole port range of the possible bridges in nodePort mode', () => {
      const spec = policies({ jvb: { media: { mode: 'nodePort', nodePort: { basePort: 30400 } }, autoscaling: { maxReplicas: 8 } } });
      expect(spec.jvb.ingress[0].ports).toEqual([{ port: 30400, endPort: 30407, protocol: 'UDP' }]);
    });

    test('open the one host port in hostPort mode', () => {
      expect(policies(HOST_PORT).jvb.ingress[0].ports).toEqual([{ port: 10000, endPort: 10000, protocol: 'UDP' }]);
    });

    test('are left out unless enabled', () => {
      expect(render().filter((manifest) => manifest.kind === 'NetworkPolicy')).toEqual([]);
    });
  });

  describe('Pod Security', () => {
    /** NOTES.txt as Helm renders it (helm template skips NOTES, so a copy of the chart renders it into a ConfigMap). */
    const notes = (values: unknown): string => {
      const copy = mkdtempSync(join(tmpdir(), 'notes-jitsi-shard-'));
      try {
        const chart = join(copy, CHART);
        cpSync(chartDir(CHART), chart, { recursive: true });
        const text = readFileSync(join(chart, 'templates/NOTES.txt'), 'utf8');
        rmSync(join(chart, 'templates/NOTES.txt'));
        writeFileSync(join(chart, 'templates/_notes.tpl'), `{{- define "notes" -}}\n${text}{{- end }}\n`);
        writeFileSync(
          join(chart, 'templates/notes.yaml'),
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\ndata:\n  notes: {{ include "notes" . | toJson }}\n',
        );
        writeFileSync(join(copy, 'values.yaml'), helmYaml(values));
        const result = runHelm(major, [
          'template',
          'shard-0',
          chart,
          '-n',
          'jitsi',
          '--show-only',
          'templates/notes.yaml',
          '-f',
          join(copy, 'values.yaml'),
        ]);
        expect(result.stderr).toBe('');
        return (YAML.parse(result.stdout) as { data: { notes: string } }).data.notes;
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
    };

    test('the default install meets restricted; hostPort needs privileged, for its host port alone', () => {
      expect(podSecurityViolations(render())).toEqual({ baseline: [], restricted: [] });
      expect(podSecurityViolations(render(HOST_PORT))).toEqual({
        baseline: ['Deployment/shard-0-jitsi-shard-jvb container jvb uses hostPort 10000'],
        restricted: [],
      });
      expect(MEDIA_MODE_POD_SECURITY).toEqual({ nodePort: 'restricted', hostPort: 'privileged' });
    });

    test.each(scenarioFiles(CHART).map((file) => [basename(file), file]))(
      'ci scenario %s declares the level its pods need in its pod-security line',
      (_name, file) => {
        // GIVEN the scenario rendered WHEN its pods are checked THEN they need exactly the level its file declares
        const rendered = renderChart(major, CHART, { release: 'shard-0', namespace: 'jitsi', valuesFiles: [file] });
        if (rendered.status !== 0) throw new Error(rendered.stderr);
        const { baseline, restricted } = podSecurityViolations(rendered.manifests);
        const needed: Level = baseline.length > 0 ? 'privileged' : restricted.length > 0 ? 'baseline' : 'restricted';
        expect({ needed, declared: declaredLevel(file) }).toEqual({ needed, declared: needed });
      },
    );

    test.each([
      ['nodePort', {}, 'restricted'],
      ['hostPort', HOST_PORT, 'privileged'],
    ])('NOTES name the level %s mode needs', (_mode, values, level) => {
      const text = notes(values);
      expect(text).toContain(`Pod Security: this configuration needs level ${level}`);
      if (level === 'privileged') {
        expect(text).toContain(
          'kubectl label namespace jitsi pod-security.kubernetes.io/enforce=privileged pod-security.kubernetes.io/warn=restricted pod-security.kubernetes.io/audit=restricted',
        );
        expect(text).toContain('Media: UDP port 10000 on every node that runs a bridge');
      } else {
        expect(text).toContain('Media: UDP NodePorts 30300-30309 on the nodes that run bridges');
        expect(text).not.toContain('privileged');
      }
    });
  });

  describe('shard settings', () => {
    const settingsOf = (manifests: Manifest[], component: string): Record<string, string> =>
      one(manifests, 'ConfigMap', `shard-0-jitsi-shard-${component}-settings`).data;

    test('address prosody by its fully qualified Service name, which nginx resolves without search domains', () => {
      // GIVEN a cluster domain WHEN rendered THEN web proxies BOSH, and jicofo and the bridges connect, to prosody's FQDN
      const manifests = render({ clusterDomain: 'k8s.example' });
      expect(settingsOf(manifests, 'web').XMPP_BOSH_URL_BASE).toBe('http://shard-0-jitsi-shard-prosody.jitsi.svc.k8s.example:5280');
      for (const component of ['jicofo', 'jvb']) {
        expect(settingsOf(manifests, component).XMPP_SERVER).toBe('shard-0-jitsi-shard-prosody.jitsi.svc.k8s.example');
      }
      // AND that is the prosody Service of this release
      expect(one(render(), 'Service', 'shard-0-jitsi-shard-prosody').spec.ports.map((port: any) => port.port)).toEqual([5222, 5280]);
    });

    test('each component loads only the settings its image reads, with a checksum of its own', () => {
      const manifests = render();
      const workloads: Record<string, any> = {
        web: one(manifests, 'Deployment', 'shard-0-jitsi-shard-web'),
        prosody: one(manifests, 'Deployment', 'shard-0-jitsi-shard-prosody'),
        jicofo: one(manifests, 'Deployment', 'shard-0-jitsi-shard-jicofo'),
        jvb: one(manifests, 'StatefulSet', 'shard-0-jitsi-shard-jvb'),
      };
      for (const [component, workload] of Object.entries(workloads)) {
        expect(workload.spec.template.spec.containers[0].envFrom).toEqual([
          { configMapRef: { name: `shard-0-jitsi-shard-${component}-settings` } },
        ]);
      }
      const checksums = Object.values(workloads).map((workload) => workload.spec.template.metadata.annotations['checksum/settings']);
      expect(new Set(checksums).size).toBe(4);
      // The bridges read the way into the brewery room, nothing about users, rooms or authentication.
      expect(Object.keys(settingsOf(manifests, 'jvb')).sort()).toEqual([
        'JVB_BREWERY_MUC',
        'S6_YES_I_WANT_A_WORLD_WRITABLE_RUN_BECAUSE_KUBERNETES',
        'TZ',
        'XMPP_AUTH_DOMAIN',
        'XMPP_INTERNAL_MUC_DOMAIN',
        'XMPP_PORT',
        'XMPP_SERVER',
      ]);
      expect(settingsOf(manifests, 'jicofo')).not.toHaveProperty('JWT_ACCEPTED_AUDIENCES');
      expect(settingsOf(manifests, 'jicofo')).not.toHaveProperty('ENABLE_GUESTS');
      expect(settingsOf(manifests, 'web')).not.toHaveProperty('JWT_APP_ID');
    });

    describe('a change only some components read leaves the bridge pod template byte-identical', () => {
      const JWT = { auth: { type: 'jwt', jwt: { existingSecret: 'jwt' } } };
      /** The bridge StatefulSet exactly as Helm prints it. */
      const bridgeText = (values: unknown): string => {
        const result = renderChart(major, CHART, { release: 'shard-0', namespace: 'jitsi', values });
        if (result.status !== 0) throw new Error(result.stderr);
        const document = result.stdout
          .split(/^---$/m)
          .find((text) => /^kind: StatefulSet$/m.test(text) && text.includes('jitsi-shard-jvb'));
        if (document === undefined) throw new Error('no bridge StatefulSet rendered');
        return document;
      };
      const podTemplate = (values: unknown): unknown => YAML.parse(bridgeText(values)).spec.template;
      /** A Deployment's pod template as rendered: when it changes, the Deployment rolls its pods. */
      const podTemplateOf = (values: unknown, component: string): string =>
        JSON.stringify(one(render(values), 'Deployment', `shard-0-jitsi-shard-${component}`).spec.template);
      const withWeb = (web: unknown): unknown => ({ web });

      test.each([
        [
          'JWT audiences (prosody)',
          JWT,
          { ...JWT, auth: { ...JWT.auth, jwt: { ...JWT.auth.jwt, acceptedAudiences: ['portal'] } } },
          ['prosody'],
        ],
        ['guests (web, prosody)', JWT, { ...JWT, auth: { ...JWT.auth, enableGuests: true } }, ['web', 'prosody']],
        ['the public domain (web, prosody)', {}, { domain: 'meet.other.example' }, ['web', 'prosody']],
        ['the guest domain (web, prosody)', {}, { xmpp: { guestDomain: 'gast.meet.jitsi' } }, ['web', 'prosody']],
        ['authentication on (web, prosody, jicofo)', {}, JWT, ['web', 'prosody', 'jicofo']],
        ['the default language (web)', {}, withWeb({ defaultLanguage: 'de' }), ['web']],
        ['an nginx snippet (web)', {}, withWeb({ nginxSnippet: 'add_header X-School lernen;' }), ['web']],
        ['custom config.js (web)', {}, withWeb({ customConfig: 'config.requireDisplayName = true;' }), ['web']],
        ['the video streams per participant (web)', {}, withWeb({ channelLastN: 5 }), ['web']],
        ['prosody plugins and a module (prosody)', {}, { prosody: { pluginsConfigMap: 'plugins', modules: { muc: ['x'] } } }, ['prosody']],
      ])('%s', (_name, before, after, rolled) => {
        expect(bridgeText(after)).toBe(bridgeText(before));
        for (const component of ['web', 'prosody', 'jicofo']) {
          const changed = podTemplateOf(after, component) !== podTemplateOf(before, component);
          expect({ component, changed }).toEqual({ component, changed: rolled.includes(component) });
        }
      });

      test('while a setting the bridges read rolls them', () => {
        const before = podTemplate({}) as any;
        const after = podTemplate({ xmpp: { breweryMuc: 'bridges' } }) as any;
        expect(after.metadata.annotations['checksum/settings']).not.toBe(before.metadata.annotations['checksum/settings']);
      });
    });
  });

  describe('customization', () => {
    const webPod = (manifests: Manifest[]): any => one(manifests, 'Deployment', 'shard-0-jitsi-shard-web').spec.template.spec;
    const prosodyPod = (manifests: Manifest[]): any => one(manifests, 'Deployment', 'shard-0-jitsi-shard-prosody').spec.template.spec;

    test("web mounts custom config.js, interface_config.js and the nginx snippet where the image's start script reads them", () => {
      const values = {
        web: {
          customConfig: "config.requireDisplayName = true;\nconfig.defaultLocalDisplayName = 'ich';\n",
          customInterfaceConfig: 'interfaceConfig.APP_NAME = "Schule";\n',
          nginxSnippet: 'location = /impressum {\n    return 302 https://schule.example.org/impressum;\n}\n',
        },
      };
      const manifests = render(values);
      // THEN the web ConfigMap holds each text unchanged
      expect(one(manifests, 'ConfigMap', 'shard-0-jitsi-shard-web-config').data).toMatchObject({
        'custom-config.js': values.web.customConfig,
        'custom-interface_config.js': values.web.customInterfaceConfig,
        'custom.conf': values.web.nginxSnippet,
      });
      // AND each file is mounted read-only, on its own, at the path web/rootfs/etc/s6-overlay/scripts/config copies
      const mounts = webPod(manifests).containers[0].volumeMounts;
      for (const [subPath, mountPath] of [
        ['custom-config.js', '/config/custom-config.js'],
        ['custom-interface_config.js', '/config/custom-interface_config.js'],
        ['custom.conf', '/config/nginx-custom/custom.conf'],
        ['meetscale-health.conf', '/config/nginx-custom/meetscale-health.conf'],
      ]) {
        expect(mounts).toContainEqual({ name: 'config', mountPath, subPath, readOnly: true });
      }
      // AND the root filesystem stays read-only
      expect(webPod(manifests).containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
    });

    describe('channelLastN, the main lever on bridge CPU', () => {
      const customConfig = (values: unknown): string =>
        one(render(values), 'ConfigMap', 'shard-0-jitsi-shard-web-config').data['custom-config.js'];

      test("is written into the web config's config.js when set, before the user's JavaScript", () => {
        // GIVEN channelLastN 5 THEN the clients' config.js gets it
        expect(customConfig({ web: { channelLastN: 5 } })).toBe('config.channelLastN = 5;\n');
        // AND the user's JavaScript, appended after it, has the last word
        expect(customConfig({ web: { channelLastN: 5, customConfig: 'config.channelLastN = 3;\n' } })).toBe(
          'config.channelLastN = 5;\nconfig.channelLastN = 3;\n',
        );
        // AND -1, Jitsi Meet's own value for unlimited, is written as given
        expect(customConfig({ web: { channelLastN: -1 } })).toBe('config.channelLastN = -1;\n');
      });

      test("is left to Jitsi Meet's default (unlimited) unless set: nothing about it is rendered", () => {
        expect(customConfig({})).toBe('');
        expect(customConfig({ web: { channelLastN: null } })).toBe('');
        expect(JSON.stringify(render())).not.toContain('channelLastN');
      });

      test.each([0, 2.5, 'five', -2])('refuses %p, naming the value', (bad) => {
        expect(failure({ web: { channelLastN: bad } })).toContain("at '/web/channelLastN': 'anyOf' failed");
      });
    });

    test('the welcome page and the default language are web settings', () => {
      const web = (values: unknown): Record<string, string> => one(render(values), 'ConfigMap', 'shard-0-jitsi-shard-web-settings').data;
      expect(web({})).toMatchObject({ ENABLE_WELCOME_PAGE: 'true', DEFAULT_LANGUAGE: '' });
      expect(web({ web: { welcomePage: false, defaultLanguage: 'de' } })).toMatchObject({
        ENABLE_WELCOME_PAGE: 'false',
        DEFAULT_LANGUAGE: 'de',
      });
      // config.js gets the language quoted in JavaScript: anything but a language code is refused
      expect(failure({ web: { defaultLanguage: "de';alert(1);'" } })).toContain("at '/web/defaultLanguage'");
    });

    test('prosody mounts the plugins ConfigMap into the plugin path the image searches first, and enables modules', () => {
      const manifests = render({
        prosody: {
          pluginsConfigMap: 'lesson-plugins',
          modules: { global: ['lesson_policy'], main: ['a'], muc: ['b', 'c'], internalMuc: ['d'] },
        },
      });
      const pod = prosodyPod(manifests);
      expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'plugins', mountPath: '/prosody-plugins-custom', readOnly: true });
      expect(pod.volumes).toContainEqual({ name: 'plugins', configMap: { name: 'lesson-plugins' } });
      expect(env(pod.containers[0])).toMatchObject({
        GLOBAL_MODULES: 'lesson_policy',
        XMPP_MODULES: 'a',
        XMPP_MUC_MODULES: 'b,c',
        XMPP_INTERNAL_MUC_MODULES: 'd',
      });
      // AND by default the plugin directory is empty and nothing is added
      expect(prosodyPod(render()).volumes).toContainEqual({ name: 'plugins', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
      expect(env(prosodyPod(render()).containers[0]).XMPP_MUC_MODULES).toBe('');
    });

    test('refuses module names prosody would not load, naming the value', () => {
      expect(failure({ prosody: { modules: { muc: ['lobby,other'] } } })).toContain("at '/prosody/modules/muc/0'");
    });
  });

  describe('prosody behind web', () => {
    const prosodyEnv = (values: unknown): Record<string, unknown> =>
      env(one(render(values), 'Deployment', 'shard-0-jitsi-shard-prosody').spec.template.spec.containers[0]);

    test('trusts the pod network as proxies, so X-Forwarded-For from web names the client', () => {
      // GIVEN the default values THEN prosody trusts the private networks (the default pod network range)
      expect(prosodyEnv({}).PROSODY_TRUSTED_PROXIES).toBe('10.0.0.0/8,172.16.0.0/12,192.168.0.0/16');
      expect(prosodyEnv({}).PROSODY_TRUSTED_PROXIES).toBe(prosodyEnv({}).PROSODY_METRICS_ALLOWED_CIDR);
      // AND a cluster's own pod network replaces them
      expect(prosodyEnv({ prosody: { trustedProxies: '100.64.0.0/16' } }).PROSODY_TRUSTED_PROXIES).toBe('100.64.0.0/16');
    });

    test('refuses proxies that are not IPv4 CIDRs, naming the value', () => {
      expect(failure({ prosody: { trustedProxies: 'web-pods' } })).toContain(
        "at '/prosody/trustedProxies': 'web-pods' does not match pattern",
      );
    });
  });

  describe('authentication', () => {
    test('switches prosody, jicofo and web to JWT with the signing secret from an existing Secret', () => {
      const manifests = render({ auth: { type: 'jwt', jwt: { appId: 'portal', existingSecret: 'jwt', secretKey: 'key' } } });
      const settings = (component: string): Record<string, string> =>
        one(manifests, 'ConfigMap', `shard-0-jitsi-shard-${component}-settings`).data;
      expect(settings('prosody')).toMatchObject({ ENABLE_AUTH: '1', AUTH_TYPE: 'jwt', JWT_APP_ID: 'portal' });
      expect(settings('jicofo')).toMatchObject({ ENABLE_AUTH: '1', AUTH_TYPE: 'jwt' });
      expect(settings('web')).toMatchObject({ ENABLE_AUTH: '1' });
      const prosody = one(manifests, 'Deployment', 'shard-0-jitsi-shard-prosody').spec.template.spec.containers[0];
      expect(env(prosody)).toMatchObject({ JWT_APP_SECRET: { secretKeyRef: { name: 'jwt', key: 'key' } } });
      for (const component of ['web', 'prosody', 'jicofo']) {
        expect(one(render(), 'ConfigMap', `shard-0-jitsi-shard-${component}-settings`).data).toMatchObject({ ENABLE_AUTH: '0' });
      }
    });

    test('switches prosody, jicofo and web to LDAP, with the bind password from an existing Secret', () => {
      const ldap = {
        type: 'ldap',
        ldap: {
          url: 'ldaps://ldap.schule.example.org',
          base: 'ou=people,dc=schule,dc=example,dc=org',
          bindDn: 'cn=jitsi,dc=schule,dc=example,dc=org',
          existingSecret: 'ldap',
          startTls: false,
        },
      };
      const manifests = render({ auth: ldap });
      const settings = (component: string): Record<string, string> =>
        one(manifests, 'ConfigMap', `shard-0-jitsi-shard-${component}-settings`).data;
      // prosody renders saslauthd.conf from these (prosody/rootfs/defaults/saslauthd.conf) and starts saslauthd
      expect(settings('prosody')).toMatchObject({
        ENABLE_AUTH: '1',
        AUTH_TYPE: 'ldap',
        LDAP_URL: 'ldaps://ldap.schule.example.org',
        LDAP_BASE: 'ou=people,dc=schule,dc=example,dc=org',
        LDAP_BINDDN: 'cn=jitsi,dc=schule,dc=example,dc=org',
        LDAP_FILTER: 'uid=%u',
        LDAP_START_TLS: '0',
      });
      // jicofo asks for a login (XMPP authentication) and web shows it
      expect(settings('jicofo')).toMatchObject({ ENABLE_AUTH: '1', AUTH_TYPE: 'ldap' });
      expect(settings('web')).toMatchObject({ ENABLE_AUTH: '1' });
      // the bind password only from the Secret, never a value
      const prosody = one(manifests, 'Deployment', 'shard-0-jitsi-shard-prosody').spec.template.spec.containers[0];
      expect(env(prosody)).toMatchObject({ LDAP_BINDPW: { secretKeyRef: { name: 'ldap', key: 'ldap-bind-password' } } });
      // AND without a bind DN, prosody binds anonymously and needs no Secret
      const anonymousBind = one(
        render({ auth: { ...ldap, ldap: { ...ldap.ldap, bindDn: '', existingSecret: '' } } }),
        'Deployment',
        'shard-0-jitsi-shard-prosody',
      );
      expect(env(anonymousBind.spec.template.spec.containers[0])).not.toHaveProperty('LDAP_BINDPW');
    });

    test('refuses LDAP without a server, a search base, or the Secret of a bind DN', () => {
      expect(failure({ auth: { type: 'ldap', ldap: { base: 'dc=x' } } })).toContain('auth.ldap.url and auth.ldap.base');
      expect(failure({ auth: { type: 'ldap', ldap: { url: 'ldap://ldap.x' } } })).toContain('auth.ldap.url and auth.ldap.base');
      expect(failure({ auth: { type: 'ldap', ldap: { url: 'ldap://ldap.x', base: 'dc=x', bindDn: 'cn=a' } } })).toContain(
        'auth.ldap.existingSecret: name the Secret holding the bind password',
      );
    });

    test('internal accounts need prosody persistence: a claim of its own, kept on uninstall, mounted at the data directory', () => {
      expect(failure({ auth: { type: 'internal' } })).toContain(
        'prosody.persistence.enabled: enable it (or set existingClaim) when auth.type is internal',
      );
      const manifests = render({
        auth: { type: 'internal' },
        prosody: { persistence: { enabled: true } },
      });
      expect(one(manifests, 'ConfigMap', 'shard-0-jitsi-shard-prosody-settings').data).toMatchObject({
        ENABLE_AUTH: '1',
        AUTH_TYPE: 'internal',
      });
      const claim = one(manifests, 'PersistentVolumeClaim', 'shard-0-jitsi-shard-prosody-data');
      expect(claim.metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep' });
      expect(claim.spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } });
      const prosody = one(manifests, 'Deployment', 'shard-0-jitsi-shard-prosody');
      // one prosody, recreated: never two pods on the claim
      expect({ replicas: prosody.spec.replicas, strategy: prosody.spec.strategy }).toEqual({ replicas: 1, strategy: { type: 'Recreate' } });
      expect(prosody.spec.template.spec.volumes).toContainEqual({
        name: 'data',
        persistentVolumeClaim: { claimName: 'shard-0-jitsi-shard-prosody-data' },
      });
      expect(prosody.spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/prosody' });
      // AND an existing claim replaces the chart's; without persistence the data directory is an emptyDir
      // (an existing claim alone turns persistence on, and satisfies internal accounts)
      const existing = render({ auth: { type: 'internal' }, prosody: { persistence: { existingClaim: 'prosody-accounts' } } });
      expect(existing.filter((manifest) => manifest.kind === 'PersistentVolumeClaim')).toEqual([]);
      expect(one(existing, 'Deployment', 'shard-0-jitsi-shard-prosody').spec.template.spec.volumes).toContainEqual({
        name: 'data',
        persistentVolumeClaim: { claimName: 'prosody-accounts' },
      });
      expect(one(render(), 'Deployment', 'shard-0-jitsi-shard-prosody').spec.template.spec.volumes).toContainEqual({
        name: 'data',
        emptyDir: { medium: 'Memory', sizeLimit: '64Mi' },
      });
    });

    test('refuses JWT without the Secret holding the signing secret', () => {
      expect(failure({ auth: { type: 'jwt' } })).toContain('auth.jwt.existingSecret: name the Secret holding the token signing secret');
    });
  });
});
