/**
 * The Alertmanager configuration the monitoring chart renders for a state, checked by the real `amtool` of the
 * Alertmanager the state's kube-prometheus-stack runs: it loads, alerts reach the receivers the routes name, and
 * credentials stay in the mounted Secrets.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { stateIds, stateInstallation } from '@meetscale/local-state';
import { ensurePrometheusTools } from '@meetscale/prometheus-tools';

import { chartDir, renderChart } from './support/charts';

const STATE_SCENARIO = join(chartDir('monitoring'), 'ci', '01-state-with-bigbluebutton-values.yaml');

/** `alertmanager.yaml` of the chart's Secret, rendered with the state scenario and `values`. */
function alertmanagerYaml(values?: unknown): string {
  const rendered = renderChart(4, 'monitoring', { valuesFiles: [STATE_SCENARIO], values });
  if (rendered.status !== 0) throw new Error(`helm template failed: ${rendered.stderr}`);
  const secret = rendered.manifests.find((manifest) => manifest.kind === 'Secret');
  const config = (secret?.stringData as Record<string, string> | undefined)?.['alertmanager.yaml'];
  if (config === undefined) throw new Error('no Secret with alertmanager.yaml rendered');
  return config;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'monitoring-alertmanager-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function amtool(config: string, args: string[]): { status: number | null; output: string } {
  const file = join(dir, `alertmanager-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, config);
  const result = spawnSync(
    ensurePrometheusTools().amtool,
    args.map((arg) => arg.replace('@CONFIG@', file)),
    {
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** The receivers `amtool config routes test` finds for an alert's labels. */
function receiversFor(config: string, labels: readonly string[]): string {
  const result = amtool(config, ['config', 'routes', 'test', '--config.file=@CONFIG@', ...labels]);
  return result.output.trim();
}

test("the state's configuration passes amtool check-config", () => {
  const result = amtool(alertmanagerYaml(), ['check-config', '@CONFIG@']);
  expect({ status: result.status, output: result.output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  expect(result.output).toContain('3 receivers');
});

test('alerts reach the receivers the routes name', () => {
  const config = alertmanagerYaml();
  // critical: on-call, and (continue) the team
  expect(receiversFor(config, ['alertname=JitsiShardWithoutBridge', 'severity=critical', 'shard=shard-0'])).toBe('on-call,video-team');
  expect(receiversFor(config, ['alertname=JitsiBridgeStressHigh', 'severity=warning'])).toBe('video-team');
  // kube-prometheus-stack's always-firing alerts go nowhere
  expect(receiversFor(config, ['alertname=Watchdog', 'severity=none'])).toBe('null');
  expect(receiversFor(config, ['alertname=InfoInhibitor', 'severity=none'])).toBe('null');
  // what no route matches goes to the default receiver
  expect(receiversFor(config, ['alertname=KubePodCrashLooping', 'severity=info'])).toBe('video-team');
});

test('the routes follow the values', () => {
  const config = alertmanagerYaml({
    alertmanager: {
      routes: [{ receiver: 'on-call', matchers: ['alertname=~"BigBlueButton.*"'] }],
    },
  });
  expect(receiversFor(config, ['alertname=BigBlueButtonServerUnreachable', 'severity=critical'])).toBe('on-call');
  expect(receiversFor(config, ['alertname=JitsiShardWithoutBridge', 'severity=critical'])).toBe('video-team');
});

test('credentials are files of mounted Secrets, never in the configuration', () => {
  const config = alertmanagerYaml();
  expect(config).toContain('smtp_auth_password_file: /etc/alertmanager/secrets/alertmanager-smtp/password');
  expect(config).toContain('url_file: /etc/alertmanager/secrets/alertmanager-webhooks/on-call');
  expect(config).not.toMatch(/smtp_auth_password:|[^_]url:/);
});

test('a route to a receiver that does not exist is refused by amtool', () => {
  const config = alertmanagerYaml({ alertmanager: { routes: [{ receiver: 'nobody', matchers: ['severity="critical"'] }] } });
  const result = amtool(config, ['check-config', '@CONFIG@']);
  expect(result.status).not.toBe(0);
  expect(result.output).toContain('undefined receiver "nobody"');
});

describe.each(stateIds())("the state %s's stack", (stateId) => {
  const release = stateInstallation(stateId).releases.find((candidate) => candidate.chart === 'monitoring');

  test('installs the monitoring chart', () => {
    expect(release).toBeDefined();
  });

  test('routes its alerts as its configuration says, in a configuration amtool accepts', () => {
    const values = release?.values as { alertmanager?: { enabled?: boolean; receivers?: Array<{ name: string }> } } | undefined;
    if (values?.alertmanager?.enabled !== true) {
      // no alerting configured: the chart renders no Alertmanager configuration
      const rendered = renderChart(4, 'monitoring', { values });
      // a render Helm refuses has no Secret either: it must render, with its rules
      expect({ status: rendered.status, stderr: rendered.stderr }).toEqual({ status: 0, stderr: '' });
      expect(rendered.manifests.some((manifest) => manifest.kind === 'PrometheusRule')).toBe(true);
      expect(rendered.manifests.filter((manifest) => manifest.kind === 'Secret')).toEqual([]);
      return;
    }
    const rendered = renderChart(4, 'monitoring', { values });
    const config = (rendered.manifests.find((manifest) => manifest.kind === 'Secret')?.stringData as Record<string, string>)[
      'alertmanager.yaml'
    ] as string;
    expect(amtool(config, ['check-config', '@CONFIG@']).status).toBe(0);
    const receivers = (values.alertmanager.receivers ?? []).map((receiver) => receiver.name);
    // critical: every receiver (on call, and the team); a warning: the team alone
    expect(receiversFor(config, ['alertname=JitsiShardWithoutBridge', 'severity=critical']).split(',').sort()).toEqual(
      [...receivers].sort(),
    );
    expect(receiversFor(config, ['alertname=JitsiBridgeStressHigh', 'severity=warning'])).toBe(receivers[0]);
  });
});
