import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { isProcessAlive } from '@meetscale/go-tools';

import { helmBinaryPath } from './helm-binary-path';
import { helmName, type HelmPin } from './helm-releases';

/** Options of {@link runHelm}. */
export interface RunHelmOptions {
  /**
   * Working directory of the Helm process.
   * @default - the current working directory
   */
  readonly cwd?: string;
  /**
   * Text written to Helm's standard input.
   * @default - none
   */
  readonly input?: string;
  /**
   * Time after which Helm is killed and `runHelm` throws.
   * @default 60000
   */
  readonly timeoutMs?: number;
}

/** What a Helm run produced. */
export interface HelmRunResult {
  /** Exit status of Helm. */
  readonly status: number;
  /** Standard output. */
  readonly stdout: string;
  /** Standard error. */
  readonly stderr: string;
}

let _homeDir: string | undefined;

/** Prefix of the per-process folders; the creating process id follows it. */
const HOME_PREFIX = 'meetscale-helm-home-';

/** Removes the folders of processes that ended without their exit handler (e.g. killed jest workers). */
function _sweepStaleHomes(): void {
  for (const name of fs.readdirSync(os.tmpdir())) {
    const match = new RegExp(`^${HOME_PREFIX}(\\d+)-`).exec(name);
    if (match !== null && !isProcessAlive(Number(match[1]))) {
      fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
    }
  }
}

/**
 * The private folder, created once per process under the OS temp folder and removed when the process exits,
 * that holds Helm's cache, config, data and plugin folders for every {@link runHelm} call. Folders left by
 * processes that were killed are removed when a new one is created.
 */
export function helmHomeDir(): string {
  if (_homeDir === undefined) {
    _sweepStaleHomes();
    const created = fs.mkdtempSync(path.join(os.tmpdir(), `${HOME_PREFIX}${process.pid}-`));
    for (const sub of ['cache', 'config', 'data', 'plugins']) {
      fs.mkdirSync(path.join(created, sub));
    }
    process.once('exit', () => fs.rmSync(created, { recursive: true, force: true }));
    _homeDir = created;
  }
  return _homeDir;
}

/** The environment of a Helm process: PATH and HOME of this process, Helm's folders in {@link helmHomeDir}. */
function _helmEnv(): NodeJS.ProcessEnv {
  const home = helmHomeDir();
  const env: NodeJS.ProcessEnv = {
    HELM_CACHE_HOME: path.join(home, 'cache'),
    HELM_CONFIG_HOME: path.join(home, 'config'),
    HELM_DATA_HOME: path.join(home, 'data'),
    HELM_PLUGINS: path.join(home, 'plugins'),
  };
  if (process.env.PATH !== undefined) env.PATH = process.env.PATH;
  if (process.env.HOME !== undefined) env.HOME = process.env.HOME;
  return env;
}

/**
 * Runs the binary of a pinned Helm release (the current Helm 3 or 4, or `OLDEST_HELM_3`) synchronously,
 * isolated from the user's Helm folders (see {@link helmHomeDir}). A non-zero exit status is returned, not thrown.
 * @throws if the binary is not cached, cannot be started, or runs past `timeoutMs`
 */
export function runHelm(pin: HelmPin, args: string[], options: RunHelmOptions = {}): HelmRunResult {
  const binary = helmBinaryPath(pin);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const result = spawnSync(binary, args, {
    cwd: options.cwd,
    input: options.input,
    env: _helmEnv(),
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.error !== undefined) {
    const reason = (result.error as NodeJS.ErrnoException).code === 'ETIMEDOUT' ? `timed out after ${timeoutMs} ms` : result.error.message;
    throw new Error(`helm ${args.join(' ')} (${helmName(pin)}): ${reason}`);
  }
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/**
 * {@link runHelm} without blocking this process, so that several Helm commands (against a real API server, say)
 * can run at once. Same isolation, same result; `input` is written to Helm's standard input.
 * @throws if the binary is not cached, cannot be started, or runs past `timeoutMs`
 */
export function runHelmAsync(pin: HelmPin, args: string[], options: RunHelmOptions = {}): Promise<HelmRunResult> {
  const binary = helmBinaryPath(pin);
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { cwd: options.cwd, env: _helmEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`helm ${args.join(' ')} (${helmName(pin)}): timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`helm ${args.join(' ')} (${helmName(pin)}): ${error.message}`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ status: code ?? -1, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') });
    });
    child.stdin.end(options.input);
  });
}
