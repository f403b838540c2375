/**
 * A recorded release can be made again: packaging its commit (with the changes annotation from the commits up to
 * it) gives the archive digest the record holds. This is what makes a version immutable in practice: the record
 * pins the exact bytes, and anyone with the repository can check them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { readReleaseRecord } from '@meetscale/releases';

import { artifactHubChanges, conventionalCommits } from './changelog';
import { REPOSITORY_ROOT } from './git';
import { packageChart } from './package-chart';

/** Mismatches between recorded and re-packaged digests of every release of the charts; empty when all match. */
export function verifyRecordedDigests(charts: readonly string[], root: string = REPOSITORY_ROOT): string[] {
  const out = mkdtempSync(join(tmpdir(), 'meetscale-reproduce-'));
  try {
    return charts.flatMap((chart) => {
      const { releases } = readReleaseRecord(chart, join(root, 'releases'));
      return releases.flatMap((entry, index) => {
        const changes = artifactHubChanges(conventionalCommits(chart, releases[index - 1]?.commit, entry.commit, root));
        const packaged = packageChart({ chart, commit: entry.commit, outDir: join(out, `${index}`), changes, root });
        return packaged.chartDigest === entry.chartDigest
          ? []
          : [
              `${chart} ${entry.version}: commit ${entry.commit.slice(0, 12)} packages to ${packaged.chartDigest}, recorded ${entry.chartDigest}`,
            ];
      });
    });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
