import {
  and,
  concatLists,
  type HelmChart,
  type HelmValue,
  isEmpty,
  listWhen,
  Manifest,
  mapWith,
  not,
  omitIfEmpty,
  onlyWhen,
} from '@meetscale/chart-toolkit';
import { Construct } from 'constructs';
import type { ConfigMap, Secret } from 'kubernetes-types/core/v1';

import { alertmanagerConfig } from './alertmanager-config';
import { type AlertRule, BBB_EXPORTER_JOB, BBB_NODE_EXPORTER_JOB, ruleAreas } from './alerts';
import { DASHBOARDS } from './dashboards';
import type { MonitoringValues } from './values';

/** Settings of the Monitoring construct. */
export interface MonitoringProps {
  /** The chart whose values and release names the construct reads. */
  readonly chart: HelmChart<MonitoringValues>;
}

/** The key of the Alertmanager configuration in its Secret, where the Prometheus operator reads it. */
export const ALERTMANAGER_CONFIG_KEY = 'alertmanager.yaml';

/**
 * The PrometheusRules (one per area, each rendered when its area and `rules.enabled` are on), the ScrapeConfigs of
 * the BigBlueButton servers and the Secret with the Alertmanager configuration.
 */
export class Monitoring extends Construct {
  public constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { chart } = props;
    this.rules(chart);
    this.scrapeConfigs(chart);
    this.dashboards(chart);
    const secret = new Manifest<Secret>(this, 'alertmanager', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: String(chart.componentName('alertmanager')), labels: chart.standardLabels('alertmanager') },
      type: 'Opaque',
      stringData: { [ALERTMANAGER_CONFIG_KEY]: alertmanagerConfig(chart) },
    });
    chart.renderWhen(secret, chart.values.alertmanager.enabled);
  }

  /**
   * One ConfigMap per dashboard, for kube-prometheus-stack's Grafana sidecar, each rendered with the area it shows:
   * the generated JSON as it is (Helm leaves Grafana's `{{label}}` legends alone: the toolkit escapes them).
   */
  private dashboards(chart: HelmChart<MonitoringValues>): void {
    const v = chart.values;
    const shownWhen: Readonly<Record<string, HelmValue<boolean> | undefined>> = {
      'jitsi-shard.json': v.jitsi.enabled,
      'haproxy.json': v.haproxy.enabled,
      'bigbluebutton.json': v.bigbluebutton.enabled,
    };
    for (const [file, build] of Object.entries(DASHBOARDS)) {
      const component = `dashboard-${file.replace(/\.json$/, '')}`;
      const configMap = new Manifest<ConfigMap>(this, component, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: String(chart.componentName(component)),
          labels: chart.standardLabels(component, v.dashboards.labels),
          annotations: mapWith({ grafana_folder: String(omitIfEmpty(v.dashboards.folder)) }, v.dashboards.annotations),
        },
        data: { [file]: `${JSON.stringify(build(), null, 2)}\n` },
      });
      const area = shownWhen[file];
      chart.renderWhen(configMap, area === undefined ? v.dashboards.enabled : and(v.dashboards.enabled, area));
    }
  }

  private rules(chart: HelmChart<MonitoringValues>): void {
    const v = chart.values;
    const alertRule = (rule: AlertRule) => ({
      alert: rule.alert,
      expr: rule.expr,
      for: rule.for,
      labels: mapWith({ severity: rule.severity, ...rule.labels }, v.rules.alertLabels),
      annotations: {
        summary: rule.summary,
        description: rule.description,
        runbook_url: `${v.rules.runbookBaseUrl}/${rule.alert}.md`,
      },
    });
    for (const area of ruleAreas(chart)) {
      const rule = new Manifest(this, area.area, {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PrometheusRule',
        metadata: { name: String(chart.componentName(area.area)), labels: chart.standardLabels(area.area, v.rules.labels) },
        spec: {
          groups: [
            ...(area.recording.length === 0 ? [] : [{ name: `meetscale.${area.area}.recording`, rules: area.recording }]),
            {
              name: `meetscale.${area.area}.alerts`,
              rules: concatLists(...area.alerts.map((alert) => listWhen(alert.enabled, [alertRule(alert)]))),
            },
          ],
        },
      });
      chart.renderWhen(rule, and(v.rules.enabled, area.enabled));
    }
  }

  /**
   * One ScrapeConfig per exporter of the BigBlueButton servers: the servers of `bigbluebutton.servers` and those
   * the HTTP service discovery lists, each target's host kept as the `server` label and its port set to the
   * exporter's, so the two exporters of a server join on `server`. With neither, none: the servers are scraped
   * some other way, and the rules and the dashboard still apply.
   */
  private scrapeConfigs(chart: HelmChart<MonitoringValues>): void {
    const b = chart.values.bigbluebutton;
    const exporters = [
      { job: BBB_EXPORTER_JOB, port: b.exporterPort, path: '/metrics', scheme: b.scheme },
      { job: BBB_NODE_EXPORTER_JOB, port: b.nodeExporterPort, path: '/metrics', scheme: b.scheme },
    ];
    for (const exporter of exporters) {
      const scrapeConfig = new Manifest(this, exporter.job, {
        apiVersion: 'monitoring.coreos.com/v1alpha1',
        kind: 'ScrapeConfig',
        metadata: {
          name: String(chart.componentName(exporter.job)),
          labels: chart.standardLabels(exporter.job, chart.values.scrapeConfigs.labels),
        },
        spec: {
          jobName: exporter.job,
          scheme: exporter.scheme,
          metricsPath: exporter.path,
          scrapeInterval: b.scrapeInterval,
          staticConfigs: onlyWhen(not(isEmpty(b.servers)), [{ targets: b.servers }]),
          httpSDConfigs: onlyWhen(not(isEmpty(b.httpSdUrl)), [{ url: b.httpSdUrl, refreshInterval: '1m' }]),
          relabelings: [
            { sourceLabels: ['__address__'], regex: '([^:]+)(?::[0-9]+)?', targetLabel: 'server', replacement: '$1', action: 'replace' },
            {
              sourceLabels: ['__address__'],
              regex: '([^:]+)(?::[0-9]+)?',
              targetLabel: '__address__',
              replacement: `$1:${exporter.port}`,
              action: 'replace',
            },
          ],
        },
      });
      chart.renderWhen(scrapeConfig, and(b.enabled, not(and(isEmpty(b.servers), isEmpty(b.httpSdUrl)))));
    }
  }
}
