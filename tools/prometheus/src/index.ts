export {
  ALERTMANAGER_MODULE,
  alertmanagerVersion,
  ensurePrometheusTools,
  PROMETHEUS_MODULE,
  type PrometheusProgram,
  prometheusRelease,
  prometheusTools,
  prometheusVersion,
} from './prometheus-tools';
