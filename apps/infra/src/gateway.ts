/**
 * The Gateway API facts of a state's installation, shared by the releases that install Envoy Gateway and route
 * through it (this app) and by the `state-base` chart, which creates the GatewayClass, the Gateway and its
 * certificates. A route attaches with {@link gatewayParentRef}; no release names these values by hand.
 */

/**
 * Namespace of the Envoy Gateway release: its controller runs there and, in Envoy Gateway's default deployment
 * mode, so do the Envoy proxy pods it creates for every Gateway. The meetscale charts' NetworkPolicies therefore
 * admit HTTP traffic from this namespace (`networkPolicy.ingressNamespaceSelector`).
 */
export const ENVOY_GATEWAY_NAMESPACE = 'envoy-gateway-system';

/**
 * Namespace of the state's Gateway object and of its certificates' Secrets (cert-manager creates a listener's
 * Certificate, and with it the Secret, in the Gateway's namespace). Routes in other namespaces attach to the
 * Gateway across namespaces, so its listeners must admit them (`allowedRoutes`).
 */
export const GATEWAY_NAMESPACE = 'gateway';

/** Name of the state's Gateway, in {@link GATEWAY_NAMESPACE}: every meetscale HTTPRoute attaches to it. */
export const GATEWAY_NAME = 'meetscale';

/** Name of the GatewayClass of the state's Gateway, whose controller is {@link ENVOY_GATEWAY_CONTROLLER}. */
export const GATEWAY_CLASS = 'meetscale';

/**
 * The controller name Envoy Gateway reconciles GatewayClasses for (`spec.controllerName`): Envoy Gateway's
 * default (`GatewayControllerName` in its API), which the Envoy Gateway release also sets explicitly
 * (`config.envoyGateway.gateway.controllerName`), so that GatewayClass and controller cannot drift apart.
 */
export const ENVOY_GATEWAY_CONTROLLER = 'gateway.envoyproxy.io/gatewayclass-controller';

/** A route's reference to the Gateway it attaches to (Gateway API `parentRefs` entry). */
export interface GatewayParentRef {
  /** Name of the Gateway. */
  readonly name: string;
  /** Namespace of the Gateway. */
  readonly namespace: string;
}

/**
 * The parent reference of a route to the state's Gateway ({@link GATEWAY_NAME} in {@link GATEWAY_NAMESPACE}).
 * No listener is named: the route attaches to every listener that admits it and serves its hostnames.
 */
export function gatewayParentRef(): GatewayParentRef {
  return { name: GATEWAY_NAME, namespace: GATEWAY_NAMESPACE };
}
