import * as fs from 'node:fs';
import * as path from 'node:path';

import { KUBERNETES } from '@meetscale/platform-versions';

import {
  controlPlaneTools,
  CRD_MODULE,
  crdsOfManifest,
  kubernetesVersion,
  pinnedModuleVersion,
  UPSTREAM_CRD_SOURCES,
  upstreamCrds,
  upstreamModuleDir,
} from '../src';

describe('the pinned control plane', () => {
  it('runs the Kubernetes release the state stacks provision', () => {
    // THEN the go.mod pin and the shared record agree
    expect(kubernetesVersion()).toBe(KUBERNETES.release);
    expect(KUBERNETES.release.startsWith(`${KUBERNETES.minor}.`)).toBe(true);
  });

  it('stamps the Kubernetes components with that release, which a module build would not', () => {
    const tools = controlPlaneTools();
    for (const role of ['apiserver', 'controllerManager', 'scheduler'] as const) {
      expect(tools[role].linkerSettings).toContain(`k8s.io/component-base/version.gitVersion=v${KUBERNETES.release}`);
    }
    expect(tools.etcd.linkerSettings).toBeUndefined();
  });

  it('names a missing module in the error', () => {
    expect(() => pinnedModuleVersion('example.com/not-required')).toThrow(
      'tools/cluster/modules/control-plane/go.mod does not require example.com/not-required',
    );
  });
});

describe('upstreamCrds', () => {
  const crds = upstreamCrds();
  const names = crds.map((entry) => entry.crd.metadata.name);

  it('reads the CRDs the charts use from the pinned upstream modules', () => {
    expect(names).toEqual(
      expect.arrayContaining([
        'servicemonitors.monitoring.coreos.com',
        'podmonitors.monitoring.coreos.com',
        'prometheusrules.monitoring.coreos.com',
        'certificates.cert-manager.io',
        'clusterissuers.cert-manager.io',
        'httproutes.gateway.networking.k8s.io',
        'gateways.gateway.networking.k8s.io',
      ]),
    );
    expect(new Set(names).size).toBe(names.length);
    const servicemonitors = crds.find((entry) => entry.crd.metadata.name === 'servicemonitors.monitoring.coreos.com');
    expect(servicemonitors?.source).toBe(
      `github.com/prometheus-operator/prometheus-operator@${pinnedModuleVersion('github.com/prometheus-operator/prometheus-operator', 'tools/cluster/modules/crds')}`,
    );
  });

  it('reads CRDs from every pinned source, each at its pinned version', () => {
    // GIVEN the sources of tools/cluster/modules/crds/go.mod
    // THEN each yields CRDs, labelled with its module and pinned version
    const sources = new Set(crds.map((entry) => entry.source));
    const pinned = UPSTREAM_CRD_SOURCES.map(({ module }) => `${module}@${pinnedModuleVersion(module, CRD_MODULE)}`);
    // THEN each yields CRDs, labelled with its module and pinned version
    expect(pinned.filter((source) => !sources.has(source))).toEqual([]);
    expect([...sources].sort()).toEqual([...pinned].sort());
  });

  it("reads Envoy Gateway's own CRDs, untemplated", () => {
    // GIVEN the pinned github.com/envoyproxy/gateway
    const envoy = crds.filter((entry) => entry.source.startsWith('github.com/envoyproxy/gateway@'));

    // THEN its gateway.envoyproxy.io CRDs are there, and only those (the Gateway API ones come from sigs.k8s.io/gateway-api)
    expect(envoy.map((entry) => entry.crd.metadata.name)).toEqual(
      expect.arrayContaining([
        'envoyproxies.gateway.envoyproxy.io',
        'clienttrafficpolicies.gateway.envoyproxy.io',
        'backendtrafficpolicies.gateway.envoyproxy.io',
        'securitypolicies.gateway.envoyproxy.io',
      ]),
    );
    expect(envoy.every((entry) => (entry.crd.spec as { group: string }).group === 'gateway.envoyproxy.io')).toBe(true);
    expect(JSON.stringify(envoy.map((entry) => entry.crd.metadata))).not.toContain('{{');
  });

  it("reads every CRD of ECK's released all-crds.yaml, Elasticsearch and Kibana included", () => {
    // GIVEN the pinned github.com/elastic/cloud-on-k8s/v3
    const eck = crds.filter((entry) => entry.source.startsWith('github.com/elastic/cloud-on-k8s/v3@'));

    // THEN all its CRDs come from the one released (kustomize-patched) file, each of a k8s.elastic.co group
    expect(eck.map((entry) => entry.crd.metadata.name)).toEqual(
      expect.arrayContaining([
        'elasticsearches.elasticsearch.k8s.elastic.co',
        'kibanas.kibana.k8s.elastic.co',
        'beats.beat.k8s.elastic.co',
        'agents.agent.k8s.elastic.co',
      ]),
    );
    expect(new Set(eck.map((entry) => entry.file))).toEqual(new Set(['config/crds/v1/all-crds.yaml']));
    expect(eck.every((entry) => (entry.crd.spec as { group: string }).group.endsWith('.k8s.elastic.co'))).toBe(true);
    // AND the release patch is applied: the podTemplate schema is pruned to a free-form object
    const elasticsearch = eck.find((entry) => entry.crd.metadata.name === 'elasticsearches.elasticsearch.k8s.elastic.co');
    const v1 = (elasticsearch?.crd.spec as { versions: { name: string; schema: { openAPIV3Schema: any } }[] }).versions.find(
      (version) => version.name === 'v1',
    );
    expect(v1?.schema.openAPIV3Schema.properties.spec.properties.nodeSets.items.properties.podTemplate).toEqual(
      expect.objectContaining({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true }),
    );
    expect(v1?.schema.openAPIV3Schema.properties.spec.properties.nodeSets.items.properties.podTemplate.properties).toBeUndefined();
  });

  it('pins the Gateway API release the pinned Envoy Gateway requires', () => {
    // GIVEN the go.mod of the pinned Envoy Gateway module
    const goMod = fs.readFileSync(path.join(upstreamModuleDir('github.com/envoyproxy/gateway'), 'go.mod'), 'utf8');

    // THEN it requires the sigs.k8s.io/gateway-api version pinned here
    const required = /^\s*sigs\.k8s\.io\/gateway-api\s+(v\S+)/m.exec(goMod)?.[1];
    expect(required).toBe(pinnedModuleVersion('sigs.k8s.io/gateway-api', CRD_MODULE));
  });
});

describe('crdsOfManifest', () => {
  const crd = (name: string): string =>
    `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: ${name}\nspec:\n  group: example.com\n`;

  it('takes the CRDs of a plain multi-document file and skips the other kinds', () => {
    // GIVEN two CRDs and a ValidatingAdmissionPolicy
    const text = `---\n${crd('a.example.com')}---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata:\n  name: p\n---\n${crd('b.example.com')}`;

    // WHEN / THEN
    expect(crdsOfManifest(text, 'crds.yaml').map((entry) => entry.metadata.name)).toEqual(['a.example.com', 'b.example.com']);
  });

  it('refuses a Helm template, naming the file', () => {
    // GIVEN a CRD wrapped in a template condition, as Envoy Gateway's gateway-crds-helm chart has them
    const text = `{{- if .Values.crds.envoyGateway.enabled }}\n${crd('a.example.com')}{{- end }}\n`;

    // WHEN / THEN
    expect(() => crdsOfManifest(text, 'templates/a.yaml')).toThrow('templates/a.yaml is a Helm template, not a manifest');
  });

  it('refuses template text in metadata', () => {
    // GIVEN a label from a template helper, as cert-manager's chart has them
    const text = [
      'apiVersion: apiextensions.k8s.io/v1',
      'kind: CustomResourceDefinition',
      'metadata:',
      '  name: a.example.com',
      '  labels:',
      '    {{- include "labels" . | nindent 4 }}',
      '',
    ].join('\n');

    // WHEN / THEN
    expect(() => crdsOfManifest(text, 'crd-a.yaml')).toThrow('crd-a.yaml is a Helm template');
  });
});
