/**
 * What changed in a chart, from the conventional commits scoped to it (`feat(haproxy): ...`): the
 * `artifacthub.io/changes` annotation of a packaged release, and `releases/<chart>/CHANGELOG.md`. Both follow from
 * git history and the release record alone, so re-packaging or re-rendering gives the same text.
 *
 * A commit's type gives its Artifact Hub kind:
 * - `feat` is added, `fix` is fixed, `deprecate` (or `deprecated`) is deprecated, `remove` (or `removed`) is removed;
 * - `security`, as the type or one of the scopes (`fix(security,haproxy): ...`), is security;
 * - `revert` is removed when it reverts a `feat` (`revert(haproxy): feat(haproxy): ...`), otherwise changed;
 * - `test`, `ci` and `style` are left out: they change nothing a chart user receives;
 * - every other type (`perf`, `refactor`, `docs`, `build`, `chore`, ...) is changed.
 * `chore(release)` commits, which record releases, are left out. A `!` before the colon or a `BREAKING CHANGE:`
 * footer marks a commit as breaking.
 */
import type { ReleaseRecord } from '@meetscale/releases';
import YAML from 'yaml';

import { git, REPOSITORY_ROOT } from './git';

/** The kinds of change Artifact Hub accepts in `artifacthub.io/changes`, in the order CHANGELOGs list them. */
export const CHANGE_KINDS = ['added', 'changed', 'deprecated', 'removed', 'fixed', 'security'] as const;

/** A kind of change Artifact Hub accepts. */
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** Where a commit is shown; a change links to it. */
const COMMIT_URL = 'https://github.com/meetscale/meetscale/commit/';

/** A commit scoped to a chart, as the changelogs list it. */
export interface ConventionalCommit {
  /** The full commit hash. */
  readonly hash: string;
  /** The conventional type, lower case (`feat`). */
  readonly type: string;
  /** The scopes of the header (`['security', 'haproxy']`). */
  readonly scopes: readonly string[];
  /** The description after the colon. */
  readonly subject: string;
  /** Whether the commit is marked breaking (`!` or a `BREAKING CHANGE:` footer). */
  readonly breaking: boolean;
  /** Its Artifact Hub kind. */
  readonly kind: ChangeKind;
}

/** One released version of a chart and the commits it brought. */
export interface ChangelogSection {
  readonly version: string;
  /** ISO 8601 time of the release; the CHANGELOG shows its UTC date. */
  readonly releasedAt: string;
  /** Commits since the previous release, oldest first. */
  readonly commits: readonly ConventionalCommit[];
}

const HEADER = /^(?<type>[A-Za-z]+)(?:\((?<scope>[^()]*)\))?(?<bang>!)?: (?<subject>\S.*)$/;
const BREAKING_FOOTER = /^BREAKING[ -]CHANGE: /m;

/** The kind of a commit, or undefined when its type is left out of changelogs. */
function kindOf(type: string, scopes: readonly string[], subject: string): ChangeKind | undefined {
  if (type === 'security' || scopes.includes('security')) return 'security';
  switch (type) {
    case 'feat':
      return 'added';
    case 'fix':
      return 'fixed';
    case 'deprecate':
    case 'deprecated':
      return 'deprecated';
    case 'remove':
    case 'removed':
      return 'removed';
    case 'revert':
      return /^feat(\([^()]*\))?!?: /i.test(subject) ? 'removed' : 'changed';
    case 'test':
    case 'ci':
    case 'style':
      return undefined;
    default:
      return 'changed';
  }
}

/** A commit message as a change of `chart`, or undefined when it is not one. */
function parseCommit(chart: string, hash: string, header: string, body: string): ConventionalCommit | undefined {
  const groups = HEADER.exec(header.trim())?.groups;
  if (groups === undefined) return undefined;
  const type = (groups.type ?? '').toLowerCase();
  const scopes = (groups.scope ?? '')
    .split(',')
    .map((scope) => scope.trim())
    .filter((scope) => scope !== '');
  if (!scopes.includes(chart)) return undefined;
  if (type === 'chore' && scopes.includes('release')) return undefined;
  const subject = (groups.subject ?? '').trim();
  const kind = kindOf(type, scopes, subject);
  if (kind === undefined) return undefined;
  return { hash, type, scopes, subject, breaking: groups.bang === '!' || BREAKING_FOOTER.test(body), kind };
}

/**
 * The conventional commits scoped to `chart` after `fromExclusive` up to and including `toInclusive`, oldest
 * first; all history up to `toInclusive` when `fromExclusive` is undefined (a first release).
 * @throws with git's message when a revision is not in the repository (e.g. a shallow clone)
 */
export function conventionalCommits(
  chart: string,
  fromExclusive: string | undefined,
  toInclusive: string,
  root: string = REPOSITORY_ROOT,
): ConventionalCommit[] {
  const range = fromExclusive === undefined ? toInclusive : `${fromExclusive}..${toInclusive}`;
  // -z ends each commit with NUL and %x1f separates the fields: neither occurs in a commit message.
  const log = git(['log', '--reverse', '-z', '--format=%H%x1f%s%x1f%b', '--end-of-options', range, '--'], root);
  return log
    .split('\0')
    .filter((entry) => entry.trim() !== '')
    .flatMap((entry) => {
      const [hash = '', header = '', body = ''] = entry.replace(/^\n/, '').split('\x1f');
      return parseCommit(chart, hash, header, body) ?? [];
    });
}

/** The commits in CHANGELOG order: breaking ones first, then by kind, each group oldest first. */
function ordered(commits: readonly ConventionalCommit[]): ConventionalCommit[] {
  const rank = (commit: ConventionalCommit): number => (commit.breaking ? -1 : CHANGE_KINDS.indexOf(commit.kind));
  return commits
    .map((commit, index) => ({ commit, index }))
    .sort((a, b) => rank(a.commit) - rank(b.commit) || a.index - b.index)
    .map(({ commit }) => commit);
}

/**
 * The `artifacthub.io/changes` value for some commits: YAML text of a list of `{kind, description, links}`,
 * breaking changes first with the description prefixed `BREAKING:`; an empty string when there is no commit.
 */
export function artifactHubChanges(commits: readonly ConventionalCommit[]): string {
  if (commits.length === 0) return '';
  const changes = ordered(commits).map((commit) => ({
    kind: commit.kind,
    description: commit.breaking ? `BREAKING: ${commit.subject}` : commit.subject,
    links: [{ name: `Commit ${shortHash(commit.hash)}`, url: `${COMMIT_URL}${commit.hash}` }],
  }));
  // YAML 1.1 quotes strings such as `no` that an older parser would read as booleans.
  return YAML.stringify(changes, { version: '1.1', lineWidth: 0 });
}

function shortHash(hash: string): string {
  return hash.slice(0, 7);
}

const HEADINGS: Readonly<Record<ChangeKind | 'breaking', string>> = {
  breaking: '⚠ Breaking changes',
  added: 'Added',
  changed: 'Changed',
  deprecated: 'Deprecated',
  removed: 'Removed',
  fixed: 'Fixed',
  security: 'Security',
};

function renderSection(chart: string, section: ChangelogSection): string {
  const lines = [`## ${section.version} (${new Date(section.releasedAt).toISOString().slice(0, 10)})`, ''];
  if (section.commits.length === 0) return [...lines, `No commits scoped to ${chart} since the previous release.`, ''].join('\n');
  const groups = new Map<string, string[]>();
  for (const commit of ordered(section.commits)) {
    const heading = HEADINGS[commit.breaking ? 'breaking' : commit.kind];
    groups.set(heading, [...(groups.get(heading) ?? []), `- ${commit.subject} (${shortHash(commit.hash)})`]);
  }
  for (const [heading, bullets] of groups) lines.push(`### ${heading}`, '', ...bullets, '');
  return lines.join('\n');
}

/**
 * The text of `releases/<chart>/CHANGELOG.md`: one section per release, newest first.
 * @param sections the releases oldest first, as the release record lists them
 */
export function renderChangelog(chart: string, sections: readonly ChangelogSection[]): string {
  const intro = [
    `# Changelog of ${chart}`,
    '',
    `Generated by \`npm run release\` from the conventional commits scoped to ${chart} (\`feat(${chart}): ...\`); do not edit.`,
    'Each release lists the commits since the previous one.',
    '',
  ].join('\n');
  return [intro, ...[...sections].reverse().map((section) => renderSection(chart, section))].join('\n');
}

/**
 * The CHANGELOG of a chart's release record: each release brings the commits after the previous release's commit
 * up to its own (the first release, all history up to its commit).
 */
export function changelogForRecord(chart: string, record: ReleaseRecord, root: string = REPOSITORY_ROOT): string {
  const sections = record.releases.map((entry, index): ChangelogSection => ({
    version: entry.version,
    releasedAt: entry.releasedAt,
    commits: conventionalCommits(chart, record.releases[index - 1]?.commit, entry.commit, root),
  }));
  return renderChangelog(chart, sections);
}
