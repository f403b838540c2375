import { Construct } from 'constructs';
import type { Service } from 'kubernetes-types/core/v1';

import type { ServiceMonitorValues } from './common-values';
import type { HelmChart } from './helm-chart';
import type { Refs } from './helm-value';
import { Manifest } from './manifest';
import { omitIfEmpty } from './template-functions';
import type { ServiceValues } from './workload-values';

/** Settings of a ServiceMonitor or PodMonitor. */
export interface MonitorProps {
  readonly chart: HelmChart<unknown>;
  /** The component whose labels the monitor carries. */
  readonly component: string;
  readonly name: string;
  /** The monitor's values (`serviceMonitorValues()`): switch, interval, timeout, extra labels. */
  readonly values: Refs<ServiceMonitorValues>;
  /** Labels of the Services (ServiceMonitor) or pods (PodMonitor) to scrape. */
  readonly selector: Record<string, string>;
  /** The named port serving metrics. */
  readonly port: string;
  /** @default '/metrics' */
  readonly path?: string;
  /**
   * Labels set on every series scraped through the monitor (and on its `up`), such as the release a series belongs
   * to, so that rules and dashboards can group by it.
   * @default - none
   */
  readonly targetLabels?: Readonly<Record<string, string>>;
}

/** Prometheus operator relabelings that set fixed labels on every target of a monitor. */
function targetLabelRelabelings(labels: Readonly<Record<string, string>>): Array<Record<string, unknown>> {
  return Object.entries(labels).map(([targetLabel, replacement]) => ({ targetLabel, replacement, action: 'replace' }));
}

/**
 * A Prometheus operator monitor (`ServiceMonitor` or `PodMonitor`) for one metrics port, labelled with the
 * component's labels and `values.labels` (the `release` a Prometheus selects by), rendered when `values.enabled`.
 */
function addMonitor(scope: Construct, kind: 'ServiceMonitor' | 'PodMonitor', props: MonitorProps): void {
  const { chart, values } = props;
  const relabelings = targetLabelRelabelings(props.targetLabels ?? {});
  const endpoint = {
    port: props.port,
    path: props.path ?? '/metrics',
    interval: values.interval,
    scrapeTimeout: values.scrapeTimeout,
    ...(relabelings.length === 0 ? {} : { relabelings }),
  };
  const monitor = new Manifest(scope, kind.toLowerCase(), {
    apiVersion: 'monitoring.coreos.com/v1',
    kind,
    metadata: { name: props.name, labels: chart.standardLabels(props.component, values.labels) },
    spec: {
      selector: { matchLabels: props.selector },
      namespaceSelector: { matchNames: [String(chart.release.namespace)] },
      [kind === 'ServiceMonitor' ? 'endpoints' : 'podMetricsEndpoints']: [endpoint],
    },
  });
  chart.renderWhen(monitor, values.enabled);
}

/** A Prometheus operator ServiceMonitor for one metrics port of a component's Services. */
export class ServiceMonitor extends Construct {
  public constructor(scope: Construct, id: string, props: MonitorProps) {
    super(scope, id);
    addMonitor(this, 'ServiceMonitor', props);
  }
}

/** A Prometheus operator PodMonitor for one metrics port of a component's pods. */
export class PodMonitor extends Construct {
  public constructor(scope: Construct, id: string, props: MonitorProps) {
    super(scope, id);
    addMonitor(this, 'PodMonitor', props);
  }
}

/** Settings of a ComponentService. */
export interface ComponentServiceProps {
  readonly chart: HelmChart<unknown>;
  readonly component: string;
  readonly name: string;
  /** The Service's values block (`serviceValues`). */
  readonly values: Refs<ServiceValues>;
  /** The port's name, also the container port it targets. */
  readonly portName: string;
}

/** The Service in front of a component's pods, shaped by its `serviceValues` block. */
export class ComponentService extends Construct {
  public readonly service: Manifest<Service>;

  public constructor(scope: Construct, id: string, props: ComponentServiceProps) {
    super(scope, id);
    const { chart, component, values } = props;
    this.service = new Manifest<Service>(this, 'service', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: props.name,
        labels: chart.standardLabels(component, values.labels),
        annotations: omitIfEmpty(values.annotations),
      },
      spec: {
        type: values.type,
        selector: chart.selectorLabels(component),
        ports: [{ name: props.portName, port: values.port, targetPort: props.portName, protocol: 'TCP' }],
      },
    });
  }
}
