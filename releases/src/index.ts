/**
 * The release records: one `releases/<chart>/releases.json` per chart, written by `npm run release` and committed.
 * They are what the version discipline compares against and what the state stacks install; nothing here depends
 * on git tags.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { z } from 'zod';

export { OCI_LOCATION, OCI_LOCATION_EXAMPLE, parseOciLocation } from './oci-location';

/** The folder holding one sub-folder per released chart. */
export const RELEASES_DIR = join(__dirname, '..');

const digest = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'a digest is sha256:<64 hex digits>');

/** One published version of a chart. */
export const releaseEntrySchema = z
  .object({
    version: z.string().regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, 'a chart version is semver'),
    commit: z.string().regex(/^[0-9a-f]{40}$/, 'a commit is 40 lower-case hex digits'),
    chartDigest: digest.describe('sha256 of the chart archive (the OCI layer); re-packaging the commit gives it again'),
    manifestDigest: digest.describe('digest of the OCI manifest the registry stored'),
    reference: z.string().regex(/^oci:\/\/\S+$/, 'a reference is oci://<registry>/<path>/<chart>'),
    signedBy: z
      .string()
      .regex(/^[0-9A-F]{40}$/)
      .describe('fingerprint of the PGP key of the provenance file; its public key is releases/keys/<fingerprint>.asc'),
    cosignKey: z
      .string()
      .regex(/^cosign-[0-9a-f]{16}\.pub$/)
      .nullable()
      .describe('the public key (releases/keys/<file>) of the cosign signature pushed beside the artifact; null when none was'),
    releasedAt: z.iso.datetime(),
  })
  .strict();

/** A chart's release record: every release, oldest first. */
export const releaseRecordSchema = z
  .object({
    chart: z.string().regex(/^[a-z][a-z0-9-]*$/),
    releases: z.array(releaseEntrySchema),
  })
  .strict();

export type ReleaseEntry = z.infer<typeof releaseEntrySchema>;
export type ReleaseRecord = z.infer<typeof releaseRecordSchema>;

/** Path of a chart's release record. */
export function releaseRecordPath(chart: string, root = RELEASES_DIR): string {
  return join(root, chart, 'releases.json');
}

/** Path of a public key the releases were signed with (`<fingerprint>.asc` or `cosign-<id>.pub`). */
export function publicKeyPath(file: string, root = RELEASES_DIR): string {
  return join(root, 'keys', file);
}

/** Path of a chart's CHANGELOG. */
export function changelogPath(chart: string, root = RELEASES_DIR): string {
  return join(root, chart, 'CHANGELOG.md');
}

/**
 * A chart's release record, validated; an empty record when the chart was never released.
 * @throws naming the file and the offending field when the record is malformed
 */
export function readReleaseRecord(chart: string, root = RELEASES_DIR): ReleaseRecord {
  const path = releaseRecordPath(chart, root);
  if (!existsSync(path)) return { chart, releases: [] };
  const parsed = releaseRecordSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new Error(`${path} is not a valid release record: ${problems.join('; ')}`);
  }
  if (parsed.data.chart !== chart) throw new Error(`${path} records chart "${parsed.data.chart}", not "${chart}"`);
  return parsed.data;
}

/** The newest release of a chart, or undefined when it was never released. */
export function lastRelease(chart: string, root = RELEASES_DIR): ReleaseEntry | undefined {
  return readReleaseRecord(chart, root).releases.at(-1);
}

/**
 * The version of a chart the state stacks install: its newest release.
 * @throws when the chart was never released (a stack cannot install what no registry holds)
 */
export function releasedVersion(chart: string, root = RELEASES_DIR): string {
  const last = lastRelease(chart, root);
  if (last === undefined) throw new Error(`chart ${chart} has no release yet: run \`npm run release\` before a stack installs it`);
  return last.version;
}

/** Charts with a release record. */
export function releasedCharts(root = RELEASES_DIR): string[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== 'keys' && existsSync(releaseRecordPath(entry.name, root)))
    .map((entry) => entry.name)
    .sort();
}
