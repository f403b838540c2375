import { dirname } from 'node:path';

import {
  concatLists,
  each,
  eq,
  hasKey,
  type HelmChart,
  isEmpty,
  listWhen,
  Manifest,
  mapWith,
  not,
  omitIfEmpty,
  onlyWhen,
  orDefault,
  ServiceHttpRoute,
  ServiceIngress,
  str,
  ternary,
  Workload,
} from '@meetscale/chart-toolkit';
import { Construct } from 'constructs';
import type { Job } from 'kubernetes-types/batch/v1';
import type { ConfigMap, Secret, Volume, VolumeMount } from 'kubernetes-types/core/v1';
import type { NetworkPolicy, NetworkPolicyIngressRule } from 'kubernetes-types/networking/v1';
import type { ClusterRole, ClusterRoleBinding } from 'kubernetes-types/rbac/v1';

import { SETUP_PATHS, setupConfigData, SHIPPER_ROLE } from './setup-config';
import { SHIPPER_HTTP_PORT, SHIPPER_PATHS, shipperConfigData } from './shipper-config';
import { CURL_UID, ELASTIC_UID, type LoggingValues } from './values';

/** The components: in names, labels and selectors. */
export const COMPONENTS = { elasticsearch: 'elasticsearch', kibana: 'kibana', shipper: 'shipper', setup: 'setup' } as const;

/** The user name of the shipper's generated credentials. */
export const SHIPPER_USERNAME = 'meetscale-shipper';

/** Ports of ECK's Services. */
export const ELASTICSEARCH_HTTP_PORT = 9200;
export const ELASTICSEARCH_TRANSPORT_PORT = 9300;
export const KIBANA_PORT = 5601;

/** Where the shipper keeps its tail database and buffer on the node. */
const SHIPPER_STATE_HOST_PATH = '/var/lib/fluent-bit-meetscale';

/** The hardened security context of every container the chart or ECK runs (but the shipper's, from its values). */
const CONTAINER_SECURITY = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
};

/**
 * The logging chart's objects, each part in a template folder of its own: an ECK `Elasticsearch` and `Kibana` (the
 * operator runs them), the Fluent Bit DaemonSet shipping every container's log into one data stream per component
 * family, the setup Job that creates the lifecycle policies, index templates, roles, users and Kibana objects
 * through the APIs, and the NetworkPolicies.
 */
export function buildLogging(chart: HelmChart<LoggingValues>): void {
  const v = chart.values;
  chart.failWhen(not(hasKey(v.streams, v.defaultStream)), 'defaultStream must name one of streams (it has no lifecycle policy otherwise)');
  chart.failWhen(hasKey(v.security.roles, SHIPPER_ROLE), `security.roles: ${SHIPPER_ROLE} is the shipper's own role`);
  const part = (name: string) => new Construct(chart, name);
  elasticsearch(part(COMPONENTS.elasticsearch), chart);
  kibana(part(COMPONENTS.kibana), chart);
  const shipperSecret = shipper(part(COMPONENTS.shipper), chart);
  setupJob(part(COMPONENTS.setup), chart, shipperSecret);
  networkPolicies(part('networkpolicies'), chart);
}

/** The names ECK gives the Services and Secrets of the release's Elasticsearch and Kibana. */
export interface EckNames {
  readonly elasticsearchService: string;
  readonly elasticUserSecret: string;
  readonly httpCaSecret: string;
  readonly kibanaService: string;
}

/** ECK's Service names and Secrets of the release's Elasticsearch and Kibana (both named `<fullname>`). */
export function eckNames(chart: HelmChart<LoggingValues>): EckNames {
  const fullname = String(chart.fullname);
  return {
    elasticsearchService: `${fullname}-es-http`,
    elasticUserSecret: `${fullname}-es-elastic-user`,
    httpCaSecret: `${fullname}-es-http-certs-public`,
    kibanaService: `${fullname}-kb-http`,
  };
}

/** The labels ECK puts on the pods of the release's Elasticsearch, and of its Kibana. */
const elasticsearchPods = (chart: HelmChart<LoggingValues>) => ({ 'elasticsearch.k8s.elastic.co/cluster-name': String(chart.fullname) });
const kibanaPods = (chart: HelmChart<LoggingValues>) => ({ 'kibana.k8s.elastic.co/name': String(chart.fullname) });

function elasticsearch(scope: Construct, chart: HelmChart<LoggingValues>): void {
  const es = chart.values.elasticsearch;
  const fullname = String(chart.fullname);
  const podSecurity = { runAsNonRoot: true, runAsUser: ELASTIC_UID, fsGroup: ELASTIC_UID, seccompProfile: { type: 'RuntimeDefault' } };
  new Manifest(scope, COMPONENTS.elasticsearch, {
    apiVersion: 'elasticsearch.k8s.elastic.co/v1',
    kind: 'Elasticsearch',
    metadata: { name: fullname, labels: chart.standardLabels(COMPONENTS.elasticsearch) },
    spec: {
      version: es.version,
      image: omitIfEmpty(es.image),
      nodeSets: each(es.nodeSets, (set) => ({
        name: set.name,
        count: set.count,
        // ECK's topology spread over zones plus Elasticsearch's shard allocation awareness: a replica in another zone
        zoneAwareness: onlyWhen(not(eq(es.zoneAntiAffinity, 'none')), {}),
        config: mapWith({ 'node.roles': set.roles, 'node.store.allow_mmap': es.allowMmap }, set.config),
        podTemplate: {
          metadata: {
            labels: mapWith(chart.selectorLabels(COMPONENTS.elasticsearch), es.podLabels),
            annotations: omitIfEmpty(es.podAnnotations),
          },
          spec: {
            securityContext: podSecurity,
            priorityClassName: omitIfEmpty(es.priorityClassName),
            nodeSelector: omitIfEmpty(es.nodeSelector),
            tolerations: omitIfEmpty(es.tolerations),
            // empty: ECK's own (prefer other hosts than the set's other nodes)
            affinity: omitIfEmpty(es.affinity),
            // the constraint of zoneAwareness, ECK's `DoNotSchedule` relaxed to `ScheduleAnyway` unless `required`
            topologySpreadConstraints: listWhen(not(eq(es.zoneAntiAffinity, 'none')), [
              {
                maxSkew: 1,
                topologyKey: 'topology.kubernetes.io/zone',
                whenUnsatisfiable: ternary(eq(es.zoneAntiAffinity, 'required'), 'DoNotSchedule', 'ScheduleAnyway', 'string'),
                labelSelector: {
                  matchLabels: {
                    ...elasticsearchPods(chart),
                    'elasticsearch.k8s.elastic.co/statefulset-name': `${fullname}-es-${set.name}`,
                  },
                },
              },
            ]),
            containers: [{ name: 'elasticsearch', resources: set.resources, securityContext: CONTAINER_SECURITY }],
          },
        },
        volumeClaimTemplates: [
          {
            // the claim name ECK mounts as the data directory
            metadata: { name: 'elasticsearch-data' },
            spec: {
              accessModes: ['ReadWriteOnce'],
              resources: { requests: { storage: set.storage.size } },
              storageClassName: omitIfEmpty(orDefault(set.storage.storageClassName, es.storageClassName)),
            },
          },
        ],
      })),
    },
  });
}

function kibana(scope: Construct, chart: HelmChart<LoggingValues>): void {
  const kb = chart.values.kibana;
  const fullname = String(chart.fullname);
  const object = new Manifest(scope, COMPONENTS.kibana, {
    apiVersion: 'kibana.k8s.elastic.co/v1',
    kind: 'Kibana',
    metadata: { name: fullname, labels: chart.standardLabels(COMPONENTS.kibana) },
    spec: {
      version: chart.values.elasticsearch.version,
      image: omitIfEmpty(kb.image),
      count: kb.count,
      elasticsearchRef: { name: fullname },
      // TLS ends at the Gateway or Ingress; inside the cluster the NetworkPolicy admits only them
      http: { tls: { selfSignedCertificate: { disabled: true } } },
      // usage data to Elastic only when the values say so; users cannot switch it on in Kibana
      config: { 'telemetry.optIn': kb.telemetry, 'telemetry.allowChangingOptInStatus': kb.telemetry },
      podTemplate: {
        metadata: { labels: mapWith(chart.selectorLabels(COMPONENTS.kibana), kb.podLabels), annotations: omitIfEmpty(kb.podAnnotations) },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: ELASTIC_UID, fsGroup: ELASTIC_UID, seccompProfile: { type: 'RuntimeDefault' } },
          priorityClassName: omitIfEmpty(kb.priorityClassName),
          nodeSelector: omitIfEmpty(kb.nodeSelector),
          tolerations: omitIfEmpty(kb.tolerations),
          affinity: omitIfEmpty(kb.affinity),
          // Kibana writes its optimizer cache and logs under /usr/share/kibana/data (an emptyDir of ECK's)
          containers: [{ name: 'kibana', resources: kb.resources, securityContext: CONTAINER_SECURITY }],
        },
      },
    },
  });
  chart.renderWhen(object, kb.enabled);
  // ECK's Service of the Kibana (`<fullname>-kb-http`), for both routes
  const service = chart.defineText('kibanaService', eckNames(chart).kibanaService);
  new ServiceIngress(scope, 'ingress', {
    chart: chart as HelmChart<unknown>,
    values: kb.ingress,
    name: String(chart.componentName(COMPONENTS.kibana)),
    labels: chart.standardLabels(COMPONENTS.kibana),
    serviceName: service,
    servicePort: 'http',
    when: kb.enabled,
  });
  new ServiceHttpRoute(scope, 'httproute', {
    chart: chart as HelmChart<unknown>,
    values: kb.httpRoute,
    name: String(chart.componentName(COMPONENTS.kibana)),
    component: COMPONENTS.kibana,
    serviceName: service,
    servicePort: KIBANA_PORT,
    when: kb.enabled,
  });
}

/** The shipper: its credentials, configuration, RBAC for Kubernetes metadata, and the DaemonSet. Returns the Secret name. */
function shipper(scope: Construct, chart: HelmChart<LoggingValues>): string {
  const v = chart.values;
  const s = v.shipper;
  const names = eckNames(chart);
  const component = COMPONENTS.shipper;
  const secretName = String(orDefault(s.existingSecret, chart.componentName(component)));
  const generated = new Manifest<Secret>(scope, 'secret', {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: String(chart.componentName(component)), labels: chart.standardLabels(component) },
    type: 'Opaque',
    data: {
      username: Buffer.from(SHIPPER_USERNAME).toString('base64'),
      password: String(chart.generatedSecretValue(component, 'password')),
    },
  });
  // the setup Job creates the user from it even without a shipper running (one may be enabled later)
  chart.renderWhen(generated, isEmpty(s.existingSecret));

  const config = new Manifest<ConfigMap>(scope, 'configmap', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: String(chart.componentName(component)), labels: chart.standardLabels(component) },
    data: shipperConfigData(chart),
  });
  chart.renderWhen(config, s.enabled);

  const serviceAccountName = chart.serviceAccountName(component, s);
  const role = new Manifest<ClusterRole>(scope, 'clusterrole', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: `${chart.release.namespace}-${chart.componentName(component)}`, labels: chart.standardLabels(component) },
    // the kubernetes filter reads the metadata of the pods whose logs it ships
    rules: [{ apiGroups: [''], resources: ['pods', 'namespaces'], verbs: ['get', 'list', 'watch'] }],
  });
  chart.renderWhen(role, s.enabled);
  const binding = new Manifest<ClusterRoleBinding>(scope, 'clusterrolebinding', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: `${chart.release.namespace}-${chart.componentName(component)}`, labels: chart.standardLabels(component) },
    roleRef: {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: `${chart.release.namespace}-${chart.componentName(component)}`,
    },
    subjects: [{ kind: 'ServiceAccount', name: String(serviceAccountName), namespace: String(chart.release.namespace) }],
  });
  chart.renderWhen(binding, s.enabled);

  const secretKey = (key: string) => ({ valueFrom: { secretKeyRef: { name: secretName, key } } });
  new Workload(scope, component, {
    chart: chart as HelmChart<unknown>,
    component,
    values: s,
    enabled: s.enabled,
    daemonSet: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } } },
    checksums: { 'checksum/config': chart.checksumOf(config) },
    container: {
      command: ['/fluent-bit/bin/fluent-bit', `--config=${SHIPPER_PATHS.config}/fluent-bit.yaml`],
      ports: [{ name: 'http', containerPort: SHIPPER_HTTP_PORT, protocol: 'TCP' }],
      env: [
        [
          { name: 'ES_HOST', value: `${names.elasticsearchService}.${chart.release.namespace}.svc` },
          { name: 'ES_PORT', value: String(ELASTICSEARCH_HTTP_PORT) },
          { name: 'ES_USERNAME', ...secretKey('username') },
          { name: 'ES_PASSWORD', ...secretKey('password') },
          { name: 'MASK_MODE', value: v.privacy.clientAddresses },
          { name: 'MASK_IPV4_PREFIX', value: str(v.privacy.ipv4PrefixLength) },
          { name: 'MASK_IPV6_PREFIX', value: str(v.privacy.ipv6PrefixLength) },
          { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        ],
      ],
      volumeMounts: [
        { name: 'config', mountPath: SHIPPER_PATHS.config, readOnly: true },
        { name: 'varlog', mountPath: '/var/log', readOnly: true },
        { name: 'state', mountPath: SHIPPER_PATHS.state },
        { name: 'es-ca', mountPath: dirname(SHIPPER_PATHS.esCaFile), readOnly: true },
        // the kubernetes filter's token and CA, at the path it reads by default
        { name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
      ],
    },
    volumes: [
      { name: 'config', configMap: { name: String(chart.componentName(component)) } },
      { name: 'varlog', hostPath: { path: '/var/log', type: 'Directory' } },
      { name: 'state', hostPath: { path: SHIPPER_STATE_HOST_PATH, type: 'DirectoryOrCreate' } },
      { name: 'es-ca', secret: { secretName: names.httpCaSecret, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      {
        // a token for the Kubernetes API only in this pod, bound to it and rotated, while the ServiceAccount's
        // automount stays off (serviceAccount.automountServiceAccountToken)
        name: 'kube-api-access',
        projected: {
          sources: [
            { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            { downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
          ],
        },
      },
    ],
  });
  return secretName;
}

/**
 * The Job Helm runs after every install and upgrade: it waits for Elasticsearch (and Kibana), then puts the lifecycle
 * policies, index templates, roles, users and Kibana objects the values describe.
 */
function setupJob(scope: Construct, chart: HelmChart<LoggingValues>, shipperSecret: string): void {
  const v = chart.values;
  const names = eckNames(chart);
  const component = COMPONENTS.setup;
  const config = new Manifest<ConfigMap>(scope, 'configmap', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: String(chart.componentName(component)), labels: chart.standardLabels(component) },
    data: setupConfigData(chart),
  });
  const namespace = String(chart.release.namespace);
  const volumes: Volume[] = [
    { name: 'config', configMap: { name: String(chart.componentName(component)) } },
    { name: 'es-ca', secret: { secretName: names.httpCaSecret, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
    { name: 'es-elastic', secret: { secretName: names.elasticUserSecret, items: [{ key: 'elastic', path: 'elastic' }] } },
    { name: 'shipper', secret: { secretName: shipperSecret } },
    // the script's scratch files (request bodies with passwords), on a read-only root filesystem
    { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
  ];
  const mounts: VolumeMount[] = [
    { name: 'config', mountPath: SETUP_PATHS.config, readOnly: true },
    { name: 'es-ca', mountPath: dirname(SETUP_PATHS.esCaFile), readOnly: true },
    { name: 'es-elastic', mountPath: dirname(SETUP_PATHS.esPasswordFile), readOnly: true },
    { name: 'shipper', mountPath: SETUP_PATHS.shipper, readOnly: true },
    { name: 'tmp', mountPath: '/tmp' },
  ];
  new Manifest<Job>(scope, component, {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: String(chart.componentName(component)),
      labels: chart.standardLabels(component),
      annotations: {
        'helm.sh/hook': 'post-install,post-upgrade',
        // gone once it succeeded (a failed one stays to be read); replaced by the next run
        'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
      },
    },
    spec: {
      backoffLimit: 3,
      activeDeadlineSeconds: v.setup.activeDeadlineSeconds,
      template: {
        metadata: {
          labels: mapWith(chart.selectorLabels(component), v.setup.podLabels),
          annotations: mapWith({ 'checksum/config': String(chart.checksumOf(config)) }, v.setup.podAnnotations),
        },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          imagePullSecrets: chart.imagePullSecrets(),
          priorityClassName: omitIfEmpty(v.setup.priorityClassName),
          nodeSelector: omitIfEmpty(v.setup.nodeSelector),
          tolerations: omitIfEmpty(v.setup.tolerations),
          affinity: omitIfEmpty(v.setup.affinity),
          securityContext: { runAsNonRoot: true, runAsUser: CURL_UID, runAsGroup: CURL_UID, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: component,
              image: chart.image(v.setup.image),
              imagePullPolicy: v.setup.image.pullPolicy,
              command: ['/bin/sh', `${SETUP_PATHS.config}/setup.sh`],
              env: [
                { name: 'ES_URL', value: `https://${names.elasticsearchService}.${namespace}.svc:${ELASTICSEARCH_HTTP_PORT}` },
                { name: 'ES_CA_FILE', value: SETUP_PATHS.esCaFile },
                { name: 'ES_USER', value: 'elastic' },
                { name: 'ES_PASSWORD_FILE', value: SETUP_PATHS.esPasswordFile },
                {
                  name: 'KIBANA_URL',
                  value: String(ternary(v.kibana.enabled, `http://${names.kibanaService}.${namespace}.svc:${KIBANA_PORT}`, '', 'string')),
                },
                // each try waits up to 10 minutes for Elasticsearch's first start (and Kibana's); Helm's --timeout covers it
                { name: 'WAIT_ATTEMPTS', value: '120' },
                { name: 'WAIT_SECONDS', value: '5' },
                { name: 'CONFIG_DIR', value: SETUP_PATHS.config },
                { name: 'SHIPPER_DIR', value: SETUP_PATHS.shipper },
              ],
              resources: v.setup.resources,
              securityContext: CONTAINER_SECURITY,
              volumeMounts: concatLists(
                mounts,
                each(v.security.users, (_user, index) => ({
                  name: `user-${index}`,
                  mountPath: `${SETUP_PATHS.users}/${index}`,
                  readOnly: true,
                })),
              ),
            },
          ],
          volumes: concatLists(
            volumes,
            each(v.security.users, (user, index) => ({
              name: `user-${index}`,
              secret: { secretName: user.passwordSecret.name, items: [{ key: user.passwordSecret.key, path: 'password' }] },
            })),
          ),
        },
      },
    },
  } as never);
}

/**
 * With `networkPolicy.enabled`: Elasticsearch admits its own nodes, Kibana, the shipper, the setup Job and the ECK
 * operator; Kibana the ingress controller or Gateway, the setup Job and the operator; the shipper its metrics scrapes.
 */
function networkPolicies(scope: Construct, chart: HelmChart<LoggingValues>): void {
  const n = chart.values.networkPolicy;
  const release = (component: string) => ({ podSelector: { matchLabels: chart.selectorLabels(component) } });
  const operator = { namespaceSelector: { matchLabels: n.operatorNamespaceSelector } };
  const tcp = (port: number) => [{ port, protocol: 'TCP' }];
  const policy = (name: string, podSelector: Record<string, string>, ingress: NetworkPolicyIngressRule[], condition = n.enabled) =>
    chart.renderWhen(
      new Manifest<NetworkPolicy>(scope, name, {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: String(chart.componentName(name)), labels: chart.standardLabels(name) },
        spec: { podSelector: { matchLabels: podSelector }, policyTypes: ['Ingress'], ingress },
      } as never),
      condition,
    );
  policy(COMPONENTS.elasticsearch, elasticsearchPods(chart), [
    {
      from: [{ podSelector: { matchLabels: elasticsearchPods(chart) } }],
      ports: [...tcp(ELASTICSEARCH_HTTP_PORT), ...tcp(ELASTICSEARCH_TRANSPORT_PORT)],
    },
    {
      from: [{ podSelector: { matchLabels: kibanaPods(chart) } }, release(COMPONENTS.shipper), release(COMPONENTS.setup), operator],
      ports: tcp(ELASTICSEARCH_HTTP_PORT),
    },
  ] as never);
  policy(COMPONENTS.kibana, kibanaPods(chart), [
    {
      from: [{ namespaceSelector: { matchLabels: n.ingressNamespaceSelector } }, release(COMPONENTS.setup), operator],
      ports: tcp(KIBANA_PORT),
    },
  ] as never);
  policy(COMPONENTS.shipper, chart.selectorLabels(COMPONENTS.shipper), [{ ports: tcp(SHIPPER_HTTP_PORT) }] as never);
}
