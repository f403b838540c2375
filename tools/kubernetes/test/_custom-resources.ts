/**
 * Valid custom resources of the kinds the state stacks deploy with cert-manager, Envoy Gateway and the Gateway
 * API, shaped as those stacks write them (an ACME ClusterIssuer answering HTTP-01 through a Gateway, the
 * Gateway's class parameters and its traffic policies), and the ECK Elasticsearch and Kibana of the logging chart.
 */
export const CUSTOM_RESOURCES: Readonly<Record<string, object>> = {
  ClusterIssuer: {
    apiVersion: 'cert-manager.io/v1',
    kind: 'ClusterIssuer',
    metadata: { name: 'letsencrypt' },
    spec: {
      acme: {
        server: 'https://acme-v02.api.letsencrypt.org/directory',
        email: 'ops@example.org',
        privateKeySecretRef: { name: 'letsencrypt-account-key' },
        solvers: [
          {
            http01: {
              gatewayHTTPRoute: {
                parentRefs: [{ name: 'public', namespace: 'gateway-system', kind: 'Gateway', sectionName: 'http' }],
                podTemplate: { spec: { nodeSelector: { pool: 'system' } } },
              },
            },
          },
        ],
      },
    },
  },
  Certificate: {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: 'meet', namespace: 'gateway-system' },
    spec: {
      secretName: 'meet-tls',
      dnsNames: ['meet.example.org'],
      duration: '2160h',
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
      issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'letsencrypt' },
    },
  },
  GatewayClass: {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    metadata: { name: 'envoy' },
    spec: {
      controllerName: 'gateway.envoyproxy.io/gatewayclass-controller',
      parametersRef: { group: 'gateway.envoyproxy.io', kind: 'EnvoyProxy', name: 'public', namespace: 'gateway-system' },
    },
  },
  Gateway: {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'public', namespace: 'gateway-system' },
    spec: {
      gatewayClassName: 'envoy',
      listeners: [
        { name: 'http', protocol: 'HTTP', port: 80, allowedRoutes: { namespaces: { from: 'All' } } },
        {
          name: 'https',
          protocol: 'HTTPS',
          port: 443,
          hostname: 'meet.example.org',
          tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: 'meet-tls' }] },
          allowedRoutes: { namespaces: { from: 'All' } },
        },
      ],
    },
  },
  HTTPRoute: {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'web', namespace: 'jitsi' },
    spec: {
      parentRefs: [{ name: 'public', namespace: 'gateway-system', sectionName: 'https' }],
      hostnames: ['meet.example.org'],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'haproxy', port: 80 }] }],
    },
  },
  EnvoyProxy: {
    apiVersion: 'gateway.envoyproxy.io/v1alpha1',
    kind: 'EnvoyProxy',
    metadata: { name: 'public', namespace: 'gateway-system' },
    spec: {
      provider: {
        type: 'Kubernetes',
        kubernetes: {
          envoyDeployment: {
            replicas: 2,
            pod: { nodeSelector: { pool: 'system' } },
            container: { resources: { requests: { cpu: '500m', memory: '512Mi' } } },
          },
          envoyService: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', loadBalancerIP: '192.0.2.10' },
        },
      },
      logging: { level: { default: 'warn' } },
    },
  },
  ClientTrafficPolicy: {
    apiVersion: 'gateway.envoyproxy.io/v1alpha1',
    kind: 'ClientTrafficPolicy',
    metadata: { name: 'public', namespace: 'gateway-system' },
    spec: {
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public' }],
      clientIPDetection: { xForwardedFor: { numTrustedHops: 1 } },
      timeout: { http: { idleTimeout: '15m', requestReceivedTimeout: '30s' } },
      connection: { bufferLimit: '1Mi' },
    },
  },
  BackendTrafficPolicy: {
    apiVersion: 'gateway.envoyproxy.io/v1alpha1',
    kind: 'BackendTrafficPolicy',
    metadata: { name: 'haproxy', namespace: 'jitsi' },
    spec: {
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'web' }],
      loadBalancer: { type: 'ConsistentHash', consistentHash: { type: 'Header', header: { name: 'X-Room' } } },
      timeout: { http: { requestTimeout: '0s' } },
    },
  },
  Elasticsearch: {
    apiVersion: 'elasticsearch.k8s.elastic.co/v1',
    kind: 'Elasticsearch',
    metadata: { name: 'logging', namespace: 'logging' },
    spec: {
      version: '9.4.3',
      http: { tls: { selfSignedCertificate: { disabled: true } } },
      nodeSets: [
        {
          name: 'default',
          count: 3,
          config: { 'node.store.allow_mmap': false },
          podTemplate: {
            spec: {
              nodeSelector: { pool: 'system' },
              containers: [{ name: 'elasticsearch', resources: { requests: { cpu: '1', memory: '4Gi' }, limits: { memory: '4Gi' } } }],
            },
          },
          volumeClaimTemplates: [
            {
              metadata: { name: 'elasticsearch-data' },
              spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '50Gi' } } },
            },
          ],
        },
      ],
    },
  },
  Kibana: {
    apiVersion: 'kibana.k8s.elastic.co/v1',
    kind: 'Kibana',
    metadata: { name: 'logging', namespace: 'logging' },
    spec: {
      version: '9.4.3',
      count: 1,
      elasticsearchRef: { name: 'logging' },
      http: { tls: { selfSignedCertificate: { disabled: true } } },
      podTemplate: { spec: { containers: [{ name: 'kibana', resources: { requests: { cpu: '500m', memory: '1Gi' } } }] } },
    },
  },
};

/** A custom resource that a test changes at any depth. */
type Editable = Record<string, any>;

/** A deep copy of one of {@link CUSTOM_RESOURCES}, to be changed by one test. */
export function customResource(kind: string): Editable {
  const manifest = CUSTOM_RESOURCES[kind];
  if (manifest === undefined) throw new Error(`no custom resource ${kind}`);
  return structuredClone(manifest) as Editable;
}
