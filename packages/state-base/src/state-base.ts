import {
  and,
  concatLists,
  each,
  type HelmChart,
  isEmpty,
  Manifest,
  not,
  omitIfEmpty,
  onlyWhen,
  orDefault,
  ternary,
  Workload,
} from '@meetscale/chart-toolkit';
import { Construct } from 'constructs';
import type { Namespace } from 'kubernetes-types/core/v1';
import type { ClusterRole, ClusterRoleBinding } from 'kubernetes-types/rbac/v1';

import type { StateBaseValues } from './values';

/** Settings of the state-base constructs. */
export interface StateBaseProps {
  /** The chart whose values and release names the constructs read. */
  readonly chart: HelmChart<StateBaseValues>;
}

/** The Gateway API group, in the references of the policies and routes. */
const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

/** The name of the HTTP listener (port 80), which only redirects and answers ACME challenges. */
export const HTTP_LISTENER = 'http';

/**
 * The namespaces of `namespaces`, each labelled with the Pod Security level it enforces (`warn` and `audit` at
 * `restricted`) and kept by Helm when the release goes.
 */
export class Namespaces extends Construct {
  public constructor(scope: Construct, id: string, props: StateBaseProps) {
    super(scope, id);
    const { chart } = props;
    chart.forEach(
      chart.values.namespaces,
      (namespace) =>
        new Manifest<Namespace>(this, 'namespace', {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: {
            name: namespace.name,
            labels: {
              ...chart.standardLabels('namespaces', namespace.labels),
              'pod-security.kubernetes.io/enforce': namespace.podSecurity,
              'pod-security.kubernetes.io/warn': 'restricted',
              'pod-security.kubernetes.io/audit': 'restricted',
            },
            // Uninstalling or renaming the release must not delete a namespace, and everything in it.
            annotations: { 'helm.sh/resource-policy': 'keep' },
          },
        }),
    );
  }
}

/**
 * The media-node taint: a DaemonSet on the selected nodes whose init container taints the pod's node through the
 * API server (`kubectl taint node $(NODE_NAME) ... --overwrite`; Kubernetes substitutes `$(NODE_NAME)`, no
 * shell is involved) and whose container then idles, and the ClusterRole that lets its ServiceAccount only read
 * and patch nodes. A new pod starts before the old one stops (`maxUnavailable: 0`), so an upgrade keeps every
 * node tainted and Helm's wait covers every node.
 */
export class NodeTaint extends Construct {
  public constructor(scope: Construct, id: string, props: StateBaseProps) {
    super(scope, id);
    const { chart } = props;
    const v = chart.values.mediaNodeTaint;
    const component = 'node-taint';
    const name = chart.componentName(component);
    const labels = chart.standardLabels(component);
    const serviceAccount = chart.serviceAccountName(component, v);
    const taint = `${v.taint.key}=${v.taint.value}:${v.taint.effect}`;

    new Workload(this, 'workload', {
      chart: chart as HelmChart<unknown>,
      component,
      values: v,
      enabled: v.enabled,
      daemonSet: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } },
      container: { name: 'idle', command: ['sleep', 'infinity'] },
      volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '32Mi' } }],
      spec: {
        // The taint goes through the API server, so these pods need the ServiceAccount's token.
        automountServiceAccountToken: true,
        // `sleep` as PID 1 ignores SIGTERM, and there is nothing to clean up.
        terminationGracePeriodSeconds: 5,
        initContainers: concatLists(
          [
            {
              name: 'taint',
              image: chart.image(v.image),
              imagePullPolicy: v.image.pullPolicy,
              command: ['kubectl', 'taint', 'node', '$(NODE_NAME)', taint, '--overwrite'],
              env: [
                { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                // kubectl writes its discovery cache below $HOME; the root file system is read-only.
                { name: 'HOME', value: '/tmp' },
              ],
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '100m', memory: '128Mi' } },
              securityContext: omitIfEmpty(v.containerSecurityContext),
            },
          ],
          v.initContainers,
        ),
      },
    });

    const role = new Manifest<ClusterRole>(this, 'clusterrole', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name, labels },
      rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'patch'] }],
    });
    chart.renderWhen(role, v.enabled);
    const binding = new Manifest<ClusterRoleBinding>(this, 'clusterrolebinding', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace: chart.release.namespace }],
    });
    chart.renderWhen(binding, v.enabled);
  }
}

/**
 * The state's entry point: a GatewayClass of Envoy Gateway whose parameters (an EnvoyProxy) give the proxies'
 * LoadBalancer Service its reserved IP; the Gateway with an HTTP listener and one HTTPS listener per host name;
 * the HTTPRoute redirecting HTTP to HTTPS; the certificate of the HTTPS listeners from cert-manager; and a
 * ClientTrafficPolicy whose idle timeouts outlast a lesson's websocket.
 */
export class StateGateway extends Construct {
  /** The Gateway's name. */
  public readonly gatewayName: string;

  public constructor(scope: Construct, id: string, props: StateBaseProps) {
    super(scope, id);
    const { chart } = props;
    const v = chart.values.gateway;
    const labels = chart.standardLabels('gateway');
    const gatewayName = String(chart.defineText('gatewayName', String(orDefault(v.name, chart.fullname))));
    this.gatewayName = gatewayName;
    const className = String(orDefault(v.gatewayClass.name, chart.fullname));
    const secretName = String(orDefault(v.tls.secretName, `${chart.fullname}-tls`));
    const issuer = chart.defineText(
      'certificateIssuer',
      String(orDefault(v.tls.clusterIssuer, ternary(chart.values.clusterIssuer.enabled, chart.values.clusterIssuer.name, ''))),
    );
    const gatewayRef = { group: GATEWAY_API_GROUP, kind: 'Gateway', name: gatewayName };

    const proxy = new Manifest(this, 'envoyproxy', {
      apiVersion: 'gateway.envoyproxy.io/v1alpha1',
      kind: 'EnvoyProxy',
      metadata: { name: gatewayName, labels },
      spec: {
        provider: {
          type: 'Kubernetes',
          kubernetes: {
            envoyDeployment: {
              replicas: v.proxy.replicas,
              pod: onlyWhen(not(isEmpty(v.proxy.nodeSelector)), { nodeSelector: v.proxy.nodeSelector }),
              container: { resources: v.proxy.resources },
            },
            envoyService: {
              type: 'LoadBalancer',
              loadBalancerIP: omitIfEmpty(v.proxy.loadBalancerIP),
              externalTrafficPolicy: v.proxy.externalTrafficPolicy,
            },
          },
        },
      },
    });
    chart.renderWhen(proxy, v.enabled);

    const gatewayClass = new Manifest(this, 'gatewayclass', {
      apiVersion: `${GATEWAY_API_GROUP}/v1`,
      kind: 'GatewayClass',
      metadata: { name: className, labels },
      spec: {
        controllerName: v.gatewayClass.controllerName,
        parametersRef: { group: 'gateway.envoyproxy.io', kind: 'EnvoyProxy', name: gatewayName, namespace: chart.release.namespace },
      },
    });
    chart.renderWhen(gatewayClass, and(v.enabled, v.gatewayClass.create));

    const routes = ternary(
      isEmpty(v.routeNamespaceSelector),
      { namespaces: { from: 'All' } },
      { namespaces: { from: 'Selector', selector: { matchLabels: v.routeNamespaceSelector } } },
    );
    const gateway = new Manifest(this, 'gateway', {
      apiVersion: `${GATEWAY_API_GROUP}/v1`,
      kind: 'Gateway',
      metadata: { name: gatewayName, labels, annotations: omitIfEmpty(v.annotations) },
      spec: {
        gatewayClassName: className,
        listeners: concatLists(
          [{ name: HTTP_LISTENER, protocol: 'HTTP', port: 80, allowedRoutes: { namespaces: { from: 'Same' } } }],
          each(v.hostnames, (hostname, index) => ({
            name: `https-${index}`,
            protocol: 'HTTPS',
            port: 443,
            hostname,
            tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: secretName }] },
            allowedRoutes: routes,
          })),
        ),
      },
    });
    chart.renderWhen(gateway, v.enabled);

    const certificate = new Manifest(this, 'certificate', {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: secretName, labels },
      spec: { secretName, dnsNames: v.hostnames, issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: issuer } },
    });
    chart.renderWhen(certificate, and(v.enabled, not(isEmpty(v.hostnames)), not(isEmpty(issuer))));

    const redirect = new Manifest(this, 'redirect', {
      apiVersion: `${GATEWAY_API_GROUP}/v1`,
      kind: 'HTTPRoute',
      metadata: { name: `${gatewayName}-https-redirect`, labels },
      spec: {
        parentRefs: [{ ...gatewayRef, sectionName: HTTP_LISTENER }],
        rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }],
      },
    });
    chart.renderWhen(redirect, v.enabled);

    const timeouts = new Manifest(this, 'clienttrafficpolicy', {
      apiVersion: 'gateway.envoyproxy.io/v1alpha1',
      kind: 'ClientTrafficPolicy',
      metadata: { name: gatewayName, labels },
      spec: {
        targetRefs: [gatewayRef],
        timeout: { http: { idleTimeout: v.timeouts.idle, streamIdleTimeout: v.timeouts.streamIdle } },
      },
    });
    chart.renderWhen(timeouts, v.enabled);
  }
}

/**
 * An ACME ClusterIssuer (Let's Encrypt) whose HTTP-01 solver answers through an HTTPRoute on the Gateway's HTTP
 * listener; cert-manager creates the ACME account key itself.
 */
export class ClusterIssuer extends Construct {
  public constructor(scope: Construct, id: string, props: StateBaseProps & { readonly gatewayName: string }) {
    super(scope, id);
    const { chart } = props;
    const v = chart.values.clusterIssuer;
    chart.failWhen(
      and(v.enabled, not(chart.values.gateway.enabled)),
      "clusterIssuer.enabled needs gateway.enabled: the HTTP-01 solver answers through the Gateway's HTTP listener",
    );
    const issuer = new Manifest(this, 'clusterissuer', {
      apiVersion: 'cert-manager.io/v1',
      kind: 'ClusterIssuer',
      metadata: { name: v.name, labels: chart.standardLabels('cluster-issuer') },
      spec: {
        acme: {
          server: v.server,
          email: omitIfEmpty(v.email),
          privateKeySecretRef: { name: String(orDefault(v.privateKeySecretName, `${v.name}-account-key`)) },
          solvers: [
            {
              http01: {
                gatewayHTTPRoute: {
                  parentRefs: [
                    {
                      group: GATEWAY_API_GROUP,
                      kind: 'Gateway',
                      name: props.gatewayName,
                      namespace: chart.release.namespace,
                      sectionName: HTTP_LISTENER,
                    },
                  ],
                  podTemplate: onlyWhen(not(isEmpty(v.solverNodeSelector)), { spec: { nodeSelector: v.solverNodeSelector } }),
                },
              },
            },
          ],
        },
      },
    });
    chart.renderWhen(issuer, v.enabled);
  }
}
