/**
 * "Upgrades lose nothing" (chart contract), as `npm run release -- check` enforces it: every chart in `charts/`
 * keeps the version discipline against its last release, and its recorded releases package again to their digests. A
 * clone of HEAD with a record naming HEAD shows that a touched file is caught.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { changelogForRecord, checkVersionDiscipline, headCommit, REPOSITORY_ROOT, verifyRecordedDigests } from '@meetscale/release';
import { changelogPath, readReleaseRecord, type ReleaseRecord, releaseRecordPath } from '@meetscale/releases';
import YAML from 'yaml';

import { chartNames } from './support/charts';

describe.each(chartNames())('chart %s', (chart) => {
  test('keeps the version discipline against its last release', () => {
    expect(checkVersionDiscipline({ chart }).problems).toEqual([]);
  });

  test('every recorded release packages again, from its commit, to its recorded archive digest', () => {
    expect(verifyRecordedDigests([chart])).toEqual([]);
  });

  test('its committed CHANGELOG is the one its release record and the conventional commits give', () => {
    const record = readReleaseRecord(chart);
    const committed = existsSync(changelogPath(chart)) ? readFileSync(changelogPath(chart), 'utf8') : undefined;
    expect(committed).toBe(record.releases.length === 0 ? undefined : changelogForRecord(chart, record));
  });
});

describe('the version discipline on a clone of HEAD released as it stands', () => {
  const clone = mkdtempSync(join(tmpdir(), 'meetscale-release-discipline-'));
  const commit = headCommit();
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: clone, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  git('clone', '--quiet', '--no-checkout', REPOSITORY_ROOT, '.');
  git('checkout', '--quiet', '--detach', commit);
  const charts = chartNames().filter((chart) => existsSync(join(clone, 'charts', chart, 'Chart.yaml')));
  const chartYaml = (chart: string): string => join(clone, 'charts', chart, 'Chart.yaml');
  const versionAtHead = (chart: string): string =>
    String((YAML.parse(readFileSync(chartYaml(chart), 'utf8')) as { version: unknown }).version);

  beforeAll(() => {
    // GIVEN every chart released from HEAD, as `npm run release` would record it
    for (const chart of charts) {
      const record: ReleaseRecord = {
        chart,
        releases: [
          {
            version: versionAtHead(chart),
            commit,
            chartDigest: `sha256:${'0'.repeat(64)}`,
            manifestDigest: `sha256:${'0'.repeat(64)}`,
            reference: `oci://registry.invalid/meetscale/${chart}`,
            signedBy: '0'.repeat(40),
            cosignKey: null,
            releasedAt: '2025-01-01T00:00:00Z',
          },
        ],
      };
      const path = releaseRecordPath(chart, join(clone, 'releases'));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, JSON.stringify(record, null, 2));
    }
  });
  afterEach(() => git('checkout', '--quiet', '--', 'charts'));
  afterAll(() => rmSync(clone, { recursive: true, force: true }));

  test('holds a chart in the clone', () => {
    expect(charts).not.toEqual([]);
  });

  describe.each(charts)('chart %s', (chart) => {
    const short = commit.slice(0, 12);

    test('passes while the chart is the released one', () => {
      expect(checkVersionDiscipline({ chart, root: clone })).toMatchObject({ status: 'unchanged', problems: [] });
    });

    test('catches a touched file without a version bump', () => {
      // GIVEN one line added to the NOTES the chart shows after install, the version left as released
      appendFileSync(join(clone, 'charts', chart, 'templates', 'NOTES.txt'), 'One more line.\n');
      // THEN the change is refused, naming the release, the package to bump and the file
      expect(checkVersionDiscipline({ chart, root: clone }).problems).toEqual([
        `charts/${chart} changed since release ${versionAtHead(chart)} (commit ${short}) without a version bump: ` +
          `raise the version in packages/${chart}/package.json (changed: templates/NOTES.txt)`,
      ]);
    });

    test('passes a patch bump that changes nothing else, rendering both versions with Helm 4', () => {
      // GIVEN only the version raised by a patch
      const [major, minor, patch] = versionAtHead(chart).split(/[.-]/).map(Number) as [number, number, number];
      const bumped = `${major}.${minor}.${patch + 1}`;
      writeFileSync(chartYaml(chart), readFileSync(chartYaml(chart), 'utf8').replace(/^version: .*$/m, `version: ${bumped}`));
      // THEN no immutable field changes and no value is lost, under the defaults and every released scenario
      expect(checkVersionDiscipline({ chart, root: clone })).toMatchObject({
        status: 'bumped',
        version: bumped,
        breaking: false,
        upgradeBreaks: [],
        valueChanges: [],
        problems: [],
      });
    }, 180_000);
  });
});
