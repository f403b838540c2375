/**
 * Every documented value of every chart in `charts/`, overridden once as a user would at install time: it must
 * change the rendered output, roll the pods that read what it changed, and change no immutable field of an
 * installed release. Rendered by the current Helm 4 only: chart-contract.test.ts shows that Helm 3 renders every
 * scenario to the same objects. Nothing here names a chart.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { HelmMajor } from '@meetscale/helm-binaries';
import YAML from 'yaml';

import { chartDir, chartNames, type Manifest, renderChart, scenarioFiles } from './support/charts';
import { generatedFields, maskGenerated } from './support/generated-values';
import { alternativeFor, entryNamesBeside, leaves, mergeValues, valuesAt, valuesSchema, valuesValidator } from './support/schema-values';
import { unrolledWorkloads, upgradeBreaks } from './support/upgrades';

/** The Helm the overrides are rendered with. */
const HELM: HelmMajor = 4;

/** One documented value overridden at install time, and what that did. */
interface OverrideRun {
  readonly name: string;
  readonly alternative: unknown;
  /** The defaults or scenario on which the value first changed the output (undefined: on none). */
  readonly changedOn: string | undefined;
  /** Workloads that kept their pods although their configuration changed (there). */
  readonly unrolled: string[];
  /** Immutable fields the change would alter on an installed release (`helm upgrade` would fail) (there). */
  readonly breaks: string[];
  /** Why rendering failed, when it failed on top of the defaults and of every scenario. */
  readonly failures: string[];
}

describe.each(chartNames())('chart %s', (chart) => {
  const schema = valuesSchema(chart);
  const defaults = YAML.parse(readFileSync(join(chartDir(chart), 'values.yaml'), 'utf8')) as Record<string, unknown>;
  const contexts: Array<{ name: string; valuesFiles: string[] }> = [
    { name: 'defaults', valuesFiles: [] },
    ...scenarioFiles(chart).map((file) => ({ name: file.split('/').pop() as string, valuesFiles: [file] })),
  ];

  /**
   * Every documented value overridden once, on top of the defaults and, while that changes nothing, of each
   * scenario in turn (a value may matter only with a feature on): the first render it changes is checked as an
   * upgrade of that release. Computed once, read by the three tests below.
   */
  let overrides: OverrideRun[] | undefined;
  const overrideRuns = (): OverrideRun[] => {
    if (overrides !== undefined) return overrides;
    const validate = valuesValidator(schema);
    const baselines = contexts.map((context) => {
      const first = renderChart(HELM, chart, { valuesFiles: context.valuesFiles });
      const second = renderChart(HELM, chart, { valuesFiles: context.valuesFiles });
      const generated = generatedFields(first.manifests, second.manifests);
      return { ...context, generated, manifests: maskGenerated(first.manifests, generated) };
    });
    overrides = leaves(schema).map((leaf): OverrideRun => {
      const name = leaf.path.join('.');
      const alternative = alternativeFor(
        leaf.schema,
        leaf.default,
        (candidate) => validate(mergeValues(defaults, valuesAt(leaf.path, candidate))),
        entryNamesBeside(defaults, leaf.default),
      );
      const failures: string[] = [];
      if (alternative !== undefined) {
        for (const baseline of baselines) {
          const rendered = renderChart(HELM, chart, { valuesFiles: baseline.valuesFiles, values: valuesAt(leaf.path, alternative) });
          if (rendered.status !== 0) {
            failures.push(`${baseline.name}: ${rendered.stderr.trim().split('\n')[0]}`);
            continue;
          }
          const manifests: Manifest[] = maskGenerated(rendered.manifests, baseline.generated);
          if (JSON.stringify(manifests) === JSON.stringify(baseline.manifests)) continue;
          return {
            name,
            alternative,
            changedOn: baseline.name,
            unrolled: unrolledWorkloads(baseline.manifests, manifests),
            breaks: upgradeBreaks(baseline.manifests, manifests),
            failures: [],
          };
        }
      }
      return {
        name,
        alternative,
        changedOn: undefined,
        unrolled: [],
        breaks: [],
        failures: failures.length === baselines.length ? failures : [],
      };
    });
    return overrides;
  };

  test('every documented value changes the rendered output when overridden at install time', () => {
    // GIVEN a value different from its default that the schema accepts, for every documented value
    // WHEN it is set at install time
    // THEN the rendered output changes
    const ineffective = overrideRuns().flatMap((run) => {
      if (run.alternative === undefined) return [`${run.name}: no alternative value could be generated`];
      if (run.failures.length > 0)
        return [`${run.name}=${JSON.stringify(run.alternative)} renders with no scenario: ${run.failures.join('; ')}`];
      return run.changedOn !== undefined ? [] : [`${run.name}=${JSON.stringify(run.alternative)} changed nothing`];
    });
    expect(ineffective).toEqual([]);
  });

  test('a configuration change rolls the pods that read the configuration', () => {
    // GIVEN each documented value changed from its default (on the first render it changes)
    // THEN every workload whose ConfigMaps or Secrets changed gets a new pod template (checksum annotations)
    expect(overrideRuns().flatMap((run) => run.unrolled.map((problem) => `${run.name} (on ${run.changedOn}): ${problem}`))).toEqual([]);
  });

  test('changing a value on an installed release changes no immutable field and deletes no volume claim', () => {
    // GIVEN each documented value changed from its default, as `helm upgrade --set` would (on the first render it
    // changes)
    // THEN no selector, StatefulSet serviceName or volume claim template changes, and no claim disappears
    expect(overrideRuns().flatMap((run) => run.breaks.map((problem) => `${run.name} (on ${run.changedOn}): ${problem}`))).toEqual([]);
  });
});
