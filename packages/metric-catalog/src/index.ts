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
  prometheusSynthesized,
  simpleclientSeries,
  type UnnamedRegistration,
} from './extract';
