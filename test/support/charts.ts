import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { type HelmMajor, helmName, type HelmPin, OLDEST_HELM_3 } from '@meetscale/helm-binaries';
import { chartDir, type Manifest } from '@meetscale/local-state';

export {
  chartDir,
  chartNames,
  type Manifest,
  parseManifests,
  renderChart,
  type RenderOptions,
  type RenderResult,
  valuesFileArgs,
  WORKSPACE_ROOT,
} from '@meetscale/local-state';

/** Both Helm major versions every chart check runs under (the current release of each). */
export const HELM_MAJORS: readonly HelmMajor[] = [3, 4];

/** A pinned Helm and its name for test titles, e.g. `Helm 3.18.0 (oldest supported Helm 3)`. */
export interface NamedHelm {
  readonly pin: HelmPin;
  readonly name: string;
}

/** The Helm releases the lint and values-schema checks run under: {@link HELM_MAJORS}, and the oldest supported Helm 3. */
export const LINT_HELMS: readonly NamedHelm[] = [...HELM_MAJORS, OLDEST_HELM_3].map((pin) => ({ pin, name: helmName(pin) }));

/** The `ci/*-values.yaml` scenario files of a chart (absolute paths), of the working tree or of another copy. */
export function scenarioFiles(chart: string, folder: string = chartDir(chart)): string[] {
  const dir = join(folder, 'ci');
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((file) => file.endsWith('-values.yaml'))
        .sort()
        .map((file) => join(dir, file))
    : [];
}

/** `kind/name` of an object. */
export function objectId(manifest: Manifest): string {
  return `${manifest.kind}/${manifest.metadata.name}`;
}

/** The text of one ConfigMap entry among rendered objects. */
export function configMapEntry(manifests: readonly Manifest[], key: string): string {
  const found = manifests.find(
    (manifest) => manifest.kind === 'ConfigMap' && typeof (manifest.data as Record<string, unknown> | undefined)?.[key] === 'string',
  );
  if (found === undefined) throw new Error(`no ConfigMap holds ${key}`);
  return (found.data as Record<string, string>)[key] as string;
}
