import './_bindings';

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { LOGGING_CHART } from '@meetscale/chart-values/facts/logging';
import { releasedVersion } from '@meetscale/releases';
import { Testing } from 'cdktf';
import { parse } from 'yaml';

import { DnsRecord } from '../generated/providers/ionoscloud/dns-record';
import { LOG_READER_ROLE, LOG_STREAMS } from '../src/logging-config';
import { LOGGING_NAMESPACE, LOGGING_POD_SECURITY_LEVEL, LOGGING_RELEASE, loggingValues } from '../src/logging-release';
import { parseStateConfig, type StateConfigInput } from '../src/state-config';
import { helmValuesOf, minimalConfig, minimalState, resourceOf, synthesize } from './_stacks';

Testing.setupJest();

/** The defaults of the logging chart (its generated `values.yaml`). */
const chartDefaults = (): any => parse(readFileSync(join(__dirname, '../../../charts/logging/values.yaml'), 'utf8'));

/** A state that runs Elasticsearch's production layout, on a system pool of three nodes at least. */
function productionState(logging: Record<string, unknown> = {}): StateConfigInput {
  return minimalState({
    nodePools: { system: { cores: 8, ramMb: 32768, minNodes: 3, maxNodes: 6 }, media: { minNodes: 1, maxNodes: 2 } },
    logging: { elasticsearch: { layout: 'production', storageGb: 300 }, ...logging },
  });
}

const system = { 'meetscale.io/pool': 'system' };

describe('loggingValues', () => {
  test('run a small state on one Elasticsearch node and one Kibana on the system pool, Kibana behind the Gateway', () => {
    // GIVEN a state's logging left at its defaults
    const { logging } = minimalConfig();

    // WHEN
    const values = loggingValues('testland', 'logs.testland.meetscale.example', logging);

    // THEN one node of every role with the default volume of the state's storage class; Kibana routed from the
    // state's Gateway; the chart's retention and masking; NetworkPolicies naming the Gateway's and the operator's
    // namespaces
    expect(values).toEqual({
      commonLabels: { 'meetscale.io/state': 'testland' },
      elasticsearch: {
        nodeSets: [{ name: 'default', count: 1, roles: ['master', 'data', 'ingest'], storage: { size: '30Gi' } }],
        storageClassName: 'ionos-enterprise-ssd',
        zoneAntiAffinity: 'none',
        nodeSelector: system,
      },
      kibana: {
        count: 1,
        nodeSelector: system,
        httpRoute: {
          enabled: true,
          parentRefs: [{ name: 'meetscale', namespace: 'gateway' }],
          hostnames: ['logs.testland.meetscale.example'],
          timeouts: { request: '60s' },
        },
      },
      privacy: { clientAddresses: 'truncate' },
      setup: { nodeSelector: { 'meetscale.io/pool': 'system' } },
      networkPolicy: {
        enabled: true,
        ingressNamespaceSelector: { 'kubernetes.io/metadata.name': 'envoy-gateway-system' },
        operatorNamespaceSelector: { 'kubernetes.io/metadata.name': 'elastic-system' },
      },
    });
  });

  test('run a production state on three dedicated masters and data nodes of the state’s volume size, and two Kibanas', () => {
    // GIVEN a production state with three data nodes on HDD
    const { logging } = parseStateConfig(
      productionState({ elasticsearch: { layout: 'production', dataNodes: 3, storageGb: 300, storageClass: 'ionos-enterprise-hdd' } }),
      's.ts',
    );

    // WHEN
    const values = loggingValues('testland', 'logs.testland.meetscale.example', logging);

    // THEN
    expect(values.elasticsearch).toEqual({
      nodeSets: [
        {
          name: 'master',
          count: 3,
          roles: ['master'],
          storage: { size: '10Gi' },
          resources: { requests: { cpu: '500m', memory: '2Gi' }, limits: { memory: '2Gi' } },
        },
        {
          name: 'data',
          count: 3,
          roles: ['data', 'ingest'],
          storage: { size: '300Gi' },
          resources: { requests: { cpu: '2', memory: '8Gi' }, limits: { memory: '8Gi' } },
        },
      ],
      storageClassName: 'ionos-enterprise-hdd',
      zoneAntiAffinity: 'none',
      nodeSelector: system,
    });
    expect(values.kibana).toMatchObject({ count: 2, nodeSelector: system });
    // AND two data nodes of 200 GB when the state names neither
    const defaults = parseStateConfig(productionState({ elasticsearch: { layout: 'production' } }), 's.ts').logging;
    expect(loggingValues('testland', 'logs.example', defaults).elasticsearch?.nodeSets?.[1]).toMatchObject({
      count: 2,
      storage: { size: '200Gi' },
    });
  });

  test("pass the state's retention, masking and users in the chart's terms, passwords by Secret reference", () => {
    // GIVEN
    const { logging } = minimalConfig({
      logging: {
        retention: { access: '3d', turn: '48h' },
        clientAddresses: 'remove',
        users: [
          { username: 'ops', fullName: 'Platform operations', passwordSecret: 'logging-user-ops' },
          { username: 'admin', roles: ['superuser'], passwordSecret: 'logging-user-admin' },
        ],
      },
    });

    // WHEN
    const values = loggingValues('testland', 'logs.example', logging);

    // THEN only the streams the state names are set (Helm merges them into the chart's, containers and all)
    expect(values.streams).toEqual({ access: { retention: '3d' }, turn: { retention: '48h' } });
    expect(values.privacy).toEqual({ clientAddresses: 'remove' });
    expect(values.security).toEqual({
      users: [
        {
          username: 'ops',
          fullName: 'Platform operations',
          roles: ['meetscale-log-reader'],
          passwordSecret: { name: 'logging-user-ops', key: 'password' },
        },
        { username: 'admin', roles: ['superuser'], passwordSecret: { name: 'logging-user-admin', key: 'password' } },
      ],
    });
  });
});

describe("the logging chart's defaults", () => {
  test('hold the streams whose retention a state sets, and the reader role its users get by default', () => {
    // GIVEN / WHEN the chart's values.yaml
    const defaults = chartDefaults();

    // THEN
    expect(Object.keys(defaults.streams)).toEqual([...LOG_STREAMS]);
    expect(Object.keys(defaults.security.roles)).toContain(LOG_READER_ROLE);
  });
});

describe('a state with logging', () => {
  test('installs the logging chart in its own namespace after the ECK operator and the Gateway, with time for Elasticsearch', () => {
    // GIVEN / WHEN the stack of a state that leaves logging at its defaults (on)
    const synthesized = synthesize(minimalConfig());

    // THEN the chart's last release from the state's registry
    const release = resourceOf(synthesized, 'helm_release', 'meetscale_logging');
    expect(release).toMatchObject({
      name: LOGGING_RELEASE,
      chart: LOGGING_CHART.chart,
      repository: 'oci://ghcr.io/meetscale/charts',
      version: releasedVersion(LOGGING_CHART.chart),
      namespace: 'logging',
      create_namespace: true,
      atomic: true,
      timeout: 1200,
    });
    // AND after the operator (its CRDs and webhook), the Gateway its route attaches to, and the namespace's labels
    expect(release['depends_on']).toEqual(
      expect.arrayContaining(['helm_release.addons_eck-operator', 'helm_release.addons_state-gateway', 'helm_release.addons_state-base']),
    );
    expect(helmValuesOf(synthesized, 'meetscale_logging')).toEqual(
      loggingValues('testland', 'logs.testland.meetscale.example', synthesized.stack.config.logging),
    );
  });

  test('creates the logging namespace at Pod Security privileged, for the shipper’s hostPath volumes', () => {
    // GIVEN / WHEN
    const synthesized = synthesize(minimalConfig());

    // THEN the state-base release creates it with its label (and warns and audits at restricted, the chart's way)
    expect([LOGGING_NAMESPACE, LOGGING_POD_SECURITY_LEVEL]).toEqual(['logging', 'privileged']);
    expect((helmValuesOf(synthesized, 'addons_state-base') as any).namespaces).toContainEqual({
      name: 'logging',
      podSecurity: 'privileged',
    });
  });

  test("serves Kibana at logs.<domain>: a DNS record to the Gateway's IP, a listener and the certificate's name", () => {
    // GIVEN / WHEN
    const synthesized = synthesize(minimalConfig());

    // THEN
    expect(synthesized.text).toHaveResourceWithProperties(DnsRecord, {
      name: 'logs',
      type: 'A',
      content: '${element(ionoscloud_ipblock.ingress-ip.ips, 0)}',
    });
    expect((helmValuesOf(synthesized, 'addons_state-gateway') as any).gateway.hostnames).toEqual([
      'meet.testland.meetscale.example',
      'logs.testland.meetscale.example',
    ]);
    expect(synthesized.json).toMatchObject({ output: { kibana_url: { value: 'https://logs.testland.meetscale.example' } } });
  });
});

describe('a state without logging', () => {
  test('installs neither the chart nor its namespace, host or route, and keeps the ECK operator', () => {
    // GIVEN / WHEN the stack of a state that turns logging off
    const synthesized = synthesize(minimalConfig({ logging: { enabled: false } }));
    const releases = synthesized.json.resource['helm_release'] ?? {};

    // THEN
    expect(Object.keys(releases)).not.toContain('meetscale_logging');
    expect(Object.keys(releases)).toContain('addons_eck-operator');
    expect((helmValuesOf(synthesized, 'addons_state-base') as any).namespaces.map((namespace: any) => namespace.name)).not.toContain(
      'logging',
    );
    expect((helmValuesOf(synthesized, 'addons_state-gateway') as any).gateway.hostnames).toEqual(['meet.testland.meetscale.example']);
    expect(Object.values(synthesized.json.resource['ionoscloud_dns_record'] ?? {}).map((record) => record['name'])).toEqual(['meet']);
    expect(JSON.parse(synthesized.text).output).not.toHaveProperty('kibana_url');
  });
});
