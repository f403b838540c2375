export {
  ALERTMANAGER_MODULE,
  alertmanagerVersion,
  ensurePrometheusTools,
  PROMETHEUS_MODULE,
  type PrometheusProgram,
  prometheusRelease,
  prometheusTools,
  prometheusVersion,
  type PromqlNames,
  promqlNames,
} from './prometheus-tools';
