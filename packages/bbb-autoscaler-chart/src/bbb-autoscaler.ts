import { posix } from 'node:path';

import { AUTOSCALER_PORT, SECRET_PATHS } from '@meetscale/bbb-autoscaling';
import { ComponentService, each, type HelmChart, Manifest, orDefault, ServiceMonitor, Workload } from '@meetscale/chart-toolkit';
import { Construct } from 'constructs';
import type { Lease } from 'kubernetes-types/coordination/v1';
import type { ConfigMap } from 'kubernetes-types/core/v1';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1';
import type { Role, RoleBinding } from 'kubernetes-types/rbac/v1';

import { CONFIG_DIR, CONFIG_FILE, CONFIG_FILE_NAME, configFile } from './config-file';
import type { BbbAutoscalerValues } from './values';

/** Settings of the BbbAutoscaler construct. */
export interface BbbAutoscalerProps {
  /** The chart whose values and release names the construct reads. */
  readonly chart: HelmChart<BbbAutoscalerValues>;
}

/** The component: in labels, selectors and the container name. */
export const COMPONENT = 'scaler';

/**
 * How the image starts the service: the build of `apps/bbb-autoscaler` at `/app/dist/main.js` (its Dockerfile). The
 * chart names it rather than relying on the image's entrypoint: the official Node.js images' entrypoint would hand
 * an argument starting with `--` to `node` itself.
 */
export const ENTRYPOINT = ['node', '/app/dist/main.js'];

/** Files of mounted Secrets: group-readable (the pods' `fsGroup`), nobody else's. */
const SECRET_FILE_MODE = 0o440;

/**
 * The names of the Secrets the pods read: the ones named in values, else `<fullname>-ionos`, `<fullname>-scalelite` and
 * `<fullname>-servers`.
 */
export function secretNames(chart: HelmChart<BbbAutoscalerValues>): { ionos: string; scalelite: string; servers: string } {
  const v = chart.values;
  return {
    ionos: String(chart.defineText('ionosSecret', String(orDefault(v.ionos.token.existingSecret, chart.componentName('ionos'))))),
    scalelite: String(
      chart.defineText('scaleliteSecret', String(orDefault(v.scalelite.secret.existingSecret, chart.componentName('scalelite')))),
    ),
    servers: String(chart.defineText('serverSecrets', String(orDefault(v.serverSecrets.existingSecret, chart.componentName('servers'))))),
  };
}

/**
 * The BigBlueButton autoscaler: a Deployment (two replicas by default, one acting: the holder of the Lease), its
 * configuration file in a ConfigMap, the Lease itself with a Role that may read and renew that Lease and nothing
 * else, the Service the metrics and the HTTP service discovery are served on, and the optional ServiceMonitor,
 * PodDisruptionBudget and NetworkPolicy. Credentials come from Secrets the user names, mounted as files.
 */
export class BbbAutoscaler extends Construct {
  public constructor(scope: Construct, id: string, props: BbbAutoscalerProps) {
    super(scope, id);
    const { chart } = props;
    const v = chart.values;
    const name = String(chart.fullname);
    const labels = chart.standardLabels(COMPONENT);
    const selector = chart.selectorLabels(COMPONENT);
    const secrets = secretNames(chart);

    const configMap = new Manifest<ConfigMap>(this, 'configmap', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, labels },
      data: { [CONFIG_FILE_NAME]: chart.defineText('config', configFile(chart)) },
    });

    new Workload(this, 'workload', {
      chart: chart as HelmChart<unknown>,
      component: COMPONENT,
      fullname: true,
      values: v,
      replicas: v.replicaCount,
      // A new pod is Ready before an old one goes: a standby is always there to take the Lease over.
      deployment: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } },
      checksums: { 'checksum/config': chart.checksumOf(configMap) },
      container: {
        command: ENTRYPOINT,
        args: ['--config', CONFIG_FILE],
        env: [
          [
            // The Lease's namespace and this instance's identity as its holder.
            { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          ],
        ],
        ports: [{ name: 'http', containerPort: AUTOSCALER_PORT, protocol: 'TCP' }],
        volumeMounts: [
          { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
          { name: 'ionos-token', mountPath: posix.dirname(SECRET_PATHS.ionosToken), readOnly: true },
          { name: 'scalelite-secret', mountPath: posix.dirname(SECRET_PATHS.scaleliteSecret), readOnly: true },
          { name: 'server-secrets', mountPath: SECRET_PATHS.serverSecrets, readOnly: true },
          { name: 'tmp', mountPath: '/tmp' },
        ],
      },
      volumes: [
        { name: 'config', configMap: { name } },
        {
          name: 'ionos-token',
          secret: {
            secretName: secrets.ionos,
            items: [{ key: v.ionos.token.key, path: posix.basename(SECRET_PATHS.ionosToken) }],
            defaultMode: SECRET_FILE_MODE,
          },
        },
        {
          name: 'scalelite-secret',
          secret: {
            secretName: secrets.scalelite,
            items: [{ key: v.scalelite.secret.key, path: posix.basename(SECRET_PATHS.scaleliteSecret) }],
            defaultMode: SECRET_FILE_MODE,
          },
        },
        {
          // the whole Secret: one file per server, named after its host
          name: 'server-secrets',
          secret: {
            secretName: secrets.servers,
            defaultMode: SECRET_FILE_MODE,
          },
        },
        { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
      ],
      spec: {
        // The Lease goes through the API server, so these pods need the ServiceAccount's token.
        automountServiceAccountToken: true,
      },
    });

    // The Lease is the chart's: the service then needs no `create`, which RBAC cannot limit to one name. Its spec is
    // the holder's alone (the chart renders none, so an upgrade leaves the holder in place).
    new Manifest<Lease>(this, 'lease', {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, labels },
    });

    new Manifest<Role>(this, 'role', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name, labels },
      rules: [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [name], verbs: ['get', 'update'] }],
    });
    new Manifest<RoleBinding>(this, 'rolebinding', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [
        { kind: 'ServiceAccount', name: String(chart.serviceAccountName(COMPONENT, v, true)), namespace: String(chart.release.namespace) },
      ],
    });

    new ComponentService(this, 'service', {
      chart: chart as HelmChart<unknown>,
      component: COMPONENT,
      name,
      values: v.service,
      portName: 'http',
    });

    new ServiceMonitor(this, 'servicemonitor', {
      chart: chart as HelmChart<unknown>,
      component: COMPONENT,
      name,
      values: v.metrics.serviceMonitor,
      selector,
      port: 'http',
    });

    const n = v.networkPolicy;
    const networkPolicy = new Manifest<NetworkPolicy>(this, 'networkpolicy', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name, labels },
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ['Ingress', 'Egress'],
        // Prometheus scrapes the metrics and reads the service discovery.
        ingress: [
          { from: [{ namespaceSelector: { matchLabels: n.monitoringNamespaceSelector } }], ports: [{ port: 'http', protocol: 'TCP' }] },
        ],
        egress: [
          {
            to: [{ namespaceSelector: { matchLabels: n.dns.namespaceSelector }, podSelector: { matchLabels: n.dns.podSelector } }],
            ports: [
              { port: 53, protocol: 'UDP' },
              { port: 53, protocol: 'TCP' },
            ],
          },
          // the Lease
          {
            to: each(n.apiServer.cidrs, (cidr) => ({ ipBlock: { cidr } })),
            ports: each(n.apiServer.ports, (port) => ({ port, protocol: 'TCP' })),
          },
          {
            to: [
              { namespaceSelector: { matchLabels: n.scalelite.namespaceSelector }, podSelector: { matchLabels: n.scalelite.podSelector } },
            ],
            ports: [{ port: n.scalelite.port, protocol: 'TCP' }],
          },
          {
            to: [
              {
                namespaceSelector: { matchLabels: n.prometheus.namespaceSelector },
                podSelector: { matchLabels: n.prometheus.podSelector },
              },
            ],
            ports: [{ port: n.prometheus.port, protocol: 'TCP' }],
          },
          // the IONOS Cloud API and the BigBlueButton servers' APIs
          { to: each(n.httpsCidrs, (cidr) => ({ ipBlock: { cidr } })), ports: [{ port: 443, protocol: 'TCP' }] },
        ],
      },
    } as never);
    chart.renderWhen(networkPolicy, n.enabled);
  }
}
