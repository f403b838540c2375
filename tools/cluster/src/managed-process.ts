import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';

import { isProcessAlive } from '@meetscale/go-tools';

/** What {@link startProcess} needs. */
export interface StartProcessOptions {
  /** A short name for messages, e.g. `kube-apiserver`. */
  readonly name: string;
  /** The executable. */
  readonly command: string;
  /** Its arguments. */
  readonly args: readonly string[];
  /** The file its standard output and error are appended to. */
  readonly logFile: string;
  /**
   * Whether the process outlives this one (the `cluster up` command); otherwise it is killed when this
   * process exits, also when a test fails or throws.
   * @default false
   */
  readonly detached?: boolean;
}

/** A program of the control plane, started in a process group of its own. */
export interface ManagedProcess {
  /** The name given at start. */
  readonly name: string;
  /** Its process id, which is also its process group id. */
  readonly pid: number;
  /** Where its output goes. */
  readonly logFile: string;
  /** What it has written to {@link logFile} since it was started (not what an earlier run appended there). */
  output(): string;
  /** How it ended, when it has: exit code or signal; `undefined` while it runs (or when not ours to watch). */
  exitStatus(): string | undefined;
  /** Settles with how it ended once it has (see {@link exitStatus}). */
  readonly exited: Promise<string>;
}

const _owned = new Set<number>();
let _exitHookInstalled = false;

/**
 * Kills every process group this process started without `detached` when this process exits, also when it
 * is interrupted or terminated (the signal is then raised again, so the process still ends as it would have).
 */
function _installExitHook(): void {
  if (_exitHookInstalled) return;
  _exitHookInstalled = true;
  const killOwned = (): void => {
    for (const pid of _owned) _signalGroup(pid, 'SIGKILL');
  };
  process.once('exit', killOwned);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killOwned();
      // a runner with handlers of its own (jest) ends the process itself; otherwise end it as the signal would
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

/** Sends a signal to a process group; a group that is gone already is not an error. */
function _signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** Starts a program in its own process group with its output appended to `logFile`. */
export function startProcess(options: StartProcessOptions): ManagedProcess {
  const log = fs.openSync(options.logFile, 'a');
  const logStart = fs.fstatSync(log).size;
  let child: ChildProcess;
  try {
    child = spawn(options.command, [...options.args], { detached: true, stdio: ['ignore', log, log] });
  } finally {
    fs.closeSync(log);
  }
  if (child.pid === undefined) throw new Error(`${options.name} could not be started (${options.command})`);
  const pid = child.pid;
  let status: string | undefined;
  let settleExited: (status: string) => void = () => undefined;
  const exited = new Promise<string>((resolve) => {
    settleExited = resolve;
  });
  child.once('exit', (code, signal) => {
    status = signal !== null ? `killed by ${signal}` : `exited with code ${String(code)}`;
    _owned.delete(pid);
    settleExited(status);
  });
  child.once('error', (error) => {
    status = `failed to start: ${error.message}`;
    settleExited(status);
  });
  if (options.detached === true) {
    child.unref();
  } else {
    _owned.add(pid);
    _installExitHook();
  }
  const output = (): string => {
    if (!fs.existsSync(options.logFile)) return '';
    return fs.readFileSync(options.logFile).subarray(logStart).toString('utf8');
  };
  return { name: options.name, pid, logFile: options.logFile, output, exitStatus: () => status, exited };
}

/**
 * Stops process groups: SIGTERM first, then SIGKILL for those still alive after `graceMs`. Resolves when
 * every group leader is gone.
 */
export async function stopProcessGroups(pids: readonly number[], graceMs = 5_000): Promise<void> {
  for (const pid of pids) _signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (pids.some(isProcessAlive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  for (const pid of pids.filter(isProcessAlive)) _signalGroup(pid, 'SIGKILL');
  const killDeadline = Date.now() + 5_000;
  while (pids.some(isProcessAlive) && Date.now() < killDeadline) await new Promise((resolve) => setTimeout(resolve, 20));
  for (const pid of pids) _owned.delete(pid);
}

/** The last `lines` lines of a log file, for error messages. */
export function logTail(logFile: string, lines = 30): string {
  if (!fs.existsSync(logFile)) return '(no output)';
  return fs.readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}
