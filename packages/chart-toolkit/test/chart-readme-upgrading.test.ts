import { chartReadme, defineChart, valuesJsonSchema } from '../src/_internal';
import { demoChart } from '../src/testing';

describe('the Upgrading section of chartReadme', () => {
  const readme = (upgrading?: Readonly<Record<string, string>>): string =>
    chartReadme({ ...demoChart, upgrading }, valuesJsonSchema(demoChart.values, demoChart.name), 'HEADER');

  test('is absent without notes', () => {
    // GIVEN a chart without upgrading notes, or with an empty set
    // THEN its README has no Upgrading section
    expect(readme()).not.toContain('## Upgrading');
    expect(readme({})).not.toContain('## Upgrading');
  });

  test('lists one note per version, newest first, between Uninstalling and the values table', () => {
    // GIVEN notes for three versions, given oldest first
    const text = readme({
      '0.2.0': 'The `web.port` value moved to `web.service.port`.',
      '1.0.0-rc.1': 'A prerelease note.',
      '1.0.0': '  The StatefulSet is recreated: run `kubectl delete statefulset --cascade=orphan <release>-demo` first.\n',
    });

    // THEN the section reads exactly so, newest first (a release after its prereleases)
    expect(text).toContain(`## Upgrading

### To 1.0.0

The StatefulSet is recreated: run \`kubectl delete statefulset --cascade=orphan <release>-demo\` first.

### To 1.0.0-rc.1

A prerelease note.

### To 0.2.0

The \`web.port\` value moved to \`web.service.port\`.

## Values
`);
    // AND it sits after Uninstalling
    expect(text.indexOf('## Upgrading')).toBeGreaterThan(text.indexOf('## Uninstalling'));
  });
});

describe('defineChart', () => {
  test('refuses an upgrading note not named by a semver version', () => {
    expect(() => defineChart({ ...demoChart, upgrading: { v2: 'note' } })).toThrow(
      'Chart demo: upgrading note "v2" is not named by a semver version',
    );
  });
});
