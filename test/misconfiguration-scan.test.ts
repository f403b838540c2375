/**
 * Trivy's Kubernetes misconfiguration checks over every chart's defaults and `ci/` scenarios, as Helm renders
 * them: no HIGH or CRITICAL finding is open, and every finding accepted in `tools/trivy/accepted-findings.yaml`
 * still occurs. A new chart is covered by emitting it into `charts/`: nothing here names a chart.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import { readAcceptedFindings, scanConfig, type Triage, triageFindings, type TrivyFinding } from '@meetscale/trivy';
import YAML from 'yaml';

import { chartNames, renderChart, scenarioFiles } from './support/charts';

/**
 * Writes every object a chart renders for one scenario into `<root>/<chart>/<scenario>/<Kind>-<name>.yaml`, the
 * layout the `paths` of the accepted findings refer to (`defaults` is the scenario without a values file).
 */
function writeRendered(root: string, chart: string, scenarioFile: string | undefined): void {
  const scenario = scenarioFile === undefined ? 'defaults' : basename(scenarioFile).replace(/-values\.yaml$/, '');
  const rendered = renderChart(4, chart, { valuesFiles: scenarioFile === undefined ? [] : [scenarioFile] });
  if (rendered.status !== 0) throw new Error(`helm template ${chart} (${scenario}) failed:\n${rendered.stderr}`);
  const dir = join(root, chart, scenario);
  mkdirSync(dir, { recursive: true });
  for (const manifest of rendered.manifests)
    writeFileSync(join(dir, `${manifest.kind}-${manifest.metadata.name}.yaml`), YAML.stringify(manifest));
}

/** One line per finding: check, severity, chart, scenario, resource and what is wrong. */
function describeFinding(finding: TrivyFinding): string {
  const [chart, scenario] = finding.file.split('/');
  return `${finding.id} (${finding.severity}) ${chart} [${scenario}] ${finding.resource}: ${finding.message}`;
}

let triage: Triage;

beforeAll(() => {
  const root = mkdtempSync(join(tmpdir(), 'meetscale-misconfiguration-'));
  try {
    for (const chart of chartNames()) for (const scenario of [undefined, ...scenarioFiles(chart)]) writeRendered(root, chart, scenario);
    triage = triageFindings(scanConfig(root), readAcceptedFindings());
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}, 600_000);

test('no chart renders a HIGH or CRITICAL misconfiguration that is not accepted', () => {
  const severe = triage.open.filter((finding) => finding.severity === 'HIGH' || finding.severity === 'CRITICAL');
  expect(severe.map(describeFinding)).toEqual([]);
});

test('every accepted finding still occurs', () => {
  expect(triage.unused.map((acceptance) => `${acceptance.id} ${JSON.stringify(acceptance.paths)}`)).toEqual([]);
});

test('the scanner reports a privileged container as a HIGH finding', () => {
  // GIVEN a Deployment whose container runs privileged
  const dir = mkdtempSync(join(tmpdir(), 'meetscale-misconfiguration-bad-'));
  try {
    const container = { name: 'app', image: 'registry.example/app:1.0.0', securityContext: { privileged: true } };
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'bad' },
      spec: {
        selector: { matchLabels: { app: 'bad' } },
        template: { metadata: { labels: { app: 'bad' } }, spec: { containers: [container] } },
      },
    };
    mkdirSync(join(dir, 'bad-chart', 'defaults'), { recursive: true });
    writeFileSync(join(dir, 'bad-chart', 'defaults', 'Deployment-bad.yaml'), YAML.stringify(deployment));
    // WHEN it is scanned and triaged like the charts
    const { open } = triageFindings(scanConfig(dir), readAcceptedFindings());
    // THEN the privileged container is an open HIGH finding
    expect(open.filter((finding) => finding.id === 'KSV-0017').map(describeFinding)).toEqual([
      "KSV-0017 (HIGH) bad-chart [defaults] Deployment/bad: Container 'app' of Deployment 'bad' should set 'securityContext.privileged' to false",
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
