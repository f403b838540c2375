/**
 * The scalelite chart's settings for PostgreSQL and Redis, connected for real: Debian's PostgreSQL and Redis run on
 * loopback ports with passwords full of characters a URL must escape, the chart is rendered pointing at them, and
 * the API container's environment (its settings ConfigMap, and the Secrets' values where the pod reads a Secret) is
 * what the clients get:
 * - Redis: the chart's `run.sh` (as the container starts it) builds `REDIS_URL`; Ruby parses it as redis-rb 4.8.1
 *   (Scalelite's Redis client) does, `URI()` and `CGI.unescape` of the user information, and speaks RESP to the real
 *   Redis with the result: AUTH, SELECT, PING.
 * - PostgreSQL: `psql` connects with `DATABASE_URL` and the `PG*` variables, as libpq does under the pg gem (Rails
 *   passes libpq the database from the URL and leaves host, port, user, TLS and password to its variables).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freeLoopbackPort, waitFor } from '@meetscale/cluster';
import { type ServerProcess, startServerProcess } from '@meetscale/local-state';

import { configMapEntry, type Manifest, renderChart } from './support/charts';
import { requireProgram } from './support/loopback-dns';

jest.setTimeout(60_000);

const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';
const REDIS_SERVER = '/usr/bin/redis-server';

/** Passwords with what a URL must escape (`@ : / ? # % +`, a space, quotes, a backslash) and non-ASCII text. */
const DATABASE_PASSWORD = `p@ss:w/rd?#%+ 'x"\\ü`;
const REDIS_PASSWORD = `r3d!s@:/?#%2B+ &"'\\ß`;
const REDIS_USER = 'scalelite_app';
const REDIS_USER_PASSWORD = 'us:er/p@ss%';

/** The processes run as this user when the tests run as root (PostgreSQL refuses root). */
const asPostgres = (command: string, args: string[]): [string, string[]] =>
  process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];

let dir: string;
let postgres: ServerProcess | undefined;
let redis: ServerProcess | undefined;
let pgPort = 0;
let redisPort = 0;

beforeAll(async () => {
  requireProgram(`${POSTGRES_BIN}/postgres`, 'postgresql');
  requireProgram(REDIS_SERVER, 'redis-server');
  requireProgram('/usr/bin/ruby', 'ruby');
  dir = mkdtempSync(join(tmpdir(), 'scalelite-backing-'));
  chmodSync(dir, 0o755);
  const data = join(dir, 'pgdata');
  mkdirSync(data);
  if (process.getuid?.() === 0)
    chownSync(data, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));

  // PostgreSQL: a cluster of its own, password logins over TCP, the superuser on the socket only
  const [initdb, initArgs] = asPostgres(`${POSTGRES_BIN}/initdb`, [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
  ]);
  // (in a directory the postgres user may enter: the checkout may lie in a private one, `mktemp -d` makes them 0700)
  execFileSync(initdb, initArgs, { cwd: dir, stdio: 'pipe', timeout: 60_000 });
  pgPort = await freeLoopbackPort();
  const [pg, pgArgs] = asPostgres(`${POSTGRES_BIN}/postgres`, [
    '-D',
    data,
    '-k',
    data,
    '-p',
    String(pgPort),
    '-c',
    'listen_addresses=127.0.0.1',
  ]);
  postgres = startServerProcess(pg, pgArgs);
  const psqlAdmin = (sql: string) => {
    const [psql, args] = asPostgres('/usr/bin/psql', [
      '-h',
      data,
      '-p',
      String(pgPort),
      '-U',
      'postgres',
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      sql,
    ]);
    return spawnSync(psql, args, { cwd: dir, encoding: 'utf8', timeout: 10_000 });
  };
  await waitFor('PostgreSQL to accept connections', async () => (psqlAdmin('select 1').status === 0 ? true : undefined), 20_000);
  const quoted = DATABASE_PASSWORD.replaceAll("'", "''");
  expect(psqlAdmin(`create role scalelite_app login password '${quoted}'`).stderr).toBe('');
  expect(psqlAdmin('create database scalelite_production owner scalelite_app').stderr).toBe('');

  // Redis: the default user's password, and an ACL user of its own
  redisPort = await freeLoopbackPort();
  redis = startServerProcess(REDIS_SERVER, [
    '--port',
    String(redisPort),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--requirepass',
    REDIS_PASSWORD,
    '--user',
    REDIS_USER,
    'on',
    `>${REDIS_USER_PASSWORD}`,
    '~*',
    '&*',
    '+@all',
  ]);
  await waitFor(
    'Redis to accept connections',
    async () => (resp(redisPort, ['PING'], REDIS_PASSWORD).includes('+PONG') ? true : undefined),
    15_000,
  );
});

afterAll(async () => {
  await Promise.allSettled([postgres?.stop(), redis?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

/** Sends commands to Redis from Ruby (AUTH with the default user's password first) and returns the replies. */
function resp(port: number, commands: string[], password: string): string {
  const script = `require 'socket'
s = TCPSocket.new('127.0.0.1', ${port})
cmds = [['AUTH', ENV['PW']]] + ARGV.map { |c| c.split(' ') }
cmds.each { |c| s.write("*#{c.size}\\r\\n" + c.map { |a| "$#{a.bytesize}\\r\\n#{a}\\r\\n" }.join) }
print cmds.map { s.gets }.join`;
  return spawnSync('/usr/bin/ruby', ['-e', script, ...commands], { encoding: 'utf8', env: { PW: password }, timeout: 5_000 }).stdout;
}

/** The environment the chart's API container gets, with the Secrets' values where it reads a Secret. */
function apiEnvironment(manifests: readonly Manifest[], secrets: Record<string, Record<string, string>>): Record<string, string> {
  const deployment = manifests.find((manifest) => manifest.kind === 'Deployment' && manifest.metadata.name.endsWith('-api')) as any;
  const container = deployment.spec.template.spec.containers.find((candidate: any) => candidate.name === 'api');
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const configMap = manifests.find((manifest) => manifest.kind === 'ConfigMap' && manifest.metadata.name === from.configMapRef.name);
    Object.assign(env, (configMap as any).data);
  }
  const generated = manifests.find((manifest) => manifest.kind === 'Secret') as any;
  for (const entry of container.env ?? []) {
    if (entry.value !== undefined) env[entry.name] = entry.value;
    const ref = entry.valueFrom?.secretKeyRef;
    if (ref === undefined) continue;
    const value =
      secrets[ref.name]?.[ref.key] ??
      (ref.name === generated?.metadata.name ? Buffer.from(generated.data[ref.key], 'base64').toString('utf8') : undefined);
    if (value === undefined) throw new Error(`${entry.name} reads Secret ${ref.name} key ${ref.key}, which the test does not hold`);
    env[entry.name] = value;
  }
  return env;
}

/** REDIS_URL as the chart's run script makes it from an environment. */
function redisUrl(manifests: readonly Manifest[], env: Record<string, string>): string {
  const script = join(dir, 'run.sh');
  writeFileSync(script, configMapEntry(manifests as Manifest[], 'run.sh'), { mode: 0o755 });
  const result = spawnSync('/bin/sh', [script, 'sh', '-c', 'printf %s "$REDIS_URL"'], {
    encoding: 'utf8',
    env: { PATH: '/usr/bin:/bin', ...env },
  });
  expect(result.stderr).toBe('');
  return result.stdout;
}

/** What redis-rb 4.8.1 makes of a URL (`_parse_options`): URI(), then CGI.unescape of user and password. */
function parsedByRedisRb(url: string): { host: string; port: number; db: number; user: string | null; password: string } {
  const script = `require 'uri'; require 'cgi'; require 'json'
u = URI(ARGV[0])
print JSON.generate(host: u.host, port: u.port, db: u.path.delete_prefix('/').to_i,
  user: (u.user.nil? || u.user.empty?) ? nil : CGI.unescape(u.user), password: CGI.unescape(u.password.to_s))`;
  const result = spawnSync('/usr/bin/ruby', ['-e', script, url], { encoding: 'utf8', timeout: 5_000 });
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout);
}

function render(values: object): Manifest[] {
  const rendered = renderChart(4, 'scalelite', { values });
  expect(rendered.stderr).toBe('');
  return rendered.manifests;
}

const SECRETS = {
  'scalelite-database': { password: DATABASE_PASSWORD },
  'scalelite-redis': { password: REDIS_PASSWORD, user: REDIS_USER_PASSWORD },
};

test("the rendered Redis settings reach the real Redis with the default user's password", () => {
  const manifests = render({
    redis: { host: '127.0.0.1', port: redisPort, db: 3, password: { existingSecret: 'scalelite-redis' } },
  });
  const url = redisUrl(manifests, apiEnvironment(manifests, SECRETS));
  // the URL a Ruby URI accepts, with every special character escaped
  const parsed = parsedByRedisRb(url);
  expect(parsed).toEqual({ host: '127.0.0.1', port: redisPort, db: 3, user: null, password: REDIS_PASSWORD });
  expect(resp(redisPort, ['SELECT 3', 'PING'], parsed.password)).toBe('+OK\r\n+OK\r\n+PONG\r\n');
});

test('an ACL user and its password reach the real Redis too, and a wrong one is refused', () => {
  const manifests = render({
    redis: { host: '127.0.0.1', port: redisPort, username: REDIS_USER, password: { existingSecret: 'scalelite-redis', key: 'user' } },
  });
  const parsed = parsedByRedisRb(redisUrl(manifests, apiEnvironment(manifests, SECRETS)));
  expect(parsed.user).toBe(REDIS_USER);
  expect(parsed.password).toBe(REDIS_USER_PASSWORD);
  const auth = (password: string) =>
    spawnSync(
      '/usr/bin/ruby',
      [
        '-e',
        `require 'socket'; s = TCPSocket.new('127.0.0.1', ${redisPort}); u = ENV['U']; p = ENV['P']
s.write("*3\\r\\n$4\\r\\nAUTH\\r\\n$#{u.bytesize}\\r\\n#{u}\\r\\n$#{p.bytesize}\\r\\n#{p}\\r\\n"); print s.gets`,
      ],
      { encoding: 'utf8', env: { U: parsed.user ?? '', P: password }, timeout: 5_000 },
    ).stdout;
  expect(auth(parsed.password)).toBe('+OK\r\n');
  expect(auth(`${parsed.password}x`)).toMatch(/^-WRONGPASS/);
});

test('the rendered PostgreSQL settings connect to the real PostgreSQL as the user, to the database', () => {
  const manifests = render({
    database: {
      host: '127.0.0.1',
      port: pgPort,
      name: 'scalelite_production',
      user: 'scalelite_app',
      password: { existingSecret: 'scalelite-database' },
    },
  });
  const env = apiEnvironment(manifests, SECRETS);
  expect(env.DATABASE_URL).toBe('postgresql:///scalelite_production');
  expect(env.PGPASSWORD).toBe(DATABASE_PASSWORD);
  const psql = (password: string) =>
    spawnSync('/usr/bin/psql', [env.DATABASE_URL as string, '-At', '-c', 'select current_user, current_database()'], {
      encoding: 'utf8',
      env: {
        PATH: '/usr/bin:/bin',
        PGHOST: env.PGHOST,
        PGPORT: env.PGPORT,
        PGUSER: env.PGUSER,
        PGSSLMODE: env.PGSSLMODE,
        PGPASSWORD: password,
      },
      timeout: 10_000,
    });
  const connected = psql(env.PGPASSWORD as string);
  expect(connected.stderr).toBe('');
  expect(connected.stdout.trim()).toBe('scalelite_app|scalelite_production');
  // AND the password really is checked
  expect(psql('wrong').stderr).toContain('password authentication failed for user "scalelite_app"');
});
