/**
 * `npm run release` against a real OCI registry on loopback (Debian's docker-registry, htpasswd auth), on a
 * temporary repository holding the working tree's charts: every chart is pushed signed and recorded; with current
 * Helm 3 and Helm 4 the pulled archive is byte-identical, its provenance verifies (and not with another key),
 * `helm show values` gives the chart's values, and `helm install oci://…` works on a real control plane; the
 * cosign signature verifies; a version is never pushed twice; wrong credentials are refused and record nothing.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ControlPlane } from '@meetscale/cluster';
import { type HelmMajor, runHelm } from '@meetscale/helm-binaries';
import {
  cosignKeyPair,
  cosignVerify,
  generateSigningKey,
  parseRegistry,
  RegistrySession,
  release,
  type ReleaseOutcome,
  verifyRecordedDigests,
} from '@meetscale/release';
import { readReleaseRecord, releaseEntrySchema } from '@meetscale/releases';

import { chartDir, chartNames, HELM_MAJORS, renderChart, WORKSPACE_ROOT } from './support/charts';
import { chartPodSecurity, createNamespace, helmOn, helmOutcome, nodePoolsForPods, settledReleaseProblems } from './support/cluster';
import { type OciRegistry, startOciRegistry } from './support/oci-registry';

jest.setTimeout(600_000);

const PASSPHRASE = 'release passphrase';
const COSIGN_PASSWORD = 'cosign password';
/** The identity of the commits in the temporary repository (the release tool commits there too). */
const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'release test',
  GIT_AUTHOR_EMAIL: 'release@meetscale.test',
  GIT_COMMITTER_NAME: 'release test',
  GIT_COMMITTER_EMAIL: 'release@meetscale.test',
};

let work: string;
let repo: string;
let registry: OciRegistry;
let plane: ControlPlane;
let signing: { armoured: string; fingerprint: string };
let cosign: { privateKey: string; publicKey: string };
let outcomes: ReleaseOutcome[];
const packages = (): string => join(work, 'packages');
const url = (): string => `oci://${registry.host}/meetscale`;

function git(...args: string[]): string {
  return execFileSync('git', args, {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, ...GIT_IDENTITY },
  });
}

function releaseEnv(password = registry.password): NodeJS.ProcessEnv {
  return {
    MEETSCALE_SIGNING_KEY: signing.armoured,
    MEETSCALE_SIGNING_KEY_PASSPHRASE: PASSPHRASE,
    MEETSCALE_COSIGN_KEY: cosign.privateKey,
    MEETSCALE_COSIGN_PASSWORD: COSIGN_PASSWORD,
    MEETSCALE_REGISTRY_USERNAME: registry.username,
    MEETSCALE_REGISTRY_PASSWORD: password,
  };
}

/** A registry session of the given Helm, logged in as the test user. */
function session(major: HelmMajor, password = registry.password): RegistrySession {
  const opened = new RegistrySession(parseRegistry(url(), true), major);
  opened.login({ username: registry.username, password });
  return opened;
}

/** The registry's tags of a chart, through its HTTP API. */
async function tags(chart: string): Promise<string[]> {
  const auth = Buffer.from(`${registry.username}:${registry.password}`).toString('base64');
  const response = await fetch(`http://${registry.host}/v2/meetscale/${chart}/tags/list`, { headers: { authorization: `Basic ${auth}` } });
  // an error answer must not read as "no tags": the tests compare tags before and after
  if (!response.ok) throw new Error(`the registry answered ${response.status} listing the tags of ${chart}: ${await response.text()}`);
  return ((await response.json()) as { tags?: string[] }).tags ?? [];
}

beforeAll(async () => {
  Object.assign(process.env, GIT_IDENTITY);
  work = mkdtempSync(join(tmpdir(), 'meetscale-release-test-'));
  repo = join(work, 'repo');
  mkdirSync(repo);
  cpSync(join(WORKSPACE_ROOT, 'charts'), join(repo, 'charts'), { recursive: true });
  git('init', '--quiet', '--initial-branch=main');
  git('add', 'charts');
  git('commit', '--quiet', '-m', `feat(${chartNames().join(',')}): the charts of the working tree`);
  signing = generateSigningKey('meetscale release test <release@meetscale.test>', PASSPHRASE);
  cosign = cosignKeyPair(COSIGN_PASSWORD);
  const podSpecs = chartNames().flatMap((chart) =>
    renderChart(4, chart).manifests.flatMap((manifest) =>
      (manifest.spec as any)?.template?.spec === undefined ? [] : [(manifest.spec as any).template.spec],
    ),
  );
  [registry, plane] = await Promise.all([
    startOciRegistry(),
    // the operator's CRDs (the monitoring chart's objects) and a volume pool (scalelite's recordings claim)
    ControlPlane.start({
      nodePools: nodePoolsForPods(podSpecs, { count: 3, cpu: '32', memory: '128Gi' }),
      upstreamCrds: true,
      persistentVolumes: 6,
    }),
  ]);
  outcomes = release({ registry: url(), plainHttp: true, root: repo, env: releaseEnv(), keepPackagesIn: packages(), log: () => undefined });
}, 600_000);

afterAll(async () => {
  await Promise.all([registry?.stop(), plane?.stop()]);
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

test('every chart is released once, recorded with its commit and digests, and the record is committed', () => {
  const head = git('rev-parse', 'HEAD~1').trim();
  expect(outcomes.map((outcome) => [outcome.chart, outcome.status])).toEqual(chartNames().map((chart) => [chart, 'released']));
  for (const chart of chartNames()) {
    const [entry, ...more] = readReleaseRecord(chart, join(repo, 'releases')).releases;
    expect(more).toEqual([]);
    expect(releaseEntrySchema.parse(entry)).toMatchObject({
      commit: head,
      reference: `${url()}/${chart}`,
      signedBy: signing.fingerprint,
      cosignKey: expect.stringMatching(/^cosign-[0-9a-f]{16}\.pub$/),
    });
    expect(existsSync(join(repo, 'releases', chart, 'CHANGELOG.md'))).toBe(true);
  }
  expect(git('log', '-1', '--format=%s').trim()).toMatch(/^chore\(release\): /);
  expect(git('status', '--porcelain')).toBe('');
});

test('packaging a recorded commit again gives the recorded archive digest', () => {
  expect(verifyRecordedDigests(chartNames(), repo)).toEqual([]);
});

describe.each(HELM_MAJORS)('with Helm %i', (major) => {
  test.each(chartNames())('%s: pulled byte-identical, provenance verified, values shown as in the chart', (chart) => {
    const opened = session(major);
    const pulled = join(work, `pulled-${major}-${chart}`);
    mkdirSync(pulled);
    try {
      const { version } = readReleaseRecord(chart, join(repo, 'releases')).releases[0] as { version: string };
      const pull = runHelm(major, [
        'pull',
        `${url()}/${chart}`,
        '--version',
        version,
        '--prov',
        '--destination',
        pulled,
        ...opened.helmArgs(),
      ]);
      expect(helmOutcome(pull)).toEqual({ status: 0, output: '' });
      const archive = `${chart}-${version}.tgz`;
      expect(readFileSync(join(pulled, archive)).equals(readFileSync(join(packages(), archive)))).toBe(true);
      expect(readFileSync(join(pulled, `${archive}.prov`), 'utf8')).toBe(readFileSync(join(packages(), `${archive}.prov`), 'utf8'));
      // helm verify reads a binary keyring (Helm 3 accepts no other)
      const keyring = join(work, 'pubring.gpg');
      writeFileSync(
        keyring,
        execFileSync('gpg', ['--dearmor'], { input: readFileSync(join(repo, 'releases', 'keys', `${signing.fingerprint}.asc`)) }),
      );
      const verify = runHelm(major, ['verify', join(pulled, archive), '--keyring', keyring]);
      expect(helmOutcome(verify)).toEqual({ status: 0, output: '' });
      expect(verify.stdout).toContain(`Using Key With Fingerprint: ${signing.fingerprint}`);
      const values = runHelm(major, ['show', 'values', `${url()}/${chart}`, '--version', version, ...opened.helmArgs()]);
      // (Helm prints the file and one more line break)
      expect(values.stdout).toBe(`${readFileSync(join(chartDir(chart), 'values.yaml'), 'utf8')}\n`);
    } finally {
      opened.dispose();
    }
  });

  test.each(chartNames())('%s: installs from oci:// on the real control plane', async (chart) => {
    const opened = session(major);
    const namespace = `oci-${chart}-h${major}`;
    try {
      // (at the level the chart's defaults need: restricted, or what its Chart.yaml states)
      await createNamespace(plane.client, namespace, chartPodSecurity(chartDir(chart)));
      const { version } = readReleaseRecord(chart, join(repo, 'releases')).releases[0] as { version: string };
      const install = helmOn(plane, major, [
        'install',
        'lesson',
        `${url()}/${chart}`,
        '--version',
        version,
        '--namespace',
        namespace,
        '--wait',
        '--timeout',
        '3m',
        ...opened.helmArgs(),
      ]);
      expect(helmOutcome(install)).toEqual({ status: 0, output: '' });
      expect(await settledReleaseProblems(plane.client, namespace, 'lesson')).toEqual([]);
      const listed = JSON.parse(helmOn(plane, major, ['list', '--namespace', namespace, '--output', 'json']).stdout) as Array<{
        chart: string;
      }>;
      expect(listed.map((entry) => entry.chart)).toEqual([`${chart}-${version}`]);
      expect(helmOutcome(helmOn(plane, major, ['uninstall', 'lesson', '--namespace', namespace, '--wait']))).toEqual({
        status: 0,
        output: '',
      });
    } finally {
      opened.dispose();
    }
  });

  test('helm push of a packaged chart works on the registry too, and pulls back byte-identical', () => {
    // (the release tool pushes with Helm 4; a platform team mirroring a chart may push with either)
    const opened = session(major);
    const [chart] = chartNames() as [string];
    const { version } = readReleaseRecord(chart, join(repo, 'releases')).releases[0] as { version: string };
    const archive = `${chart}-${version}.tgz`;
    const mirror = `oci://${registry.host}/mirrored-by-helm-${major}`;
    const pulled = join(work, `mirrored-${major}`);
    mkdirSync(pulled);
    try {
      expect(helmOutcome(runHelm(major, ['push', join(packages(), archive), mirror, ...opened.helmArgs()]))).toEqual({
        status: 0,
        output: '',
      });
      const pull = runHelm(major, ['pull', `${mirror}/${chart}`, '--version', version, '--destination', pulled, ...opened.helmArgs()]);
      expect(helmOutcome(pull)).toEqual({ status: 0, output: '' });
      expect(readFileSync(join(pulled, archive)).equals(readFileSync(join(packages(), archive)))).toBe(true);
    } finally {
      opened.dispose();
    }
  });

  test('wrong credentials are refused', () => {
    expect(() => session(major, 'not the password')).toThrow(/refused the login of "release"/);
  });
});

test('the cosign signature verifies with the recorded public key, and not with another', () => {
  const other = cosignKeyPair('other');
  for (const chart of chartNames()) {
    const entry = readReleaseRecord(chart, join(repo, 'releases')).releases[0];
    const reference = `${registry.host}/meetscale/${chart}@${entry?.manifestDigest}`;
    const options = { plainHttp: true, username: registry.username, password: registry.password };
    const publicKey = readFileSync(join(repo, 'releases', 'keys', entry?.cosignKey as string), 'utf8');
    expect(publicKey).toBe(cosign.publicKey);
    expect(cosignVerify(reference, publicKey, options)).toMatchObject({ status: 0 });
    const refused = cosignVerify(reference, other.publicKey, options);
    expect(refused.status).not.toBe(0);
    expect(refused.output).toMatch(/no matching (signatures|attestations)|accepted signatures do not match/i);
  }
});

test('a released version is never pushed again', async () => {
  const before = await Promise.all(chartNames().map(tags));
  expect(before.every((chartTags) => chartTags.length > 0)).toBe(true);
  // WHEN release runs again, the records say every version is out: nothing is pushed, nothing committed
  const head = git('rev-parse', 'HEAD').trim();
  const again = release({ registry: url(), plainHttp: true, root: repo, env: releaseEnv(), log: () => undefined });
  expect(again.map((outcome) => outcome.status)).toEqual(chartNames().map(() => 'already-released'));
  expect(git('rev-parse', 'HEAD').trim()).toBe(head);
  // AND when a record is lost, the registry still holds the version: the push is refused, naming it
  const [chart] = chartNames() as [string];
  rmSync(join(repo, 'releases', chart), { recursive: true });
  git('commit', '--quiet', '-am', `chore: lose the record of ${chart}`);
  expect(() => release({ registry: url(), plainHttp: true, root: repo, charts: [chart], env: releaseEnv(), log: () => undefined })).toThrow(
    new RegExp(`${chart}:[0-9.]+ is already in the registry, but not in releases/${chart}/releases.json`),
  );
  expect(await Promise.all(chartNames().map(tags))).toEqual(before);
  expect(git('rev-parse', 'HEAD~1').trim()).toBe(head);
});

test('release with wrong registry credentials fails before anything is pushed or recorded', async () => {
  const [chart] = chartNames() as [string];
  const head = git('rev-parse', 'HEAD').trim();
  expect(() =>
    release({ registry: url(), plainHttp: true, root: repo, charts: [chart], env: releaseEnv('wrong password'), log: () => undefined }),
  ).toThrow(/refused the login of "release"/);
  expect(git('rev-parse', 'HEAD').trim()).toBe(head);
  expect(git('status', '--porcelain')).toBe('');
});
