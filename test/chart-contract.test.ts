/**
 * The chart contract (design/chart-contract.md), checked for every chart in `charts/` under the current Helm 3 and
 * Helm 4; `helm lint` and the values schema also under the oldest Helm 3 the charts declare support for. What each
 * documented value does when overridden is checked in chart-overrides.test.ts. A new chart is covered by emitting it
 * into `charts/`: nothing here names a chart.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { HELM_VERSIONS_ANNOTATION, OLDEST_SUPPORTED_HELM_3, SUPPORTED_HELM_VERSIONS } from '@meetscale/chart-toolkit/build';
import { helmName, helmRelease, OLDEST_HELM_3, runHelm } from '@meetscale/helm-binaries';
import { formatManifestIssue, validateManifests } from '@meetscale/kubernetes-schema';
import YAML from 'yaml';

import { chartDir, chartNames, HELM_MAJORS, LINT_HELMS, type Manifest, objectId, renderChart, scenarioFiles } from './support/charts';
import { generatedFields, maskGenerated } from './support/generated-values';
import {
  credentialDefaults,
  invalidBatches,
  invalidCorpus,
  leaves,
  mergeValues,
  pointer,
  spellings,
  valuesSchema,
  valuesValidator,
} from './support/schema-values';

const charts = chartNames();

/** Label selectors an object applies to pods or services. */
function selectorsOf(manifest: Manifest): Record<string, string>[] {
  const spec = (manifest.spec ?? {}) as Record<string, any>;
  const candidates = [spec.selector?.matchLabels, manifest.kind === 'Service' ? spec.selector : undefined, spec.podSelector?.matchLabels];
  return candidates.filter(
    (selector): selector is Record<string, string> => selector !== undefined && selector !== null && Object.keys(selector).length > 0,
  );
}

/** Label sets a selector could match: the object's labels and its pod template's labels. */
function labelSetsOf(manifest: Manifest): Record<string, string>[] {
  const template = (manifest.spec as Record<string, any> | undefined)?.template?.metadata?.labels;
  return [manifest.metadata.labels ?? {}, ...(template === undefined ? [] : [template])];
}

/** Every string in a values document (the names a user gave). */
function stringLeaves(values: unknown): string[] {
  if (typeof values === 'string') return [values];
  if (values === null || typeof values !== 'object') return [];
  return Object.values(values).flatMap(stringLeaves);
}

/** Whether a values schema configures an image anywhere: a chart that deploys no image runs no container. */
function deploysImages(node: unknown): boolean {
  if (node === null || typeof node !== 'object') return false;
  const properties = (node as { properties?: Record<string, unknown> }).properties ?? {};
  return 'image' in properties || Object.values(node as Record<string, unknown>).some((child) => deploysImages(child));
}

const matches = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

describe('the check for default credentials', () => {
  test('finds a default password or token, and lets references to Secrets and empty defaults pass', () => {
    // GIVEN a schema with a default credential beside references to Secrets, a switch and an empty default
    const leaf = (value: unknown): Record<string, unknown> => ({ type: typeof value, default: value });
    const schema = {
      properties: {
        database: { properties: { password: leaf('changeme'), existingSecret: leaf('db'), key: leaf('password') } },
        api: { properties: { token: leaf('abc123'), tokenTtl: leaf(3600) } },
        jwt: { properties: { secretKey: leaf('jwt-app-secret'), appSecret: leaf('') } },
        serviceAccount: { properties: { automountServiceAccountToken: leaf(false) } },
        replicaCount: leaf(2),
      },
    };

    // WHEN
    const { checked, offending } = credentialDefaults(schema);

    // THEN the two credentials, and only them, are found among the seven values whose path names one
    expect(offending.map((found) => found.path.join('.'))).toEqual(['database.password', 'api.token']);
    expect(checked).toHaveLength(7);
  });

  test("looks at every chart's references to Secrets", () => {
    // a chart with an image has image pull Secrets at least; the check must not pass by finding nothing
    const checked = charts.flatMap((chart) =>
      credentialDefaults(valuesSchema(chart)).checked.map((leaf) => `${chart}: ${leaf.path.join('.')}`),
    );
    expect(checked.length).toBeGreaterThanOrEqual(charts.length);
    expect(checked).toEqual(expect.arrayContaining(['jitsi-shard: auth.jwt.secretKey', 'scalelite: database.password.key']));
  });
});

describe.each(charts)('chart %s', (chart) => {
  const schema = valuesSchema(chart);
  const scenarios = scenarioFiles(chart);
  const defaults = YAML.parse(readFileSync(join(chartDir(chart), 'values.yaml'), 'utf8')) as Record<string, unknown>;
  const contexts: Array<{ name: string; valuesFiles: string[] }> = [
    { name: 'defaults', valuesFiles: [] },
    ...scenarios.map((file) => ({ name: file.split('/').pop() as string, valuesFiles: [file] })),
  ];

  test('has at least one ci scenario besides the defaults', () => {
    expect(scenarios.length).toBeGreaterThan(0);
  });

  test('Chart.yaml carries the contract fields and a semver version', () => {
    // GIVEN the chart's metadata
    const metadata = YAML.parse(readFileSync(join(chartDir(chart), 'Chart.yaml'), 'utf8')) as Record<string, unknown>;
    // THEN it names the chart after its directory and has every field the contract lists
    expect(metadata).toMatchObject({ apiVersion: 'v2', name: chart, type: 'application' });
    for (const field of ['version', 'appVersion', 'description', 'kubeVersion', 'home', 'sources', 'keywords', 'maintainers']) {
      expect(metadata[field]).toBeTruthy();
    }
    expect(String(metadata.version)).toMatch(/^\d+\.\d+\.\d+$/);
    // AND it states the Helm versions it supports, from the oldest Helm 3 the lint and schema checks below run
    expect(metadata.annotations).toMatchObject({ [HELM_VERSIONS_ANNOTATION]: SUPPORTED_HELM_VERSIONS });
  });

  test('values.yaml holds the schema defaults, names its schema, and comments every key', () => {
    const text = readFileSync(join(chartDir(chart), 'values.yaml'), 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=values.schema.json');
    expect(valuesValidator(schema)(defaults)).toBe(true);
    for (const leaf of leaves(schema)) {
      const value = leaf.path.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], defaults);
      expect({ path: leaf.path.join('.'), value }).toEqual({ path: leaf.path.join('.'), value: leaf.default });
    }
    for (const key of Object.keys(schema.properties ?? {})) {
      // the line before a top-level key is the last line of its description comment
      const lines = text.split('\n');
      const at = lines.findIndex((line) => line.startsWith(`${key}:`));
      expect(at).toBeGreaterThan(0);
      expect(lines[at - 1]).toMatch(/^# /);
    }
  });

  test('has NOTES.txt, a README with a values table, and TypeScript values types', () => {
    const read = (file: string): string => readFileSync(join(chartDir(chart), file), 'utf8');
    expect(read('templates/NOTES.txt').length).toBeGreaterThan(0);
    expect(read('README.md')).toContain('| Key | Type | Default | Description |');
    for (const leaf of leaves(schema)) expect(read('README.md')).toContain(`| \`${leaf.path.join('.')}\` |`);
    expect(read('values.d.ts')).toMatch(/^\/\* Generated by .* DO NOT EDIT/);
  });

  test('the values schema is draft-07 and closed to unknown keys at the top level', () => {
    expect((schema as Record<string, unknown>).$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.additionalProperties).toBe(false);
  });

  test('values.yaml holds no default password, token or key', () => {
    // a reference to a Secret (its name, a key in it) is fine to default; a credential is not
    const { offending } = credentialDefaults(schema);
    expect(offending.map((leaf) => `${leaf.path.join('.')}: ${String(leaf.default)}`)).toEqual([]);
  });

  test.each(contexts)('Helm 3 and Helm 4 render the same objects, apart from generated credentials ($name)', ({ valuesFiles }) => {
    // GIVEN the chart rendered twice by Helm 3 (which shows the credentials generated anew on each render) and once
    // by Helm 4
    const first = renderChart(3, chart, { valuesFiles });
    const second = renderChart(3, chart, { valuesFiles });
    const helm4 = renderChart(4, chart, { valuesFiles });
    expect([first.stderr, helm4.stderr]).toEqual(['', '']);
    // THEN both majors render the same objects: a chart means the same under either, and the per-value checks
    // (chart-overrides.test.ts) need to run under one of them only
    const generated = generatedFields(first.manifests, second.manifests);
    expect(maskGenerated(helm4.manifests, generated)).toEqual(maskGenerated(first.manifests, generated));
  });

  describe.each(LINT_HELMS)('with $name', ({ pin }) => {
    test.each(contexts)('helm lint --strict passes ($name)', ({ valuesFiles }) => {
      const args = ['lint', '--strict', chartDir(chart), ...valuesFiles.flatMap((file) => ['-f', file])];
      const result = runHelm(pin, args);
      expect({ status: result.status, output: result.stdout + result.stderr }).toMatchObject({ status: 0 });
    });

    test('a corpus of invalid values is refused before rendering, naming the offending value', () => {
      const validate = valuesValidator(schema);
      const corpus = invalidCorpus(schema);
      expect(corpus.length).toBeGreaterThanOrEqual(20);
      // GIVEN values the schema refuses (checked independently with ajv first, case by case)
      for (const invalid of corpus)
        expect({ case: invalid.name, valid: validate(mergeValues(defaults, invalid.values)) }).toEqual({
          case: invalid.name,
          valid: false,
        });
      const accepted: string[] = [];
      for (const batch of invalidBatches(corpus)) {
        // WHEN Helm renders with a batch of them (cases at places apart: Helm reports every error of a document)
        const rendered = renderChart(pin, chart, { values: batch.values });
        // THEN it fails with a schema error, renders nothing, and names each offending value on an error line of its own
        const refused = rendered.status !== 0 && rendered.stdout.trim() === '' && /schema/i.test(rendered.stderr);
        for (const invalid of batch.cases) {
          if (refused && spellings(invalid).some((spelling) => spelling.test(rendered.stderr))) continue;
          accepted.push(
            `${invalid.name} (expected ${spellings(invalid).join(' or ')}): status ${rendered.status}, stderr: ${rendered.stderr.trim().slice(0, 300)}`,
          );
        }
      }
      expect(accepted).toEqual([]);
    });
  });

  describe.each(HELM_MAJORS.map((major) => ({ major, name: helmName(major) })))('with $name', ({ major }) => {
    test.each(contexts)('every rendered object validates against the Kubernetes 1.33 API ($name)', ({ valuesFiles }) => {
      // GIVEN the chart rendered by real Helm
      const rendered = renderChart(major, chart, { valuesFiles });
      expect(rendered.stderr).toBe('');
      expect(rendered.manifests.length).toBeGreaterThan(0);
      // THEN every object is valid: types, required fields, enums, and no unknown fields
      expect(validateManifests(rendered.manifests).map(formatManifestIssue)).toEqual([]);
      // AND every namespaced object lands in the release namespace
      for (const manifest of rendered.manifests) {
        if (manifest.metadata.namespace !== undefined) expect(manifest.metadata.namespace).toBe('meetscale');
      }
    });

    test.each(contexts)('containers run with the secure-by-default context and resource requests ($name)', ({ valuesFiles }) => {
      const rendered = renderChart(major, chart, { valuesFiles });
      const pods = rendered.manifests
        .map((manifest) => (manifest.spec as Record<string, any> | undefined)?.template?.spec)
        .filter((spec) => spec !== undefined);
      // a chart of images runs pods; one of configuration only (the monitoring chart's rules and dashboards) none
      if (deploysImages(schema)) expect(pods.length).toBeGreaterThan(0);
      else expect(pods).toEqual([]);
      for (const pod of pods) {
        for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
          const context = container.securityContext ?? {};
          expect({ container: container.name, allowPrivilegeEscalation: context.allowPrivilegeEscalation }).toEqual({
            container: container.name,
            allowPrivilegeEscalation: false,
          });
          expect(context.capabilities?.drop).toContain('ALL');
          expect(context.seccompProfile?.type ?? pod.securityContext?.seccompProfile?.type).toBe('RuntimeDefault');
          expect(Object.keys(container.resources?.requests ?? {})).toEqual(expect.arrayContaining(['cpu', 'memory']));
        }
      }
    });

    test.each(contexts)('NOTES.txt renders and names the release ($name)', ({ valuesFiles }) => {
      // GIVEN a copy of the chart in which NOTES.txt is rendered into a ConfigMap (helm template skips NOTES.txt,
      // and NOTES text is no YAML document of its own)
      const copy = mkdtempSync(join(tmpdir(), `notes-${chart}-`));
      try {
        cpSync(chartDir(chart), join(copy, chart), { recursive: true });
        const notes = readFileSync(join(copy, chart, 'templates/NOTES.txt'), 'utf8');
        rmSync(join(copy, chart, 'templates/NOTES.txt'));
        writeFileSync(join(copy, chart, 'templates/_notes-under-test.tpl'), `{{- define "notes-under-test" -}}\n${notes}{{- end }}\n`);
        writeFileSync(
          join(copy, chart, 'templates/notes-under-test.yaml'),
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes-under-test\ndata:\n  notes: {{ include "notes-under-test" . | toJson }}\n',
        );
        // WHEN it is rendered
        const result = runHelm(major, [
          'template',
          'lesson-7',
          join(copy, chart),
          '--show-only',
          'templates/notes-under-test.yaml',
          ...valuesFiles.flatMap((file) => ['-f', file]),
        ]);
        // THEN it renders, naming the release and leaving no template syntax behind
        expect(result.stderr).toBe('');
        const text = (YAML.parse(result.stdout) as { data: { notes: string } }).data.notes;
        expect(text).toContain('lesson-7');
        expect(text).not.toMatch(/\{\{|\}\}/);
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
    });

    test('two releases in one namespace share no resource name and no selector', () => {
      // GIVEN two releases of the chart in one namespace, each with every ci scenario merged in
      const allFeatures = scenarios.reduce<unknown>((values, file) => mergeValues(values, YAML.parse(readFileSync(file, 'utf8'))), {});
      const first = renderChart(major, chart, { release: 'shard-0', values: allFeatures });
      const second = renderChart(major, chart, { release: 'shard-1', values: allFeatures });
      expect([first.stderr, second.stderr]).toEqual(['', '']);
      // THEN no kind/name appears in both, but for the objects the values name (a Namespace of `namespaces`, a
      // Gateway's `gateway.name`): keeping those apart is the values' author's choice
      const valueNames = stringLeaves(allFeatures);
      const namedByValues = (id: string): boolean => {
        const name = id.slice(id.indexOf('/') + 1);
        return valueNames.some((value) => name === value || name.startsWith(`${value}-`));
      };
      const firstIds = new Set(first.manifests.map(objectId));
      expect(second.manifests.map(objectId).filter((id) => firstIds.has(id) && !namedByValues(id))).toEqual([]);
      // AND no selector of one release matches an object or pod of the other
      const crossMatches = (from: Manifest[], to: Manifest[]): string[] =>
        from.flatMap((source) =>
          selectorsOf(source).flatMap((selector) =>
            to
              .filter((target) => labelSetsOf(target).some((labels) => matches(selector, labels)))
              .map((target) => `${objectId(source)} selects ${objectId(target)}`),
          ),
        );
      expect(crossMatches(first.manifests, second.manifests)).toEqual([]);
      expect(crossMatches(second.manifests, first.manifests)).toEqual([]);
    });

    test.each(contexts)('renders the same objects twice, apart from credentials generated on first install ($name)', ({ valuesFiles }) => {
      // GIVEN the same values rendered twice
      const first = renderChart(major, chart, { valuesFiles });
      const second = renderChart(major, chart, { valuesFiles });
      // THEN only generated Secret entries differ, and each is a fresh random value
      const generated = generatedFields(first.manifests, second.manifests);
      expect(maskGenerated(second.manifests, generated)).toEqual(maskGenerated(first.manifests, generated));
      for (const field of generated) {
        const value = (first.manifests.find((manifest) => objectId(manifest) === field.object)?.data as Record<string, string>)[field.key];
        expect(Buffer.from(value ?? '', 'base64').length).toBeGreaterThanOrEqual(24);
      }
    });
  });
});

test('the oldest Helm 3 the charts declare support for is the one the lint and schema checks run', () => {
  expect(helmRelease(OLDEST_HELM_3).version).toBe(OLDEST_SUPPORTED_HELM_3);
  expect(SUPPORTED_HELM_VERSIONS.startsWith(`>=${helmRelease(OLDEST_HELM_3).version} `)).toBe(true);
});

test('the charts directory holds at least one chart', () => {
  expect(charts.length).toBeGreaterThan(0);
  expect(pointer(['a', 'b/c'])).toBe('/a/b~1c');
});
