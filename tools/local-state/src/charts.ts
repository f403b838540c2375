/**
 * The workspace's charts as Helm sees them: the emitted `charts/<chart>` directories, rendered with real Helm.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { helmYaml } from '@meetscale/chart-toolkit/build';
import { type HelmPin, runHelm } from '@meetscale/helm-binaries';
import YAML from 'yaml';

/** The workspace root. */
export const WORKSPACE_ROOT = resolve(__dirname, '../../..');

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
