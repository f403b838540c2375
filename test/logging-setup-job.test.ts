/**
 * The logging chart's setup Job, run for real: Helm renders the chart (`charts/logging`), and the Job's command,
 * `setup.sh` from its ConfigMap, runs with /bin/sh and curl against loopback fakes of Elasticsearch and Kibana,
 * with the Job's own environment and volumes laid out in a scratch directory (its mount paths under that
 * directory, each filled from the ConfigMap or Secret the Job mounts there). The fakes check every body against
 * the APIs' own formats (Elasticsearch: JSON Schemas from the official client's types; Kibana: its import route
 * and saved-object schemas), so a run that succeeds has sent documents the real APIs take. Each script run is
 * bounded by a timeout and killed with its process group if still running after a test.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { chartDir, HELM_MAJORS, type Manifest, renderChart } from './support/charts';
import { elasticsearchClientVersion } from './support/elasticsearch-schemas';
import { type FakeElasticsearch, startFakeElasticsearch } from './support/fake-elasticsearch';
import { type FakeKibana, startFakeKibana } from './support/fake-kibana';
import { scriptEnv, type ScriptRun, ShellScripts } from './support/shell-script';

jest.setTimeout(60_000);

/** Bound of every script run; the slowest case waits 3 attempts 1 s apart. */
const RUN_TIMEOUT_MS = 20_000;
const HELM = HELM_MAJORS[HELM_MAJORS.length - 1] as (typeof HELM_MAJORS)[number];
const RELEASE = 'logs';

const ELASTIC_PASSWORD = 'elastic-"quoted"-\\back\\slashed';
const SHIPPER_USER = 'meetscale-shipper';
const SHIPPER_PASSWORD = 'shipper-password-40-characters-generated';
const SHIPPER_ROLE = 'meetscale-shipper';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'logging-setup-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The keys of the setup Job's ConfigMap. */
type SetupConfig = Record<
  'setup.sh' | 'policies.tsv' | 'index-templates.tsv' | 'roles.tsv' | 'users.tsv' | 'kibana-objects.ndjson',
  string
>;

interface Container {
  command: string[];
  env: Array<{ name: string; value: string }>;
  volumeMounts: Array<{ name: string; mountPath: string }>;
}
interface Volume {
  name: string;
  configMap?: { name: string };
  secret?: { secretName: string; items?: Array<{ key: string; path: string }> };
  emptyDir?: object;
}

/** What the chart renders for the setup Job: its container and volumes, and the objects they name. */
interface SetupJob {
  readonly container: Container;
  readonly volumes: Volume[];
  readonly manifests: Manifest[];
  readonly config: SetupConfig;
}

/** Renders the chart with real Helm and picks out the setup Job and its ConfigMap. */
function renderSetupJob(values: unknown = {}): SetupJob {
  const result = renderChart(HELM, 'logging', { release: RELEASE, namespace: 'logging', values });
  if (result.status !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  const job = result.manifests.find((manifest) => manifest.kind === 'Job' && manifest.metadata.name === `${RELEASE}-logging-setup`) as any;
  const spec = job.spec.template.spec as { containers: Container[]; volumes: Volume[] };
  const configVolume = spec.volumes.find((volume) => volume.name === 'config');
  const configMap = result.manifests.find(
    (manifest) => manifest.kind === 'ConfigMap' && manifest.metadata.name === configVolume?.configMap?.name,
  );
  return {
    container: spec.containers[0] as Container,
    volumes: spec.volumes,
    manifests: result.manifests,
    config: (configMap as any).data as SetupConfig,
  };
}

/** The rendered ConfigMap data of the setup Job for some values. */
function renderSetupConfig(values: unknown = {}): SetupConfig {
  return renderSetupJob(values).config;
}

type Run = ScriptRun;

const scripts = new ShellScripts(RUN_TIMEOUT_MS);
afterEach(() => scripts.killAll());

/** Runs a script with the real /bin/sh in its own process group, with a minimal environment. */
const runScript = (script: string, env: Record<string, string>): Promise<Run> =>
  scripts.run(script, [], { cwd: dir, env: scriptEnv(env) }).done;

/** The setup Job's pod laid out in a scratch directory: the script to run and the environment to run it with. */
interface Pod {
  readonly root: string;
  readonly script: string;
  readonly env: Record<string, string>;
}

/** Secrets the Job mounts, by name: the ECK ones, the shipper's, and the users' of the values. */
type SecretData = Record<string, Record<string, string>>;

const baseSecrets = (elastic: string): SecretData => ({
  [`${RELEASE}-logging-es-elastic-user`]: { elastic: `${elastic}\n` },
  [`${RELEASE}-logging-es-http-certs-public`]: { 'ca.crt': '-----BEGIN CERTIFICATE-----\n' },
  [`${RELEASE}-logging-shipper`]: { username: SHIPPER_USER, password: SHIPPER_PASSWORD },
});

/**
 * Lays the Job's pod out under a scratch directory: each volume mount of the container at `<root><mountPath>`,
 * filled from its ConfigMap (the rendered one, `config` replacing its data when given) or Secret (`secrets`, with
 * the volume's `items`). The container's environment is taken as rendered, paths moved under the root, with the
 * Elasticsearch and Kibana URLs of the fakes; `users.tsv` names the pod's password files, moved likewise. The
 * bounded wait is shortened to 3 attempts 1 s apart.
 */
function layOutPod(job: SetupJob, secrets: SecretData, urls: { es: string; kibana: string }, config: Partial<SetupConfig> = {}): Pod {
  const root = mkdtempSync(join(dir, 'pod-'));
  const volumes = new Map(job.volumes.map((volume) => [volume.name, volume]));
  for (const mount of job.container.volumeMounts) {
    const target = join(root, mount.mountPath);
    mkdirSync(target, { recursive: true });
    const volume = volumes.get(mount.name);
    if (volume?.configMap !== undefined) {
      const data = { ...job.config, ...config };
      data['users.tsv'] = data['users.tsv'].replaceAll('\t/', `\t${root}/`);
      for (const [key, text] of Object.entries(data)) writeFileSync(join(target, key), text);
    } else if (volume?.secret !== undefined) {
      const secret = secrets[volume.secret.secretName];
      if (secret === undefined) throw new Error(`the Job mounts Secret ${volume.secret.secretName}, which the test does not know`);
      const items = volume.secret.items ?? Object.keys(secret).map((key) => ({ key, path: key }));
      for (const { key, path } of items) {
        if (secret[key] === undefined) throw new Error(`Secret ${volume.secret.secretName} has no key ${key}`);
        mkdirSync(dirname(join(target, path)), { recursive: true });
        writeFileSync(join(target, path), secret[key]);
      }
    }
  }
  const env: Record<string, string> = {};
  for (const { name, value } of job.container.env) env[name] = value.startsWith('/') ? join(root, value) : value;
  env.ES_URL = urls.es;
  if (env.KIBANA_URL !== '') env.KIBANA_URL = urls.kibana;
  const [shell, script] = job.container.command as [string, string];
  expect(shell).toBe('/bin/sh');
  return { root, script: join(root, script), env: { ...env, WAIT_ATTEMPTS: '3', WAIT_SECONDS: '1' } };
}

interface Fakes {
  readonly es: FakeElasticsearch;
  readonly kibana: FakeKibana;
  close(): Promise<void>;
}

async function startFakes(
  options: { clusterStatus?: 'green' | 'yellow' | 'red' | 'unavailable'; kibanaAvailable?: boolean } = {},
): Promise<Fakes> {
  const es = await startFakeElasticsearch({ users: { elastic: ELASTIC_PASSWORD }, clusterStatus: options.clusterStatus });
  const kibana = await startFakeKibana({ users: { elastic: ELASTIC_PASSWORD }, available: options.kibanaAvailable });
  return { es, kibana, close: async () => void (await Promise.all([es.close(), kibana.close()])) };
}

/** How a test sets the Job up: Secrets besides the base ones, the elastic password in its Secret, the fakes, ConfigMap data. */
interface SetUpOptions {
  readonly secrets?: SecretData;
  readonly elastic?: string;
  readonly fakes?: Parameters<typeof startFakes>[0];
  readonly config?: Partial<SetupConfig>;
}

/** Renders the values, starts the fakes, runs the Job's script against them; the fakes stay up for the assertions. */
async function setUp(values: unknown, options: SetUpOptions = {}): Promise<{ run: Run; fakes: Fakes; pod: Pod }> {
  const job = renderSetupJob(values);
  const fakes = await startFakes(options.fakes);
  try {
    const secrets = { ...baseSecrets(options.elastic ?? ELASTIC_PASSWORD), ...options.secrets };
    const pod = layOutPod(job, secrets, { es: fakes.es.url, kibana: fakes.kibana.url }, options.config);
    const run = await runScript(pod.script, pod.env);
    return { run, fakes, pod };
  } catch (error) {
    await fakes.close();
    throw error;
  }
}

/** The policy values give a stream: roll over after `rolloverAfter` or at 50 GB, delete `retention` later. */
const policyOf = (rolloverAfter: string, retention: string) => ({
  policy: {
    _meta: { managed_by: 'meetscale', chart: 'logging', release: 'logs' },
    phases: {
      hot: { actions: { rollover: { max_age: rolloverAfter, max_primary_shard_size: '50gb' } } },
      delete: { min_age: retention, actions: { delete: {} } },
    },
  },
});

/** Every form a secret could take in the output: as is, and JSON-escaped. */
const formsOf = (secret: string): string[] => [secret, JSON.stringify(secret).slice(1, -1)];

describe('setup.sh with the default values', () => {
  let run: Run;
  let es: FakeElasticsearch;
  let kibana: FakeKibana;
  let fakes: Fakes;

  beforeAll(async () => {
    ({ run, fakes } = await setUp({}));
    ({ es, kibana } = fakes);
  });
  afterAll(() => fakes?.close());

  test('succeeds, and every body fit the APIs', () => {
    expect(run.timedOut).toBe(false);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(es.refused).toEqual([]);
    expect(kibana.refused).toEqual([]);
  });

  test('puts one lifecycle policy per stream with its retention, rolling over after a day', () => {
    expect(Object.fromEntries(es.policies)).toEqual({
      'meetscale-logs-access': policyOf('1d', '7d'),
      'meetscale-logs-bigbluebutton': policyOf('1d', '14d'),
      'meetscale-logs-jitsi': policyOf('1d', '14d'),
      'meetscale-logs-platform': policyOf('1d', '30d'),
      'meetscale-logs-turn': policyOf('1d', '7d'),
    });
  });

  test('binds each stream’s data streams to its policy through an index template', () => {
    const templates = es.indexTemplates;
    expect([...templates.keys()].sort()).toEqual([...es.policies.keys()].sort());
    for (const stream of ['access', 'bigbluebutton', 'jitsi', 'platform', 'turn']) {
      expect(templates.get(`meetscale-logs-${stream}`)).toMatchObject({
        index_patterns: [`logs-meetscale.${stream}-*`],
        data_stream: {},
        priority: 200,
        composed_of: ['logs@mappings', 'logs@settings'],
        template: { settings: { index: { lifecycle: { name: `meetscale-logs-${stream}` } } } },
        _meta: { chart: 'logging', release: 'logs' },
      });
    }
  });

  test('creates the shipper’s role and user with the password of the shipper Secret, and the default reader role', () => {
    expect(es.roles.get(SHIPPER_ROLE)).toMatchObject({
      cluster: ['monitor'],
      indices: [{ names: ['logs-meetscale.*'], privileges: ['create_doc', 'auto_configure'] }],
    });
    expect(es.roles.get('meetscale-log-reader')).toMatchObject({
      indices: [{ names: ['logs-meetscale.*'], privileges: ['read', 'view_index_metadata'] }],
      applications: [{ application: 'kibana-.kibana', privileges: ['read'], resources: ['*'] }],
    });
    expect([...es.roles.keys()]).toEqual([SHIPPER_ROLE, 'meetscale-log-reader']);
    expect(es.users.get('meetscale-shipper')).toMatchObject({ password: SHIPPER_PASSWORD, roles: [SHIPPER_ROLE] });
  });

  test('signs in as the elastic user for every call, and never prints a password', () => {
    expect(es.requests.every((request) => request.user === 'elastic')).toBe(true);
    expect(kibana.requests.every((request) => request.user === 'elastic')).toBe(true);
    for (const secret of [ELASTIC_PASSWORD, SHIPPER_PASSWORD].flatMap(formsOf)) {
      expect(run.stdout).not.toContain(secret);
      expect(run.stderr).not.toContain(secret);
    }
  });

  test('imports the data view, the three saved searches and the dashboard into Kibana, overwriting', () => {
    expect(kibana.imports.map((request) => request.overwrite)).toEqual([true]);
    expect([...kibana.objects.keys()]).toEqual([
      'index-pattern:meetscale-logs',
      'search:meetscale-logs-errors',
      'search:meetscale-logs-bridge-failures',
      'search:meetscale-logs-join-errors',
      'dashboard:meetscale-logs-overview',
    ]);
    expect(kibana.objects.get('index-pattern:meetscale-logs')?.attributes).toMatchObject({
      title: 'logs-meetscale.*',
      timeFieldName: '@timestamp',
    });
    const import_ = kibana.requests.find((request) => request.path === '/api/saved_objects/_import');
    expect(import_?.headers['kbn-xsrf']).toBeDefined();
  });
});

test('the saved objects keep their ids, so that an import overwrites them', () => {
  // GIVEN the Kibana objects of the ConfigMap
  const lines = renderSetupConfig()['kibana-objects.ndjson'].trimEnd().split('\n');
  // THEN they are one object per line with the same ids as ever: the data view, the searches, the dashboard
  expect(lines.map((line) => (JSON.parse(line) as { id: string }).id)).toEqual([
    'meetscale-logs',
    'meetscale-logs-errors',
    'meetscale-logs-bridge-failures',
    'meetscale-logs-join-errors',
    'meetscale-logs-overview',
  ]);
});

describe('setup.sh with overridden streams, retention, roles and users', () => {
  const passwords = ['anna "the admin" \\ pass', 'bernd\\"\\\\ends-with-backslash\\'];
  const values = {
    rolloverAfter: '12h',
    streams: {
      media: { containers: ['jvb'], retention: '36h' },
      jitsi: { containers: ['jicofo', 'prosody'] }, // jvb leaves it (a container in two streams is refused)
      access: { containers: ['web', 'haproxy'], retention: '3d' },
      platform: null, // Helm merges maps: a default stream is removed by setting it to null
    },
    defaultStream: 'jitsi',
    security: {
      roles: { 'log-admin': { cluster: ['monitor'], indices: [{ names: ['logs-meetscale.*'], privileges: ['all'] }], kibana: ['all'] } },
      users: [
        { username: 'anna', fullName: 'Anna "Admin"', roles: ['log-admin'], passwordSecret: { name: 'anna-password' } },
        { username: 'bernd', roles: ['meetscale-log-reader', 'viewer'], passwordSecret: { name: 'bernd', key: 'secret' } },
      ],
    },
  };
  let run: Run;
  let es: FakeElasticsearch;
  let fakes: Fakes;

  beforeAll(async () => {
    ({ run, fakes } = await setUp(values, {
      secrets: { 'anna-password': { password: passwords[0] as string }, bernd: { secret: passwords[1] as string } },
    }));
    ({ es } = fakes);
  });
  afterAll(() => fakes?.close());

  test('succeeds with no refused body', () => {
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    expect(es.refused).toEqual([]);
  });

  test('puts the streams of the values with their retention, and the rollover age', () => {
    expect(Object.fromEntries(es.policies)).toEqual({
      'meetscale-logs-access': policyOf('12h', '3d'),
      'meetscale-logs-bigbluebutton': policyOf('12h', '14d'),
      'meetscale-logs-jitsi': policyOf('12h', '14d'),
      'meetscale-logs-media': policyOf('12h', '36h'),
      'meetscale-logs-turn': policyOf('12h', '7d'),
    });
    expect(es.indexTemplates.get('meetscale-logs-media')).toMatchObject({
      index_patterns: ['logs-meetscale.media-*'],
      template: { settings: { index: { lifecycle: { name: 'meetscale-logs-media' } } } },
    });
  });

  test('gives a role with Kibana privileges the kibana-.kibana application in every space', () => {
    expect(es.roles.get('log-admin')).toMatchObject({
      cluster: ['monitor'],
      indices: [{ names: ['logs-meetscale.*'], privileges: ['all'] }],
      applications: [{ application: 'kibana-.kibana', privileges: ['all'], resources: ['*'] }],
    });
  });

  test('creates the users with the passwords of their Secret files, quotes and backslashes intact', () => {
    expect(es.users.get('anna')).toMatchObject({ password: passwords[0], roles: ['log-admin'], full_name: 'Anna "Admin"', enabled: true });
    expect(es.users.get('bernd')).toMatchObject({ password: passwords[1], roles: ['meetscale-log-reader', 'viewer'] });
  });

  test('prints no password, raw or escaped', () => {
    for (const secret of [ELASTIC_PASSWORD, SHIPPER_PASSWORD, ...passwords].flatMap(formsOf)) {
      expect(`${run.stdout}${run.stderr}`).not.toContain(secret);
    }
  });
});

test('a second run puts the same documents again and overwrites the Kibana objects', async () => {
  // GIVEN a setup that ran once
  const { run: first, fakes, pod } = await setUp({});
  try {
    expect(first.status).toBe(0);
    const policies = JSON.stringify([...fakes.es.policies]);
    // WHEN the Job runs again (the next upgrade)
    const second = await runScript(pod.script, pod.env);
    // THEN it succeeds with the same documents, and the import overwrote
    expect(second.status).toBe(0);
    expect(JSON.stringify([...fakes.es.policies])).toBe(policies);
    expect(fakes.kibana.imports.map((request) => request.overwrite)).toEqual([true, true]);
    expect(fakes.kibana.refused).toEqual([]);
  } finally {
    await fakes.close();
  }
});

test('without Kibana (kibana.enabled false: KIBANA_URL empty) it sets up Elasticsearch and imports nothing', async () => {
  const { run, fakes } = await setUp({ kibana: { enabled: false } });
  try {
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('setup.sh: Kibana is off: no saved objects to import\n');
    expect(fakes.es.policies.size).toBe(5);
    expect(fakes.kibana.requests).toEqual([]);
  } finally {
    await fakes.close();
  }
});

describe('setup.sh fails, naming the call', () => {
  test('when Elasticsearch answers 400: a user password shorter than the native realm takes', async () => {
    // GIVEN a user whose Secret holds 5 characters
    const values = { security: { users: [{ username: 'carla', roles: ['viewer'], passwordSecret: { name: 'carla' } }] } };
    const { run, fakes } = await setUp(values, { secrets: { carla: { password: 'short' } } });
    try {
      // THEN it stops at that user, with Elasticsearch's answer, and puts nothing after it
      expect(run.status).not.toBe(0);
      expect(run.stderr).toMatch(
        /^setup\.sh: PUT \/_security\/user\/carla failed: HTTP 400: \{"error":.*passwords must be at least \[6\] characters long/,
      );
      expect(run.stderr).not.toContain('"short"');
      expect(fakes.kibana.requests).toEqual([]);
    } finally {
      await fakes.close();
    }
  });

  test("when a user of the values takes the shipper's user name, before that user is put", async () => {
    const values = {
      security: { users: [{ username: 'meetscale-shipper', roles: ['superuser'], passwordSecret: { name: 'impostor' } }] },
    };
    const { run, fakes } = await setUp(values, { secrets: { impostor: { password: 'long-enough-password' } } });
    try {
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain("setup.sh: security.users: meetscale-shipper is the shipper's user; choose another name");
      // the shipper's own user was put once, with the shipper's role only
      const puts = fakes.es.requests.filter((request) => request.method === 'PUT' && request.path === '/_security/user/meetscale-shipper');
      expect(puts).toHaveLength(1);
      expect((puts[0]?.body as { roles: string[] }).roles).toEqual(['meetscale-shipper']);
    } finally {
      await fakes.close();
    }
  });

  test('when Elasticsearch answers 401: the elastic password is wrong, and it does not wait for it to change', async () => {
    const { run, fakes } = await setUp({}, { elastic: 'not-the-password' });
    try {
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain('setup.sh: GET ');
      expect(run.stderr).toMatch(
        /GET http:\/\/127\.0\.0\.1:\d+\/_cluster\/health failed: HTTP 401 \(the elastic user's password from .* is not accepted\)/,
      );
      expect(run.stderr).toContain('unable to authenticate user [elastic]');
      expect(fakes.es.requests).toHaveLength(1);
      expect(`${run.stdout}${run.stderr}`).not.toContain('not-the-password');
    } finally {
      await fakes.close();
    }
  });

  test.each([
    ['answers 503 (no master elected)', 'unavailable', 'HTTP 503: {"error":'],
    ['reports a red cluster', 'red', 'HTTP 200: {"cluster_name":"fake","status":"red"'],
  ] as const)('when Elasticsearch never becomes ready: it %s on all 3 attempts', async (_case, clusterStatus, answer) => {
    const { run, fakes } = await setUp({}, { fakes: { clusterStatus } });
    try {
      // THEN it gives up after 3 attempts 1 s apart, naming the last answer
      expect(run.timedOut).toBe(false);
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain('setup.sh: Elasticsearch did not become ready after 3 attempts 1 s apart; last answer to GET ');
      expect(run.stderr).toContain(answer);
      expect(fakes.es.requests.map((request) => request.path)).toEqual(['/_cluster/health', '/_cluster/health', '/_cluster/health']);
      expect(run.ms).toBeLessThan(10_000);
    } finally {
      await fakes.close();
    }
  });

  test('when nothing listens at ES_URL', async () => {
    const pod = layOutPod(renderSetupJob(), baseSecrets(ELASTIC_PASSWORD), { es: 'http://127.0.0.1:9', kibana: '' });
    const run = await runScript(pod.script, pod.env);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(
      /Elasticsearch did not become ready after 3 attempts 1 s apart; last answer to GET http:\/\/127\.0\.0\.1:9\/_cluster\/health: HTTP 000: curl/,
    );
  });

  test('when Kibana never becomes ready, after Elasticsearch is set up', async () => {
    const { run, fakes } = await setUp({}, { fakes: { kibanaAvailable: false } });
    try {
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain('setup.sh: Kibana did not become ready after 3 attempts 1 s apart; last answer to GET ');
      expect(run.stderr).toContain('/api/status: HTTP 503');
      expect(fakes.es.users.has('meetscale-shipper')).toBe(true);
      expect(fakes.kibana.imports).toEqual([]);
    } finally {
      await fakes.close();
    }
  });

  test('when Kibana refuses an object: a search whose data view is missing', async () => {
    // GIVEN the Kibana objects without the data view the searches reference
    const data = renderSetupConfig();
    const objects = data['kibana-objects.ndjson'].split('\n').filter((line) => !line.includes('"type":"index-pattern"'));
    const { run, fakes } = await setUp({}, { config: { 'kibana-objects.ndjson': objects.join('\n') } });
    try {
      // THEN Kibana's answer (200, success false) fails the Job with the objects it refused
      expect(run.status).not.toBe(0);
      expect(run.stderr).toMatch(/^setup\.sh: POST \/api\/saved_objects\/_import failed: HTTP 200: \{"success":false/);
      expect(run.stderr).toContain('"missing_references"');
    } finally {
      await fakes.close();
    }
  });

  test('and prints an answer that quotes a password with the password replaced', async () => {
    // GIVEN an Elasticsearch that answers the user call 400, echoing the request body with its password
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        const health = request.url === '/_cluster/health';
        const user = request.url?.startsWith('/_security/user/') === true;
        response.writeHead(user ? 400 : 200, { 'content-type': 'application/json' });
        response.end(
          health ? '{"status":"green"}' : user ? JSON.stringify({ error: { reason: `cannot parse ${body}` }, status: 400 }) : '{}',
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const pod = layOutPod(renderSetupJob(), baseSecrets(ELASTIC_PASSWORD), { es: url, kibana: '' });
      const run = await runScript(pod.script, pod.env);
      // THEN the message names the call and shows the answer, with *** where the password was
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain(
        'setup.sh: PUT /_security/user/meetscale-shipper failed: HTTP 400: {"error":{"reason":"cannot parse {\\"password\\":\\"***\\",\\"roles\\"',
      );
      for (const secret of [SHIPPER_PASSWORD, ELASTIC_PASSWORD].flatMap(formsOf)) expect(run.stderr).not.toContain(secret);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('the fake Elasticsearch', () => {
  let es: FakeElasticsearch;
  const auth = { authorization: `Basic ${Buffer.from(`elastic:${ELASTIC_PASSWORD}`).toString('base64')}` };
  const call = async (method: string, path: string, body: string, type = 'application/json') => {
    const response = await fetch(`${es.url}${path}`, { method, headers: { ...auth, 'content-type': type }, body });
    return { status: response.status, body: (await response.json()) as any };
  };

  beforeAll(async () => {
    es = await startFakeElasticsearch({ users: { elastic: ELASTIC_PASSWORD } });
  });
  afterAll(() => es.close());

  test(`checks bodies against the types of @elastic/elasticsearch (${elasticsearchClientVersion()}), the Elastic Stack version the chart runs`, () => {
    // the chart's appVersion is its default Elastic Stack version: a new one needs the client of that version too
    const appVersion = /^appVersion: "?([^"\n]+)"?$/m.exec(readFileSync(join(chartDir('logging'), 'Chart.yaml'), 'utf8'))?.[1];
    expect(appVersion).toMatch(/^9\.[0-9]+\.[0-9]+$/);
    expect(elasticsearchClientVersion()).toBe(appVersion);
  });

  test.each([
    [
      'an unknown field',
      { policy: { phases: { delete: { min_age: '7d', actions: { delete: {} } } }, retention: '7d' } },
      'must NOT have additional properties (retention)',
    ],
    ['a phase that is not one', { policy: { phases: { forever: { actions: {} } } } }, 'must NOT have additional properties (forever)'],
    [
      'a time without a unit',
      { policy: { phases: { delete: { min_age: '7 days', actions: { delete: {} } } } } },
      '/policy/phases/delete/min_age',
    ],
    ['no phases', { policy: {} }, "must have required property 'phases'"],
  ])('refuses a lifecycle policy with %s, answering 400', async (_case, policy, error) => {
    const { status, body } = await call('PUT', '/_ilm/policy/broken', JSON.stringify(policy));
    expect(status).toBe(400);
    expect(body.error.type).toBe('x_content_parse_exception');
    expect(es.refused.at(-1)).toEqual({
      method: 'PUT',
      path: '/_ilm/policy/broken',
      errors: expect.arrayContaining([expect.stringContaining(error)]),
    });
    expect(es.policies.has('broken')).toBe(false);
  });

  test('refuses a bulk index action on a data stream, and takes a create with @timestamp', async () => {
    const lines = [
      { index: { _index: 'logs-meetscale.access-default' } },
      { '@timestamp': '2026-05-01T10:00:00.000Z', log: 'indexed' },
      { create: { _index: 'logs-meetscale.access-default' } },
      { '@timestamp': '2026-05-01T10:00:01.000Z', log: 'created' },
      { create: { _index: 'logs-meetscale.access-default' } },
      { log: 'no timestamp' },
    ];
    const { status, body } = await call(
      'POST',
      '/_bulk',
      `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`,
      'application/x-ndjson',
    );
    expect(status).toBe(200);
    expect(body.errors).toBe(true);
    expect(body.items.map((item: any) => (Object.values(item)[0] as any).status)).toEqual([400, 201, 400]);
    expect(body.items[0].index.error.reason).toBe('only write ops with an op_type of create are allowed in data streams');
    expect(body.items[1].create._index).toMatch(/^\.ds-logs-meetscale\.access-default-\d{4}\.\d{2}\.\d{2}-000001$/);
    expect(es.dataStreams.get('logs-meetscale.access-default')).toEqual([{ '@timestamp': '2026-05-01T10:00:01.000Z', log: 'created' }]);
  });

  test('refuses a bulk request whose action line is not the API’s, or that does not end in a newline', async () => {
    const bad = await call('POST', '/_bulk', '{"create":{"_index":"logs-a-b","colour":"red"}}\n{"@timestamp":1}\n', 'application/x-ndjson');
    expect(bad.status).toBe(400);
    const unterminated = await call('POST', '/_bulk', '{"create":{"_index":"logs-a-b"}}\n{"@timestamp":1}', 'application/x-ndjson');
    expect(unterminated.status).toBe(400);
    expect(unterminated.body.error.reason).toBe('The bulk request must be terminated by a newline [\\n]');
  });

  test('answers 401 without the right password', async () => {
    const response = await fetch(`${es.url}/_cluster/health`, {
      headers: { authorization: `Basic ${Buffer.from('elastic:wrong').toString('base64')}` },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="security", charset="UTF-8"');
  });
});

describe('the fake Kibana', () => {
  let kibana: FakeKibana;
  const auth = { authorization: `Basic ${Buffer.from(`elastic:${ELASTIC_PASSWORD}`).toString('base64')}` };
  const importFile = async (ndjson: string, headers: Record<string, string> = { 'kbn-xsrf': 'true' }, filename = 'objects.ndjson') => {
    const form = new FormData();
    form.append('file', new Blob([ndjson], { type: 'application/ndjson' }), filename);
    const response = await fetch(`${kibana.url}/api/saved_objects/_import?overwrite=true`, {
      method: 'POST',
      headers: { ...auth, ...headers },
      body: form,
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  beforeAll(async () => {
    kibana = await startFakeKibana({ users: { elastic: ELASTIC_PASSWORD } });
  });
  afterAll(() => kibana.close());

  test('refuses an import without kbn-xsrf, or of a file that is not .ndjson', async () => {
    const objects = renderSetupConfig()['kibana-objects.ndjson'];
    expect(await importFile(objects, {})).toEqual({
      status: 400,
      body: { statusCode: 400, error: 'Bad Request', message: 'Request must contain a kbn-xsrf header.' },
    });
    expect((await importFile(objects, { 'kbn-xsrf': 'true' }, 'objects.json')).body.message).toBe('Invalid file extension .json');
  });

  test('refuses a saved search with an attribute its schema does not have', async () => {
    const [dataView, search] = renderSetupConfig()['kibana-objects.ndjson'].split('\n') as [string, string];
    const tampered = JSON.parse(search);
    tampered.attributes.colour = 'red';
    const { status, body } = await importFile(`${dataView}\n${JSON.stringify(tampered)}\n`);
    expect(status).toBe(200);
    expect(body.success).toBe(false);
    expect(body.errors[0].error.message).toContain('must NOT have additional properties');
  });
});
