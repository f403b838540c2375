import { LOGGING_CHART } from '@meetscale/chart-values/facts/logging';
import type { LoggingValues } from '@meetscale/chart-values/logging';
import { SYSTEM_NODE_SELECTOR } from '@meetscale/placement';

import { ECK_NAMESPACE } from './addon-releases';
import { ENVOY_GATEWAY_NAMESPACE, gatewayParentRef } from './gateway';
import type { HelmReleaseSpec, ReleaseContext } from './helm-release-spec';
import { DEFAULT_DATA_VOLUME_GB, type LogStream, PRODUCTION_MASTER_NODES, type StateLogging } from './logging-config';
import { meetscaleChart } from './meetscale-chart';
import type { PodSecurityLevel } from './state-base-releases';

/**
 * The logging release of a state: the meetscale `logging` chart (Elasticsearch and Kibana as ECK resources, Fluent
 * Bit on every node, the setup Job of lifecycle policies, templates, roles and users), run by the ECK operator add-on.
 */

/** The namespace of the logging release, created with {@link LOGGING_POD_SECURITY_LEVEL} by the state-base release. */
export const LOGGING_NAMESPACE = 'logging';

/**
 * The Pod Security level {@link LOGGING_NAMESPACE} enforces: the chart's shipper reads the nodes' container logs
 * through hostPath volumes, which `baseline` and `restricted` forbid (the chart's README, "Pod Security"); it runs
 * with every capability dropped and no privilege escalation, and the namespace warns and audits at `restricted`.
 */
export const LOGGING_POD_SECURITY_LEVEL: PodSecurityLevel = 'privileged';

/** The release of the logging chart (named after the chart, so its objects are named `logging-...`). */
export const LOGGING_RELEASE = LOGGING_CHART.chart;

/**
 * Seconds Helm waits for the logging release: its setup Job (a hook, which Helm waits for) waits in turn until
 * Elasticsearch and Kibana answer, which on a first install means volumes provisioned, images pulled and the cluster
 * formed; the chart's README installs with `--timeout 20m`.
 */
export const LOGGING_TIMEOUT_SECONDS = 1200;

/**
 * The route's request timeout: Kibana waits up to 30 s for Elasticsearch (its `elasticsearch.requestTimeout`), longer
 * than the Gateway's default of 15 s, so a slow search ends with Kibana's answer rather than the Gateway's 504.
 */
export const KIBANA_REQUEST_TIMEOUT = '60s';

type ElasticsearchValues = NonNullable<LoggingValues['elasticsearch']>;
type NodeSet = NonNullable<ElasticsearchValues['nodeSets']>[number];

/**
 * The node sets of a layout: `small` is the chart's one node with every role; `production` is three dedicated
 * masters (small, with small volumes: they hold the cluster state only) and `dataNodes` data and ingest nodes.
 */
export function elasticsearchNodeSets(elasticsearch: StateLogging['elasticsearch']): [NodeSet, ...NodeSet[]] {
  const storage = { size: `${elasticsearch.storageGb ?? DEFAULT_DATA_VOLUME_GB[elasticsearch.layout]}Gi` };
  if (elasticsearch.layout === 'small') return [{ name: 'default', count: 1, roles: ['master', 'data', 'ingest'], storage }];
  return [
    {
      name: 'master',
      count: PRODUCTION_MASTER_NODES,
      roles: ['master'],
      storage: { size: '10Gi' },
      resources: { requests: { cpu: '500m', memory: '2Gi' }, limits: { memory: '2Gi' } },
    },
    {
      name: 'data',
      count: elasticsearch.dataNodes ?? 2,
      roles: ['data', 'ingest'],
      storage,
      resources: { requests: { cpu: '2', memory: '8Gi' }, limits: { memory: '8Gi' } },
    },
  ];
}

/**
 * The logging chart's values for a state: Elasticsearch and Kibana on the system pool, the data volumes of the
 * state's IONOS StorageClass, Kibana at `kibanaHost` through the state's Gateway, the state's retention, masking and
 * users, and NetworkPolicies that admit the Gateway's proxies and the ECK operator. The shipper stays at the chart's
 * defaults: on every node (it tolerates every taint, the media nodes' too).
 */
export function loggingValues(stateId: string, kibanaHost: string, logging: StateLogging): LoggingValues {
  const system = (): Record<string, string> => ({ ...SYSTEM_NODE_SELECTOR });
  const production = logging.elasticsearch.layout === 'production';
  const retention = Object.entries(logging.retention) as Array<[LogStream, string]>;
  return {
    commonLabels: { 'meetscale.io/state': stateId },
    elasticsearch: {
      nodeSets: elasticsearchNodeSets(logging.elasticsearch),
      storageClassName: logging.elasticsearch.storageClass,
      // An IONOS node pool lies in one availability zone, and its nodes carry that pool setting (`AUTO` unless the
      // state names one) as `topology.kubernetes.io/zone`: zone awareness would spread over one value, and make every
      // Elasticsearch pod require the label. ECK's default keeps a cluster's nodes on different hosts where it can.
      zoneAntiAffinity: 'none',
      nodeSelector: system(),
    },
    kibana: {
      count: production ? 2 : 1,
      nodeSelector: system(),
      httpRoute: {
        enabled: true,
        parentRefs: [gatewayParentRef()],
        hostnames: [kibanaHost],
        timeouts: { request: KIBANA_REQUEST_TIMEOUT },
      },
    },
    // the state's retention of the streams it names; Helm merges them into the chart's streams, containers and all
    ...(retention.length === 0 ? {} : { streams: Object.fromEntries(retention.map(([stream, kept]) => [stream, { retention: kept }])) }),
    privacy: { clientAddresses: logging.clientAddresses },
    // the setup Job beside Elasticsearch, never on a media node that is not tainted yet
    setup: { nodeSelector: system() },
    ...(logging.users.length === 0
      ? {}
      : {
          security: {
            users: logging.users.map(({ username, fullName, roles, passwordSecret }) => ({
              username,
              ...(fullName === undefined ? {} : { fullName }),
              roles: [...roles],
              passwordSecret: { name: passwordSecret, key: 'password' },
            })),
          },
        }),
    networkPolicy: {
      enabled: true,
      // the Gateway's Envoy proxies run in Envoy Gateway's namespace; the operator reaches both APIs from its own
      ingressNamespaceSelector: { 'kubernetes.io/metadata.name': ENVOY_GATEWAY_NAMESPACE },
      operatorNamespaceSelector: { 'kubernetes.io/metadata.name': ECK_NAMESPACE },
    },
  };
}

/**
 * The logging release of a state that runs logging: the chart's last release from the state's registry, in
 * {@link LOGGING_NAMESPACE}, with {@link loggingValues}. It is one of the meetscale releases, which wait for every
 * add-on: the ECK operator (its CRDs and webhook) and the state's Gateway its route attaches to.
 * @throws when the state runs no logging
 */
export function loggingRelease(context: ReleaseContext): HelmReleaseSpec {
  if (context.logging === undefined) throw new Error(`state ${context.stateId} runs no logging`);
  return meetscaleChart<LoggingValues>({
    chart: LOGGING_CHART.chart,
    release: LOGGING_RELEASE,
    registry: context.chartRegistry,
    namespace: LOGGING_NAMESPACE,
    timeoutSeconds: LOGGING_TIMEOUT_SECONDS,
    values: loggingValues(context.stateId, context.logging.kibanaHost, context.logging.settings),
  });
}
