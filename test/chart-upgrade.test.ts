/**
 * "Upgrades lose nothing" (chart contract), for every chart in `charts/` under Helm 3 and Helm 4: upgrading from
 * the previous chart version (found in git history) changes no immutable field and deletes no volume claim.
 * That a configuration change rolls the pods reading it is checked with the other overrides in chart-contract.
 */
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

import YAML from 'yaml';

import { chartDir, chartNames, HELM_MAJORS, type Manifest, renderChart, scenarioFiles } from './support/charts';
import { previousChart, unrolledWorkloads, upgradeBreaks } from './support/upgrades';

const manifest = (kind: string, name: string, extra: Record<string, unknown>): Manifest => ({
  apiVersion: 'v1',
  kind,
  metadata: { name },
  ...extra,
});

describe('the upgrade checks', () => {
  const configMap = (value: string): Manifest => manifest('ConfigMap', 'cfg', { data: { 'app.conf': value } });
  const deployment = (checksum: string): Manifest =>
    manifest('Deployment', 'web', {
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { annotations: { checksum } },
          spec: { volumes: [{ name: 'c', configMap: { name: 'cfg' } }], containers: [] },
        },
      },
    });

  test('find a workload that keeps its pods although its ConfigMap changed', () => {
    expect(unrolledWorkloads([configMap('a'), deployment('1')], [configMap('b'), deployment('1')])).toEqual([
      'Deployment/web keeps its pods although ConfigMap/cfg changed',
    ]);
    expect(unrolledWorkloads([configMap('a'), deployment('1')], [configMap('b'), deployment('2')])).toEqual([]);
  });

  test('find changed immutable fields and deleted volume claims', () => {
    const statefulSet = (serviceName: string): Manifest =>
      manifest('StatefulSet', 'db', { spec: { serviceName, selector: { matchLabels: { app: 'db' } } } });
    const claim = manifest('PersistentVolumeClaim', 'data', { spec: {} });
    expect(upgradeBreaks([statefulSet('a'), claim], [statefulSet('b')])).toEqual([
      'StatefulSet/db changes immutable spec.serviceName',
      'PersistentVolumeClaim/data would be deleted',
    ]);
    expect(upgradeBreaks([statefulSet('a'), claim], [statefulSet('a'), claim])).toEqual([]);
  });
});

describe.each(chartNames())('chart %s', (chart) => {
  const version = String((YAML.parse(readFileSync(join(chartDir(chart), 'Chart.yaml'), 'utf8')) as { version: unknown }).version);
  const previous = previousChart(chart, version);
  afterAll(() => {
    if (previous !== undefined) rmSync(dirname(dirname(previous.dir)), { recursive: true, force: true });
  });

  describe.each(HELM_MAJORS)('with Helm %i', (major) => {
    (previous === undefined ? test.skip : test)(
      `an upgrade from the previous version ${previous?.version ?? '(none in history)'} changes no immutable field and deletes no volume claim`,
      () => {
        const dir = previous?.dir as string;
        const contexts = [undefined, ...scenarioFiles(chart).map((file) => join(dir, 'ci', file.split('/').pop() as string))];
        for (const scenario of contexts) {
          let valuesFiles: string[] = [];
          try {
            if (scenario !== undefined) valuesFiles = [readFileSync(scenario) && scenario];
          } catch {
            continue; // the scenario is new in this version
          }
          const before = renderChart(major, chart, { chartPath: dir, release: 'upgrade', valuesFiles });
          const after = renderChart(major, chart, { release: 'upgrade', valuesFiles });
          expect({ scenario, breaks: upgradeBreaks(before.manifests, after.manifests) }).toEqual({ scenario, breaks: [] });
        }
      },
    );
  });
});
