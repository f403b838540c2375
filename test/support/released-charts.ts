/**
 * Each chart as it was at its last release (from the release record, extracted from that commit), and the upgrade
 * paths from there to the working tree that the tests walk.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import { chartAtCommit } from '@meetscale/release';
import { lastRelease, type ReleaseEntry } from '@meetscale/releases';

import { chartDir, scenarioFiles, WORKSPACE_ROOT } from './charts';
import { chartPodSecurity, type PodSecurityLevel, scenarioPodSecurity, weakestLevel as weakest } from './cluster';

/** A chart's last release, extracted. */
export interface ReleasedChart {
  readonly entry: ReleaseEntry;
  /** The chart folder as committed at the release. */
  readonly dir: string;
}

const extracted = new Map<string, ReleasedChart | undefined>();
let scratch: string | undefined;

/** The last release of a chart, extracted once per process (removed on exit); undefined before its first release. */
export function releasedChart(chart: string): ReleasedChart | undefined {
  if (!extracted.has(chart)) {
    const entry = lastRelease(chart);
    if (entry === undefined) {
      extracted.set(chart, undefined);
    } else {
      if (scratch === undefined) {
        const created = mkdtempSync(join(tmpdir(), 'meetscale-released-'));
        process.once('exit', () => rmSync(created, { recursive: true, force: true }));
        scratch = created;
      }
      extracted.set(chart, { entry, dir: chartAtCommit(chart, entry.commit, join(scratch, chart), WORKSPACE_ROOT) });
    }
  }
  return extracted.get(chart);
}

/** One upgrade from the released chart to the working tree. */
export interface UpgradePath {
  readonly name: string;
  /** Values files of the install of the released chart. */
  readonly from: readonly string[];
  /** Values files of the upgrade to the working tree. */
  readonly to: readonly string[];
  /** The Pod Security level both need. */
  readonly level: PodSecurityLevel;
}

/**
 * The upgrade paths from a release: the defaults; every scenario the release had, installed with its values file
 * and upgraded with that file and, on top, the scenario's current file (a user's values keep working and keep
 * their meaning, with only what an upgrading note asks for added); every scenario new since, upgraded to from the
 * released defaults.
 */
export function upgradePaths(chart: string, released: ReleasedChart): UpgradePath[] {
  const current = scenarioFiles(chart);
  const old = scenarioFiles(chart, released.dir);
  const level = (...files: string[]): PodSecurityLevel => weakest(files.map(scenarioPodSecurity));
  // the defaults' level is the chart's (Chart.yaml), before and after: the logging chart's shipper needs privileged
  const releasedDefaults = chartPodSecurity(released.dir);
  const defaults = weakest([releasedDefaults, chartPodSecurity(chartDir(chart))]);
  // A scenario the working tree still has is upgraded with the released file and then its current file on top:
  // the user's values, plus what the upgrading notes ask them to add (a value a breaking change made required).
  // Where the scenario did not change, that is the same values file twice.
  const kept = old.map((file) => {
    const now = current.filter((next) => basename(next) === basename(file));
    return { name: basename(file, '-values.yaml'), from: [file], to: [file, ...now], level: level(file, ...now) };
  });
  const added = current
    .filter((file) => !old.some((previous) => basename(previous) === basename(file)))
    .map((file) => ({
      name: `${basename(file, '-values.yaml')} (new)`,
      from: [],
      to: [file],
      level: weakest([releasedDefaults, level(file)]),
    }));
  return [{ name: 'defaults', from: [], to: [], level: defaults }, ...kept, ...added];
}
