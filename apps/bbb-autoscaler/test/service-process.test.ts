/**
 * The autoscaler as shipped: the esbuild bundle the image runs, started as a process with a configuration file and
 * credential files against the loopback fakes. It serves health, its metrics (exactly the names the metric catalog
 * declares, on which the monitoring chart's rules are built), and the running servers for Prometheus' HTTP service
 * discovery; it stops on SIGTERM; and it refuses a bad configuration or missing credentials, naming them.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

import { AUTOSCALER_PATHS, SECRET_PATHS } from '@meetscale/bbb-autoscaling';
import { METRIC_CATALOG } from '@meetscale/metric-catalog';
import YAML from 'yaml';

import { FakePool } from './support/fake-pool';
import { SimulatedClock } from './support/simulated-clock';

jest.setTimeout(60_000);

const root = resolve(__dirname, '..');
let work: string;
let bundle: string;
let pool: FakePool;
let child: ChildProcess | undefined;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'bbb-autoscaler-'));
  bundle = join(work, 'main.js');
  const built = spawnSync(
    resolve(root, '../../node_modules/.bin/esbuild'),
    [
      join(root, 'src/main.ts'),
      '--bundle',
      '--platform=node',
      '--target=node20',
      '--format=cjs',
      `--outfile=${bundle}`,
      '--log-level=warning',
    ],
    { encoding: 'utf8' },
  );
  if (built.status !== 0) throw new Error(`esbuild failed: ${built.stderr}`);
  // (IONOS done at the first status poll: the process polls in real time)
  pool = await FakePool.start(new SimulatedClock(new Date()), { size: 3, policy: { minServers: 2, schedule: [] }, ionosObservations: 0 });
});

afterAll(async () => {
  child?.kill('SIGKILL');
  await pool?.close();
  rmSync(work, { recursive: true, force: true });
});

/** Writes the configuration and the credential files; returns the arguments to start the bundle with. */
function prepare(config: unknown, credentials: Record<string, string>): string[] {
  const secrets = join(work, 'secrets');
  rmSync(secrets, { recursive: true, force: true });
  for (const [path, text] of Object.entries(credentials)) {
    mkdirSync(dirname(join(secrets, path)), { recursive: true });
    writeFileSync(join(secrets, path), text);
  }
  writeFileSync(join(work, 'autoscaler.yaml'), YAML.stringify(config));
  return [bundle, '--config', join(work, 'autoscaler.yaml'), '--secrets-root', secrets, '--listen', '0', '--host', '127.0.0.1'];
}

const credentialsOf = (subject: FakePool): Record<string, string> => ({
  [SECRET_PATHS.ionosToken]: subject.ionos.token,
  [SECRET_PATHS.scaleliteSecret]: 'scalelite-loadbalancer-secret',
  ...Object.fromEntries(subject.members.map((member) => [join(SECRET_PATHS.serverSecrets, member.host), member.api.secret])),
});

test('serves health, the declared metrics and the running servers, acts on the fakes, and stops on SIGTERM', async () => {
  // (the pool's API URLs are the fakes' loopback URLs)
  const args = prepare({ ...pool.config, intervalSeconds: 5 }, credentialsOf(pool));
  child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
  const started = await until(() =>
    lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((entry) => entry.msg === 'started'),
  );
  const base = `http://127.0.0.1:${String(started.listen)}`;
  expect((await fetch(`${base}${AUTOSCALER_PATHS.live}`)).status).toBe(200);
  expect((await fetch(`${base}${AUTOSCALER_PATHS.ready}`)).status).toBe(200);
  // its first cycle starts the two servers the floor asks for, through the IONOS fake
  await until(() => (pool.ionos.calls('start') >= 2 ? true : undefined));
  const metrics = await (await fetch(`${base}${AUTOSCALER_PATHS.metrics}`)).text();
  const names = [...new Set(metrics.split('\n').flatMap((line) => /^# TYPE (\S+) /.exec(line)?.[1] ?? []))].sort();
  const declared = METRIC_CATALOG['bbb-autoscaler'].metrics.map((metric) => metric.name).sort();
  expect(names.map((name) => name.replace(/_total$/, ''))).toEqual(declared.map((name) => name.replace(/_total$/, '')));
  // the HTTP service discovery lists the servers whose VM runs, as hostnames
  const targets = await until(async () => {
    const body = (await (await fetch(`${base}${AUTOSCALER_PATHS.targets}`)).json()) as Array<{ targets: string[] }>;
    return body[0]?.targets.length === 2 ? body : undefined;
  });
  expect(targets).toEqual([{ targets: [pool.members[0]?.host, pool.members[1]?.host], labels: {} }]);
  // SIGTERM ends it cleanly
  const exited = new Promise<number | null>((done) => child?.once('exit', (code) => done(code)));
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  pool.ionos.expectNoViolations();
});

test('refuses a bad configuration and missing credentials, naming each', () => {
  const bad = spawnSync(process.execPath, prepare({ ...pool.config, intervalSeconds: 1, pool: [{ host: 'bbb 01', serverId: 'x' }] }, {}), {
    encoding: 'utf8',
  });
  expect(bad.status).toBe(2);
  expect(bad.stderr).toContain('intervalSeconds: Too small');
  expect(bad.stderr).toContain('pool.0.host: must be a fully qualified hostname');
  expect(bad.stderr).toContain('pool.0.serverId: must be an IONOS UUID');
  const credentials = credentialsOf(pool);
  delete credentials[SECRET_PATHS.ionosToken];
  delete credentials[join(SECRET_PATHS.serverSecrets, pool.members[2]?.host ?? '')];
  const missing = spawnSync(process.execPath, prepare(pool.config, credentials), { encoding: 'utf8' });
  expect(missing.status).toBe(2);
  expect(missing.stderr).toMatch(/missing credentials:\n.*ionos\/token is missing\n.*servers\/bbb-03\.lernen\.example\.org is missing/);
});

/** Polls `probe` every 100 ms for at most 20 s until it returns something. */
async function until<T>(probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error('timed out');
}
