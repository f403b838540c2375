/**
 * A chart archive made reproducibly from a commit: `charts/<chart>` as committed, `artifacthub.io/changes` added
 * to its `Chart.yaml`, every file dated to the commit, packaged by the pinned Helm 4 (whose archives depend only
 * on content and dates). Packaging the same commit again gives the same bytes, so a recorded digest can be
 * checked at any later time.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { runHelm } from '@meetscale/helm-binaries';
import YAML from 'yaml';

import { chartAtCommit, commitTime, REPOSITORY_ROOT } from './git';
import type { SigningKey } from './signing';

/** The Chart.yaml annotation Artifact Hub reads a version's changes from. */
export const CHANGES_ANNOTATION = 'artifacthub.io/changes';

/** A packaged chart. */
export interface PackagedChart {
  readonly chart: string;
  readonly version: string;
  /** The `.tgz` archive. */
  readonly archive: string;
  /** The provenance file beside it, when signed. */
  readonly provenance?: string;
  /** `sha256:<hex>` of the archive. */
  readonly chartDigest: string;
}

/** Options of {@link packageChart}. */
export interface PackageOptions {
  readonly chart: string;
  readonly commit: string;
  /** The folder the archive (and provenance) are written to. */
  readonly outDir: string;
  /** The `artifacthub.io/changes` value (YAML text); none when undefined. */
  readonly changes?: string;
  /** The key that signs the provenance file; unsigned when undefined. */
  readonly signingKey?: SigningKey;
  readonly root?: string;
}

function touchTree(dir: string, seconds: number): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) touchTree(path, seconds);
    utimesSync(path, seconds, seconds);
  }
  utimesSync(dir, seconds, seconds);
}

/** `sha256:<hex>` of a file. */
export function fileDigest(path: string): string {
  return `sha256:${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
}

/**
 * Packages (and signs) `charts/<chart>` of a commit.
 * @throws with Helm's message when packaging or signing fails
 */
export function packageChart(options: PackageOptions): PackagedChart {
  const root = options.root ?? REPOSITORY_ROOT;
  const stage = mkdtempSync(join(tmpdir(), `meetscale-stage-${options.chart}-`));
  try {
    const dir = chartAtCommit(options.chart, options.commit, stage, root);
    const chartFile = join(dir, 'Chart.yaml');
    const document = YAML.parseDocument(readFileSync(chartFile, 'utf8'));
    const version = String(document.get('version'));
    if (options.changes !== undefined && options.changes.trim() !== '') {
      document.setIn(['annotations', CHANGES_ANNOTATION], options.changes);
      writeFileSync(chartFile, document.toString({ lineWidth: 0 }));
    }
    touchTree(dir, commitTime(options.commit, root));
    mkdirSync(options.outDir, { recursive: true });
    const key = options.signingKey;
    const signArgs =
      key === undefined
        ? []
        : [
            '--sign',
            '--key',
            key.name,
            '--keyring',
            key.keyring,
            ...(key.passphraseFile === undefined ? [] : ['--passphrase-file', key.passphraseFile]),
          ];
    const result = runHelm(4, ['package', dir, '--destination', options.outDir, ...signArgs], { timeoutMs: 120_000 });
    if (result.status !== 0)
      throw new Error(`helm package ${options.chart} at ${options.commit.slice(0, 12)} failed: ${result.stderr.trim()}`);
    const archive = join(options.outDir, `${options.chart}-${version}.tgz`);
    return {
      chart: options.chart,
      version,
      archive,
      ...(key === undefined ? {} : { provenance: `${archive}.prov` }),
      chartDigest: fileDigest(archive),
    };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}
