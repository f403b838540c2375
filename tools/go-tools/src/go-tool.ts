import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Environment variable that moves the build cache away from `<workspace root>/.cache/go-tools`. */
export const GO_TOOLS_CACHE_ENV = 'MEETSCALE_GO_TOOLS_CACHE';

/** The workspace root (the folder holding the root `package.json`), from this file's location. */
export const WORKSPACE_ROOT: string = path.resolve(__dirname, '..', '..', '..');

/**
 * One program built from a pinned Go module: a folder of the repository holding a `go.mod` (which names the
 * program's module at an exact version) and a `go.sum` (which the go command checks every download against).
 */
export interface GoTool {
  /** File name of the binary, e.g. `kube-apiserver`. */
  readonly name: string;
  /** The folder holding the pinning `go.mod` and `go.sum`, relative to the workspace root. */
  readonly moduleDir: string;
  /** Import path of the program's main package, e.g. `k8s.io/kubernetes/cmd/kube-apiserver`. */
  readonly packagePath: string;
  /**
   * `-X importpath.name=value` settings for the linker, such as the version a program reports of itself
   * (a module build carries no release stamping).
   * @default []
   */
  readonly linkerSettings?: readonly string[];
  /**
   * Environment variables the build needs, e.g. `{ GOEXPERIMENT: 'jsonv2' }` for a program whose own release
   * build sets them.
   * @default {}
   */
  readonly buildEnv?: Readonly<Record<string, string>>;
}

/**
 * The folder that holds built programs: `$MEETSCALE_GO_TOOLS_CACHE` when set, otherwise
 * `<workspace root>/.cache/go-tools`. Read on every call so that tests can redirect it.
 */
export function goToolsCacheRoot(): string {
  const override = process.env[GO_TOOLS_CACHE_ENV];
  return override !== undefined && override !== '' ? path.resolve(override) : path.join(WORKSPACE_ROOT, '.cache', 'go-tools');
}

/**
 * Where the binary of `tool` lives: `<cache>/<name>-<key>/<name>`, where the key hashes the pinning `go.mod`,
 * `go.sum`, the package path, the linker settings and the build environment, so a changed pin builds anew instead of reusing a stale binary.
 */
export function goToolPath(tool: GoTool): string {
  const moduleDir = path.resolve(WORKSPACE_ROOT, tool.moduleDir);
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum']) hash.update(fs.readFileSync(path.join(moduleDir, file)));
  hash.update(tool.packagePath);
  for (const setting of tool.linkerSettings ?? []) hash.update(`\n${setting}`);
  for (const [name, value] of Object.entries(tool.buildEnv ?? {}).sort()) hash.update(`\n${name}=${value}`);
  return path.join(goToolsCacheRoot(), `${tool.name}-${hash.digest('hex').slice(0, 12)}`, tool.name);
}

/** Thrown when the go command fails to build a tool; nothing was placed in the cache. */
export class GoBuildError extends Error {
  /**
   * @param tool the tool that did not build
   * @param output what the go command printed
   */
  constructor(
    readonly tool: GoTool,
    readonly output: string,
  ) {
    super(`building ${tool.name} (${tool.packagePath}, pinned in ${tool.moduleDir}/go.mod) failed:\n${output.trim()}`);
    this.name = 'GoBuildError';
  }
}

/** Options of {@link ensureGoTool}. */
export interface EnsureGoToolOptions {
  /**
   * Called before a missing tool is built (building can take minutes).
   * @default - nothing is reported
   */
  readonly onBuild?: (tool: GoTool) => void;
}

/**
 * Returns the path of `tool`'s binary, building it first when the cache lacks it. The build runs
 * `go build -mod=readonly -trimpath` (stripped of debug symbols) inside the pinning module, so every module comes from the proxy at the
 * version `go.mod` selects and must match `go.sum`; it writes to a temporary file and renames it into place,
 * so an interrupted build leaves no binary behind.
 * @throws {GoBuildError} when the go command fails (or is missing), naming the tool and quoting its output
 */
export function ensureGoTool(tool: GoTool, options: EnsureGoToolOptions = {}): string {
  const binary = goToolPath(tool);
  if (fs.existsSync(binary)) return binary;
  fs.mkdirSync(path.dirname(binary), { recursive: true });
  const release = _lock(`${binary}.lock`);
  try {
    // another process may have built it while this one waited for the lock
    if (!fs.existsSync(binary)) _build(tool, binary, options);
  } finally {
    release();
  }
  return binary;
}

/** Sleeps synchronously (a Go build is waited for from synchronous callers such as jest global setups). */
function _sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Whether a process id belongs to a running process (also one of another user's). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes an exclusive lock (a folder holding the owner's pid), waiting while another living process holds it,
 * so that two test runs never build the same tool at once. A lock whose owner died is taken over.
 * @returns the function that releases it
 */
function _lock(lockDir: string): () => void {
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      return () => fs.rmSync(lockDir, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let owner = Number.NaN;
      try {
        owner = Number(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8'));
      } catch {
        // the owner is between creating the folder and writing its pid
      }
      if (Number.isInteger(owner) && owner > 0 && !isProcessAlive(owner)) fs.rmSync(lockDir, { recursive: true, force: true });
      else _sleep(500);
    }
  }
}

/** Runs `go build` for one tool into a temporary file and renames it to `binary`. */
function _build(tool: GoTool, binary: string, options: EnsureGoToolOptions): void {
  options.onBuild?.(tool);
  const partial = `${binary}.partial-${process.pid}`;
  const result = spawnSync(
    'go',
    [
      'build',
      '-mod=readonly',
      '-trimpath',
      `-ldflags=${['-s', '-w', ...(tool.linkerSettings ?? []).map((setting) => `-X ${setting}`)].join(' ')}`,
      '-o',
      partial,
      tool.packagePath,
    ],
    {
      cwd: path.resolve(WORKSPACE_ROOT, tool.moduleDir),
      env: { ...process.env, ...tool.buildEnv, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=readonly -buildvcs=false' },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (result.error !== undefined || result.status !== 0) {
    fs.rmSync(partial, { force: true });
    throw new GoBuildError(tool, result.error !== undefined ? `go: ${result.error.message}` : `${result.stdout}${result.stderr}`);
  }
  fs.renameSync(partial, binary);
}

/** {@link ensureGoTool} for each tool in order (one at a time: a Go build already uses every core). */
export function ensureGoTools(tools: readonly GoTool[], options: EnsureGoToolOptions = {}): string[] {
  return tools.map((tool) => ensureGoTool(tool, options));
}

/** A {@link EnsureGoToolOptions.onBuild} that says on standard error what is being built and why it takes time. */
export function reportBuildsOnStderr(tool: GoTool): void {
  process.stderr.write(
    `go-tools: building ${tool.name} from ${tool.packagePath} (pinned in ${tool.moduleDir}/go.mod); the first build takes minutes\n`,
  );
}

/**
 * The version the go.mod in `moduleDir` (relative to the workspace root) requires of a module, e.g. `v0.314.0` for
 * `github.com/prometheus/prometheus`.
 * @throws when that go.mod does not require the module
 */
export function requiredModuleVersion(modulePath: string, moduleDir: string): string {
  const goMod = fs.readFileSync(path.join(WORKSPACE_ROOT, moduleDir, 'go.mod'), 'utf8');
  const escaped = modulePath.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, 'm').exec(goMod);
  const version = match?.[1];
  if (version === undefined) throw new Error(`${moduleDir}/go.mod does not require ${modulePath}`);
  return version;
}
