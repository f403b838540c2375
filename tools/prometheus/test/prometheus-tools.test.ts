import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { MONITORING_BASE } from '@meetscale/platform-versions';

import {
  alertmanagerVersion,
  ensurePrometheusAdapter,
  ensurePrometheusTools,
  prometheusAdapterVersion,
  prometheusRelease,
  prometheusVersion,
  promqlNames,
} from '../src';

jest.setTimeout(120_000);

const tools = ensurePrometheusTools();
const run = (program: keyof typeof tools, args: string[], cwd?: string): { status: number | null; output: string } => {
  const result = spawnSync(tools[program], args, { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
};

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'meetscale-prometheus-tools-'));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

const write = (name: string, text: string): string => {
  writeFileSync(join(scratch, name), text);
  return join(scratch, name);
};

describe('versions', () => {
  test('a Prometheus 3 module version names its release', () => {
    expect(prometheusRelease('v0.314.0')).toBe('3.14.0');
    expect(prometheusRelease('v0.307.12')).toBe('3.7.12');
    expect(() => prometheusRelease('v2.53.0')).toThrow('v2.53.0 is not a Prometheus 3 module version');
  });

  test("the pinned releases are those the state's kube-prometheus-stack runs", () => {
    expect({ prometheus: prometheusVersion(), alertmanager: alertmanagerVersion() }).toEqual({
      prometheus: MONITORING_BASE.prometheus,
      alertmanager: MONITORING_BASE.alertmanager,
    });
  });

  test('each program reports the release pinned in its go.mod', () => {
    expect(run('promtool', ['--version']).output).toContain(`promtool, version ${prometheusVersion()}`);
    expect(run('prometheus', ['--version']).output).toContain(`prometheus, version ${prometheusVersion()}`);
    expect(run('amtool', ['--version']).output).toContain(`amtool, version ${alertmanagerVersion()}`);
  });
});

const RULES = `groups:
  - name: example
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
      - alert: TargetDown
        expr: up == 0
        for: 1m
        labels: { severity: critical }
        annotations: { summary: "{{ $labels.instance }} is down" }
`;

describe('prometheus-adapter', () => {
  test('is pinned at 0.12.0, the newest release the module proxy serves, and builds with the local Go', () => {
    expect(prometheusAdapterVersion()).toBe('0.12.0');
    const help = spawnSync(ensurePrometheusAdapter(), ['--help'], { encoding: 'utf8', timeout: 60_000 });
    // the flags the HPA test on the control plane starts it with
    for (const flag of [
      '--prometheus-url',
      '--config',
      '--secure-port',
      '--tls-cert-file',
      '--lister-kubeconfig',
      '--authorization-kubeconfig',
    ])
      expect(`${help.stdout}${help.stderr}`).toContain(`${flag} `);
  });
});

describe('promtool', () => {
  test('check rules accepts valid rules and refuses a broken expression, naming it', () => {
    write('good.yaml', RULES);
    write('bad.yaml', RULES.replace('sum by (job) (up)', 'sum by (job (up)'));
    expect(run('promtool', ['check', 'rules', 'good.yaml'], scratch)).toMatchObject({ status: 0 });
    const bad = run('promtool', ['check', 'rules', 'bad.yaml'], scratch);
    expect(bad.status).not.toBe(0);
    expect(bad.output).toMatch(/bad\.yaml.*parse error/s);
  });

  test('test rules passes when the alert fires as expected and fails when it does not', () => {
    write('rules.yaml', RULES);
    const unitTest = (expected: string): string =>
      `rule_files: [rules.yaml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'up{job="bridge", instance="10.0.0.1:8080"}'
        values: '1 0 0 0'
    alert_rule_test:
      - eval_time: 3m
        alertname: TargetDown
        exp_alerts: ${expected}
`;
    const firing = `
          - exp_labels: { severity: critical, job: bridge, instance: "10.0.0.1:8080" }
            exp_annotations: { summary: "10.0.0.1:8080 is down" }`;
    write('fires.yaml', unitTest(firing));
    write('silent.yaml', unitTest('[]'));
    expect(run('promtool', ['test', 'rules', 'fires.yaml'], scratch)).toMatchObject({ status: 0 });
    const wrong = run('promtool', ['test', 'rules', 'silent.yaml'], scratch);
    expect(wrong.status).not.toBe(0);
    expect(wrong.output).toContain('alertname: TargetDown');
  });
});

describe('promql-names', () => {
  test('lists the metrics each expression selects, by name or __name__, and what it cannot name', () => {
    const [joined, byMatcher, byRegex, broken] = promqlNames([
      'sum by (job) (rate(jitsi_jvb_packets_received_total[5m])) / on() group_left kube_hpa_max and jitsi_jvb_packets_received_total',
      '{__name__="up", job="bridge"} == 0',
      '{__name__=~"jitsi_.*"}',
      'sum((up)',
    ]);
    expect(joined).toMatchObject({ names: ['jitsi_jvb_packets_received_total', 'kube_hpa_max'], unnamed: [] });
    expect(joined?.error).toBeUndefined();
    expect(byMatcher).toMatchObject({ names: ['up'], unnamed: [] });
    expect(byRegex).toMatchObject({ names: [], unnamed: ['{__name__=~"jitsi_.*"}'] });
    expect(broken?.error).toMatch(/parse error/);
  });
});

describe('amtool', () => {
  const config = (receiver: string): string => `route:
  receiver: ${receiver}
receivers:
  - name: platform-team
    webhook_configs:
      - url: http://127.0.0.1:9/alerts
`;

  test('check-config accepts a valid configuration and refuses a route to an unknown receiver', () => {
    write('good.yaml', config('platform-team'));
    write('bad.yaml', config('nobody'));
    expect(run('amtool', ['check-config', 'good.yaml'], scratch)).toMatchObject({ status: 0 });
    const bad = run('amtool', ['check-config', 'bad.yaml'], scratch);
    expect(bad.status).not.toBe(0);
    expect(bad.output).toContain('undefined receiver "nobody"');
  });
});

/** A TCP port on 127.0.0.1 that was free a moment ago. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

describe('the Prometheus server', () => {
  test('scrapes a loopback target (itself) and evaluates a recording rule over it', async () => {
    // GIVEN Prometheus on 127.0.0.1, scraping itself every second, with a recording rule
    const port = await freePort();
    write('rules.yaml', RULES);
    write(
      'prometheus.yaml',
      `global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: [${join(scratch, 'rules.yaml')}]
scrape_configs:
  - job_name: self
    static_configs: [{ targets: ['127.0.0.1:${port}'] }]
`,
    );
    const server = spawn(
      tools.prometheus,
      [
        `--config.file=${join(scratch, 'prometheus.yaml')}`,
        `--storage.tsdb.path=${join(scratch, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: 'ignore' },
    );
    try {
      // WHEN the recording rule has been evaluated (polled for at most 30 s)
      let result: Array<{ metric: Record<string, string>; value: [number, string] }> = [];
      for (let attempt = 0; attempt < 60 && result.length === 0; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        try {
          const answer = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent('job:up:sum')}`);
          if (answer.ok) result = ((await answer.json()) as { data: { result: typeof result } }).data.result;
        } catch {
          // not listening yet
        }
      }
      // THEN it holds the scraped target's `up`
      expect(result.map((sample) => ({ job: sample.metric.job, value: sample.value[1] }))).toEqual([{ job: 'self', value: '1' }]);
    } finally {
      server.kill('SIGKILL');
    }
  });
});
