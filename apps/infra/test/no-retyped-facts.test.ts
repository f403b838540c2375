import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { readReleaseRecord, releasedCharts } from '@meetscale/releases';

/**
 * The app names the meetscale charts only through their generated facts (`@meetscale/chart-values/facts/<chart>`)
 * and release records (`@meetscale/releases`): no chart version, chart name, Service name or metric name of a
 * meetscale chart is typed in `apps/infra/src`, where it would go stale when the chart changes.
 */

const SOURCE_DIR = join(__dirname, '..', 'src');
const FACTS_DIR = join(__dirname, '..', '..', '..', 'charts', 'facts');

interface PublishedFacts {
  readonly chart: string;
  readonly version: string;
  readonly services: Readonly<Record<string, string>>;
  readonly metrics: Readonly<Record<string, { readonly name: string; readonly series: string }>>;
}

/** The facts every chart publishes, read from the generated modules. */
function publishedFacts(): PublishedFacts[] {
  return readdirSync(FACTS_DIR)
    .filter((file) => file.endsWith('.ts') && !file.startsWith('_'))
    .map((file) => {
      const text = readFileSync(join(FACTS_DIR, file), 'utf8');
      const json = /const FACTS = (\{[\s\S]*?\n\}) as const;/.exec(text)?.[1];
      if (json === undefined) throw new Error(`charts/facts/${file} holds no FACTS object`);
      return JSON.parse(json) as PublishedFacts;
    });
}

/** The string literals of a TypeScript source, comments left out. */
function stringLiterals(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
  return [...code.matchAll(/'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\]|\\.)*)`/g)].map(
    (match) => match[1] ?? match[2] ?? match[3] ?? '',
  );
}

/**
 * Literals that spell a chart's name but name something else, by file: the monitoring stack's namespace was
 * `monitoring` before the monitoring chart was; the logging release's namespace and the configuration's section are
 * `logging` too.
 */
const OTHER_MEANINGS: Readonly<Record<string, readonly string[]>> = {
  'addon-releases.ts': ['monitoring'],
  'logging-release.ts': ['logging'],
  'state-config.ts': ['logging'],
};

/** Every fact a literal must not re-state: what it is, and a test whether a literal states it. */
function forbiddenFacts(): Array<{ readonly what: string; readonly states: (literal: string) => boolean }> {
  const facts = publishedFacts();
  const versions = new Set([
    ...facts.map((fact) => fact.version),
    ...releasedCharts().flatMap((chart) => readReleaseRecord(chart).releases.map((release) => release.version)),
  ]);
  return [
    ...[...versions].map((version) => ({ what: `chart version ${version}`, states: (literal: string) => literal === version })),
    ...facts.map((fact) => ({ what: `chart name ${fact.chart}`, states: (literal: string) => literal === fact.chart })),
    ...facts.flatMap((fact) =>
      Object.values(fact.services)
        .filter((component) => component !== '')
        .map((component) => ({
          what: `Service name ${fact.chart}-${component}`,
          states: (literal: string) => literal.includes(`-${fact.chart}-${component}`) || literal.endsWith(`${fact.chart}-${component}`),
        })),
    ),
    ...facts.flatMap((fact) =>
      Object.values(fact.metrics).flatMap((metric) =>
        [...new Set([metric.name, metric.series])].map((name) => ({
          what: `metric name ${name}`,
          states: (literal: string) => new RegExp(`(^|[^a-zA-Z0-9_:])${name}($|[^a-zA-Z0-9_:])`).test(literal),
        })),
      ),
    ),
  ];
}

describe('the infrastructure app', () => {
  test('re-types no chart version, chart name, Service name or metric name of a meetscale chart', () => {
    // GIVEN what the charts publish, and every string literal of the app's sources
    const forbidden = forbiddenFacts();
    const files = readdirSync(SOURCE_DIR).filter((file) => file.endsWith('.ts'));
    expect(forbidden.length).toBeGreaterThan(5);

    // WHEN each literal is checked against each fact
    const found = files.flatMap((file) =>
      stringLiterals(readFileSync(join(SOURCE_DIR, file), 'utf8'))
        .filter((literal) => !(OTHER_MEANINGS[file] ?? []).includes(literal))
        .flatMap((literal) =>
          forbidden.filter((fact) => fact.states(literal)).map((fact) => `${file}: '${literal}' re-states the ${fact.what}`),
        ),
    );

    // THEN none is found
    expect(found).toEqual([]);
  });

  test('finds a re-typed fact when one is there (the check can fail)', () => {
    const forbidden = forbiddenFacts();
    const planted = stringLiterals(
      `const web = 'shard-0-jitsi-shard-web'; // not 'jitsi_jvb_stress' in a comment\nconst m = "jitsi_jvb_stress";`,
    );
    expect(planted).toEqual(['shard-0-jitsi-shard-web', 'jitsi_jvb_stress']);
    expect(planted.map((literal) => forbidden.filter((fact) => fact.states(literal)).map((fact) => fact.what))).toEqual([
      ['Service name jitsi-shard-web'],
      ['metric name jitsi_jvb_stress'],
    ]);
  });
});
