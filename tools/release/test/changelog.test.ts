import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { ReleaseRecord } from '@meetscale/releases';
import YAML from 'yaml';

import { artifactHubChanges, changelogForRecord, type ConventionalCommit, conventionalCommits, renderChangelog } from '../src/changelog';

/** A repository whose commits are fully dated, so their hashes are the same on every run. */
class TestRepository {
  readonly dir = mkdtempSync(join(tmpdir(), 'meetscale-changelog-'));
  private readonly hashes = new Map<string, string>();
  private seconds = 1_750_000_000;

  constructor() {
    this.git(['init', '--quiet', '--initial-branch=main']);
  }

  /** Commits `message` (nothing changed) and remembers its hash under `name`. */
  commit(name: string, message: string): string {
    this.seconds += 60;
    const date = `${this.seconds} +0000`;
    this.git(['commit', '--quiet', '--allow-empty', '-m', message], { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date });
    const hash = this.git(['rev-parse', 'HEAD']).trim();
    this.hashes.set(name, hash);
    return hash;
  }

  hash(name: string): string {
    const hash = this.hashes.get(name);
    if (hash === undefined) throw new Error(`no commit ${name}`);
    return hash;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private git(args: string[], env: Record<string, string> = {}): string {
    return execFileSync(
      'git',
      ['-c', 'user.name=Release Test', '-c', 'user.email=release-test@example.org', '-c', 'commit.gpgsign=false', ...args],
      { cwd: this.dir, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', ...env } },
    );
  }
}

const digest = `sha256:${'0'.repeat(64)}`;

function entry(version: string, commit: string, releasedAt: string): ReleaseRecord['releases'][number] {
  return {
    version,
    commit,
    chartDigest: digest,
    manifestDigest: digest,
    reference: 'oci://registry.example/meetscale/haproxy',
    signedBy: 'A'.repeat(40),
    cosignKey: null,
    releasedAt,
  };
}

const short = (hash: string): string => hash.slice(0, 7);

let repository: TestRepository;

beforeAll(() => {
  // GIVEN a history with commits for two charts, commits left out of changelogs, and a release in between
  repository = new TestRepository();
  repository.commit('initial', 'build: workspace');
  repository.commit('balancing', 'feat(haproxy): room-hash balancing by default');
  repository.commit('shard', 'feat(jitsi-shard): one complete shard per release');
  repository.commit('live-test', 'test(haproxy): run HAProxy for real');
  repository.commit('peers', 'fix(jitsi-shard, haproxy): start without peers whose names do not resolve yet');
  repository.commit('record', 'chore(release): haproxy 0.1.0');
  repository.commit('record-scoped', 'chore(release,haproxy): record 0.1.0');
  repository.commit('dns', 'feat(haproxy)!: find peers through DNS only');
  repository.commit('config', 'refactor(haproxy): one config template\n\nBREAKING CHANGE: `peers` moved under `config`.');
  repository.commit('capabilities', 'fix(security,haproxy): drop every capability');
  repository.commit('legacy', 'deprecate(haproxy): `legacyBalance`, replaced by `balance`');
  repository.commit('revert', 'revert(haproxy): feat(haproxy): room-hash balancing by default');
  repository.commit('reloads', 'perf(haproxy): fewer reloads\n\nA body that mentions BREAKING CHANGE: mid-line only.');
  repository.commit('similar', 'docs(haproxy-exporter): a chart whose name only starts alike');
  repository.commit('plain', 'haproxy: a commit that is not conventional');
  repository.commit('ci', 'ci(haproxy): lint the chart');
});

afterAll(() => repository.remove());

describe('conventionalCommits', () => {
  test('a first release takes every commit scoped to the chart up to its commit, oldest first', () => {
    // WHEN the commits of haproxy up to the fix are listed without a previous release
    const commits = conventionalCommits('haproxy', undefined, repository.hash('peers'), repository.dir);
    // THEN the feature and the fix scoped (also in a list) to haproxy are there; the other chart and the test are not
    expect(commits).toEqual<ConventionalCommit[]>([
      {
        hash: repository.hash('balancing'),
        type: 'feat',
        scopes: ['haproxy'],
        subject: 'room-hash balancing by default',
        breaking: false,
        kind: 'added',
      },
      {
        hash: repository.hash('peers'),
        type: 'fix',
        scopes: ['jitsi-shard', 'haproxy'],
        subject: 'start without peers whose names do not resolve yet',
        breaking: false,
        kind: 'fixed',
      },
    ]);
  });

  test('a later release takes the commits after the previous release, with their kinds and breaking marks', () => {
    // WHEN the commits of haproxy after the fix up to HEAD are listed
    const commits = conventionalCommits('haproxy', repository.hash('peers'), repository.hash('ci'), repository.dir);
    // THEN chore(release), other charts, non-conventional and ci commits are left out
    expect(commits.map((commit) => [commit.subject, commit.kind, commit.breaking])).toEqual([
      ['find peers through DNS only', 'added', true],
      ['one config template', 'changed', true],
      ['drop every capability', 'security', false],
      ['`legacyBalance`, replaced by `balance`', 'deprecated', false],
      ['feat(haproxy): room-hash balancing by default', 'removed', false],
      ['fewer reloads', 'changed', false],
    ]);
  });

  test('names the missing revision when a commit is not in the repository', () => {
    // WHEN the range ends at a commit the repository lacks
    // THEN git's refusal is passed on
    expect(() => conventionalCommits('haproxy', undefined, 'f'.repeat(40), repository.dir)).toThrow(
      `git log --reverse -z --format=%H%x1f%s%x1f%b --end-of-options ${'f'.repeat(40)} -- failed in ${repository.dir}`,
    );
  });
});

describe('artifactHubChanges', () => {
  test('lists breaking changes first, then by kind, each linking its commit', () => {
    // GIVEN the commits of the second release
    const commits = conventionalCommits('haproxy', repository.hash('peers'), repository.hash('ci'), repository.dir);
    // WHEN they become the annotation value
    const changes = artifactHubChanges(commits);
    // THEN it is YAML of Artifact Hub's kinds, with the breaking ones marked
    const link = (name: string): { name: string; url: string }[] => [
      { name: `Commit ${short(repository.hash(name))}`, url: `https://github.com/meetscale/meetscale/commit/${repository.hash(name)}` },
    ];
    expect(YAML.parse(changes)).toEqual([
      { kind: 'added', description: 'BREAKING: find peers through DNS only', links: link('dns') },
      { kind: 'changed', description: 'BREAKING: one config template', links: link('config') },
      { kind: 'changed', description: 'fewer reloads', links: link('reloads') },
      { kind: 'deprecated', description: '`legacyBalance`, replaced by `balance`', links: link('legacy') },
      { kind: 'removed', description: 'feat(haproxy): room-hash balancing by default', links: link('revert') },
      { kind: 'security', description: 'drop every capability', links: link('capabilities') },
    ]);
  });

  test('is empty when no commit is scoped to the chart', () => {
    // WHEN there is no commit
    // THEN there is no annotation value
    expect(artifactHubChanges([])).toBe('');
  });
});

describe('renderChangelog', () => {
  test('writes the intro and one section per release, newest first (minimal)', () => {
    // GIVEN two releases, the second with a breaking feature and a fix
    const commit = (
      hash: string,
      type: string,
      subject: string,
      kind: ConventionalCommit['kind'],
      breaking = false,
    ): ConventionalCommit => ({
      hash: hash.repeat(40),
      type,
      scopes: ['demo'],
      subject,
      breaking,
      kind,
    });
    // WHEN the CHANGELOG is rendered
    const text = renderChangelog('demo', [
      { version: '0.1.0', releasedAt: '2025-01-02T03:04:05Z', commits: [] },
      {
        version: '1.0.0',
        releasedAt: '2025-02-03T23:59:59Z',
        commits: [commit('a', 'fix', 'a fix', 'fixed'), commit('b', 'feat', 'a breaking feature', 'added', true)],
      },
    ]);
    // THEN it is exactly this
    expect(text).toBe(`# Changelog of demo

Generated by \`npm run release\` from the conventional commits scoped to demo (\`feat(demo): ...\`); do not edit.
Each release lists the commits since the previous one.

## 1.0.0 (2025-02-03)

### ⚠ Breaking changes

- a breaking feature (bbbbbbb)

### Fixed

- a fix (aaaaaaa)

## 0.1.0 (2025-01-02)

No commits scoped to demo since the previous release.
`);
  });
});

describe('changelogForRecord', () => {
  const record = (): ReleaseRecord => ({
    chart: 'haproxy',
    releases: [
      entry('0.1.0', repository.hash('peers'), '2025-06-15T10:00:00Z'),
      entry('0.2.0', repository.hash('ci'), '2025-07-01T08:30:00Z'),
    ],
  });

  test('gives each release the commits after the previous release up to its own', () => {
    // WHEN the CHANGELOG of a record with two releases is made
    const text = changelogForRecord('haproxy', record(), repository.dir);
    // THEN the newest release comes first with its grouped commits, and the first release has the earlier ones
    const hash = (name: string): string => short(repository.hash(name));
    expect(text.slice(text.indexOf('## '))).toBe(`## 0.2.0 (2025-07-01)

### ⚠ Breaking changes

- find peers through DNS only (${hash('dns')})
- one config template (${hash('config')})

### Changed

- fewer reloads (${hash('reloads')})

### Deprecated

- \`legacyBalance\`, replaced by \`balance\` (${hash('legacy')})

### Removed

- feat(haproxy): room-hash balancing by default (${hash('revert')})

### Security

- drop every capability (${hash('capabilities')})

## 0.1.0 (2025-06-15)

### Added

- room-hash balancing by default (${hash('balancing')})

### Fixed

- start without peers whose names do not resolve yet (${hash('peers')})
`);
  });

  test('is the same text on every run, and already as prettier formats Markdown', async () => {
    // WHEN the CHANGELOG is made twice
    const text = changelogForRecord('haproxy', record(), repository.dir);
    // THEN both are equal, and prettier (which checks the committed file) leaves it unchanged
    expect(changelogForRecord('haproxy', record(), repository.dir)).toBe(text);
    const prettier = await import('prettier');
    expect(await prettier.format(text, { parser: 'markdown', printWidth: 140 })).toBe(text);
  });
});
