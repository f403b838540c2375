import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { ensureAllHelm } from '../src/ensure-helm';
import { helmBinaryPath } from '../src/helm-binary-path';
import { HELM_RELEASES, helmName, OLDEST_HELM_3 } from '../src/helm-releases';
import { helmHomeDir, runHelm, runHelmAsync } from '../src/run-helm';

/** Every file below `dir`, relative to it. */
function filesBelow(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).sort();
}

/** Every pinned Helm, named for test titles. */
const PINS = HELM_RELEASES.map((release) => ({ pin: release.pin, name: helmName(release.pin) }));

/** `helm repo add` to an unreachable loopback address fails but still writes `repositories.lock`. */
const WRITING_COMMAND = ['repo', 'add', 'unreachable', 'http://127.0.0.1:1/'];

describe('runHelm', () => {
  let fakeHome: string;
  const savedHome = process.env.HOME;

  beforeAll(async () => {
    await ensureAllHelm();
  }, 1_800_000);

  beforeEach(() => {
    fakeHome = fs.mkdtempSync(path.join(os.tmpdir(), 'meetscale-fake-home-'));
    process.env.HOME = fakeHome;
  });

  afterEach(() => {
    process.env.HOME = savedHome;
    fs.rmSync(fakeHome, { recursive: true, force: true });
  });

  test('the writing command used below does write into HOME when Helm is not isolated', () => {
    // GIVEN Helm 3 started with nothing but PATH and HOME
    // WHEN it runs the writing command
    spawnSync(helmBinaryPath(3), WRITING_COMMAND, { env: { PATH: process.env.PATH, HOME: fakeHome } });

    // THEN it leaves its lock file under HOME (so the next tests can tell isolation from no-op)
    expect(filesBelow(fakeHome)).toContain(path.join('.config', 'helm', 'repositories.lock'));
  });

  test.each(PINS)('keeps $name out of HOME and inside its per-process folder', ({ pin }) => {
    // GIVEN a fresh HOME
    // WHEN Helm runs a command that writes its config folder, and reports its folders
    const added = runHelm(pin, WRITING_COMMAND);
    const env = runHelm(pin, ['env']);

    // THEN HOME stays empty, the write landed in the per-process folder, and every Helm folder is there
    expect(added.status).not.toBe(0);
    expect(filesBelow(fakeHome)).toEqual([]);
    expect(filesBelow(helmHomeDir())).toContain(path.join('config', 'repositories.lock'));
    const home = helmHomeDir();
    expect(env.stdout).toContain(`HELM_CACHE_HOME="${path.join(home, 'cache')}"`);
    expect(env.stdout).toContain(`HELM_CONFIG_HOME="${path.join(home, 'config')}"`);
    expect(env.stdout).toContain(`HELM_DATA_HOME="${path.join(home, 'data')}"`);
    expect(env.stdout).toContain(`HELM_PLUGINS="${path.join(home, 'plugins')}"`);
    expect(home.startsWith(os.tmpdir())).toBe(true);
  });

  test('removes the folders of ended processes when it creates its own', () => {
    // GIVEN a folder left by a process that has ended, and one of this (running) process
    const ended = spawnSync('true').pid;
    const stale = path.join(os.tmpdir(), `meetscale-helm-home-${ended}-stale`);
    const live = path.join(os.tmpdir(), `meetscale-helm-home-${process.pid}-live`);
    fs.mkdirSync(stale);
    fs.mkdirSync(live);

    // WHEN a fresh copy of the module creates its folder
    let created = '';
    jest.isolateModules(() => {
      created = (jest.requireActual('../src/run-helm') as typeof import('../src/run-helm')).helmHomeDir();
    });

    // THEN only the ended process's folder is gone
    expect(fs.existsSync(stale)).toBe(false);
    expect(fs.existsSync(live)).toBe(true);
    expect(path.basename(created).startsWith(`meetscale-helm-home-${process.pid}-`)).toBe(true);
    fs.rmSync(live, { recursive: true });
    fs.rmSync(created, { recursive: true });
  });

  test('creates its folder once per process', () => {
    // GIVEN / WHEN the folder is asked for twice around a run
    const first = helmHomeDir();
    runHelm(3, ['version', '--short']);

    // THEN it is the same folder
    expect(helmHomeDir()).toBe(first);
  });

  test.each(PINS)('feeds input to $name on stdin and runs it in cwd', ({ pin }) => {
    // GIVEN a chart in a working folder whose only template prints a value
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'meetscale-helm-chart-'));
    fs.mkdirSync(path.join(work, 'greeter', 'templates'), { recursive: true });
    fs.writeFileSync(path.join(work, 'greeter', 'Chart.yaml'), 'apiVersion: v2\nname: greeter\nversion: 0.1.0\n');
    fs.writeFileSync(
      path.join(work, 'greeter', 'templates', 'config-map.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: greeter\ndata:\n  greeting: {{ .Values.greeting | quote }}\n',
    );

    // WHEN the chart is rendered with values read from stdin, by a path relative to cwd
    const result = runHelm(pin, ['template', 'r', './greeter', '-f', '-'], {
      cwd: work,
      input: 'greeting: hello-from-stdin\n',
    });

    // THEN the value from stdin is in the rendered manifest
    expect(result).toEqual({ status: 0, stdout: expect.stringContaining('greeting: "hello-from-stdin"'), stderr: '' });
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('returns a non-zero status instead of throwing when Helm fails', () => {
    // GIVEN no chart named no-such-chart
    // WHEN Helm is asked to lint it
    const result = runHelm(4, ['lint', 'no-such-chart'], { cwd: os.tmpdir() });

    // THEN the failure is reported through the status and stderr
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toContain('no-such-chart');
  });

  test('throws when Helm runs past the timeout', () => {
    // GIVEN a timeout far shorter than any Helm start-up
    // WHEN Helm is run with it
    // THEN runHelm throws naming the command and the timeout
    expect(() => runHelm(3, ['version'], { timeoutMs: 1 })).toThrow('helm version (Helm 3.22.0): timed out after 1 ms');
    expect(() => runHelm(OLDEST_HELM_3, ['version'], { timeoutMs: 1 })).toThrow(
      'helm version (Helm 3.18.0 (oldest supported Helm 3)): timed out after 1 ms',
    );
  });
});

describe('runHelmAsync', () => {
  beforeAll(async () => {
    await ensureAllHelm();
  }, 1_800_000);

  test('runs Helm commands at once, each with the result runHelm would give', async () => {
    // WHEN two Helm commands run concurrently, one failing
    const [version, failing] = await Promise.all([runHelmAsync(4, ['version', '--short']), runHelmAsync(3, ['no-such-command'])]);
    // THEN each result is its own, as the synchronous runner reports it
    expect(version).toEqual(runHelm(4, ['version', '--short']));
    expect(version.stdout.trim()).toBe('v4.3.1');
    expect(failing.status).not.toBe(0);
    expect(failing.stderr).toContain('unknown command "no-such-command"');
    // AND standard input reaches Helm (a values file read from "-")
    const rendered = await runHelmAsync(
      4,
      [
        'template',
        'x',
        path.join(__dirname, '..', '..', '..', 'charts', 'haproxy'),
        '-f',
        '-',
        '--show-only',
        'templates/haproxy/statefulset.yaml',
      ],
      {
        input: 'replicaCount: 3\n',
      },
    );
    expect(rendered.stdout).toContain('replicas: 3');
  });

  test('kills Helm and fails when it runs past its time limit', async () => {
    await expect(
      runHelmAsync(4, ['template', 'x', path.join(__dirname, '..', '..', '..', 'charts', 'haproxy'), '-f', '-'], { timeoutMs: 1 }),
    ).rejects.toThrow(/timed out after 1 ms/);
  });
});
