/**
 * The scalelite chart's `files/servers-sync.rb`, run for real with Debian's `ruby`: it turns the chart's server
 * list (secrets by environment variable) into the YAML document Scalelite's `rake servers:sync` reads. The
 * expected documents are written by hand from Scalelite v1.8.5's `lib/server_sync.rb`:
 * - l.21-27 `sync_file`: `YAML.safe_load` of the file (no aliases, no tags), a mapping whose `servers` key maps
 *   server ids to parameters;
 * - l.6-7: the parameters are `url secret enabled load_multiplier tag` (`load state bbb_version online` ignored,
 *   anything else refused, l.55 and l.59); there is no `state`: only `enabled`;
 * - l.50-61: the id matches /^[a-zA-Z0-9_.-]+$/, the secret is not blank, `load_multiplier` is above 0;
 * - l.106-112: `enabled: true` enables a server, `enabled: false` cordons an enabled one;
 * - l.177-194 `dump` (what `servers:yaml` prints): the same keys, `load_multiplier` a float, `tag` '' when none.
 * The upstream source is not needed at test time.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { isAlias, parse, parseDocument, stringify, visit } from 'yaml';

import { chartDir, configMapEntry, renderChart } from './support/charts';
import { requireProgram } from './support/loopback-dns';

const RUBY_BIN = '/usr/bin/ruby';
const SCRIPT = resolve(__dirname, '../packages/scalelite/files/servers-sync.rb');

/** Secrets with what YAML or a shell would trip on: quotes, `: `, ` #`, anchors, flow and block indicators. */
const QUOTED_SECRET = `it's "quoted": #not-a-comment`;
const INDICATOR_SECRET = '- &anchor *alias {flow} [seq] %tag @ `tick` !bang |pipe >fold ? key';
const NUMERIC_SECRET = '0123456789';

interface Run {
  status: number;
  stdout: string;
  stderr: string;
  output: string;
}

let dir: string;
beforeAll(() => {
  requireProgram(RUBY_BIN, 'ruby');
  dir = mkdtempSync(join(tmpdir(), 'scalelite-servers-sync-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let runs = 0;
function sync(servers: unknown, env: Record<string, string>): Run {
  runs += 1;
  const input = join(dir, `servers-${runs}-list.yaml`);
  const output = join(dir, `servers-${runs}.yaml`);
  writeFileSync(input, typeof servers === 'string' ? servers : stringify({ servers }));
  // As in the Job: no locale, only the variables the Pod sets
  const result = spawnSync(RUBY_BIN, [SCRIPT, input, output], {
    encoding: 'utf8',
    timeout: 15_000,
    env: { PATH: '/usr/bin:/bin', ...env },
  });
  return {
    status: result.status ?? -1,
    stdout: result.stdout,
    stderr: result.stderr,
    output: existsSync(output) ? readFileSync(output, 'utf8') : '',
  };
}

const url = (host: string): string => `https://${host}/bigbluebutton/api/`;

test('enabled and not enabled servers become the servers:sync document, secrets from the environment', () => {
  // GIVEN three servers, one enabled and two not, whose secrets YAML would misread if written unquoted
  const run = sync(
    [
      { url: url('bbb-01.example.org'), secretEnv: 'SERVER_SECRET_0', loadMultiplier: 1, tag: '', enabled: true },
      { url: url('BBB-02.Example.org'), secretEnv: 'SERVER_SECRET_1', loadMultiplier: 2.5, tag: 'large', enabled: false },
      { url: url('bbb-03.example.org'), secretEnv: 'SERVER_SECRET_2', loadMultiplier: 0.5, tag: '', enabled: false },
    ],
    { SERVER_SECRET_0: QUOTED_SECRET, SERVER_SECRET_1: INDICATOR_SECRET, SERVER_SECRET_2: NUMERIC_SECRET },
  );
  // THEN it succeeds and the document is exactly what lib/server_sync.rb reads: ids are the lower-case hosts,
  // secrets come back character for character
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(parse(run.output)).toStrictEqual({
    servers: {
      'bbb-01.example.org': { url: url('bbb-01.example.org'), secret: QUOTED_SECRET, load_multiplier: 1, tag: '', enabled: true },
      'bbb-02.example.org': {
        url: url('BBB-02.Example.org'),
        secret: INDICATOR_SECRET,
        load_multiplier: 2.5,
        tag: 'large',
        enabled: false,
      },
      'bbb-03.example.org': { url: url('bbb-03.example.org'), secret: NUMERIC_SECRET, load_multiplier: 0.5, tag: '', enabled: false },
    },
  });
  // AND servers:sync's own checks pass (lib/server_sync.rb l.55-61): ids, known keys, load_multiplier above 0
  const servers = (parse(run.output) as { servers: Record<string, Record<string, unknown>> }).servers;
  for (const [id, params] of Object.entries(servers)) {
    expect(id).toMatch(/^[a-zA-Z0-9_.-]+$/);
    expect(Object.keys(params).sort()).toStrictEqual(['enabled', 'load_multiplier', 'secret', 'tag', 'url']);
    expect(params.load_multiplier).toBeGreaterThan(0);
  }
  // AND the file is private, and nothing secret is printed
  expect(statSync(join(dir, `servers-${runs}.yaml`)).mode & 0o777).toBe(0o600);
  expect(run.stdout).toBe(
    `servers-sync: wrote 3 server(s) to ${join(dir, `servers-${runs}.yaml`)}: ` +
      'bbb-01.example.org (enabled), bbb-02.example.org (not enabled), bbb-03.example.org (not enabled)\n',
  );
});

test('omitted fields take servers:sync’s defaults: load multiplier 1.0, untagged, enabled', () => {
  // GIVEN a server with only its URL and secret
  const run = sync([{ url: url('bbb-01.example.org'), secretEnv: 'S' }], { S: 'secret' });
  // THEN the document spells the defaults of lib/server_sync.rb l.52-54 out
  expect(run.status).toBe(0);
  expect(parse(run.output)).toStrictEqual({
    servers: { 'bbb-01.example.org': { url: url('bbb-01.example.org'), secret: 'secret', load_multiplier: 1, tag: '', enabled: true } },
  });
});

test('servers sharing a secret and a tag are written without YAML aliases, which safe_load refuses', () => {
  // GIVEN two servers reading the same variable, with the same tag
  const run = sync(
    [
      { url: url('bbb-01.example.org'), secretEnv: 'SHARED', tag: 'pool', enabled: true },
      { url: url('bbb-02.example.org'), secretEnv: 'SHARED', tag: 'pool', enabled: true },
    ],
    { SHARED: 'same-secret' },
  );
  // THEN the document has no alias node
  expect(run.status).toBe(0);
  let aliases = 0;
  visit(parseDocument(run.output), {
    Alias: () => {
      aliases += 1;
    },
  });
  expect(aliases).toBe(0);
  expect(isAlias(parseDocument(run.output).getIn(['servers', 'bbb-02.example.org', 'secret'], true))).toBe(false);
});

test('a non-ASCII secret is written as text, not as !binary, although the Job has no locale', () => {
  const run = sync([{ url: url('bbb-01.example.org'), secretEnv: 'S' }], { S: 'Grüße-秘密' });
  expect(run.status).toBe(0);
  expect(run.output).not.toContain('!binary');
  expect(parse(run.output)).toHaveProperty(['servers', 'bbb-01.example.org', 'secret'], 'Grüße-秘密');
});

describe('refusals name the server or variable, never a secret value, and write no file', () => {
  test.each([
    [
      'an unset secret variable',
      [{ url: url('a.example.org'), secretEnv: 'MISSING' }],
      {},
      'servers-sync: the secret in $MISSING is empty or unset\n',
    ],
    [
      'a secret with a line break',
      [{ url: url('a.example.org'), secretEnv: 'S' }],
      { S: 'line-one\n' },
      'servers-sync: the secret in $S contains a line break\n',
    ],
    [
      'two servers on one host',
      [
        { url: url('a.example.org'), secretEnv: 'S' },
        { url: 'https://A.example.org/other/bigbluebutton/api/', secretEnv: 'S' },
      ],
      { S: 'secret' },
      'servers-sync: two servers share the host a.example.org\n',
    ],
    [
      'an unknown key',
      [{ url: url('a.example.org'), secretEnv: 'S', secret: 'inline' }],
      { S: 'secret' },
      'servers-sync: unknown keys secret (known: url, secretEnv, loadMultiplier, tag, enabled)\n',
    ],
    [
      'an enabled that is no boolean',
      [{ url: url('a.example.org'), secretEnv: 'S', enabled: 'drained' }],
      { S: 'secret' },
      `servers-sync: ${url('a.example.org')}: enabled must be true or false\n`,
    ],
    [
      'a load multiplier of 0',
      [{ url: url('a.example.org'), secretEnv: 'S', loadMultiplier: 0 }],
      { S: 'secret' },
      `servers-sync: ${url('a.example.org')}: loadMultiplier must be a number above 0\n`,
    ],
  ])('%s', (_case, servers, env: Record<string, string>, message) => {
    const run = sync(servers, env);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(message);
    expect(run.stdout).toBe('');
    expect(run.output).toBe('');
  });
});

test("the chart's rendered server list becomes the sync document, and the Job syncs it in cordon mode", () => {
  // GIVEN the chart rendered with three servers, one of them not enabled, and a fourth removed from the list
  // (it is not in the values: cordon mode drains it)
  const rendered = renderChart(4, 'scalelite', { valuesFiles: [join(chartDir('scalelite'), 'ci', '01-external-services-values.yaml')] });
  expect(rendered.stderr).toBe('');
  const list = configMapEntry(rendered.manifests, 'servers.yaml');
  const job = rendered.manifests.find((manifest) => manifest.kind === 'Job' && manifest.metadata.name.endsWith('servers-sync')) as any;
  const env = (job.spec.template.spec.containers[0].env as Array<{ name: string; valueFrom?: any }>).filter((entry) =>
    entry.name.startsWith('SERVER_SECRET_'),
  );

  // WHEN the Job's script runs on it with the secrets its env reads from the servers' Secrets
  expect(env.map((entry) => [entry.name, entry.valueFrom.secretKeyRef.name])).toEqual([
    ['SERVER_SECRET_0', 'bbb-01'],
    ['SERVER_SECRET_1', 'bbb-02'],
    ['SERVER_SECRET_2', 'bbb-03'],
  ]);
  const run = sync(list, { SERVER_SECRET_0: 'one', SERVER_SECRET_1: 'two', SERVER_SECRET_2: 'three' });

  // THEN the document lists exactly the declared servers, by host, the third not enabled (cordoned if it was)
  expect(run.status).toBe(0);
  expect(parse(run.output)).toStrictEqual({
    servers: {
      'bbb-01.lernen.example.org': { url: url('bbb-01.lernen.example.org'), secret: 'one', load_multiplier: 1, tag: '', enabled: true },
      'bbb-02.lernen.example.org': {
        url: url('bbb-02.lernen.example.org'),
        secret: 'two',
        load_multiplier: 2,
        tag: 'large',
        enabled: true,
      },
      'bbb-03.lernen.example.org': { url: url('bbb-03.lernen.example.org'), secret: 'three', load_multiplier: 1, tag: '', enabled: false },
    },
  });
  // AND the Job applies it in cordon mode: a server missing from the list is cordoned (lib/server_sync.rb l.117-172)
  expect(readFileSync(resolve(__dirname, '../packages/scalelite/files/run.sh'), 'utf8')).toContain(
    'exec bundle exec rake "servers:sync[/tmp/servers-sync.yaml,cordon]"',
  );
  expect(job.spec.template.spec.containers[0].command).toEqual(['/scalelite-chart/run.sh', '--servers-sync']);
});
