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
}

/** The monitor's labels: the component's, then `labels` from values (the `release` a Prometheus selects by). */
function monitorMetadata(props: MonitorProps): { name: string; labels: Record<string, string> } {
  return { name: props.name, labels: props.chart.standardLabels(props.component, props.values.labels) };
}

/** A Prometheus operator ServiceMonitor for one metrics port, rendered when `values.enabled`. */
export class ServiceMonitor extends Construct {
  public constructor(scope: Construct, id: string, props: MonitorProps) {
    super(scope, id);
    const { chart, values } = props;
    const monitor = new Manifest(this, 'servicemonitor', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: monitorMetadata(props),
      spec: {
        selector: { matchLabels: props.selector },
        namespaceSelector: { matchNames: [String(chart.release.namespace)] },
        endpoints: [{ port: props.port, path: props.path ?? '/metrics', interval: values.interval, scrapeTimeout: values.scrapeTimeout }],
      },
    });
    chart.renderWhen(monitor, values.enabled);
  }
}

/** A Prometheus operator PodMonitor for one metrics port of a component's pods, rendered when `values.enabled`. */
export class PodMonitor extends Construct {
  public constructor(scope: Construct, id: string, props: MonitorProps) {
    super(scope, id);
    const { chart, values } = props;
    const monitor = new Manifest(this, 'podmonitor', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PodMonitor',
      metadata: monitorMetadata(props),
      spec: {
        selector: { matchLabels: props.selector },
        namespaceSelector: { matchNames: [String(chart.release.namespace)] },
        podMetricsEndpoints: [
          { port: props.port, path: props.path ?? '/metrics', interval: values.interval, scrapeTimeout: values.scrapeTimeout },
        ],
      },
    });
    chart.renderWhen(monitor, values.enabled);
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
