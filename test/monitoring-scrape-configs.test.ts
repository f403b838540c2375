/**
 * The monitoring chart's ScrapeConfigs for the BigBlueButton servers, on a real Prometheus: their targets (listed in
 * the values and served by an HTTP service discovery on loopback) are scraped on the exporters' ports, each series
 * labelled with its server, so the rules' joins on `server` hold.
 *
 * The Prometheus operator turns a ScrapeConfig into Prometheus' own `scrape_configs` entry; here that translation
 * is done by {@link scrapeConfigOf} below (field names from camelCase to snake_case, `jobName` as the job), which
 * covers only the fields the chart renders. The operator's own output is not reproduced: it cannot run here without
 * a cluster to watch.
 */
import { createServer, type Server } from 'node:http';

import { type FakeExporter, type RunningPrometheus, startFakeExporter, startPrometheus } from '@meetscale/local-state';

import { chartDir, renderChart } from './support/charts';

jest.setTimeout(40_000);

const snake = (key: string): string => key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** A ScrapeConfig's spec as a Prometheus `scrape_configs` entry. */
function scrapeConfigOf(spec: Record<string, any>): object {
  return {
    job_name: spec.jobName,
    scheme: spec.scheme,
    metrics_path: spec.metricsPath,
    scrape_interval: spec.scrapeInterval,
    ...(spec.staticConfigs === undefined ? {} : { static_configs: spec.staticConfigs }),
    ...(spec.httpSDConfigs === undefined
      ? {}
      : { http_sd_configs: spec.httpSDConfigs.map((sd: any) => ({ url: sd.url, refresh_interval: sd.refreshInterval })) }),
    relabel_configs: (spec.relabelings as Array<Record<string, unknown>>).map((relabeling) =>
      Object.fromEntries(Object.entries(relabeling).map(([key, value]) => [snake(key), value])),
    ),
  };
}

let discovery: Server | undefined;
let prometheus: RunningPrometheus | undefined;
const exporters: FakeExporter[] = [];

afterAll(async () => {
  await Promise.allSettled([
    prometheus?.stop(),
    ...exporters.map((exporter) => exporter.stop()),
    new Promise<void>((resolve) => (discovery === undefined ? resolve() : discovery.close(() => resolve()))),
  ]);
});

test('the BigBlueButton servers listed and discovered are scraped on the exporters ports, labelled with their server', async () => {
  // GIVEN the two exporters of a server on loopback, and an HTTP service discovery that lists the server with
  // another port (the ScrapeConfig sets each exporter's own)
  exporters.push(await startFakeExporter('# TYPE bbb_api_up gauge\nbbb_api_up 1\n'));
  exporters.push(await startFakeExporter('# TYPE node_load1 gauge\nnode_load1 0.5\n'));
  const [bbbExporter, nodeExporter] = exporters as [FakeExporter, FakeExporter];
  let discoveryRequests = 0;
  discovery = createServer((_request, response) => {
    discoveryRequests += 1;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify([{ targets: ['127.0.0.1:1'], labels: {} }]));
  });
  await new Promise<void>((resolve) => discovery?.listen(0, '127.0.0.1', () => resolve()));
  const address = discovery.address();
  if (address === null || typeof address === 'string') throw new Error('the discovery server got no port');

  // WHEN the chart's ScrapeConfigs for them run on Prometheus
  const rendered = renderChart(4, 'monitoring', {
    valuesFiles: [`${chartDir('monitoring')}/ci/01-state-with-bigbluebutton-values.yaml`],
    values: {
      bigbluebutton: {
        servers: ['localhost'],
        httpSdUrl: `http://127.0.0.1:${address.port}/targets`,
        exporterPort: bbbExporter.port,
        nodeExporterPort: nodeExporter.port,
        scheme: 'http',
        scrapeInterval: '1s',
      },
    },
  });
  expect(rendered.stderr).toBe('');
  const scrapeConfigs = rendered.manifests.filter((manifest) => manifest.kind === 'ScrapeConfig');
  expect(scrapeConfigs.map((manifest) => (manifest.spec as { jobName: string }).jobName).sort()).toEqual([
    'bigbluebutton-exporter',
    'bigbluebutton-node-exporter',
  ]);
  prometheus = await startPrometheus({
    scrapeConfigs: scrapeConfigs.map((manifest) => scrapeConfigOf(manifest.spec as Record<string, any>)),
  });
  const server = prometheus;

  // THEN each exporter is scraped for both the listed server and the discovered one, on its own port, labelled
  const up = await server.waitFor(
    async () => {
      const samples = await server.query('up == 1');
      return samples.length === 4 ? samples : undefined;
    },
    { timeoutMs: 20_000, what: 'four targets up' },
  );
  expect(up.map((sample) => `${sample.metric.job} ${sample.metric.server} ${sample.metric.instance}`).sort()).toEqual(
    [
      `bigbluebutton-exporter 127.0.0.1 127.0.0.1:${bbbExporter.port}`,
      `bigbluebutton-exporter localhost localhost:${bbbExporter.port}`,
      `bigbluebutton-node-exporter 127.0.0.1 127.0.0.1:${nodeExporter.port}`,
      `bigbluebutton-node-exporter localhost localhost:${nodeExporter.port}`,
    ].sort(),
  );
  expect(discoveryRequests).toBeGreaterThan(0);
  // AND a server's two exporters join on `server`, as the rules join them
  const joined = await server.query('bbb_api_up * on (server) group_left node_load1');
  expect(joined.map((sample) => sample.metric.server).sort()).toEqual(['127.0.0.1', 'localhost']);
});
