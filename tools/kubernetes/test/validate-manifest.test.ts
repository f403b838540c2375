import * as fs from 'node:fs';

import { generatedSchemasFile, UPSTREAM_SCHEMA_SETS } from '../scripts/upstream-crd-derivation';
import { formatManifestIssue, type ManifestIssue, validateManifest, validateManifests } from '../src';
import { CUSTOM_RESOURCES, customResource } from './_custom-resources';
import { minimal, MINIMAL_MANIFESTS } from './_minimal-manifests';

/** The issues as `check path: message` lines, for exact comparison. */
function lines(issues: readonly ManifestIssue[]): string[] {
  return issues.map((issue) => `${issue.check} ${issue.path}: ${issue.message}`);
}

const CONTAINER = '/spec/template/spec/containers/0';

describe('validateManifest', () => {
  test.each(Object.keys(MINIMAL_MANIFESTS))('accepts a minimal %s', (kind) => {
    // GIVEN a minimal valid manifest
    // WHEN it is validated
    // THEN there is no issue
    expect(validateManifest(minimal(kind)).map(formatManifestIssue)).toEqual([]);
  });

  test('rejects an unknown field deep inside a pod template, naming its path', () => {
    // GIVEN a Deployment whose container has a misspelt securityContext
    const deployment = minimal('Deployment');
    deployment.spec.template.spec.containers[0].securityContxt = { runAsNonRoot: true };

    // WHEN it is validated
    const issues = validateManifest(deployment);

    // THEN the strict definitions name the field (kubernetes-models alone would miss it)
    expect(issues).toEqual([
      {
        object: 'Deployment/web',
        path: `${CONTAINER}/securityContxt`,
        message: 'unknown field "securityContxt"',
        check: 'definitions',
      },
    ]);
  });

  test('rejects an unknown field in metadata and at the top level', () => {
    // GIVEN a ConfigMap with a misplaced field in metadata and a misspelt top-level field
    const configMap = minimal('ConfigMap');
    configMap.metadata.label = { app: 'x' };
    configMap.datta = {};

    // WHEN / THEN
    expect(lines(validateManifest(configMap))).toEqual([
      'definitions /datta: unknown field "datta"',
      'definitions /metadata/label: unknown field "label"',
    ]);
  });

  test('rejects a quoted number where an integer is required', () => {
    // GIVEN replicas: "3"
    const deployment = minimal('Deployment');
    deployment.spec.replicas = '3';

    // WHEN / THEN both checks report it
    expect(lines(validateManifest(deployment))).toEqual([
      'definitions /spec/replicas: must be integer',
      'kubernetes-models /spec/replicas: must be integer',
    ]);
  });

  test('rejects an int32 out of range', () => {
    // GIVEN a container port beyond int32
    const deployment = minimal('Deployment');
    deployment.spec.template.spec.containers[0].ports[0].containerPort = 2 ** 32;

    // WHEN / THEN the int32 format is enforced
    expect(lines(validateManifest(deployment))).toContain(`definitions ${CONTAINER}/ports/0/containerPort: must match format "int32"`);
  });

  test('rejects a container without name', () => {
    // GIVEN a StatefulSet whose container has no name
    const statefulSet = minimal('StatefulSet');
    delete statefulSet.spec.template.spec.containers[0].name;

    // WHEN / THEN
    expect(lines(validateManifest(statefulSet))).toEqual([
      `definitions ${CONTAINER}/name: missing required field "name"`,
      `kubernetes-models ${CONTAINER}/name: missing required field "name"`,
    ]);
  });

  test('rejects an image pull policy outside its enum', () => {
    // GIVEN imagePullPolicy: Sometimes
    const deployment = minimal('Deployment');
    deployment.spec.template.spec.containers[0].imagePullPolicy = 'Sometimes';

    // WHEN it is validated
    const issues = validateManifest(deployment);

    // THEN kubernetes-models reports the enum (the 1.33 definitions carry no enum for this field)
    expect(lines(issues)).toEqual([`kubernetes-models ${CONTAINER}/imagePullPolicy: must be one of "Always", "IfNotPresent", "Never"`]);
  });

  test.each([8080, 'http'])('accepts targetPort %p (int-or-string)', (targetPort) => {
    // GIVEN a Service whose targetPort is a number or a port name
    const service = minimal('Service');
    service.spec.ports[0].targetPort = targetPort;

    // WHEN / THEN
    expect(validateManifest(service)).toEqual([]);
  });

  test('rejects targetPort true', () => {
    // GIVEN a Service whose targetPort is a boolean
    const service = minimal('Service');
    service.spec.ports[0].targetPort = true;

    // WHEN / THEN each check reports one issue
    expect(lines(validateManifest(service))).toEqual([
      'definitions /spec/ports/0/targetPort: must be string or integer',
      'kubernetes-models /spec/ports/0/targetPort: must be string or integer',
    ]);
  });

  test('rejects Secret data that is not base64', () => {
    // GIVEN a Secret with a plain-text value in data
    const secret = minimal('Secret');
    secret.data.password = 'not base64!';

    // WHEN / THEN the byte format is enforced
    expect(lines(validateManifest(secret))).toContain('definitions /data/password: must match format "byte"');
  });

  test('rejects an unknown field in a ServiceMonitor endpoint', () => {
    // GIVEN a ServiceMonitor endpoint with a misspelt field
    const serviceMonitor = minimal('ServiceMonitor');
    serviceMonitor.spec.endpoints[0].intervall = '30s';

    // WHEN / THEN the derived CRD schema names it
    expect(validateManifest(serviceMonitor)).toEqual([
      {
        object: 'ServiceMonitor/web',
        path: '/spec/endpoints/0/intervall',
        message: 'unknown field "intervall"',
        check: 'definitions',
      },
    ]);
  });

  test('rejects a ServiceMonitor interval without a unit', () => {
    // GIVEN an endpoint scraped every "30"
    const serviceMonitor = minimal('ServiceMonitor');
    serviceMonitor.spec.endpoints[0].interval = '30';

    // WHEN / THEN the duration pattern of the upstream CRD is enforced
    const duration = '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$';
    expect(lines(validateManifest(serviceMonitor))).toEqual([`definitions /spec/endpoints/0/interval: must match pattern "${duration}"`]);
  });

  test('accepts a ServiceMonitor endpoint scheme in upper case, as the installed operator does', () => {
    // GIVEN an endpoint scraped with scheme `HTTPS`, which the v0.93.1 CRD allows (and the lagging
    // @kubernetes-models/prometheus-operator 4.4.4 refused)
    const serviceMonitor = minimal('ServiceMonitor');
    serviceMonitor.spec.endpoints[0].scheme = 'HTTPS';

    // WHEN / THEN the CRD schema at the installed version is the one judge
    expect(validateManifest(serviceMonitor)).toEqual([]);
  });

  test('rejects an unknown field in a ScrapeConfig, naming its path', () => {
    // GIVEN a ScrapeConfig whose static config has a misspelt `target`
    const scrapeConfig = minimal('ScrapeConfig');
    scrapeConfig.spec.staticConfigs[0].target = 'bbb-2.example.org:9688';

    // WHEN / THEN the schema of the upstream v1alpha1 CRD names it
    expect(validateManifest(scrapeConfig)).toEqual([
      {
        object: 'ScrapeConfig/bigbluebutton',
        path: '/spec/staticConfigs/0/target',
        message: 'unknown field "target"',
        check: 'definitions',
      },
    ]);
  });

  test('rejects a ScrapeConfig scheme outside its enum', () => {
    // GIVEN scheme `tcp`
    const scrapeConfig = minimal('ScrapeConfig');
    scrapeConfig.spec.scheme = 'tcp';

    // WHEN / THEN
    expect(lines(validateManifest(scrapeConfig))).toEqual(['definitions /spec/scheme: must be one of "http", "https", "HTTP", "HTTPS"']);
  });

  test('rejects a PodMonitor and a PrometheusRule without their required fields', () => {
    // GIVEN a PodMonitor without its required selector and a PrometheusRule rule without expr
    const podMonitor = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PodMonitor',
      metadata: { name: 'pods' },
      spec: { podMetricsEndpoints: [{ port: 'metrics' }] },
    };
    const rule = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'rules' },
      spec: { groups: [{ name: 'g', rules: [{ alert: 'Down', for: '5m' }] }] },
    };

    // WHEN / THEN the schemas of the upstream CRDs report the missing fields
    expect(lines(validateManifests([podMonitor, rule]))).toEqual([
      'definitions /spec/selector: missing required field "selector"',
      'definitions /spec/groups/0/rules/0/expr: missing required field "expr"',
    ]);
  });

  test('checks a Gateway API HTTPRoute against the schema of the upstream CRD', () => {
    // GIVEN an HTTPRoute with a misspelt parentRef field, a port by name, a malformed duration and hostname
    const route = minimal('HTTPRoute');
    route.spec.parentRefs[0].sectoinName = 'https';
    route.spec.rules[0].backendRefs[0].port = 'http';
    route.spec.rules[0].timeouts.request = '30';
    route.spec.hostnames[0] = 'Meet.example.org';

    // WHEN / THEN each is named, with the CRD's own patterns
    expect(lines(validateManifest(route))).toEqual([
      'definitions /spec/hostnames/0: must match pattern "^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"',
      'definitions /spec/parentRefs/0/sectoinName: unknown field "sectoinName"',
      'definitions /spec/rules/0/backendRefs/0/port: must be integer',
      'definitions /spec/rules/0/timeouts/request: must match pattern "^([0-9]{1,5}(h|m|s|ms)){1,4}$"',
    ]);
  });

  test('reports an unknown kind as such', () => {
    // GIVEN a custom resource without a schema, and a core kind under the wrong apiVersion
    const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } };
    const misplaced = { ...minimal('Deployment'), apiVersion: 'v1' };

    // WHEN / THEN
    expect(validateManifests([widget, misplaced])).toEqual([
      { object: 'Widget/w', path: '/', message: 'no schema for apiVersion "example.com/v1", kind "Widget"', check: 'definitions' },
      { object: 'Deployment/web', path: '/', message: 'no schema for apiVersion "v1", kind "Deployment"', check: 'definitions' },
    ]);
  });

  test('reports a value that is not a Kubernetes object', () => {
    // GIVEN an array, and an object without apiVersion
    // WHEN / THEN
    expect(validateManifests([[], { kind: 'ConfigMap' }])).toEqual([
      { object: '<not an object>', path: '/', message: 'a manifest must be an object', check: 'definitions' },
      { object: 'ConfigMap/<no name>', path: '/', message: 'apiVersion and kind must be strings', check: 'definitions' },
    ]);
  });
});

describe('validateManifest on the custom resources of cert-manager, Envoy Gateway, the Gateway API and ECK', () => {
  test.each(Object.keys(CUSTOM_RESOURCES))('accepts a valid %s', (kind) => {
    // GIVEN a custom resource as a state stack writes it
    // WHEN it is validated
    // THEN its schema is known and there is no issue
    expect(validateManifest(customResource(kind)).map(formatManifestIssue)).toEqual([]);
  });

  test('rejects a misspelt solver and a quoted port in a ClusterIssuer, naming their paths', () => {
    // GIVEN an ACME ClusterIssuer with `gatewayHttpRoute` beside its gatewayHTTPRoute solver and a parentRef port "80"
    const issuer = customResource('ClusterIssuer');
    const http01 = issuer.spec.acme.solvers[0].http01;
    http01.gatewayHttpRoute = { parentRefs: [{ name: 'public' }] };
    http01.gatewayHTTPRoute.parentRefs[0].port = '80';

    // WHEN / THEN the cert-manager schema names both
    expect(validateManifest(issuer)).toEqual([
      {
        object: 'ClusterIssuer/letsencrypt',
        path: '/spec/acme/solvers/0/http01/gatewayHttpRoute',
        message: 'unknown field "gatewayHttpRoute"',
        check: 'definitions',
      },
      {
        object: 'ClusterIssuer/letsencrypt',
        path: '/spec/acme/solvers/0/http01/gatewayHTTPRoute/parentRefs/0/port',
        message: 'must be integer',
        check: 'definitions',
      },
    ]);
  });

  test('rejects a Certificate without secretName', () => {
    // GIVEN a Certificate that does not say where to keep the key pair
    const certificate = customResource('Certificate');
    delete certificate.spec.secretName;

    // WHEN / THEN
    expect(lines(validateManifest(certificate))).toEqual(['definitions /spec/secretName: missing required field "secretName"']);
  });

  test('rejects an unknown timeout and wrongly typed values in a ClientTrafficPolicy, naming their paths', () => {
    // GIVEN a misspelt idle timeout, a hop count in words and a boolean buffer limit (an int-or-string)
    const policy = customResource('ClientTrafficPolicy');
    policy.spec.timeout.http.idleTimout = '1m';
    policy.spec.clientIPDetection.xForwardedFor.numTrustedHops = 'one';
    policy.spec.connection.bufferLimit = true;

    // WHEN / THEN each is named once, with the Envoy Gateway schema
    expect(lines(validateManifest(policy))).toEqual([
      'definitions /spec/clientIPDetection/xForwardedFor/numTrustedHops: must be integer',
      'definitions /spec/connection/bufferLimit: must be integer or string',
      'definitions /spec/timeout/http/idleTimout: unknown field "idleTimout"',
    ]);
  });

  test('rejects an EnvoyProxy with a misspelt field, a quoted replica count and an unknown provider type', () => {
    // GIVEN `replica` beside `replicas: "2"`, and provider type `kubernetes` (lower case)
    const proxy = customResource('EnvoyProxy');
    const deployment = proxy.spec.provider.kubernetes.envoyDeployment;
    deployment.replica = 2;
    deployment.replicas = '2';
    proxy.spec.provider.type = 'kubernetes';

    // WHEN / THEN
    expect(lines(validateManifest(proxy))).toEqual([
      'definitions /spec/provider/kubernetes/envoyDeployment/replica: unknown field "replica"',
      'definitions /spec/provider/kubernetes/envoyDeployment/replicas: must be integer',
      'definitions /spec/provider/type: must be one of "Kubernetes", "Host"',
    ]);
  });

  test('rejects a BackendTrafficPolicy load balancer outside its enum', () => {
    // GIVEN a load balancer type Envoy Gateway does not offer
    const policy = customResource('BackendTrafficPolicy');
    policy.spec.loadBalancer.type = 'Maglev';

    // WHEN / THEN
    expect(lines(validateManifest(policy))).toEqual([
      'definitions /spec/loadBalancer/type: must be one of "ConsistentHash", "LeastRequest", "Random", "RoundRobin", "BackendUtilization", "DynamicModule"',
    ]);
  });

  test('rejects a misspelt listener field, a quoted port and a controller name without a path', () => {
    // GIVEN a Gateway whose listeners carry `protocl` and port "443", and a GatewayClass controller name `envoy`
    const gateway = customResource('Gateway');
    gateway.spec.listeners[0].protocl = 'HTTP';
    gateway.spec.listeners[1].port = '443';
    const gatewayClass = customResource('GatewayClass');
    gatewayClass.spec.controllerName = 'envoy';

    // WHEN / THEN
    expect(lines(validateManifests([gateway, gatewayClass]))).toEqual([
      'definitions /spec/listeners/0/protocl: unknown field "protocl"',
      'definitions /spec/listeners/1/port: must be integer',
      `definitions /spec/controllerName: must match pattern "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\\/[A-Za-z0-9\\/\\-._~%!$&'()*+,;=:]+$"`,
    ]);
  });

  test('rejects an Elasticsearch with a node count in words, a misspelt nodeSet field and no version, naming their paths', () => {
    // GIVEN `count: "three"`, `volumeClaimTemplate` beside volumeClaimTemplates, and no spec.version
    const elasticsearch = customResource('Elasticsearch');
    const nodeSet = elasticsearch.spec.nodeSets[0];
    nodeSet.count = 'three';
    nodeSet.volumeClaimTemplate = nodeSet.volumeClaimTemplates;
    delete elasticsearch.spec.version;

    // WHEN / THEN the ECK schema names each (config and podTemplate are free-form: their contents are not judged)
    expect(lines(validateManifest(elasticsearch))).toEqual([
      'definitions /spec/version: missing required field "version"',
      'definitions /spec/nodeSets/0/volumeClaimTemplate: unknown field "volumeClaimTemplate"',
      'definitions /spec/nodeSets/0/count: must be integer',
    ]);
  });

  test('rejects a Kibana with a misspelt elasticsearchRef field and a TLS switch as a string', () => {
    // GIVEN `elasticsearchRef: { nmae }` and `disabled: "true"`
    const kibana = customResource('Kibana');
    kibana.spec.elasticsearchRef = { nmae: 'logging' };
    kibana.spec.http.tls.selfSignedCertificate.disabled = 'true';

    // WHEN / THEN
    expect(validateManifest(kibana)).toEqual([
      {
        object: 'Kibana/logging',
        path: '/spec/elasticsearchRef/nmae',
        message: 'unknown field "nmae"',
        check: 'definitions',
      },
      {
        object: 'Kibana/logging',
        path: '/spec/http/tls/selfSignedCertificate/disabled',
        message: 'must be boolean',
        check: 'definitions',
      },
    ]);
  });
});

describe.each(Object.values(UPSTREAM_SCHEMA_SETS))('validateManifest on every kind of the $title CRDs', (set) => {
  test('knows and compiles the schema of each (a Go-only pattern would throw)', () => {
    // GIVEN an object of each served version of each kind of the generated file, with nothing but a name
    const document = JSON.parse(fs.readFileSync(generatedSchemasFile(set), 'utf8')) as {
      definitions: Record<string, { 'x-kubernetes-group-version-kind': { group: string; version: string; kind: string }[] }>;
    };
    const objects = Object.values(document.definitions).flatMap((definition) =>
      definition['x-kubernetes-group-version-kind'].map(({ group, version, kind }) => ({
        apiVersion: `${group}/${version}`,
        kind,
        metadata: { name: 'x' },
      })),
    );

    // WHEN they are validated
    const issues = validateManifests(objects);

    // THEN each schema is found
    expect(objects.length).toBeGreaterThan(0);
    expect(issues.filter((issue) => issue.message.startsWith('no schema for'))).toEqual([]);
  }, 60_000);
});

describe('validateManifests', () => {
  test('validates about fifty objects in under half a second once warmed up', () => {
    // GIVEN five copies of every minimal manifest (60 objects), each kind validated once before
    const manifests = Array.from({ length: 5 }, () => Object.keys(MINIMAL_MANIFESTS).map(minimal)).flat();
    validateManifests(Object.keys(MINIMAL_MANIFESTS).map(minimal));

    // WHEN they are validated
    const started = performance.now();
    const issues = validateManifests(manifests);
    const elapsed = performance.now() - started;

    // THEN
    expect(issues).toEqual([]);
    expect(elapsed).toBeLessThan(500);
  });
});
