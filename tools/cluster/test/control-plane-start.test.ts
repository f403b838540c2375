import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import {
  ControlPlane,
  type ControlPlaneListener,
  type ControlPlaneState,
  freeLoopbackPort,
  type HorizontalPodAutoscalerTiming,
} from '../src';

/** A port on 127.0.0.1 that someone else listens on (connections are closed at once), until `close`. */
async function takenPort(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The command lines of the running processes that mention any of `texts`. */
function processesMentioning(texts: readonly string[]): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let commandLine: string;
    try {
      commandLine = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      continue; // ended meanwhile
    }
    if (texts.some((text) => commandLine.includes(text))) found.push(`${entry}: ${commandLine}`);
  }
  return found;
}

/** The folders a start reported through its `log` option, in order. */
function foldersOf(lines: readonly string[]): string[] {
  return lines.filter((line) => line.startsWith('folder ')).map((line) => line.slice('folder '.length));
}

describe('ControlPlane.start when a port it picked is taken before its program binds it', () => {
  it('stops what it started and starts again on fresh ports, also when etcd, then the API server, find theirs taken', async () => {
    // GIVEN a port someone else listens on, handed to etcd in the first start and to the API server in the second
    const taken = await takenPort();
    const picks: Array<{ start: number; listener: ControlPlaneListener; port: number }> = [];
    let start = 0;
    const pickPort = async (listener: ControlPlaneListener): Promise<number> => {
      if (listener === 'etcd-client') start += 1;
      const hand = (start === 1 && listener === 'etcd-client') || (start === 2 && listener === 'kube-apiserver');
      const port = hand ? taken.port : await freeLoopbackPort();
      picks.push({ start, listener, port });
      return port;
    };
    const lines: string[] = [];
    let plane: ControlPlane | undefined;
    try {
      // WHEN a control plane starts
      plane = await ControlPlane.start({ pickPort, log: (line) => lines.push(line) });

      // THEN it said why it started again, each time
      expect(lines.filter((line) => line.includes(' taken'))).toEqual([
        `etcd found 127.0.0.1:${taken.port} taken; stopped what had started, starting again on fresh ports (2 of 3)`,
        `kube-apiserver found 127.0.0.1:${taken.port} taken; stopped what had started, starting again on fresh ports (3 of 3)`,
      ]);
      // AND it serves on the port picked in the third start
      const third = picks.filter((pick) => pick.start === 3);
      expect(third.map((pick) => pick.listener)).toEqual(['etcd-client', 'etcd-peer', 'kube-apiserver']);
      expect(plane.server).toBe(`https://127.0.0.1:${third[2]?.port}`);
      await plane.client.create('/api/v1/namespaces', { metadata: { name: 'after-retries' } });
      await expect(plane.client.get('/api/v1/namespaces/after-retries')).resolves.toMatchObject({ metadata: { name: 'after-retries' } });
      // AND nothing of the first two starts is left: no folder, no program (the second start's etcd had come up)
      const folders = foldersOf(lines);
      expect(folders).toHaveLength(3);
      expect(folders[2]).toBe(plane.dir);
      const failed = folders.slice(0, 2);
      expect(failed.filter((folder) => fs.existsSync(folder))).toEqual([]);
      expect(processesMentioning(failed)).toEqual([]);
      // AND its state file names one of each program
      const state = JSON.parse(fs.readFileSync(path.join(plane.dir, 'state.json'), 'utf8')) as ControlPlaneState;
      expect(state.processes.map((entry) => entry.name)).toEqual([
        'etcd',
        'kube-apiserver',
        'kube-controller-manager',
        'kube-scheduler',
        'kwok',
      ]);
    } finally {
      await plane?.stop();
      await taken.close();
    }
    // AND stopping it ends its programs
    expect(processesMentioning([plane.dir])).toEqual([]);
  }, 300_000);

  it('gives up after three starts, naming the program, the port and the end of its output, and leaves a given folder as it was', async () => {
    // GIVEN a folder holding a file of its own, and a port someone else listens on, handed to etcd in every start
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-start-test-'));
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'kept\n');
    const taken = await takenPort();
    const picks: ControlPlaneListener[] = [];
    const pickPort = async (listener: ControlPlaneListener): Promise<number> => {
      picks.push(listener);
      return listener === 'etcd-client' ? taken.port : freeLoopbackPort();
    };
    const lines: string[] = [];
    try {
      // WHEN a control plane starts there
      const failure = await ControlPlane.start({ dir, pickPort, log: (line) => lines.push(line) }).then(
        (plane) => plane.stop().then(() => undefined),
        (error: unknown) => error as Error,
      );

      // THEN it fails after the third start, naming etcd, the port and the end of etcd's output
      expect(failure?.message).toContain(
        `etcd could not listen on 127.0.0.1:${taken.port}: address already in use, in the last of 3 starts on freshly picked ports`,
      );
      expect(failure?.message).toMatch(/--- end of etcd's output ---\n[^]*"msg":"discovery failed"/);
      expect(picks.filter((listener) => listener === 'etcd-client')).toHaveLength(3);
      expect(lines.filter((line) => line.includes(' taken'))).toHaveLength(2);
      // AND no program of any start runs
      expect(processesMentioning([dir])).toEqual([]);
      // AND the folder holds its own file, and the last start's output only
      expect(fs.readFileSync(path.join(dir, 'notes.txt'), 'utf8')).toBe('kept\n');
      expect(fs.existsSync(path.join(dir, 'state.json'))).toBe(false);
      expect(fs.readFileSync(path.join(dir, 'etcd.log'), 'utf8').match(/"msg":"discovery failed"/g)).toHaveLength(1);
    } finally {
      await taken.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('does not start again when a program fails for another reason', async () => {
    // GIVEN a folder where etcd's data folder is a file
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-start-test-'));
    fs.writeFileSync(path.join(dir, 'etcd'), 'not a folder\n');
    const picks: ControlPlaneListener[] = [];
    const pickPort = (listener: ControlPlaneListener): Promise<number> => {
      picks.push(listener);
      return freeLoopbackPort();
    };
    const lines: string[] = [];
    try {
      // WHEN a control plane starts there
      const failure = await ControlPlane.start({ dir, pickPort, log: (line) => lines.push(line) }).then(
        (plane) => plane.stop().then(() => undefined),
        (error: unknown) => error as Error,
      );

      // THEN it fails at once with etcd's own complaint
      expect(failure?.message).toMatch(/^etcd exited with code 1 while waiting for etcd to report health\n/);
      expect(failure?.message).toContain('not a directory');
      // AND it started once only
      expect(picks).toEqual(['etcd-client', 'etcd-peer', 'kube-apiserver']);
      expect(foldersOf(lines)).toEqual([dir]);
      expect(lines.filter((line) => line.includes(' taken'))).toEqual([]);
      expect(processesMentioning([dir])).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

/** The arguments kube-controller-manager runs with, read from its command line. */
function controllerManagerArgs(plane: ControlPlane): string[] {
  const state = JSON.parse(fs.readFileSync(path.join(plane.dir, 'state.json'), 'utf8')) as ControlPlaneState;
  const entry = state.processes.find((process) => process.name === 'kube-controller-manager');
  if (entry === undefined) throw new Error('the state file names no kube-controller-manager');
  return fs.readFileSync(`/proc/${entry.pid}/cmdline`, 'utf8').split('\0').slice(1, -1);
}

describe("ControlPlane.start's HPA controller timing", () => {
  it('passes the timing asked for to kube-controller-manager', async () => {
    // WHEN a control plane starts with a compressed HPA timing
    const plane = await ControlPlane.start({
      horizontalPodAutoscaler: { syncPeriod: '1s', downscaleStabilization: '1m30s', tolerance: 0.05 },
    });
    try {
      // THEN the controller manager, up and working, runs with it
      expect(controllerManagerArgs(plane).filter((arg) => arg.startsWith('--horizontal-pod-autoscaler-'))).toEqual([
        '--horizontal-pod-autoscaler-sync-period=1s',
        '--horizontal-pod-autoscaler-downscale-stabilization=1m30s',
        '--horizontal-pod-autoscaler-tolerance=0.05',
      ]);
    } finally {
      await plane.stop();
    }
  }, 180_000);

  it('keeps a 5 s sync period and leaves the rest to kube when not asked', async () => {
    // WHEN a control plane starts without a timing
    const plane = await ControlPlane.start();
    try {
      // THEN the controller manager syncs every 5 s and runs with kube's defaults otherwise
      expect(controllerManagerArgs(plane).filter((arg) => arg.startsWith('--horizontal-pod-autoscaler-'))).toEqual([
        '--horizontal-pod-autoscaler-sync-period=5s',
      ]);
    } finally {
      await plane.stop();
    }
  }, 180_000);

  const goSyntax = (option: string, value: string): string =>
    `horizontalPodAutoscaler.${option} must be a duration in Go's syntax without a sign (e.g. 500ms, 2s, 1m30s), not "${value}"`;
  it.each<[string, HorizontalPodAutoscalerTiming, string]>([
    ['syncPeriod 5 seconds', { syncPeriod: '5 seconds' }, goSyntax('syncPeriod', '5 seconds')],
    ['syncPeriod 5 without a unit', { syncPeriod: '5' }, goSyntax('syncPeriod', '5')],
    ['syncPeriod -1s', { syncPeriod: '-1s' }, goSyntax('syncPeriod', '-1s')],
    ['syncPeriod 0s', { syncPeriod: '0s' }, 'horizontalPodAutoscaler.syncPeriod must be more than zero, not "0s"'],
    ['downscaleStabilization 1d', { downscaleStabilization: '1d' }, goSyntax('downscaleStabilization', '1d')],
    ['tolerance -0.1', { tolerance: -0.1 }, 'horizontalPodAutoscaler.tolerance must be a finite number, zero or more, not -0.1'],
    ['tolerance NaN', { tolerance: Number.NaN }, 'horizontalPodAutoscaler.tolerance must be a finite number, zero or more, not NaN'],
  ])('refuses %s before anything starts', async (_what, timing, message) => {
    // GIVEN a folder not made yet
    const dir = path.join(os.tmpdir(), `cluster-start-test-never-${process.pid}-${Date.now()}`);
    const picks: ControlPlaneListener[] = [];

    // WHEN a control plane is asked to start there with the timing
    const started = ControlPlane.start({
      dir,
      horizontalPodAutoscaler: timing,
      pickPort: (listener) => {
        picks.push(listener);
        return freeLoopbackPort();
      },
    });

    // THEN it is refused, naming the option, before a folder is made or a port picked
    await expect(started).rejects.toThrow(message);
    expect(fs.existsSync(dir)).toBe(false);
    expect(picks).toEqual([]);
  });

  it('takes the durations of Go, and goes on to pick ports', async () => {
    // GIVEN durations as Go writes them, and a port picker that ends each start there
    const durations = ['500ms', '2s', '1m30s', '1.5h', '.5s', '5.s', '250us', '0'];
    const pickPort = (): Promise<number> => Promise.reject(new Error('no ports in this test'));

    for (const syncPeriod of durations.filter((duration) => duration !== '0')) {
      // WHEN a control plane starts with the duration as its sync period
      // THEN it gets as far as picking ports
      await expect(ControlPlane.start({ horizontalPodAutoscaler: { syncPeriod }, pickPort })).rejects.toThrow('no ports in this test');
    }
    for (const downscaleStabilization of durations) {
      // WHEN a control plane starts with the duration as its downscale stabilization (which may be zero)
      // THEN it gets as far as picking ports
      await expect(ControlPlane.start({ horizontalPodAutoscaler: { downscaleStabilization }, pickPort })).rejects.toThrow(
        'no ports in this test',
      );
    }
  });
});
