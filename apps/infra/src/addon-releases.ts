import { JITSI_SHARD_CHART } from '@meetscale/chart-values/facts/jitsi-shard';
import { MONITORING_CHART } from '@meetscale/chart-values/facts/monitoring';
import { SYSTEM_NODE_SELECTOR } from '@meetscale/placement';
import { MONITORING_BASE } from '@meetscale/platform-versions';

import { ENVOY_GATEWAY_CONTROLLER, ENVOY_GATEWAY_NAMESPACE } from './gateway';
import type { HelmReleaseSpec, ReleaseContext } from './helm-release-spec';
import { ALERTMANAGER_CONFIG_SECRET, alertmanagerSecrets } from './monitoring-release';
import { STATE_BASE_RELEASE, stateBaseRelease, stateGatewayRelease } from './state-base-releases';

/** An upstream chart at a pinned version. */
export interface PinnedChart {
  /** Chart name. */
  readonly chart: string;
  /** Helm repository URL. */
  readonly repository: string;
  /** Exact chart version. */
  readonly version: string;
}

/**
 * The cluster add-ons the meetscale charts rely on, from their upstream repositories at pinned versions. A
 * version bump is a reviewed change of this table (and of the snapshots).
 */
export const ADDON_CHARTS = {
  /**
   * Envoy Gateway, the Gateway API implementation in front of HAProxy (ingress-nginx, retired upstream in March
   * 2026, is gone). The chart installs the Gateway API CRDs (experimental channel) and Envoy Gateway's own CRDs
   * from a subchart's `crds/` folder on the first install only: Helm never upgrades them, so a version bump here
   * applies the new CRDs first (README, "Envoy Gateway CRDs"). A separate `gateway-crds-helm` release is no way out:
   * it keeps the CRDs as templates, and its release record exceeds the 1 MiB Secret Helm stores it in.
   */
  envoyGateway: { chart: 'gateway-helm', repository: 'oci://docker.io/envoyproxy', version: 'v1.9.1' },
  /** Certificates from Let's Encrypt for the Gateway's listeners, Gateway API support switched on. */
  certManager: { chart: 'cert-manager', repository: 'https://charts.jetstack.io', version: 'v1.21.2' },
  /**
   * The Prometheus Operator's CRDs as templates of their own release, so every upgrade upgrades them: Helm never
   * upgrades what a chart's `crds/` folder installed, which is how kube-prometheus-stack ships them. Its
   * Prometheus Operator version (appVersion v0.93.1) is the one of {@link ADDON_CHARTS.kubePrometheusStack}.
   */
  prometheusOperatorCrds: {
    chart: 'prometheus-operator-crds',
    repository: 'https://prometheus-community.github.io/helm-charts',
    version: '31.0.1',
  },
  /** Prometheus operator (v0.93.1), Prometheus 3, Alertmanager, Grafana, node exporter, kube-state-metrics. */
  kubePrometheusStack: {
    chart: 'kube-prometheus-stack',
    repository: 'https://prometheus-community.github.io/helm-charts',
    version: MONITORING_BASE.chart,
  },
  /** Custom metrics API for the bridges' horizontal autoscaling. */
  prometheusAdapter: { chart: 'prometheus-adapter', repository: 'https://prometheus-community.github.io/helm-charts', version: '5.3.0' },
  /**
   * Elastic Cloud on Kubernetes (ECK), the operator that runs the logging chart's Elasticsearch and Kibana, with its
   * CRDs (the `eck-operator-crds` subchart's templates, so every upgrade upgrades them). Elastic License 2.0, not an
   * open-source license: free to run, not to offer as a managed service. Its CRDs on the test control plane are of
   * the same release (`tools/cluster/modules/crds/go.mod`, which a test compares).
   */
  eckOperator: { chart: 'eck-operator', repository: 'https://helm.elastic.co', version: '3.5.0' },
} as const satisfies Record<string, PinnedChart>;

/**
 * The Pods metrics the jitsi-shard releases' bridge autoscalers read (`jvb.autoscaling.customMetrics`), as the
 * jitsi-shard chart names them: the bridges' own load (`jitsi_jvb_stress`) and their transmit rate. prometheus-adapter
 * serves them by the monitoring chart's rules ({@link MONITORING_CHART}`.adapterRules`).
 */
export const BRIDGE_METRICS = {
  jvbStress: JITSI_SHARD_CHART.metrics.jvbStress.name,
  networkTransmit: JITSI_SHARD_CHART.metrics.networkTransmit.name,
} as const;

/** Namespace of the monitoring stack; the meetscale charts' NetworkPolicies admit scrapes from it. */
export const MONITORING_NAMESPACE = 'monitoring';

/** The Envoy Gateway release (controller and CRDs), in {@link ENVOY_GATEWAY_NAMESPACE}. */
export const ENVOY_GATEWAY = 'envoy-gateway';

/** The release of the Prometheus Operator's CRDs. */
export const PROMETHEUS_OPERATOR_CRDS = 'prometheus-operator-crds';

/** The label Prometheus selects ServiceMonitors by (the kube-prometheus-stack release name). */
export const PROMETHEUS_RELEASE_LABEL: Readonly<Record<string, string>> = { release: 'kube-prometheus-stack' };

/** Namespace of cert-manager; the ClusterIssuer's ACME account key Secret lives there too. */
export const CERT_MANAGER_NAMESPACE = 'cert-manager';

/** The cert-manager release (controller, webhook and CRDs), in {@link CERT_MANAGER_NAMESPACE}. */
export const CERT_MANAGER = 'cert-manager';

/** Namespace of the ECK operator; the logging chart's NetworkPolicies admit it to Elasticsearch and Kibana. */
export const ECK_NAMESPACE = 'elastic-system';

/** The ECK operator release (operator, validating webhook and CRDs), in {@link ECK_NAMESPACE}. */
export const ECK_OPERATOR = 'eck-operator';

const nodeSelector = (): Record<string, string> => ({ ...SYSTEM_NODE_SELECTOR });

/**
 * The add-on releases of a state, in install order: the state-base chart's base release first (namespaces with
 * their Pod Security labels, and the media-node taint; it needs only the node pools), so no pod of a later release
 * can land on a media node; then the Prometheus Operator's CRDs (e.g. ServiceMonitor, used by the others) and the
 * Prometheus operator stack, the adapter, Envoy Gateway (with the Gateway API CRDs), cert-manager (after Envoy
 * Gateway: it looks for the Gateway API CRDs only when it starts), the state-base chart's gateway release (Gateway
 * and ClusterIssuer, after Envoy Gateway and cert-manager, whose CRDs and controllers it needs) and the ECK operator.
 * The two releases that wait for nothing else, the CRDs and the ECK operator, wait for the base release; the rest
 * come after the CRDs. Every add-on runs on the system pool; only the node exporter and the taint's DaemonSet run
 * on the media nodes.
 */
export function addonReleases(context: ReleaseContext): HelmReleaseSpec[] {
  return [
    stateBaseRelease(context),
    {
      name: PROMETHEUS_OPERATOR_CRDS,
      ...ADDON_CHARTS.prometheusOperatorCrds,
      namespace: MONITORING_NAMESPACE,
      after: [STATE_BASE_RELEASE],
      // A state installed before this release has the CRDs from kube-prometheus-stack's `crds/` folder, owned by
      // no release: this release adopts them on its first upgrade instead of failing on their ownership.
      takeOwnership: true,
      values: {},
    },
    {
      name: 'kube-prometheus-stack',
      ...ADDON_CHARTS.kubePrometheusStack,
      namespace: MONITORING_NAMESPACE,
      after: [PROMETHEUS_OPERATOR_CRDS],
      values: {
        // The CRDs are the release above's: upgraded with every upgrade, never left at the first install's version.
        crds: { enabled: false },
        // IONOS runs the control plane: its controller manager, scheduler and etcd are not reachable from the
        // cluster, and kube-proxy serves its metrics on the node's loopback only; scraping them only raises
        // TargetDown alerts. The API server and the kubelets stay scraped.
        kubeControllerManager: { enabled: false },
        kubeScheduler: { enabled: false },
        kubeEtcd: { enabled: false },
        kubeProxy: { enabled: false },
        prometheusOperator: { nodeSelector: nodeSelector() },
        prometheus: {
          prometheusSpec: {
            nodeSelector: nodeSelector(),
            replicas: context.prometheusReplicas,
            retention: context.prometheusRetention,
            serviceMonitorSelectorNilUsesHelmValues: false,
            podMonitorSelectorNilUsesHelmValues: false,
            ruleSelectorNilUsesHelmValues: false,
            // the monitoring chart's ScrapeConfigs (the BigBlueButton servers)
            scrapeConfigSelectorNilUsesHelmValues: false,
          },
        },
        alertmanager: {
          alertmanagerSpec: {
            nodeSelector: nodeSelector(),
            // With alerting, the configuration is the monitoring chart's Secret (installed after this release: until
            // it exists, the operator runs Alertmanager with its default configuration), and the Secrets its
            // receivers read are mounted.
            ...(context.alerting === undefined
              ? {}
              : { useExistingSecret: true, configSecret: ALERTMANAGER_CONFIG_SECRET, secrets: alertmanagerSecrets(context.alerting) }),
          },
        },
        grafana: {
          nodeSelector: nodeSelector(),
          // the monitoring chart's dashboards, each in the folder of its `grafana_folder` annotation
          sidecar: { dashboards: { enabled: true, folderAnnotation: 'grafana_folder', provider: { foldersFromFilesStructure: true } } },
        },
        'kube-state-metrics': { nodeSelector: nodeSelector() },
        'prometheus-node-exporter': { tolerations: [{ operator: 'Exists' }] },
      },
      sensitiveValues: { 'grafana.adminPassword': context.grafanaAdminPassword },
    },
    {
      name: 'prometheus-adapter',
      ...ADDON_CHARTS.prometheusAdapter,
      namespace: MONITORING_NAMESPACE,
      after: ['kube-prometheus-stack'],
      values: {
        nodeSelector: nodeSelector(),
        prometheus: { url: `http://kube-prometheus-stack-prometheus.${MONITORING_NAMESPACE}.svc`, port: 9090 },
        rules: {
          default: true,
          // The platform's rules, stated once by the monitoring chart: the Pods metrics the jitsi-shard chart's
          // bridge autoscaler can scale on (its `customMetrics` values).
          custom: MONITORING_CHART.adapterRules,
        },
      },
    },
    {
      name: ENVOY_GATEWAY,
      ...ADDON_CHARTS.envoyGateway,
      namespace: ENVOY_GATEWAY_NAMESPACE,
      after: ['kube-prometheus-stack'],
      values: {
        // Two controllers (leader election is on by default), one of which a node drain must leave running. The
        // Envoy proxies are not the controller's: the Gateway's EnvoyProxy (state-base chart) places and sizes them.
        deployment: { replicas: 2, pod: { nodeSelector: nodeSelector() } },
        podDisruptionBudget: { minAvailable: 1 },
        // The certgen hook job too, so that no pod of the release lands on a media node.
        certgen: { job: { nodeSelector: nodeSelector() } },
        // The chart's default, stated here so that the GatewayClass and the controller share one constant.
        config: { envoyGateway: { gateway: { controllerName: ENVOY_GATEWAY_CONTROLLER } } },
      },
    },
    {
      name: CERT_MANAGER,
      ...ADDON_CHARTS.certManager,
      namespace: CERT_MANAGER_NAMESPACE,
      // Envoy Gateway first: cert-manager looks for the Gateway API CRDs once, when it starts.
      after: ['kube-prometheus-stack', ENVOY_GATEWAY],
      values: {
        crds: { enabled: true, keep: true },
        // Gateway API support: certificates for the Gateway's listeners from its annotations (gateway-shim), and
        // HTTP-01 challenges answered through HTTPRoutes.
        config: {
          apiVersion: 'controller.config.cert-manager.io/v1alpha1',
          kind: 'ControllerConfiguration',
          enableGatewayAPI: true,
        },
        nodeSelector: nodeSelector(),
        webhook: { nodeSelector: nodeSelector() },
        cainjector: { nodeSelector: nodeSelector() },
        startupapicheck: { nodeSelector: nodeSelector() },
        prometheus: { servicemonitor: { enabled: true, labels: { ...PROMETHEUS_RELEASE_LABEL } } },
      },
    },
    stateGatewayRelease(context, [CERT_MANAGER, ENVOY_GATEWAY]),
    {
      name: ECK_OPERATOR,
      ...ADDON_CHARTS.eckOperator,
      namespace: ECK_NAMESPACE,
      after: [STATE_BASE_RELEASE],
      values: {
        // The chart's default, stated: the CRDs come with the release as templates (`helm.sh/resource-policy: keep`),
        // so an operator upgrade upgrades them and an uninstall leaves the Elasticsearch data alone.
        installCRDs: true,
        nodeSelector: nodeSelector(),
        // No usage data of the state's installation for Elastic: the operator would hand it to Kibana to send.
        telemetry: { disabled: true },
      },
    },
  ];
}
