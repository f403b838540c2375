/**
 * Emitting charts: what `tools/synth`, the scaffolder and the tests use. Chart packages import
 * `@meetscale/chart-toolkit` instead.
 */
export { isChartFacts } from './chart-facts';
export { chartFiles, emitChart, emittedCharts, valuesTypeName } from './emit-chart';
export { ESCAPE_HATCH } from './escape-hatches';
export { HELM_VERSIONS_ANNOTATION, OLDEST_SUPPORTED_HELM_3, SUPPORTED_HELM_VERSIONS } from './helm-versions';
export { helmYaml } from './helm-yaml';
export { componentNameOf, fullnameOf, nameOf, type NameOverrides, type ReleaseNaming, releaseNaming } from './naming';
export { type ChartFile, EMBEDDED_FILE } from './render-templates';
export { checkValuesSchema, type SchemaProblem, valuesJsonSchema } from './values-schema';
