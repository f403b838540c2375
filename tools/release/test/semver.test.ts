import { compareSemver, isBreakingBump, nextBreakingVersion, parseSemver } from '../src/semver';

describe('parseSemver', () => {
  test('reads a release and a prerelease', () => {
    expect(parseSemver('1.2.3')).toEqual({ major: 1, minor: 2, patch: 3, prerelease: [] });
    expect(parseSemver('0.10.0-rc.1')).toEqual({ major: 0, minor: 10, patch: 0, prerelease: ['rc', 1] });
  });

  test('refuses what is not x.y.z', () => {
    expect(() => parseSemver('1.2')).toThrow('"1.2" is not a semantic version (x.y.z or x.y.z-prerelease)');
    expect(() => parseSemver('v1.2.3')).toThrow('"v1.2.3" is not a semantic version');
    expect(() => parseSemver('01.2.3')).toThrow('"01.2.3" is not a semantic version');
  });
});

describe('compareSemver', () => {
  test('orders by major, minor and patch as numbers', () => {
    expect(compareSemver('0.10.0', '0.9.9')).toBe(1);
    expect(compareSemver('1.2.3', '1.2.3')).toBe(0);
    expect(compareSemver('1.2.3', '2.0.0')).toBe(-1);
  });

  test('puts a prerelease before its release and orders prerelease identifiers', () => {
    expect(compareSemver('1.0.0-rc.1', '1.0.0')).toBe(-1);
    expect(compareSemver('1.0.0-rc.2', '1.0.0-rc.10')).toBe(-1);
    expect(compareSemver('1.0.0-alpha', '1.0.0-alpha.1')).toBe(-1);
    expect(compareSemver('1.0.0-1', '1.0.0-alpha')).toBe(-1);
  });
});

describe('isBreakingBump', () => {
  test.each([
    // from 1.0.0 on, the major must grow
    ['1.2.3', '2.0.0', true],
    ['1.2.3', '1.9.0', false],
    ['1.2.3', '1.2.4', false],
    ['1.2.3', '2.0.0-rc.1', true],
    // a 0.y.z chart: 0.y is the major (^0.2.3 is >=0.2.3 <0.3.0)
    ['0.2.3', '0.3.0', true],
    ['0.2.3', '0.2.4', false],
    ['0.2.3', '1.0.0', true],
    // a 0.0.z chart: every patch is its own range
    ['0.0.3', '0.0.4', true],
    ['0.0.3', '0.0.3', false],
  ])('from %s to %s: %s', (from, to, breaking) => {
    expect(isBreakingBump(from, to)).toBe(breaking);
  });

  test('names the lowest version a breaking change needs', () => {
    expect([nextBreakingVersion('1.4.2'), nextBreakingVersion('0.2.3'), nextBreakingVersion('0.0.3')]).toEqual(['2.0.0', '0.3.0', '0.0.4']);
  });
});
