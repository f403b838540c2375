/**
 * Every chart on a real Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler, kwok nodes), with current Helm 3 and Helm 4: installed with `--wait` at the Pod Security
 * level it declares, checked as the controllers see it, upgraded through every scenario and rolled back, and
 * uninstalled without leftovers; every documented value, overridden, is shown to the API server as an update of
 * the installed release (a dry run). Nothing here names a chart.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';

import { ControlPlane } from '@meetscale/cluster';
import type { HelmMajor, HelmRunResult } from '@meetscale/helm-binaries';
import YAML from 'yaml';

import { chartDir, chartNames, HELM_MAJORS, objectId, renderChart, scenarioFiles } from './support/charts';
import {
  chartPodSecurity,
  cleanUpAfterFailure,
  createExpectedClaims,
  createNamespace,
  dryRunRefusal,
  helmOn,
  helmOutcome,
  keptObjects,
  leftoverObjects,
  nodePoolsForPods,
  nodePortHolders,
  podSecurityRefusals,
  removeKeptNamespaces,
  removeKeptObjects,
  scenarioPodSecurity,
  settledReleaseProblems,
  unfinishedJobs,
  weakestLevel,
  workloadState,
} from './support/cluster';
import { releasedChart, upgradePaths } from './support/released-charts';
import { alternativeFor, entryNamesBeside, leaves, mergeValues, valuesAt, valuesSchema, valuesValidator } from './support/schema-values';

jest.setTimeout(900_000);

/** Values the schemas accept and the API server refuses, not fixed yet (see the file for why). */
const KNOWN_REFUSALS = YAML.parse(readFileSync(join(__dirname, 'cluster-known-refusals.yaml'), 'utf8')) as Array<{
  chart: string;
  values: string[];
  reason: string;
}>;

/** Nodes enough for every chart's largest scenario (bridges ask for 8 CPUs each), per pool. */
const NODE_SHAPE = { count: 4, cpu: '32', memory: '128Gi' };

/** The pod specs of every chart's defaults and scenarios, as Helm renders them. */
function everyPodSpec(): any[] {
  return chartNames().flatMap((chart) =>
    [[], ...scenarioFiles(chart).map((file) => [file])].flatMap((valuesFiles) =>
      renderChart(4, chart, { valuesFiles })
        .manifests.map((manifest) => (manifest.spec as any)?.template?.spec)
        .filter((spec) => spec !== undefined),
    ),
  );
}

/** A namespace name from parts, within Kubernetes' 63 characters. */
const namespaceName = (...parts: Array<string | number>): string =>
  parts
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .slice(0, 63)
    .replace(/-+$/, '');

/**
 * One control plane per Helm major, so that the two can work at once: a cluster allocates NodePorts
 * cluster-wide, and two releases asking for the same ones could not live in one cluster.
 */
let planes: ControlPlane[] = [];
const planeFor = (major: HelmMajor): ControlPlane => {
  const plane = planes[HELM_MAJORS.indexOf(major)];
  if (plane === undefined) throw new Error(`no control plane for Helm ${major}`);
  return plane;
};

beforeAll(async () => {
  const nodePools = nodePoolsForPods(everyPodSpec(), NODE_SHAPE);
  // a volume pool for the charts' claims (each keeps its volume: kept claims and deleted namespaces free none)
  const started = await Promise.allSettled(
    HELM_MAJORS.map(() => ControlPlane.start({ nodePools, upstreamCrds: true, persistentVolumes: 60 })),
  );
  planes = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = started.find((result) => result.status === 'rejected');
  if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
}, 600_000);

afterAll(async () => {
  await Promise.all(planes.map((plane) => plane.stop()));
});

/**
 * Runs a test that installs `release` into `namespace` on the plane of `major`; when it fails, removes what it
 * left before failing. Otherwise a release left installed keeps its NodePorts (unique in the cluster), and every
 * later test on the plane that asks for the same ports fails too, hiding the first failure among many.
 */
async function cleaningUpOnFailure(major: HelmMajor, namespace: string, release: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    await cleanUpAfterFailure(planeFor(major), major, namespace, release);
    throw error;
  }
}

/** Helm's outcome, who holds any NodePort it found already allocated, and why a Job it waited for did not finish (expected: `INSTALLED`). */
async function explainedOutcome(
  major: HelmMajor,
  result: HelmRunResult,
): Promise<ReturnType<typeof helmOutcome> & { nodePortHolders: string[]; unfinishedJobs: string[] }> {
  const outcome = helmOutcome(result);
  const { client } = planeFor(major);
  return {
    ...outcome,
    nodePortHolders: await nodePortHolders(client, outcome.output),
    unfinishedJobs: await unfinishedJobs(client, outcome.output),
  };
}
const INSTALLED = { status: 0, output: '', nodePortHolders: [], unfinishedJobs: [] };

/** Installs (with --wait), checks, uninstalls and checks for leftovers; returns nothing, asserts all. */
/**
 * The Secret keys of a chart that its templates generate (two renders of the defaults differ in them), with the
 * values the installed release holds now; `changed()` names each such key whose value in the cluster is no longer
 * the first one (a Secret the current values no longer render is skipped).
 */
async function generatedSecretValues(
  client: ControlPlane['client'],
  major: HelmMajor,
  chart: string,
  namespace: string,
): Promise<{ changed(): Promise<string[]> }> {
  const secretData = (manifests: ReturnType<typeof renderChart>['manifests']) =>
    new Map(
      manifests
        .filter((object) => object.kind === 'Secret')
        .map((object) => [String(object.metadata?.name), (object as { data?: Record<string, string> }).data ?? {}]),
    );
  const [first, second] = [0, 1].map(() => secretData(renderChart(major, chart, { namespace, release: 'lesson' }).manifests));
  const keys = [...(first ?? new Map<string, Record<string, string>>())].flatMap(([name, data]) =>
    Object.keys(data)
      .filter((key) => second?.get(name)?.[key] !== data[key])
      .map((key) => ({ name, key })),
  );
  const live = async (name: string): Promise<Record<string, string> | undefined> => {
    const response = await client.request('GET', `/api/v1/namespaces/${namespace}/secrets/${name}`);
    return response.status === 200 ? ((response.body as { data?: Record<string, string> }).data ?? {}) : undefined;
  };
  const installed = new Map<string, string | undefined>();
  for (const { name, key } of keys) installed.set(`${name}/${key}`, (await live(name))?.[key]);
  return {
    changed: async () => {
      const changed: string[] = [];
      for (const { name, key } of keys) {
        const now = (await live(name))?.[key];
        if (now !== undefined && now !== installed.get(`${name}/${key}`)) changed.push(`${name}/${key}`);
      }
      return changed;
    },
  };
}

async function installCheckUninstall(major: HelmMajor, chart: string, namespace: string, valuesFiles: readonly string[]): Promise<void> {
  const plane = planeFor(major);
  const release = 'lesson';
  await cleaningUpOnFailure(major, namespace, release, () => installCheckUninstallIn(plane, major, chart, namespace, release, valuesFiles));
}

async function installCheckUninstallIn(
  plane: ControlPlane,
  major: HelmMajor,
  chart: string,
  namespace: string,
  release: string,
  valuesFiles: readonly string[],
): Promise<void> {
  const install = helmOn(plane, major, [
    'install',
    release,
    chartDir(chart),
    '--namespace',
    namespace,
    '--wait',
    '--timeout',
    '3m',
    ...valuesFiles.flatMap((file) => ['-f', file]),
  ]);
  expect(await explainedOutcome(major, install)).toEqual(INSTALLED);
  expect(await settledReleaseProblems(plane.client, namespace, release)).toEqual([]);
  const manifest = helmOn(plane, major, ['get', 'manifest', release, '--namespace', namespace]).stdout;
  const kept = keptNamespaces(manifest);
  const uninstall = helmOn(plane, major, ['uninstall', release, '--namespace', namespace, '--wait', '--timeout', '2m']);
  expect(helmOutcome(uninstall)).toEqual({ status: 0, output: '' });
  // Objects the chart marks `helm.sh/resource-policy: keep` (a claim holding data) outlive the release, as meant;
  // the test removes them before it looks for leftovers
  expect(await removeKeptObjects(plane.client, namespace, manifest)).toEqual(
    keptObjects(manifest)
      .map((item) => `${item.kind}/${item.metadata.name}`)
      .sort(),
  );
  // Namespaces the chart marks `helm.sh/resource-policy: keep` outlive the release; then the test removes them, so
  // that a later release may create them again
  expect(await removeKeptNamespaces(plane.client, namespace)).toEqual([...kept].sort());
  let left: string[] = [];
  for (let attempt = 0; attempt < 60; attempt += 1) {
    left = await leftoverObjects(plane.client, namespace);
    if (left.length === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  expect(left).toEqual([]);
}

/** Every file below a folder, by relative path, with its content. */
function filesOf(root: string, folder = root): Record<string, string> {
  return Object.fromEntries(
    readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
      const path = join(folder, entry.name);
      return entry.isDirectory() ? Object.entries(filesOf(root, path)) : [[relative(root, path), readFileSync(path, 'utf8')]];
    }),
  );
}

/** The Namespaces of a release's manifest that Helm keeps when the release goes (`helm.sh/resource-policy: keep`). */
function keptNamespaces(manifest: string): string[] {
  return YAML.parseAllDocuments(manifest)
    .map((document) => document.toJS() as { kind?: string; metadata?: { name: string; annotations?: Record<string, string> } } | null)
    .filter((object) => object?.kind === 'Namespace' && object.metadata?.annotations?.['helm.sh/resource-policy'] === 'keep')
    .map((object) => object?.metadata?.name as string);
}

describe.each(chartNames())('chart %s on a real control plane', (chart) => {
  const scenarios = scenarioFiles(chart);
  const defaultLevel = chartPodSecurity(chartDir(chart));
  const contexts = [
    { name: 'defaults', valuesFiles: [] as string[], level: defaultLevel },
    ...scenarios.map((file) => ({ name: basename(file, '-values.yaml'), valuesFiles: [file], level: scenarioPodSecurity(file) })),
  ];

  test('the default install is admitted under Pod Security restricted, or the chart states the level it needs and why', () => {
    // (a weaker level is then shown to be needed: restricted refuses the defaults' pods, below)
    const readme = readFileSync(join(chartDir(chart), 'README.md'), 'utf8');
    expect(defaultLevel === 'restricted' || readme.includes(`| Pod Security | \`${defaultLevel}\` with the defaults: `)).toBe(true);
  });

  describe.each(HELM_MAJORS)('with Helm %i', (major) => {
    const plane = (): ControlPlane => planeFor(major);
    // A fresh install of every scenario, each in a namespace at the level it declares, with Helm 4; with Helm 3,
    // of the defaults, since the upgrade test below installs, upgrades to scenarios, rolls back and uninstalls with
    // Helm 3 as well (the suite's time: each Helm 3 `--wait` costs seconds more than Helm 4's).
    const freshInstalls = major === 4 ? contexts : contexts.slice(0, 1);
    test.each(freshInstalls)(
      'installs with --wait at Pod Security $level, every pod Ready behind its Services, and uninstalls without leftovers ($name)',
      async ({ name, valuesFiles, level }) => {
        const namespace = namespaceName(chart, name, `h${major}`);
        await createNamespace(plane().client, namespace, level);
        await createExpectedClaims(plane().client, namespace, renderChart(major, chart, { valuesFiles, namespace }).manifests);
        await installCheckUninstall(major, chart, namespace, valuesFiles);
      },
    );

    const weaker = contexts.filter((context) => context.level !== 'restricted');
    if (weaker.length > 0) {
      test.each(weaker)('Pod Security restricted refuses the pods of $name, which needs $level', async ({ name, valuesFiles }) => {
        // GIVEN a namespace that enforces restricted
        const namespace = namespaceName(chart, name, 'restricted', `h${major}`);
        await createNamespace(plane().client, namespace, 'restricted');
        // WHEN the scenario is installed there (without waiting: its pods will never come)
        const install = helmOn(plane(), major, [
          'install',
          'lesson',
          chartDir(chart),
          '--namespace',
          namespace,
          ...valuesFiles.flatMap((file) => ['-f', file]),
        ]);
        expect(helmOutcome(install)).toEqual({ status: 0, output: '' });
        // THEN the API server refuses the pods, saying which restricted rule they break
        let refusals: string[] = [];
        for (let attempt = 0; attempt < 60 && refusals.length === 0; attempt += 1) {
          refusals = await podSecurityRefusals(plane().client, namespace);
          if (refusals.length === 0) await new Promise((resolve) => setTimeout(resolve, 500));
        }
        expect(refusals.length).toBeGreaterThan(0);
        expect(refusals[0]).toMatch(/is forbidden: violates PodSecurity "restricted:latest": /);
        helmOn(plane(), major, ['uninstall', 'lesson', '--namespace', namespace]);
      });
    }

    // The upgrade and rollback of each scenario, with one major: the scenarios alternate between Helm 3 and Helm 4,
    // so both majors upgrade and roll back every chart, and every scenario is upgraded to and rolled back once
    // (chart-contract.test.ts shows both majors render the same objects; the suite's time is the reason).
    const upgradeScenarios = contexts.slice(1).filter((_, index) => index % HELM_MAJORS.length === HELM_MAJORS.indexOf(major));
    const upgradeNames = upgradeScenarios.map((scenario) => scenario.name).join(', ') || 'no scenario';
    test(`upgrades from the defaults to ${upgradeNames} and back, and rolls each upgrade back`, async () => {
      const namespace = namespaceName(chart, 'upgrades', `h${major}`);
      await createNamespace(plane().client, namespace, weakestLevel(contexts.map((context) => context.level)));
      for (const context of contexts)
        await createExpectedClaims(
          plane().client,
          namespace,
          renderChart(major, chart, { valuesFiles: context.valuesFiles, namespace }).manifests,
        );
      const release = 'lesson';
      const helm = (...args: string[]): ReturnType<typeof helmOutcome> =>
        helmOutcome(helmOn(plane(), major, [...args, '--namespace', namespace]));
      await cleaningUpOnFailure(major, namespace, release, async () => {
        expect(
          await explainedOutcome(
            major,
            helmOn(plane(), major, ['install', release, chartDir(chart), '--wait', '--timeout', '3m', '--namespace', namespace]),
          ),
        ).toEqual(INSTALLED);
        // The keys a render generates afresh each time (two renders of the defaults differ there): on the cluster
        // they must keep the values of the first install through every upgrade (`lookup` of the chart's own Secret)
        const generated = await generatedSecretValues(plane().client, major, chart, namespace);
        let revision = 1;
        for (const scenario of upgradeScenarios) {
          // WHEN the release is upgraded to the scenario, the server accepts every object and the pods come up
          const upgraded = helm('upgrade', release, chartDir(chart), '--wait', '--timeout', '3m', '-f', scenario.valuesFiles[0] as string);
          // (when Helm gives up waiting, what the controllers show then goes into the failure: its workloads' status
          // and pods, to tell a stuck rollout from a slow one)
          const stuck = upgraded.status === 0 ? {} : { state: await workloadState(plane().client, namespace) };
          expect({ scenario: scenario.name, ...upgraded, ...stuck }).toEqual({
            scenario: scenario.name,
            status: 0,
            output: '',
          });
          revision += 1;
          expect({ scenario: scenario.name, problems: await settledReleaseProblems(plane().client, namespace, release) }).toEqual({
            scenario: scenario.name,
            problems: [],
          });
          // AND every generated Secret value the scenario still renders is the one of the first install
          expect({ scenario: scenario.name, generated: await generated.changed() }).toEqual({ scenario: scenario.name, generated: [] });
          // AND a rollback returns to the previous revision's values
          expect({ scenario: scenario.name, ...helm('rollback', release, String(revision - 1), '--wait', '--timeout', '3m') }).toEqual({
            scenario: scenario.name,
            status: 0,
            output: '',
          });
          revision += 1;
          const values = helmOn(plane(), major, ['get', 'values', release, '--namespace', namespace, '--output', 'json']);
          expect({ scenario: scenario.name, values: JSON.parse(values.stdout) }).toEqual({ scenario: scenario.name, values: null });
          expect({ scenario: scenario.name, problems: await settledReleaseProblems(plane().client, namespace, release) }).toEqual({
            scenario: scenario.name,
            problems: [],
          });
        }
        expect(helm('uninstall', release, '--wait')).toEqual({ status: 0, output: '' });
        await removeKeptNamespaces(plane().client, namespace);
      });
    });
  });

  const released = releasedChart(chart);
  const version = String((YAML.parse(readFileSync(join(chartDir(chart), 'Chart.yaml'), 'utf8')) as { version: string }).version);
  if (released === undefined) {
    // nothing to upgrade from until the chart's first release: jest lists it as a todo, not as a pass
    test.todo('an upgrade from its last release (it has none yet)');
  } else if (released.entry.version === version) {
    // The working tree is its last release (release-discipline.test.ts refuses a chart changed since its release
    // without a new version): an upgrade from it to itself would be Helm's no-op. The paths below run as soon as the
    // chart changes, which is when an upgrade can break.
    test(`is its last release ${version}, file for file: the upgrade paths from it run once the chart changes`, () => {
      expect(filesOf(chartDir(chart))).toEqual(filesOf(released.dir));
    });
  } else {
    // With Helm 4 only, to keep the suite's time; the same upgrade renders are compared under Helm 3 and Helm 4 in
    // chart-upgrade.test.ts.
    const fromReleaseMajor: HelmMajor = 4;
    test.each(upgradePaths(chart, released))(
      `upgrades from its last release ${released.entry.version} to the working tree with Helm ${fromReleaseMajor}, keeping every volume claim ($name)`,
      async ({ name, from, to, level }) => {
        const plane = planeFor(fromReleaseMajor);
        const namespace = namespaceName(chart, 'from-release', name, `h${fromReleaseMajor}`);
        await createNamespace(plane.client, namespace, level);
        await createExpectedClaims(plane.client, namespace, renderChart(fromReleaseMajor, chart, { valuesFiles: to, namespace }).manifests);
        const release = 'lesson';
        const helm = (...args: string[]): ReturnType<typeof helmOutcome> =>
          helmOutcome(helmOn(plane, fromReleaseMajor, [...args, '--namespace', namespace]));
        const valuesArgs = (files: readonly string[]): string[] => files.flatMap((file) => ['-f', file]);
        await cleaningUpOnFailure(fromReleaseMajor, namespace, release, async () => {
          // GIVEN the released chart installed with the values a user had
          const install = helmOn(plane, fromReleaseMajor, [
            'install',
            release,
            released.dir,
            '--wait',
            '--timeout',
            '3m',
            ...valuesArgs(from),
            '--namespace',
            namespace,
          ]);
          expect(await explainedOutcome(fromReleaseMajor, install)).toEqual(INSTALLED);
          const claims = async (): Promise<string[]> =>
            ((await plane.client.list(`/api/v1/namespaces/${namespace}/persistentvolumeclaims`)) as Array<{ metadata: { name: string } }>)
              .map((claim) => claim.metadata.name)
              .sort();
          const claimsBefore = await claims();
          // WHEN it is upgraded to the working tree with the same values: the API server takes every change (an
          // immutable field changed would be refused) and every pod comes up
          expect(helm('upgrade', release, chartDir(chart), '--wait', '--timeout', '3m', ...valuesArgs(to))).toEqual({
            status: 0,
            output: '',
          });
          expect(await settledReleaseProblems(plane.client, namespace, release)).toEqual([]);
          // THEN no volume claim was deleted
          const claimsAfter = await claims();
          expect(claimsBefore.filter((claim) => !claimsAfter.includes(claim))).toEqual([]);
          expect(helm('uninstall', release, '--wait', '--timeout', '2m')).toEqual({ status: 0, output: '' });
          await removeKeptNamespaces(plane.client, namespace);
        });
      },
    );
  }

  /** Hatches a generated value can show alone (and that known refusals name): tried one by one all the same. */
  const STANDALONE_HATCHES = new Set(['tolerations', 'podLabels', 'podAnnotations', 'imagePullSecrets']);

  /** The paths the escape-hatches scenario sets: each block's hatch keys (`jvb.extraVolumes`, `extraEnv`). */
  function hatchPaths(values: Record<string, unknown>, prefix: string[] = []): string[][] {
    if ('extraContainers' in values)
      return Object.keys(values)
        .filter((key) => !STANDALONE_HATCHES.has(key))
        .map((key) => [...prefix, key]);
    return Object.entries(values).flatMap(([key, child]) =>
      child !== null && typeof child === 'object' && !Array.isArray(child)
        ? hatchPaths(child as Record<string, unknown>, [...prefix, key])
        : [],
    );
  }

  test('every documented value override is accepted by the API server as an update of an installed release', async () => {
    const schema = valuesSchema(chart);
    const validate = valuesValidator(schema);
    const defaults = YAML.parse(readFileSync(join(chartDir(chart), 'values.yaml'), 'utf8')) as Record<string, unknown>;
    // The escape hatches of the workload blocks (extra volumes, sidecars, security context and probe overrides,
    // service accounts, ...) only make sense together (a mount needs its volume, a probe its handler): the
    // escape-hatches scenario installs all of them at once as a scenario of its own, so they are left out here.
    const hatches = scenarioFiles(chart)
      .filter((file) => file.endsWith('-escape-hatches-values.yaml'))
      .flatMap((file) => hatchPaths(YAML.parse(readFileSync(file, 'utf8')) as Record<string, unknown>));
    const coveredByScenario = (path: readonly string[]): boolean =>
      hatches.some((hatch) => hatch.every((key, index) => path[index] === key));
    const overrides = leaves(schema).flatMap((leaf) => {
      if (coveredByScenario(leaf.path.map(String))) return [];
      const alternative = alternativeFor(
        leaf.schema,
        leaf.default,
        (candidate) => validate(mergeValues(defaults, valuesAt(leaf.path, candidate))),
        entryNamesBeside(defaults, leaf.default),
      );
      return alternative === undefined ? [] : [{ name: leaf.path.join('.'), alternative, values: valuesAt(leaf.path, alternative) }];
    });
    expect(overrides.length).toBeGreaterThan(0);
    const level = weakestLevel(contexts.map((context) => context.level));
    const knownRefusals = new Set(KNOWN_REFUSALS.filter((entry) => entry.chart === chart).flatMap((entry) => entry.values));
    const refusedAsKnown = new Set<string>();
    // GIVEN the defaults installed with Helm 4 (Helm's own upgrade and rollback run through every scenario above,
    // with both majors; chart-contract.test.ts shows both render the same objects)
    const major: HelmMajor = 4;
    const plane = planeFor(major);
    const namespace = namespaceName(chart, 'overrides', `h${major}`);
    await createNamespace(plane.client, namespace, level);
    const release = 'lesson';
    const problems: string[] = [];
    await cleaningUpOnFailure(major, namespace, release, async () => {
      expect(await explainedOutcome(major, helmOn(plane, major, ['install', release, chartDir(chart), '--namespace', namespace]))).toEqual(
        INSTALLED,
      );
      const rendered = (valuesFiles: readonly string[], values?: unknown): ReturnType<typeof renderChart> =>
        renderChart(major, chart, { release, namespace, valuesFiles, values });
      const installed = new Map(rendered([]).manifests.map((manifest) => [objectId(manifest), JSON.stringify(manifest)]));
      for (const override of overrides) {
        // WHEN each value is overridden, on the defaults first, then on each scenario: a value may be allowed only
        // together with a scenario's values, and is refused only when every one fails
        const failures: string[] = [];
        for (const context of contexts) {
          const render = rendered(context.valuesFiles, override.values);
          if (render.status !== 0) {
            failures.push(`${context.name}: ${render.stderr.trim().split('\n').pop()}`);
            continue;
          }
          // THEN the API server accepts every object Helm would send, as the new state of the installed one (a dry
          // run: nothing is stored, so each override starts from the defaults)
          const changed = render.manifests.filter((manifest) => installed.get(objectId(manifest)) !== JSON.stringify(manifest));
          const refusals = (await Promise.all(changed.map((manifest) => dryRunRefusal(plane.client, manifest, namespace)))).filter(
            (refusal): refusal is string => refusal !== undefined,
          );
          if (refusals.length === 0) break;
          failures.push(`${context.name}: ${refusals.join('; ')}`);
        }
        if (failures.length < contexts.length) continue;
        if (knownRefusals.has(override.name)) refusedAsKnown.add(override.name);
        else problems.push(`${override.name}=${JSON.stringify(override.alternative)}: ${failures.join('; ')}`);
      }
      expect(helmOutcome(helmOn(plane, major, ['uninstall', release, '--namespace', namespace, '--wait']))).toEqual({
        status: 0,
        output: '',
      });
      await removeKeptNamespaces(plane.client, namespace);
    });
    expect(problems).toEqual([]);
    // AND every known refusal still happens (a fixed one must leave test/cluster-known-refusals.yaml)
    expect([...knownRefusals].filter((name) => !refusedAsKnown.has(name))).toEqual([]);
  });
});
