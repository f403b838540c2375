import { BBB_AUTOSCALER_METRICS } from './bbb-autoscaler';
import type { CataloguedMetric, UnnamedRegistration } from './extract';
import { BIGBLUEBUTTON_EXPORTER_METRICS } from './generated/bigbluebutton-exporter';
import { CADVISOR_METRICS } from './generated/cadvisor';
import { CERT_MANAGER_METRICS } from './generated/cert-manager';
import { COTURN_METRICS } from './generated/coturn';
import { HAPROXY_METRICS } from './generated/haproxy';
import { JICOFO_METRICS } from './generated/jicofo';
import { JITSI_VIDEOBRIDGE_METRICS } from './generated/jitsi-videobridge';
import { KUBE_STATE_METRICS } from './generated/kube-state-metrics';
import { NODE_EXPORTER_METRICS } from './generated/node-exporter';
import { PROMETHEUS_SERIES } from './generated/prometheus';

/** The metrics of one component at one release. */
export interface ComponentCatalog {
  /** The release the names were taken from (a tag, a module version). */
  readonly release: string;
  readonly metrics: readonly CataloguedMetric[];
  /** Registrations whose name is computed at run time: not catalogued, so no rule may rely on them. */
  readonly unnamed: readonly UnnamedRegistration[];
}

/** Every component's catalog, by component. */
export const METRIC_CATALOG = {
  'jitsi-videobridge': JITSI_VIDEOBRIDGE_METRICS,
  jicofo: JICOFO_METRICS,
  cadvisor: CADVISOR_METRICS,
  'cert-manager': CERT_MANAGER_METRICS,
  coturn: COTURN_METRICS,
  haproxy: HAPROXY_METRICS,
  'kube-state-metrics': KUBE_STATE_METRICS,
  prometheus: PROMETHEUS_SERIES,
  'node-exporter': NODE_EXPORTER_METRICS,
  'bigbluebutton-exporter': BIGBLUEBUTTON_EXPORTER_METRICS,
  'bbb-autoscaler': BBB_AUTOSCALER_METRICS,
} as const satisfies Record<string, ComponentCatalog>;

/** A component of {@link METRIC_CATALOG}. */
export type CataloguedComponent = keyof typeof METRIC_CATALOG;

/** Every series the catalogued components serve, with the component serving it. */
export function cataloguedSeries(): ReadonlyMap<string, CataloguedComponent> {
  const series = new Map<string, CataloguedComponent>();
  for (const [component, catalog] of Object.entries(METRIC_CATALOG) as Array<[CataloguedComponent, ComponentCatalog]>)
    for (const metric of catalog.metrics) for (const name of metric.series) series.set(name, component);
  return series;
}

/** The names among `names` that no catalogued component serves, each once, sorted. */
export function uncataloguedSeries(names: Iterable<string>): string[] {
  const known = cataloguedSeries();
  return [...new Set(names)].filter((name) => !known.has(name)).sort();
}
