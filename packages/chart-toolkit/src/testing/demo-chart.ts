import { join } from 'node:path';

import type { CronJob } from 'kubernetes-types/batch/v1';
import type { ConfigMap, Secret, Service } from 'kubernetes-types/core/v1';
import { z } from 'zod';

import {
  add,
  and,
  baseValues,
  checksum,
  ComponentService,
  concatLists,
  defineChart,
  defineChartFacts,
  each,
  eq,
  existingSecretValue,
  extraEnvValues,
  first,
  gt,
  hasKey,
  hostname,
  httpRouteValues,
  imagePullSecrets,
  imageValues,
  ingressValues,
  isEmpty,
  joined,
  json,
  labelValue,
  lengthOf,
  listWhen,
  Manifest,
  mapWith,
  max,
  not,
  omitIfEmpty,
  onlyWhen,
  or,
  orDefault,
  PodMonitor,
  podPlacementValues,
  promDuration,
  quantity,
  readChartText,
  requireUnique,
  resourcesValues,
  serviceAccountValues,
  ServiceHttpRoute,
  ServiceIngress,
  ServiceMonitor,
  serviceMonitorValues,
  serviceValues,
  str,
  stringMap,
  ternary,
  times,
  when,
  Workload,
  workloadValues,
} from '../index';

/**
 * The toolkit's demo chart: a small web server using every export of `@meetscale/chart-toolkit`, rendered and
 * installed with real Helm by the tests (`test/toolkit-helm.test.ts`). A chart author reads it as the guide's
 * worked example.
 */

/** Values of the demo chart: one of each kind of value the toolkit must honor at install time. */
export const demoValues = z.strictObject({
  ...baseValues,
  replicaCount: z.number().int().min(0).max(10).default(1).describe('Replicas.'),
  ...workloadValues({
    image: { repository: 'nginx', tag: '1.10' },
    resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: {} },
    podSecurityContext: { runAsNonRoot: true, runAsUser: 101, seccompProfile: { type: 'RuntimeDefault' } },
    containerSecurityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    readinessProbe: { httpGet: { path: '/', port: 'http' } },
    podDisruptionBudget: { enabled: false, maxUnavailable: 1 },
  }),
  domain: hostname().default('meet.example.org').describe('Public domain, used inside a URL and inside a config file.'),
  tier: labelValue().default('web').describe('A label value.'),
  bufferSize: quantity().default('1Mi').describe('A quantity.'),
  aliases: z.array(hostname()).default([]).describe('More server names, joined into one config line.'),
  upstreams: z
    .array(
      z.strictObject({ name: z.string().min(1).describe('Upstream name.'), port: z.number().int().default(80).describe('Upstream port.') }),
    )
    .default([{ name: 'a', port: 80 }])
    .describe('Upstreams, expanded into config lines; names must be unique.'),
  existingSecret: existingSecretValue("A Secret holding the server's `token`; empty to generate one on first install and keep it."),
  service: z
    .strictObject({
      enabled: z.boolean().default(true).describe('Render the Service.'),
      className: z.string().default('').describe('Optional class.'),
    })
    .prefault({})
    .describe('Service.'),
  metrics: z
    .strictObject({
      service: serviceValues({ port: 9113, description: 'Metrics port.' }),
      serviceMonitor: serviceMonitorValues(),
      podMonitor: serviceMonitorValues(),
      timeout: promDuration().default('5s').describe('A Prometheus duration.'),
    })
    .prefault({})
    .describe('Metrics.'),
  ingress: ingressValues({ path: '/' }),
  httpRoute: httpRouteValues({ path: '/', timeouts: { request: '60s', backendRequest: '' } }),
  // A workload kind the workload layer does not cover, built from the smaller blocks.
  cleanup: z
    .strictObject({
      enabled: z.boolean().default(false).describe('Run the nightly cleanup CronJob.'),
      schedule: z.string().min(1).default('0 3 * * *').describe('Cron schedule.'),
      image: imageValues({ repository: 'busybox', tag: '1.37.0' }),
      imagePullSecrets: imagePullSecrets(),
      resources: resourcesValues({ requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '16Mi' } }),
      ...podPlacementValues(),
      serviceAccount: serviceAccountValues({ create: false }),
      extraEnv: extraEnvValues('Extra environment variables of the cleanup container.'),
      jobAnnotations: stringMap('Annotations of the Jobs.'),
    })
    .prefault({})
    .describe('Nightly cleanup.'),
});

/** Facts other packages read about the demo chart. */
export const demoFacts = defineChartFacts({ chart: 'demo', services: { metrics: 'metrics' } });

/** A small chart exercising every toolkit feature; tests render it with real Helm. */
export const demoChart = defineChart({
  name: 'demo',
  version: '0.0.1',
  appVersion: '1.0.0',
  description: 'Toolkit demo chart.',
  keywords: ['demo'],
  source: 'packages/chart-toolkit/src/testing',
  values: demoValues,
  readme: readChartText(join(__dirname, 'demo-readme.md'), { DOMAIN: 'meet.example.org' }),
  scenarios: { 'no-service': { service: { enabled: false } } },
  notes: (chart) => `Demo ${chart.fullname} at https://${chart.values.domain}/ (${lengthOf(chart.values.upstreams)} upstreams)\n`,
  build: (chart) => {
    const v = chart.values;
    const labels = chart.standardLabels('web');
    const selector = chart.selectorLabels('web');
    const config = chart.defineText(
      'config',
      `${requireUnique(v.upstreams, 'name', 'upstreams: names must be unique')}server_name ${v.domain};\n` +
        `${each(v.upstreams, (upstream) => `upstream ${upstream.name} 127.0.0.1:${upstream.port};\n`)}` +
        `${times(v.replicaCount, (index) => `replica ${index};\n`)}${when(v.service.enabled, 'service on;\n', 'service off;\n')}`,
    );
    const lastPort = chart.defineNumber('lastReplicaPort', max(8000, add(8000, v.replicaCount, -1)));
    const configMap = new Manifest<ConfigMap>(chart, 'configmap', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: String(chart.fullname), labels, annotations: omitIfEmpty(v.podAnnotations) },
      data: {
        'app.conf': config,
        url: `https://${v.domain}/x`,
        aliases: joined(v.aliases, ' '),
        primaryAlias: first(v.aliases, 'string'),
        upstreams: json(v.upstreams),
        buffer: v.bufferSize,
        tier: orDefault(v.tier, 'web'),
        lastReplicaPort: str(lastPort),
        // when the release was first installed, as the cluster keeps it on the ConfigMap
        installedAt: chart.liveValue('v1', 'ConfigMap', chart.fullname, ['metadata', 'creationTimestamp']),
      },
    });
    // The server's token: generated on first install and kept on upgrades, unless an existing Secret holds it.
    const tokenName = chart.componentName('token');
    const tokenSecret = new Manifest<Secret>(chart, 'token', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: String(tokenName), labels: chart.standardLabels('token') },
      type: 'Opaque',
      data: { token: String(chart.generatedSecretValue('token', 'token')) },
    });
    chart.renderWhen(tokenSecret, isEmpty(v.existingSecret));
    new Workload(chart, 'workload', {
      chart,
      component: 'web',
      fullname: true,
      values: v,
      replicas: v.replicaCount,
      deployment: { strategy: { type: 'RollingUpdate' } },
      checksums: { 'checksum/config': chart.checksumOf(configMap), 'checksum/static': checksum({ page: 'index.html' }) },
      container: {
        ports: concatLists(
          [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          listWhen(v.metrics.serviceMonitor.enabled, [{ name: 'metrics', containerPort: 9113, protocol: 'TCP' }]),
        ),
        env: [
          [{ name: 'PUBLIC_URL', value: `https://${v.domain}/` }],
          listWhen(v.service.enabled, [{ name: 'SERVICE', value: 'on' }]),
          [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: String(orDefault(v.existingSecret, tokenName)), key: 'token' } } }],
        ],
        args: onlyWhen(gt(v.replicaCount, 1), ['--peers', str(v.replicaCount)]),
      },
      spec: { terminationGracePeriodSeconds: ternary(eq(v.tier, 'web'), 30, 5, 'integer') },
    });
    chart.failWhen(and(not(v.service.enabled), eq(v.service.className, 'required')), 'service.className "required" needs service.enabled');
    chart.failWhen(or(eq(v.domain, 'localhost'), eq(v.domain, 'example.org')), 'domain: give the public domain');
    // an annotation the chart sets itself may not come from the values too (it would appear twice)
    chart.failWhen(hasKey(v.cleanup.jobAnnotations, 'demo.example/task'), "cleanup.jobAnnotations: demo.example/task is the chart's own");
    const service = new Manifest<Service>(chart, 'service', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: String(chart.fullname), labels },
      spec: { selector, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    });
    chart.renderWhen(service, v.service.enabled);
    const perReplica = chart.repeat(v.replicaCount, (index) => {
      return new Manifest<Service>(chart, 'replica-service', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `${chart.fullname}-${index}`, labels },
        spec: { selector, ports: [{ port: add(8000, index), targetPort: 'http' }] },
      });
    });
    chart.renderWhen(perReplica, v.service.enabled);
    // One object per list element: an ExternalName Service naming each upstream inside the cluster.
    const upstreamServices = chart.forEach(v.upstreams, (upstream) => {
      return new Manifest<Service>(chart, 'upstream-service', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `${chart.fullname}-upstream-${upstream.name}`, labels },
        spec: { type: 'ExternalName', externalName: `${upstream.name}.example.org`, ports: [{ port: upstream.port }] },
      });
    });
    chart.renderWhen(upstreamServices, v.service.enabled);
    const metrics = new ComponentService(chart, 'metrics', {
      chart,
      component: 'metrics',
      name: String(chart.componentName('metrics')),
      values: v.metrics.service,
      portName: 'http',
    });
    chart.renderWhen(metrics.service, v.service.enabled);
    new ServiceMonitor(chart, 'servicemonitor', {
      chart,
      component: 'metrics',
      name: String(chart.fullname),
      values: v.metrics.serviceMonitor,
      selector: chart.selectorLabels('metrics'),
      port: 'http',
    });
    new PodMonitor(chart, 'podmonitor', {
      chart,
      component: 'web',
      name: String(chart.fullname),
      values: v.metrics.podMonitor,
      selector,
      port: 'http',
    });
    const c = v.cleanup;
    const cleanup = new Manifest<CronJob>(chart, 'cleanup', {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: String(chart.componentName('cleanup')), labels: chart.standardLabels('cleanup') },
      spec: {
        schedule: c.schedule,
        jobTemplate: {
          // Every release's cleanup jobs carry the chart's name, so one selector finds them all.
          metadata: {
            labels: { 'app.kubernetes.io/name': String(chart.include('name')) },
            // A fixed annotation followed by the user's.
            annotations: mapWith({ 'demo.example/task': 'cleanup' }, c.jobAnnotations),
          },
          spec: {
            template: {
              spec: {
                restartPolicy: 'Never',
                serviceAccountName: chart.serviceAccountName('cleanup', c),
                automountServiceAccountToken: c.serviceAccount.automountServiceAccountToken,
                imagePullSecrets: chart.imagePullSecrets(c.imagePullSecrets),
                nodeSelector: omitIfEmpty(c.nodeSelector),
                tolerations: omitIfEmpty(c.tolerations),
                containers: [
                  {
                    name: 'cleanup',
                    image: chart.image(c.image),
                    imagePullPolicy: c.image.pullPolicy,
                    command: ['sh', '-c', 'rm -rf /cache/*'],
                    env: omitIfEmpty(c.extraEnv),
                    resources: c.resources,
                  },
                ],
              },
            },
          },
        },
      },
    });
    chart.renderWhen(cleanup, c.enabled);
    new ServiceIngress(chart, 'ingress', {
      chart,
      values: v.ingress,
      name: String(chart.fullname),
      labels,
      serviceName: chart.fullname,
      servicePort: 'http',
    });
    new ServiceHttpRoute(chart, 'httproute', {
      chart,
      values: v.httpRoute,
      name: String(chart.fullname),
      component: 'web',
      serviceName: chart.fullname,
      servicePort: 80,
    });
  },
});
