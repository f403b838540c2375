import { Construct } from 'constructs';
import type { z } from 'zod';

import type { httpRouteValues } from './common-values';
import type { HelmChart } from './helm-chart';
import type { HelmValue, Refs } from './helm-value';
import { Manifest } from './manifest';
import { and, each, omitIfEmpty, onlyWhen, or } from './template-functions';

/** The values of an `httpRouteValues()` block. */
export type HttpRouteValues = z.output<ReturnType<typeof httpRouteValues>>;

/** Settings of the ServiceHttpRoute construct. */
export interface ServiceHttpRouteProps {
  /** The chart the HTTPRoute belongs to. */
  readonly chart: HelmChart<unknown>;
  /** The chart's `httpRouteValues()` block. */
  readonly values: Refs<HttpRouteValues>;
  /** Name of the HTTPRoute. */
  readonly name: string;
  /** The component whose labels the HTTPRoute carries, with `values.labels`. */
  readonly component: string;
  /** The Service the route sends requests to. */
  readonly serviceName: HelmValue<string>;
  /**
   * The number of the Service port requests go to, the chart's `service.port` value where it has one: an
   * HTTPRoute backendRef names a port by number, not by name.
   */
  readonly servicePort: HelmValue<number> | number;
  /**
   * Render it only when this value holds too (the switch of the component it routes to, say): a route to a
   * component that is off is left out rather than refused.
   * @default - `enabled` of the values alone
   */
  readonly when?: HelmValue<unknown>;
}

/**
 * A Gateway API HTTPRoute to one Service, rendered when `enabled`: attached to the Gateways of `parentRefs`
 * for `hostnames`, with one rule sending every request of `matches` to the Service port, within `timeouts`
 * (each left out when empty). Without `parentRefs` the route attaches to no Gateway, as Kubernetes allows.
 */
export class ServiceHttpRoute extends Construct {
  public constructor(scope: Construct, id: string, props: ServiceHttpRouteProps) {
    super(scope, id);
    const { chart, values } = props;
    const timeouts = values.timeouts;
    const route = new Manifest(this, 'httproute', {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: {
        name: props.name,
        labels: chart.standardLabels(props.component, values.labels),
        annotations: omitIfEmpty(values.annotations),
      },
      spec: {
        parentRefs: omitIfEmpty(values.parentRefs),
        hostnames: omitIfEmpty(values.hostnames),
        rules: [
          {
            matches: each(values.matches, (match) => ({ path: { type: String(match.path.type), value: String(match.path.value) } })),
            timeouts: onlyWhen(or(timeouts.request, timeouts.backendRequest), {
              request: omitIfEmpty(timeouts.request),
              backendRequest: omitIfEmpty(timeouts.backendRequest),
            }),
            backendRefs: [{ name: String(props.serviceName), port: props.servicePort }],
          },
        ],
      },
    });
    chart.renderWhen(route, props.when === undefined ? values.enabled : and(props.when, values.enabled));
  }
}
