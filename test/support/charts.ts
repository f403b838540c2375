import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { helmYaml } from '@meetscale/chart-toolkit/build';
import { type HelmMajor, helmName, type HelmPin, OLDEST_HELM_3, runHelm } from '@meetscale/helm-binaries';
import YAML from 'yaml';

/** The workspace root. */
export const WORKSPACE_ROOT = resolve(__dirname, '../..');

/** Both Helm major versions every chart check runs under (the current release of each). */
export const HELM_MAJORS: readonly HelmMajor[] = [3, 4];

/** A pinned Helm and its name for test titles, e.g. `Helm 3.18.0 (oldest supported Helm 3)`. */
export interface NamedHelm {
  readonly pin: HelmPin;
  readonly name: string;
}

/** The Helm releases the lint and values-schema checks run under: {@link HELM_MAJORS}, and the oldest supported Helm 3. */
export const LINT_HELMS: readonly NamedHelm[] = [...HELM_MAJORS, OLDEST_HELM_3].map((pin) => ({ pin, name: helmName(pin) }));

/** A Kubernetes object as rendered. */
export type Manifest = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
};

/** Names of every chart in `charts/`. */
export function chartNames(): string[] {
  const root = join(WORKSPACE_ROOT, 'charts');
  return readdirSync(root)
    .filter((name) => existsSync(join(root, name, 'Chart.yaml')))
    .sort();
}

/** Absolute path of a chart. */
export function chartDir(chart: string): string {
  return join(WORKSPACE_ROOT, 'charts', chart);
}

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

/** How to render a chart. */
export interface RenderOptions {
  readonly release?: string;
  readonly namespace?: string;
  /** Values files passed with `-f`, in order. */
  readonly valuesFiles?: readonly string[];
  /** Values passed as one more `-f` file, after `valuesFiles`. */
  readonly values?: unknown;
  /** Render this chart directory instead of `charts/<chart>` (an earlier version, say). */
  readonly chartPath?: string;
}

/** What `helm template` produced. */
export interface RenderResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The rendered objects (empty when rendering failed). */
  readonly manifests: Manifest[];
}

/** Parses a multi-document YAML stream into objects, skipping empty documents. */
export function parseManifests(text: string): Manifest[] {
  return YAML.parseAllDocuments(text)
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`rendered YAML does not parse: ${document.errors[0]?.message}`);
      return document.toJS() as Manifest | null;
    })
    .filter((manifest): manifest is Manifest => manifest !== null && typeof manifest === 'object');
}

/** Runs `helm template` on a chart with real Helm. */
export function renderChart(helm: HelmPin, chart: string, options: RenderOptions = {}): RenderResult {
  const args = [
    'template',
    options.release ?? 'test',
    options.chartPath ?? chartDir(chart),
    '--namespace',
    options.namespace ?? 'meetscale',
  ];
  for (const file of options.valuesFiles ?? []) args.push('-f', file);
  const values = valuesFileArgs(options.values);
  try {
    const result = runHelm(helm, [...args, ...values.args]);
    return { ...result, manifests: result.status === 0 ? parseManifests(result.stdout) : [] };
  } finally {
    values.remove();
  }
}

/**
 * Values as one more `-f` file for Helm: the arguments, and the function that removes the file again (none
 * when `values` is undefined).
 */
export function valuesFileArgs(values: unknown): { readonly args: string[]; remove(): void } {
  if (values === undefined) return { args: [], remove: () => undefined };
  const scratch = mkdtempSync(join(tmpdir(), 'meetscale-values-'));
  const file = join(scratch, 'values.yaml');
  writeFileSync(file, helmYaml(values));
  return { args: ['-f', file], remove: () => rmSync(scratch, { recursive: true, force: true }) };
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
