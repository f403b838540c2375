export { type CataloguedComponent, cataloguedSeries, type ComponentCatalog, METRIC_CATALOG, uncataloguedSeries } from './catalog';
export {
  cadvisorMetrics,
  type CataloguedMetric,
  coturnMetrics,
  exposedMetrics,
  goClientMetrics,
  jicocoMetrics,
  kubeStateMetrics,
  type MetricType,
  nodeExporterDefaultFiles,
  nodeExporterMetrics,
  prometheusSynthesized,
  pythonClientMetrics,
  simpleclientSeries,
  type UnnamedRegistration,
  withServedFamilies,
} from './extract';
