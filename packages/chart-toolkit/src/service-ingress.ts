import { Construct } from 'constructs';
import type { Ingress } from 'kubernetes-types/networking/v1';
import type { z } from 'zod';

import type { ingressValues } from './common-values';
import type { HelmChart } from './helm-chart';
import type { HelmValue, Refs } from './helm-value';
import { Manifest } from './manifest';
import { and, each, omitIfEmpty } from './template-functions';

/** The values of an `ingressValues()` block. */
export type IngressValues = z.output<ReturnType<typeof ingressValues>>;

/** Settings of the ServiceIngress construct. */
export interface ServiceIngressProps {
  /** The chart the Ingress belongs to. */
  readonly chart: HelmChart<unknown>;
  /** The chart's `ingressValues()` block. */
  readonly values: Refs<IngressValues>;
  /** Name of the Ingress. */
  readonly name: string;
  /** Labels of the Ingress. */
  readonly labels: Readonly<Record<string, string>>;
  /** The Service every path routes to. */
  readonly serviceName: HelmValue<string>;
  /** The name of the Service port every path routes to (a DNS label). */
  readonly servicePort: string;
  /**
   * Render it only when this value holds too (the switch of the component it routes to, say): a route to a
   * component that is off is left out rather than refused.
   * @default - `enabled` of the values alone
   */
  readonly when?: HelmValue<unknown>;
}

/**
 * An Ingress to one Service, rendered when `ingress.enabled`: class, annotations and TLS passed through, and
 * one rule per `ingress.hosts` entry with its paths (item defaults applied at install time).
 */
export class ServiceIngress extends Construct {
  public constructor(scope: Construct, id: string, props: ServiceIngressProps) {
    super(scope, id);
    const { chart, values } = props;
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(props.servicePort)) {
      throw new Error(`ServiceIngress ${id}: service port name "${props.servicePort}" is not a DNS label`);
    }
    const backend = { service: { name: String(props.serviceName), port: { name: props.servicePort } } };
    const rules = each(values.hosts, (host) => ({
      host: String(host.host),
      http: { paths: each(host.paths, (path) => ({ path: String(path.path), pathType: String(path.pathType), backend })) },
    }));
    const ingress = new Manifest<Ingress>(this, 'ingress', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: props.name, labels: { ...props.labels }, annotations: omitIfEmpty(values.annotations) },
      spec: { ingressClassName: omitIfEmpty(values.className), rules, tls: omitIfEmpty(values.tls) },
    });
    chart.renderWhen(ingress, props.when === undefined ? values.enabled : and(props.when, values.enabled));
  }
}
