import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import type * as Yaml from 'yaml';

/** The `version` of the `yaml` package a require function resolves. */
function yamlVersion(resolve: NodeJS.RequireResolve): string {
  return (JSON.parse(readFileSync(resolve('yaml/package.json'), 'utf8')) as { version: string }).version;
}

/**
 * The `yaml` library the toolkit writes with. cdk8s bundles its own copy of `yaml` and loads it whenever cdk8s
 * loads, which every chart build does. When that copy is the very version the toolkit's own `yaml` dependency
 * resolves to, the toolkit uses it rather than loading and compiling the same library a second time (a fifth of
 * the toolkit's start-up); when the versions differ, it loads its own, so the output never depends on cdk8s.
 */
function loadYaml(): typeof Yaml {
  const fromCdk8s = createRequire(require.resolve('cdk8s'));
  const load = yamlVersion(fromCdk8s.resolve) === yamlVersion(require.resolve) ? fromCdk8s : require;
  return load('yaml') as typeof Yaml;
}

/** @internal The `yaml` module, loaded once. */
export const _yaml: typeof Yaml = loadYaml();
