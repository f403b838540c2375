/**
 * The chart author's API of the toolkit (see README.md): define a chart, build its values from the standard
 * blocks, declare its objects with values in place, and express install-time logic with the value functions.
 * Emitting charts (synth, tests) uses `@meetscale/chart-toolkit/build`; the renderer's internals are not exported.
 */

// A chart: its definition, its prose and scripts, the facts other packages read.
export { type ChartDefinition, type ChartMaintainer, defineChart, type PodSecurityLevel } from './chart-definition';
export { type ChartFacts, defineChartFacts, type MetricFact, type PrometheusAdapterRule } from './chart-facts';
export { readChartText } from './chart-readme';
export { type HelmChart, type HelmChartProps, mapWith, type ReleaseRefs } from './helm-chart';
export type { HelmValue, Refs } from './helm-value';

// Values: the standard blocks, named as `helm create`, bitnami and jitsi-helm name them.
export {
  baseValues,
  hostname,
  httpRouteValues,
  imagePullSecrets,
  imageValues,
  ingressValues,
  labelValue,
  podPlacementValues,
  port,
  promDuration,
  quantity,
  resourcesValues,
  type ServiceMonitorValues,
  serviceMonitorValues,
  stringMap,
} from './common-values';
export {
  existingSecretValue,
  extraEnvValues,
  serviceAccountValues,
  type ServiceValues,
  serviceValues,
  type WorkloadDefaults,
  type WorkloadValues,
  workloadValues,
} from './workload-values';

// Objects: typed manifests with values in place, and the workload layer.
export { Manifest, type ManifestBase, type Templated } from './manifest';
export { ComponentService, type ComponentServiceProps, type MonitorProps, PodMonitor, ServiceMonitor } from './monitors';
export { type HttpRouteValues, ServiceHttpRoute, type ServiceHttpRouteProps } from './service-http-route';
export { type IngressValues, ServiceIngress, type ServiceIngressProps } from './service-ingress';
export { type ContainerProps, type PodProps, Workload, type WorkloadProps } from './workload';

// Install-time logic: one function per thing to say.
export {
  add,
  and,
  checksum,
  concatLists,
  each,
  eq,
  first,
  gt,
  hasKey,
  isEmpty,
  joined,
  json,
  lengthOf,
  type ListPartValue,
  listWhen,
  max,
  not,
  omitIfEmpty,
  onlyWhen,
  or,
  orDefault,
  requireUnique,
  str,
  ternary,
  times,
  when,
} from './template-functions';
