/**
 * The state's monitoring base, in one place: the state stacks install kube-prometheus-stack at `chart`, and the
 * monitoring tests run `promtool`, the Prometheus server and `amtool` at the releases that chart runs (its
 * `prometheus.prometheusSpec.image.tag` and `alertmanager.alertmanagerSpec.image.tag`). They must equal the Go
 * modules pinned in `tools/prometheus/modules`, and the metric catalog must be of its kube-state-metrics and its
 * node_exporter, which tests check; bumping the chart means bumping those too.
 */
export const MONITORING_BASE = {
  /** The kube-prometheus-stack chart version. */
  chart: '88.5.3',
  /** The Prometheus release it runs. */
  prometheus: '3.14.0',
  /** The Alertmanager release it runs. */
  alertmanager: '0.34.0',
  /** The kube-state-metrics release its kube-state-metrics chart (8.4.0) runs. */
  kubeStateMetrics: '2.20.0',
  /**
   * The node_exporter release its prometheus-node-exporter chart (4.56.1) runs (that chart's `appVersion`), which the
   * BigBlueButton VMs are to run too, so that one metric catalog holds the node metrics of both.
   */
  nodeExporter: '1.12.1',
} as const;
