import { Testing } from 'cdktf';
import { parse } from 'yaml';

import { HelmReleases } from '../src/helm-releases';
import { thrownBy } from './_thrown';

const spec = (name: string, after?: string[]) => ({
  name,
  chart: name,
  repository: 'https://charts.example.org',
  version: '1.0.0',
  namespace: 'tools',
  values: { replicas: 2, host: '${var.host}' },
  after,
});

describe('HelmReleases', () => {
  test('installs a release atomically at its pinned version, with YAML values and a created namespace (minimal)', () => {
    // GIVEN / WHEN
    const synth = JSON.parse(Testing.synthScope((scope) => new HelmReleases(scope, 'releases', { releases: [spec('a')] }))) as {
      resource: { helm_release: Record<string, { values: string[] } & Record<string, unknown>> };
    };

    // THEN
    const [release] = Object.values(synth.resource.helm_release);
    expect(release).toEqual({
      name: 'a',
      chart: 'a',
      repository: 'https://charts.example.org',
      version: '1.0.0',
      namespace: 'tools',
      create_namespace: true,
      atomic: true,
      cleanup_on_fail: true,
      max_history: 5,
      timeout: 900,
      values: ['replicas: 2\nhost: ${var.host}\n'],
    });
    expect(parse(release?.values[0] ?? '')).toEqual({ replicas: 2, host: '${var.host}' });
  });

  test('installs a release after the ones it names', () => {
    // GIVEN / WHEN
    const synth = Testing.synthScope((scope) => new HelmReleases(scope, 'releases', { releases: [spec('crds'), spec('app', ['crds'])] }));

    // THEN
    const releases = (JSON.parse(synth) as { resource: { helm_release: Record<string, { name: string; depends_on?: string[] }> } }).resource
      .helm_release;
    const app = Object.values(releases).find((release) => release.name === 'app');
    expect(app?.depends_on).toEqual([expect.stringMatching(/^helm_release\.releases_crds/)]);
  });

  test('waits for a release as long as it asks, and 15 minutes for the others', () => {
    // GIVEN a release whose hooks wait for a slow start, next to one at the default
    const synth = Testing.synthScope(
      (scope) => new HelmReleases(scope, 'releases', { releases: [{ ...spec('slow'), timeoutSeconds: 1200 }, spec('quick')] }),
    );

    // THEN
    const releases = Object.values(
      (JSON.parse(synth) as { resource: { helm_release: Record<string, { name: string; timeout: number }> } }).resource.helm_release,
    );
    expect(Object.fromEntries(releases.map((release) => [release.name, release.timeout]))).toEqual({ slow: 1200, quick: 900 });
  });

  test('rejects a release that names one not listed before it', () => {
    // GIVEN / WHEN / THEN
    expect(
      thrownBy(() =>
        Testing.synthScope((scope) => new HelmReleases(scope, 'releases', { releases: [spec('app', ['crds']), spec('crds')] })),
      ).message,
    ).toBe('Helm release "app" comes after "crds", which is not listed before it');
  });

  test('rejects a release listed twice', () => {
    // GIVEN / WHEN / THEN
    expect(
      thrownBy(() => Testing.synthScope((scope) => new HelmReleases(scope, 'releases', { releases: [spec('a'), spec('a')] }))).message,
    ).toBe('Helm release "a" is listed twice');
  });
});
