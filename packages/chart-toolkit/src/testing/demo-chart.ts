import { k8s } from 'cdk8s-plus-27';
import { z } from 'zod';

import { defineChart } from '../chart-definition';
import { baseValues, hostname, imageValues, podPlacementValues, resourcesValues } from '../common-values';
import { add, and, concatLists, each, eq, listWhen, not, omitIfEmpty, times, when } from '../template-functions';

/** Values of the demo chart: one of each kind of value the toolkit must honor at install time. */
export const demoValues = z.strictObject({
  ...baseValues,
  replicaCount: z.number().int().min(0).max(10).default(1).describe('Replicas.'),
  image: imageValues({ repository: 'nginx', tag: '1.10' }),
  domain: hostname().default('meet.example.org').describe('Public domain, used inside a URL and inside a config file.'),
  upstreams: z
    .array(
      z.strictObject({ name: z.string().min(1).describe('Upstream name.'), port: z.number().int().default(80).describe('Upstream port.') }),
    )
    .default([{ name: 'a', port: 80 }])
    .describe('Upstreams, expanded into config lines.'),
  extraEnv: z
    .array(
      z.strictObject({ name: z.string().min(1).describe('Variable name.'), value: z.string().default('').describe('Variable value.') }),
    )
    .default([])
    .describe('Extra environment variables, passed through whole.'),
  service: z
    .strictObject({
      enabled: z.boolean().default(true).describe('Render the Service.'),
      className: z.string().default('').describe('Optional class.'),
    })
    .prefault({})
    .describe('Service.'),
  resources: resourcesValues({ requests: { cpu: '10m', memory: '16Mi' }, limits: {} }),
  ...podPlacementValues(),
});

/** A small chart exercising every toolkit feature; tests render it with real Helm. */
export const demoChart = defineChart({
  name: 'demo',
  version: '0.0.1',
  appVersion: '1.0.0',
  description: 'Toolkit demo chart.',
  keywords: ['demo'],
  source: 'packages/chart-toolkit/src/testing',
  values: demoValues,
  readme: 'Demo.',
  scenarios: { 'no-service': { service: { enabled: false } } },
  notes: (chart) => `Demo ${chart.fullname} at https://${chart.values.domain}/\n`,
  build: (chart) => {
    const v = chart.values;
    const config = chart.defineText(
      'config',
      `server_name ${v.domain};\n${each(v.upstreams, (upstream) => `upstream ${upstream.name} 127.0.0.1:${upstream.port};\n`)}${times(v.replicaCount, (index) => `replica ${index};\n`)}${when(v.service.enabled, 'service on;\n', 'service off;\n')}`,
    );
    new k8s.KubeConfigMap(chart, 'configmap', {
      metadata: { name: String(chart.fullname) },
      data: { 'app.conf': String(config), url: `https://${v.domain}/x` },
    });
    const deployment = new k8s.KubeDeployment(chart, 'deployment', {
      metadata: { name: String(chart.fullname), labels: chart.standardLabels('web') },
      spec: {
        selector: { matchLabels: chart.selectorLabels('web') },
        template: {
          metadata: { labels: chart.selectorLabels('web') },
          spec: { containers: [{ name: 'web', image: `${v.image.repository}:${v.image.tag}` }] },
        },
      },
    });
    chart.setField(deployment, '/spec/replicas', v.replicaCount);
    chart.setField(
      deployment,
      '/spec/template/spec/containers/0/env',
      concatLists(
        [{ name: 'PUBLIC_URL', value: `https://${v.domain}/` }],
        listWhen(v.service.enabled, [{ name: 'SERVICE', value: 'on' }]),
        v.extraEnv,
      ),
    );
    chart.failWhen(and(not(v.service.enabled), eq(v.service.className, 'required')), 'service.className "required" needs service.enabled');
    chart.setField(deployment, '/spec/template/spec/containers/0/resources', v.resources);
    chart.setField(deployment, '/spec/template/spec/nodeSelector', v.nodeSelector);
    chart.setField(deployment, '/spec/template/spec/priorityClassName', omitIfEmpty(v.priorityClassName));
    const service = new k8s.KubeService(chart, 'service', {
      metadata: { name: String(chart.fullname) },
      spec: { selector: chart.selectorLabels('web'), ports: [{ port: 80 }] },
    });
    chart.renderWhen(service, v.service.enabled);
    const perReplica = chart.repeat(v.replicaCount, (index) => {
      const replicaService = new k8s.KubeService(chart, 'replica-service', {
        metadata: { name: `${chart.fullname}-${index}` },
        spec: { selector: chart.selectorLabels('web'), ports: [{ port: 8000 }] },
      });
      chart.setField(replicaService, '/spec/ports/0/port', add(8000, index));
      return replicaService;
    });
    chart.renderWhen(perReplica, v.service.enabled);
  },
});
