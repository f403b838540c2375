import { type HelmChart, Manifest } from '@meetscale/chart-toolkit';
import { Construct } from 'constructs';

import type { JitsiShardValues } from './values';

/**
 * The label every series of a shard carries, its release name (`shard-0`), set by the shard's monitors: the
 * monitoring chart's rules and dashboards group by it.
 */
export const SHARD_LABEL = 'shard';

/** The fixed labels of every series scraped from the shard's pods. */
export function shardTargetLabels(chart: HelmChart<JitsiShardValues>): Record<string, string> {
  return { [SHARD_LABEL]: String(chart.release.name) };
}

/** Settings of the ShardServiceMonitor construct. */
export interface ShardServiceMonitorProps {
  /** The chart whose values and release names the construct reads. */
  readonly chart: HelmChart<JitsiShardValues>;
}

/**
 * A ServiceMonitor for the Services of jicofo and prosody, which serve `/metrics` themselves on their port
 * named `http` (the bridges are scraped pod by pod through their PodMonitor).
 */
export class ShardServiceMonitor extends Construct {
  public constructor(scope: Construct, id: string, props: ShardServiceMonitorProps) {
    super(scope, id);
    const { chart } = props;
    const m = chart.values.metrics.serviceMonitor;
    const serviceMonitor = new Manifest(this, 'servicemonitor', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: String(chart.fullname), labels: chart.standardLabels('metrics', m.labels) },
      spec: {
        selector: {
          matchLabels: {
            'app.kubernetes.io/name': String(chart.include('name')),
            'app.kubernetes.io/instance': String(chart.release.name),
          },
          matchExpressions: [{ key: 'app.kubernetes.io/component', operator: 'In', values: ['jicofo', 'prosody'] }],
        },
        namespaceSelector: { matchNames: [String(chart.release.namespace)] },
        endpoints: [
          {
            port: 'http',
            path: '/metrics',
            interval: m.interval,
            scrapeTimeout: m.scrapeTimeout,
            relabelings: Object.entries(shardTargetLabels(chart)).map(([targetLabel, replacement]) => ({
              targetLabel,
              replacement,
              action: 'replace',
            })),
          },
        ],
      },
    });
    chart.renderWhen(serviceMonitor, m.enabled);
  }
}
