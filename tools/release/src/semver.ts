/**
 * Chart versions as Helm reads them (Masterminds semver): `x.y.z` with an optional `-prerelease`.
 *
 * A breaking change must leave the caret range `^<last release>`, the range a platform team writes to take every
 * compatible release of a chart. Helm gives the caret the meaning npm does:
 * - from 1.0.0 on, `^1.2.3` is `>=1.2.3 <2.0.0`: the major must grow;
 * - for a 0.y.z chart, 0.y is its "major": `^0.2.3` is `>=0.2.3 <0.3.0`, so the minor must grow;
 * - for a 0.0.z chart every patch is its own range: `^0.0.3` is `>=0.0.3 <0.0.4`, so the patch must grow.
 * A prerelease of that next version (`2.0.0-rc.1` after `1.4.0`) counts as breaking too: no caret range without a
 * prerelease matches it.
 */

/** A parsed semantic version. */
export interface SemVer {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Dot-separated prerelease identifiers (`rc.1` gives `['rc', 1]`); empty for a release. */
  readonly prerelease: readonly (string | number)[];
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

/**
 * Parses `x.y.z` or `x.y.z-prerelease`.
 * @throws naming the version when it is not one
 */
export function parseSemver(version: string): SemVer {
  const match = SEMVER.exec(version);
  if (match === null) throw new Error(`"${version}" is not a semantic version (x.y.z or x.y.z-prerelease)`);
  const prerelease = (match[4]?.split('.') ?? []).map((id) => (/^\d+$/.test(id) ? Number(id) : id));
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]), prerelease };
}

function compareIdentifiers(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return Math.sign(a - b);
  if (typeof a === 'number') return -1; // numeric identifiers sort before alphanumeric ones
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareParsed(a: SemVer, b: SemVer): number {
  const core = Math.sign(a.major - b.major) || Math.sign(a.minor - b.minor) || Math.sign(a.patch - b.patch);
  if (core !== 0) return core;
  if (a.prerelease.length === 0 || b.prerelease.length === 0) return Math.sign(b.prerelease.length - a.prerelease.length);
  for (let i = 0; i < Math.min(a.prerelease.length, b.prerelease.length); i++) {
    const order = compareIdentifiers(a.prerelease[i] as string | number, b.prerelease[i] as string | number);
    if (order !== 0) return order;
  }
  return Math.sign(a.prerelease.length - b.prerelease.length);
}

/** -1, 0 or 1 as `a` sorts before, with or after `b` in semver precedence (`1.0.0-rc.1 < 1.0.0`). */
export function compareSemver(a: string, b: string): number {
  return compareParsed(parseSemver(a), parseSemver(b));
}

/** The lowest release outside `^from`: the version a breaking change after `from` needs at least. */
export function nextBreakingVersion(from: string): string {
  const { major, minor, patch } = parseSemver(from);
  if (major > 0) return `${major + 1}.0.0`;
  if (minor > 0) return `0.${minor + 1}.0`;
  return `0.0.${patch + 1}`;
}

/** Whether `to` leaves the caret range `^from`, as a breaking change must (see the file comment). */
export function isBreakingBump(from: string, to: string): boolean {
  const target = parseSemver(to);
  const release: SemVer = { ...target, prerelease: [] };
  return compareParsed(release, parseSemver(nextBreakingVersion(from))) >= 0;
}
