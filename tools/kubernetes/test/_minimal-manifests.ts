/** Minimal valid manifests of every kind the charts emit, keyed by a label used in test names. */
export const MINIMAL_MANIFESTS: Readonly<Record<string, Record<string, unknown>>> = {
  Deployment: {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { 'app.kubernetes.io/name': 'web' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'web' } },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'web' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx:1.27',
              imagePullPolicy: 'IfNotPresent',
              ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: 256 } },
              securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false },
            },
          ],
        },
      },
    },
  },
  StatefulSet: {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db' },
    spec: {
      serviceName: 'db',
      selector: { matchLabels: { app: 'db' } },
      template: {
        metadata: { labels: { app: 'db' } },
        spec: { containers: [{ name: 'db', image: 'postgres:17' }] },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
        },
      ],
    },
  },
  Service: {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web' },
    spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  },
  ConfigMap: {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'settings', namespace: 'meet' },
    data: { 'config.js': 'var config = {};' },
  },
  Ingress: {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'web', annotations: { 'nginx.ingress.kubernetes.io/ssl-redirect': 'true' } },
    spec: {
      ingressClassName: 'nginx',
      tls: [{ hosts: ['meet.example.org'], secretName: 'web-tls' }],
      rules: [
        {
          host: 'meet.example.org',
          http: {
            paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }],
          },
        },
      ],
    },
  },
  PodDisruptionBudget: {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'web' },
    spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } },
  },
  HorizontalPodAutoscaler: {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 1,
      maxReplicas: 5,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    },
  },
  NetworkPolicy: {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'web' },
    spec: {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'proxy' } } }], ports: [{ protocol: 'UDP', port: 10000 }] }],
    },
  },
  ServiceAccount: {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'web' },
    automountServiceAccountToken: false,
  },
  Secret: {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'web' },
    type: 'Opaque',
    data: { password: 'c2VjcmV0' },
    stringData: { user: 'admin' },
  },
  HTTPRoute: {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'web' },
    spec: {
      parentRefs: [{ name: 'public', namespace: 'gateway-system', sectionName: 'https' }],
      hostnames: ['meet.example.org'],
      rules: [
        { matches: [{ path: { type: 'PathPrefix', value: '/' } }], timeouts: { request: '0s' }, backendRefs: [{ name: 'web', port: 80 }] },
      ],
    },
  },
  ServiceMonitor: {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name: 'web', labels: { release: 'prometheus' } },
    spec: { selector: { matchLabels: { app: 'web' } }, endpoints: [{ port: 'metrics', interval: '30s' }] },
  },
  ScrapeConfig: {
    apiVersion: 'monitoring.coreos.com/v1alpha1',
    kind: 'ScrapeConfig',
    metadata: { name: 'bigbluebutton', labels: { release: 'prometheus' } },
    spec: { scheme: 'HTTPS', staticConfigs: [{ targets: ['bbb-1.example.org:9688'] }] },
  },
};

/** A manifest that a test changes at any depth. */

type Editable = Record<string, any>;

/** A deep copy of a minimal manifest, to be changed by one test. */
export function minimal(kind: string): Editable {
  const manifest = MINIMAL_MANIFESTS[kind];
  if (manifest === undefined) throw new Error(`no minimal ${kind}`);
  return structuredClone(manifest) as Editable;
}
