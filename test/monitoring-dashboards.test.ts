/**
 * The monitoring chart's dashboards reach Grafana as they were built: Helm renders each ConfigMap's JSON unchanged,
 * Grafana's `{{label}}` legends included (the chart escapes them from Helm's templating).
 */
import { DASHBOARDS } from '@meetscale/monitoring';

import { chartDir, renderChart } from './support/charts';

test.each([4, 3] as const)('Helm %i renders every dashboard as the JSON the foundation SDK built, legends and all', (major) => {
  const rendered = renderChart(major, 'monitoring', {
    valuesFiles: [`${chartDir('monitoring')}/ci/01-state-with-bigbluebutton-values.yaml`],
  });
  expect(rendered.stderr).toBe('');
  const dashboards = Object.fromEntries(
    rendered.manifests
      .filter((manifest) => manifest.kind === 'ConfigMap')
      .flatMap((manifest) => Object.entries(manifest.data as Record<string, string>)),
  );
  expect(Object.keys(dashboards).sort()).toEqual(Object.keys(DASHBOARDS).sort());
  for (const [file, build] of Object.entries(DASHBOARDS)) {
    const text = dashboards[file] as string;
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(build())));
    // the legends Grafana templates, as written
    expect(text).toMatch(/"legendFormat": "[^"]*\{\{[a-z_]+\}\}/);
  }
});

test('the dashboards follow the area they show, and the sidecar label and folder follow the values', () => {
  const rendered = renderChart(4, 'monitoring', {
    values: { jitsi: { enabled: false }, dashboards: { labels: { grafana_dashboard: 'meetscale' }, folder: 'Video' } },
  });
  const configMaps = rendered.manifests.filter((manifest) => manifest.kind === 'ConfigMap');
  // BigBlueButton is off by default, Jitsi off here: the overview and HAProxy remain
  expect(configMaps.flatMap((manifest) => Object.keys(manifest.data as object)).sort()).toEqual(['haproxy.json', 'state-overview.json']);
  for (const configMap of configMaps) {
    expect(configMap.metadata.labels).toMatchObject({ grafana_dashboard: 'meetscale' });
    expect(configMap.metadata.annotations).toMatchObject({ grafana_folder: 'Video' });
  }
});
