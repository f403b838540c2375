import { type ChildProcess, spawn } from 'node:child_process';

/** How a script run ended, what it printed and how long it took. */
export interface ScriptRun {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  /** Killed for taking longer than the time-out. */
  readonly timedOut: boolean;
}

/** A script started and not yet awaited. */
export interface RunningScript {
  readonly pid: number;
  readonly done: Promise<ScriptRun>;
  stillRunning(): boolean;
}

/** A minimal environment: no proxy variables (curl must reach 127.0.0.1 directly), nothing inherited by accident. */
export function scriptEnv(extra: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', ...extra };
}

/**
 * Runs scripts with the real /bin/sh, each in its own process group and killed (the whole group) after
 * `timeoutMs`, without blocking the test's thread; `killAll()` (in `afterEach`) ends the groups still running.
 */
export class ShellScripts {
  private readonly live = new Set<ChildProcess>();

  public constructor(private readonly timeoutMs: number) {}

  public run(script: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): RunningScript {
    const began = Date.now();
    const child = spawn('/bin/sh', [script, ...args], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.live.add(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, this.timeoutMs);
    const done = new Promise<ScriptRun>((resolve, reject) => {
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.on('close', (status, signal) => {
        clearTimeout(timer);
        this.live.delete(child);
        resolve({ status, signal, stdout, stderr, ms: Date.now() - began, timedOut });
      });
    });
    if (child.pid === undefined) throw new Error('/bin/sh did not start');
    return { pid: child.pid, done, stillRunning: () => child.exitCode === null && child.signalCode === null };
  }

  /** Kills the process group of every script still running. */
  public killAll(): void {
    for (const child of this.live) killGroup(child);
    this.live.clear();
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // the group is already gone
  }
}
