import { JITSI_SHARD_CHART } from '@meetscale/chart-values/facts/jitsi-shard';
import { STATE_BASE_CHART } from '@meetscale/chart-values/facts/state-base';
import type { JitsiShardValues } from '@meetscale/chart-values/jitsi-shard';
import type { StateBaseValues } from '@meetscale/chart-values/state-base';
import { SYSTEM_NODE_SELECTOR } from '@meetscale/placement';

import { ENVOY_GATEWAY_CONTROLLER, GATEWAY_CLASS, GATEWAY_NAME, GATEWAY_NAMESPACE } from './gateway';
import type { HelmReleaseSpec, ReleaseContext } from './helm-release-spec';
import { LOGGING_NAMESPACE, LOGGING_POD_SECURITY_LEVEL } from './logging-release';
import { meetscaleChart } from './meetscale-chart';
import { BIGBLUEBUTTON_NAMESPACE } from './scalelite-release';

/**
 * A state's cluster base, from the meetscale `state-base` chart (typed values, validated by the chart's schema at
 * install time), installed as two releases:
 * - {@link STATE_BASE_RELEASE}, first of all: the namespaces with their Pod Security labels and the DaemonSet that
 *   taints the media nodes (IONOS node pools take labels only);
 * - {@link STATE_GATEWAY_RELEASE}, once Envoy Gateway and cert-manager are installed (their CRDs and controllers):
 *   the state's entry point (GatewayClass, EnvoyProxy, Gateway, HTTP-to-HTTPS redirect, Certificate, client
 *   timeouts) and the ACME ClusterIssuer solving HTTP-01 through the Gateway's HTTP listener.
 */

/** The namespace of the Jitsi installation (HAProxy and the shards). */
export const JITSI_NAMESPACE = 'jitsi';

/** A Pod Security Standards level, as the `pod-security.kubernetes.io/*` namespace labels name it. */
export type PodSecurityLevel = NonNullable<NonNullable<StateBaseValues['namespaces']>[number]['podSecurity']>;

/** How clients reach the videobridges: the jitsi-shard chart's `jvb.media.mode`. */
export type JvbMediaMode = NonNullable<NonNullable<NonNullable<JitsiShardValues['jvb']>['media']>['mode']>;

/**
 * The Pod Security level each media mode of the jitsi-shard chart needs, as the chart states it (its facts): host
 * ports are forbidden from `baseline` up, so `hostPort` needs `privileged`; `nodePort` meets `restricted`.
 */
export const MEDIA_MODE_POD_SECURITY: Readonly<Record<JvbMediaMode, PodSecurityLevel>> = JITSI_SHARD_CHART.podSecurity.levels;

/**
 * The bridges' media mode: a host port on each dedicated media node, one bridge per node, announcing the node's
 * public IP (the IONOS design; the chart's default is `nodePort`).
 */
export const JVB_MEDIA_MODE = 'hostPort' satisfies JvbMediaMode;

/** The Pod Security level {@link JITSI_NAMESPACE} enforces: the one {@link JVB_MEDIA_MODE} needs. */
export const JITSI_POD_SECURITY_LEVEL: PodSecurityLevel = MEDIA_MODE_POD_SECURITY[JVB_MEDIA_MODE];

/** The release of the state-base chart that creates the namespaces and taints the media nodes (named after the chart). */
export const STATE_BASE_RELEASE: string = STATE_BASE_CHART.chart;

/**
 * Namespace of {@link STATE_BASE_RELEASE} and of its media-node taint (ServiceAccount and DaemonSet): a namespace
 * of its own rather than `kube-system`, which belongs to IONOS's managed control plane, so the right to patch nodes
 * stays easy to audit. The release creates it with its Pod Security labels (`restricted`), adopting the plain
 * namespace the Helm provider created for the release just before.
 */
export const STATE_BASE_NAMESPACE = 'meetscale-system';

/** The release of the state-base chart that creates the Gateway and the ClusterIssuer, in {@link GATEWAY_NAMESPACE}. */
export const STATE_GATEWAY_RELEASE = 'state-gateway';

/** The cert-manager ClusterIssuer the state's certificates are issued by, created by {@link STATE_GATEWAY_RELEASE}. */
export const CLUSTER_ISSUER = 'letsencrypt';

/**
 * The release {@link STATE_BASE_RELEASE}: the namespaces every later release is installed into, with their Pod
 * Security labels (Helm keeps them when the release goes), and the media-node taint at the chart's defaults, which
 * are `@meetscale/placement`'s `MEDIA_TAINT` on `MEDIA_NODE_SELECTOR` (tested). It waits for the node pools only.
 * `takeOwnership`: the chart's Namespace {@link STATE_BASE_NAMESPACE} exists before the release (the Helm
 * provider's `create_namespace`), and so does {@link JITSI_NAMESPACE} on a state installed before this release.
 */
export function stateBaseRelease(context: ReleaseContext): HelmReleaseSpec {
  return meetscaleChart<StateBaseValues>({
    chart: STATE_BASE_CHART.chart,
    release: STATE_BASE_RELEASE,
    registry: context.chartRegistry,
    namespace: STATE_BASE_NAMESPACE,
    takeOwnership: true,
    values: {
      commonLabels: { 'meetscale.io/state': context.stateId },
      namespaces: [
        { name: STATE_BASE_NAMESPACE, podSecurity: 'restricted' },
        { name: JITSI_NAMESPACE, podSecurity: JITSI_POD_SECURITY_LEVEL },
        { name: GATEWAY_NAMESPACE, podSecurity: 'restricted' },
        ...(context.bigBlueButtonHost === undefined ? [] : [{ name: BIGBLUEBUTTON_NAMESPACE, podSecurity: 'restricted' as const }]),
        ...(context.logging === undefined ? [] : [{ name: LOGGING_NAMESPACE, podSecurity: LOGGING_POD_SECURITY_LEVEL }]),
      ],
    },
  });
}

/**
 * The release {@link STATE_GATEWAY_RELEASE}, after `after` (Envoy Gateway and cert-manager: the Gateway API, Envoy
 * Gateway and cert-manager CRDs, and the controllers that act on its objects): the GatewayClass
 * {@link GATEWAY_CLASS} of Envoy Gateway's controller, the Gateway {@link GATEWAY_NAME} serving the meeting host
 * over HTTPS, its Envoy proxies on the system pool behind the state's reserved IP (a Terraform expression, which
 * Terraform substitutes before Helm validates the values), and the ClusterIssuer {@link CLUSTER_ISSUER} at the
 * state's ACME server, whose HTTP-01 solver pods run on the system pool. No taint: {@link STATE_BASE_RELEASE}'s.
 */
export function stateGatewayRelease(context: ReleaseContext, after: readonly string[]): HelmReleaseSpec {
  const system = (): Record<string, string> => ({ ...SYSTEM_NODE_SELECTOR });
  return meetscaleChart<StateBaseValues>({
    chart: STATE_BASE_CHART.chart,
    release: STATE_GATEWAY_RELEASE,
    registry: context.chartRegistry,
    namespace: GATEWAY_NAMESPACE,
    after,
    values: {
      commonLabels: { 'meetscale.io/state': context.stateId },
      mediaNodeTaint: { enabled: false },
      gateway: {
        enabled: true,
        name: GATEWAY_NAME,
        hostnames: [
          context.meetingHost,
          ...(context.bigBlueButtonHost === undefined ? [] : [context.bigBlueButtonHost]),
          ...(context.logging === undefined ? [] : [context.logging.kibanaHost]),
        ],
        // the chart's default, stated so that the GatewayClass and the Envoy Gateway release share one constant
        gatewayClass: { name: GATEWAY_CLASS, controllerName: ENVOY_GATEWAY_CONTROLLER },
        proxy: { loadBalancerIP: context.ingressIp, externalTrafficPolicy: 'Local', nodeSelector: system() },
      },
      clusterIssuer: {
        enabled: true,
        name: CLUSTER_ISSUER,
        server: context.acmeServer,
        email: context.acmeEmail,
        solverNodeSelector: system(),
      },
    },
  });
}
