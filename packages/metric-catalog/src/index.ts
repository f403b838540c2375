export { type CataloguedComponent, cataloguedSeries, type ComponentCatalog, METRIC_CATALOG, uncataloguedSeries } from './catalog';
export {
  cadvisorMetrics,
  type CataloguedMetric,
  exposedMetrics,
  goClientMetrics,
  jicocoMetrics,
  kubeStateMetrics,
  type MetricType,
  simpleclientSeries,
  type UnnamedRegistration,
} from './extract';
