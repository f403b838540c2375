/**
 * Servers the tests start for real (HAProxy, nginx, dnsmasq): each runs detached in its own process group, with
 * its recent output kept, stopped with SIGTERM then SIGKILL, and killed on exit should a test not stop it.
 */
import { type ChildProcess, spawn } from 'node:child_process';

/** How much of a server's standard output and error is kept. */
const OUTPUT_LIMIT = 64 * 1024;

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** A server process started with {@link startServerProcess}. */
export interface ServerProcess {
  readonly child: ChildProcess;
  /** Whether it has exited. */
  readonly exited: boolean;
  /** The error of a failed spawn (e.g. a missing binary), once known. */
  readonly spawnError: Error | undefined;
  /** The last 64 KiB of its standard output and error. */
  output(): string;
  /** SIGTERM to its process group, SIGKILL after `graceMs`; resolves once it has exited. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

/** Sends a signal to a child's process group (it was spawned detached), if it is still running. */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Resolves true once a child has exited, false after `ms`. */
export function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, ms);
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

/** Starts a server detached in its own process group, keeping its output and killing it on exit if left running. */
export function startServerProcess(binary: string, args: readonly string[]): ServerProcess {
  const child = spawn(binary, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => running.forEach((leftover) => signalGroup(leftover, 'SIGKILL')));
  }
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error));
  let stopped: Promise<void> | undefined;
  return {
    child,
    get exited() {
      return child.exitCode !== null || child.signalCode !== null;
    },
    get spawnError() {
      return spawnError;
    },
    output: () => output,
    stop: (graceMs = 2_000) =>
      (stopped ??= (async () => {
        try {
          signalGroup(child, 'SIGTERM');
          if (!(await waitExit(child, graceMs))) {
            signalGroup(child, 'SIGKILL');
            await waitExit(child, 2_000);
          }
        } finally {
          child.stdout?.destroy();
          child.stderr?.destroy();
          running.delete(child);
        }
      })()),
  };
}
