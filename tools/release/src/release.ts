/**
 * `npm run release`: every chart whose version has no release yet is checked against its last release, packaged
 * reproducibly from HEAD, signed (PGP provenance, and cosign on the OCI artifact), pushed unless the registry
 * already holds that version, and recorded in `releases/<chart>/` with its CHANGELOG, committed.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { publicKeyPath, readReleaseRecord, type ReleaseEntry, type ReleaseRecord, releaseRecordPath } from '@meetscale/releases';
import YAML from 'yaml';

import { artifactHubChanges, changelogForRecord, conventionalCommits } from './changelog';
import { COSIGN_KEY_ENV, COSIGN_PASSWORD_ENV, cosignPublicKey, cosignSign } from './cosign';
import { checkVersionDiscipline } from './discipline';
import { git, headCommit, REPOSITORY_ROOT, uncommittedChanges } from './git';
import { packageChart } from './package-chart';
import { credentialsFromEnv, parseRegistry, RegistrySession } from './registry';
import { signingKeyFromEnv } from './signing';

/** Options of {@link release}. */
export interface ReleaseOptions {
  /** `oci://<host>[:port]/<path>` the charts are pushed to. */
  readonly registry: string;
  /** Reach a loopback registry over plain HTTP. */
  readonly plainHttp?: boolean;
  /**
   * Only these charts.
   * @default - every chart under charts/
   */
  readonly charts?: readonly string[];
  /**
   * Push without a cosign signature (recorded as such).
   * @default false
   */
  readonly skipCosign?: boolean;
  /**
   * Commit the release records.
   * @default true
   */
  readonly commit?: boolean;
  /** Keep the packaged archives and provenance files here. @default - a temporary folder, removed */
  readonly keepPackagesIn?: string;
  /** The repository. @default - this workspace */
  readonly root?: string;
  /** Where keys and credentials are read from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Progress lines. @default - stderr */
  readonly log?: (line: string) => void;
}

/** What happened to one chart. */
export type ReleaseOutcome =
  | { readonly chart: string; readonly version: string; readonly status: 'released'; readonly entry: ReleaseEntry }
  | { readonly chart: string; readonly version: string; readonly status: 'already-released'; readonly entry: ReleaseEntry };

/** Chart names under `charts/` of a repository. */
export function chartsIn(root: string): string[] {
  const dir = join(root, 'charts');
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'Chart.yaml')))
    .map((entry) => entry.name)
    .sort();
}

/** The version in `charts/<chart>/Chart.yaml`. */
export function chartVersion(root: string, chart: string): string {
  return String((YAML.parse(readFileSync(join(root, 'charts', chart, 'Chart.yaml'), 'utf8')) as { version: unknown }).version);
}

function writeRecord(releasesDir: string, record: ReleaseRecord): void {
  mkdirSync(join(releasesDir, record.chart), { recursive: true });
  writeFileSync(releaseRecordPath(record.chart, releasesDir), `${JSON.stringify(record, null, 2)}\n`);
}

/**
 * Releases every chart whose version has no release record yet.
 * @throws before anything is pushed when a chart breaks the version discipline, the tree is not committed, a key
 * or credential is missing, or the registry already holds a version the records do not know; a failure after a
 * push leaves the records of the charts pushed before it written (and names what to do)
 */
export function release(options: ReleaseOptions): ReleaseOutcome[] {
  const root = options.root ?? REPOSITORY_ROOT;
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const releasesDir = join(root, 'releases');
  const target = parseRegistry(options.registry, options.plainHttp ?? false);
  const charts = options.charts ?? chartsIn(root);
  for (const chart of charts) {
    if (!existsSync(join(root, 'charts', chart, 'Chart.yaml'))) throw new Error(`no chart "${chart}" under charts/`);
  }

  const outcomes: ReleaseOutcome[] = [];
  const pending = charts.filter((chart) => {
    const version = chartVersion(root, chart);
    const entry = readReleaseRecord(chart, releasesDir).releases.find((release) => release.version === version);
    if (entry !== undefined) {
      log(`${chart} ${version}: released before (commit ${entry.commit.slice(0, 12)}), nothing to do`);
      outcomes.push({ chart, version, status: 'already-released', entry });
    }
    return entry === undefined;
  });
  if (pending.length === 0) return outcomes;

  // Everything that can fail without the registry, before the first push.
  const dirty = uncommittedChanges(['charts', 'releases', 'packages'], root);
  if (dirty.length > 0) throw new Error(`commit first: a release is made from a committed tree; uncommitted: ${dirty.join(', ')}`);
  for (const chart of pending) {
    const { problems } = checkVersionDiscipline({ chart, root });
    if (problems.length > 0) throw new Error(`${chart} cannot be released:\n- ${problems.join('\n- ')}`);
  }
  const cosignKey = options.skipCosign === true ? undefined : env[COSIGN_KEY_ENV];
  if (options.skipCosign !== true && (cosignKey ?? '') === '') {
    throw new Error(`${COSIGN_KEY_ENV} is not set: export the cosign private key (cosign generate-key-pair), or pass --skip-cosign`);
  }
  const credentials = credentialsFromEnv(env);
  const commit = headCommit(root);
  const signingKey = signingKeyFromEnv(env);
  const session = new RegistrySession(target);
  const outDir = options.keepPackagesIn ?? mkdtempSync(join(tmpdir(), 'meetscale-release-'));
  const released: string[] = [];
  try {
    session.login(credentials);
    for (const chart of pending) {
      const record = readReleaseRecord(chart, releasesDir);
      const version = chartVersion(root, chart);
      if (session.hasVersion(chart, version)) {
        throw new Error(
          `${session.chartReference(chart)}:${version} is already in the registry, but not in releases/${chart}/releases.json: ` +
            'a published version is never pushed again; raise the chart version',
        );
      }
      const previous = record.releases.at(-1)?.commit;
      const changes = artifactHubChanges(conventionalCommits(chart, previous, commit, root));
      const packaged = packageChart({ chart, commit, outDir, changes, signingKey, root });
      log(`${chart} ${version}: packaged ${packaged.chartDigest}, signed by ${signingKey.fingerprint}`);
      const { manifestDigest } = session.push(packaged.archive);
      const reference = session.chartReference(chart);
      log(`${chart} ${version}: pushed ${reference}:${version}@${manifestDigest}`);
      mkdirSync(join(releasesDir, 'keys'), { recursive: true });
      let cosignKeyFile: string | null = null;
      if (cosignKey !== undefined) {
        const password = env[COSIGN_PASSWORD_ENV] ?? '';
        const registry = { plainHttp: target.plainHttp, ...(credentials ?? {}) };
        cosignSign(`${reference.replace(/^oci:\/\//, '')}@${manifestDigest}`, cosignKey, password, registry);
        const publicKey = cosignPublicKey(cosignKey, password);
        cosignKeyFile = `cosign-${createHash('sha256').update(publicKey).digest('hex').slice(0, 16)}.pub`;
        writeFileSync(publicKeyPath(cosignKeyFile, releasesDir), publicKey);
        log(`${chart} ${version}: cosign signature pushed`);
      }
      writeFileSync(publicKeyPath(`${signingKey.fingerprint}.asc`, releasesDir), signingKey.publicKey);
      const entry: ReleaseEntry = {
        version,
        commit,
        chartDigest: packaged.chartDigest,
        manifestDigest,
        reference,
        signedBy: signingKey.fingerprint,
        cosignKey: cosignKeyFile,
        releasedAt: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      };
      const updated = { chart, releases: [...record.releases, entry] };
      writeRecord(releasesDir, updated);
      writeFileSync(join(releasesDir, chart, 'CHANGELOG.md'), changelogForRecord(chart, updated, root));
      released.push(`${chart} ${version}`);
      outcomes.push({ chart, version, status: 'released', entry });
    }
  } finally {
    session.dispose();
    signingKey.dispose();
    if (options.keepPackagesIn === undefined) rmSync(outDir, { recursive: true, force: true });
    if (released.length > 0 && options.commit !== false) {
      git(['add', '--', 'releases'], root);
      git(['commit', '--quiet', '-m', `chore(release): ${released.join(', ')}`, '--', 'releases'], root);
      log(`recorded in a commit: chore(release): ${released.join(', ')}`);
    }
  }
  return outcomes;
}
