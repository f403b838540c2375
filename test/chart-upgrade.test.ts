/**
 * "Upgrades lose nothing" (chart contract), for every chart in `charts/` under Helm 3 and Helm 4: upgrading from
 * its last release (from the release record, rendered from that commit) changes no immutable field and deletes
 * no volume claim, with the defaults and every scenario.
 * That a configuration change rolls the pods reading it is checked with the other overrides in chart-contract.
 */
import { chartNames, HELM_MAJORS, type Manifest, renderChart } from './support/charts';
import { releasedChart, upgradePaths } from './support/released-charts';
import { unrolledWorkloads, upgradeBreaks } from './support/upgrades';

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
  const released = releasedChart(chart);
  if (released === undefined) {
    // nothing to upgrade from until the chart's first release: jest lists it as a todo, not as a pass
    test.todo('an upgrade from its last release (it has none yet)');
    return;
  }

  test.each(HELM_MAJORS)(
    `an upgrade from its last release ${released.entry.version} renders no changed immutable field and no deleted volume claim, with Helm %i and every scenario`,
    (major) => {
      for (const path of upgradePaths(chart, released)) {
        const before = renderChart(major, chart, { chartPath: released.dir, release: 'upgrade', valuesFiles: [...path.from] });
        const after = renderChart(major, chart, { release: 'upgrade', valuesFiles: [...path.to] });
        // a render Helm refuses has no objects, so no breaks: its error must show
        const refused = [before, after].filter((render) => render.status !== 0).map((render) => render.stderr);
        expect({ path: path.name, refused, breaks: upgradeBreaks(before.manifests, after.manifests) }).toEqual({
          path: path.name,
          refused: [],
          breaks: [],
        });
      }
    },
  );
});
