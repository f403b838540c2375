import { generateKeyPairSync, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { isProcessAlive, reportBuildsOnStderr } from '@meetscale/go-tools';

import { type ControlPlaneBinaries, ensureControlPlaneBinaries, kubernetesVersion } from './control-plane-tools';
import { FRONT_PROXY_CLIENT, type FrontProxyCredentials, writeFrontProxyCredentials } from './front-proxy';
import { KubeClient, waitFor } from './kube-client';
import { kubeconfig } from './kubeconfig';
import { kwokNodes, type NodePoolShape } from './kwok-nodes';
import { freeLoopbackPort } from './loopback-port';
import { logTail, type ManagedProcess, startProcess, stopProcessGroups } from './managed-process';
import { installUpstreamCrds } from './upstream-crds';

/** Options of {@link ControlPlane.start}. */
export interface ControlPlaneOptions {
  /**
   * The folder for etcd's data, keys, kubeconfigs, logs and the state file; created when missing, and
   * removed by {@link ControlPlane.stop} when the control plane created it.
   * @default - a new temporary folder
   */
  readonly dir?: string;
  /**
   * kwok nodes to create once the control plane is up; it returns when all are Ready.
   * @default - none
   */
  readonly nodePools?: readonly NodePoolShape[];
  /**
   * Whether to install the upstream CRDs (`UPSTREAM_CRD_SOURCES`: Prometheus Operator, cert-manager,
   * Gateway API, Envoy Gateway, ECK) from their pinned modules before returning.
   * @default false
   */
  readonly upstreamCrds?: boolean;
  /**
   * PersistentVolumes to create as a pool for claims to bind to (see {@link ControlPlane.addPersistentVolumes}).
   * @default 0
   */
  readonly persistentVolumes?: number;
  /**
   * Whether the programs outlive this process (the `cluster up` command); otherwise they are stopped when
   * this process exits.
   * @default false
   */
  readonly detached?: boolean;
  /**
   * The HPA controller's timing (kube-controller-manager's `--horizontal-pod-autoscaler-*` flags), e.g. for a
   * simulation that compresses time. Checked before anything starts.
   * @default - a 5 s sync period; kube's defaults for the rest
   */
  readonly horizontalPodAutoscaler?: HorizontalPodAutoscalerTiming;
  /**
   * Picks the loopback port of each listener, once per start. A test hands a program a port that is taken with
   * it; nothing else needs it.
   * @default - {@link freeLoopbackPort} for each
   */
  readonly pickPort?: (listener: ControlPlaneListener) => Promise<number>;
  /**
   * Reports progress (e.g. on standard error).
   * @default - nothing is reported
   */
  readonly log?: (line: string) => void;
}

/**
 * The HPA controller's timing. Durations are in Go's syntax (`500ms`, `2s`, `1m30s`), as the flags take them.
 */
export interface HorizontalPodAutoscalerTiming {
  /**
   * How often the controller syncs every HorizontalPodAutoscaler (`--horizontal-pod-autoscaler-sync-period`);
   * more than zero.
   * @default '5s'
   */
  readonly syncPeriod?: string;
  /**
   * How far back the controller looks for its highest recommendation before it scales down
   * (`--horizontal-pod-autoscaler-downscale-stabilization`); a HorizontalPodAutoscaler's own
   * `behavior.scaleDown.stabilizationWindowSeconds` overrides it.
   * @default - kube's (5m)
   */
  readonly downscaleStabilization?: string;
  /**
   * The least change, from 1.0, of the desired-to-actual metric ratio for the controller to scale
   * (`--horizontal-pod-autoscaler-tolerance`); zero or more.
   * @default - kube's (0.1)
   */
  readonly tolerance?: number;
}

/** The listeners whose loopback ports a control plane picks at start (see {@link ControlPlaneOptions.pickPort}). */
export type ControlPlaneListener = 'etcd-client' | 'etcd-peer' | 'kube-apiserver';

/** What `state.json` in a control plane's folder records, so another process can stop it. */
export interface ControlPlaneState {
  /** The process that started the control plane. */
  readonly ownerPid: number;
  /** Whether it outlives its owner. */
  readonly detached: boolean;
  /** The API server's URL. */
  readonly server: string;
  /** The admin kubeconfig. */
  readonly kubeconfig: string;
  /** The programs, as process group ids, in start order. */
  readonly processes: ReadonlyArray<{ readonly name: string; readonly pid: number }>;
}

/** The prefix of temporary control-plane folders, so that folders of dead test processes can be swept. */
const TEMP_PREFIX = 'meetscale-cluster-';

/** The service CIDR of the cluster (Service ClusterIPs come from here; nothing is routed). */
export const SERVICE_CIDR = '10.96.0.0/16';

/** The pod CIDR kwok assigns pod IPs from (written into pod status only; nothing is routed). */
export const POD_CIDR = '10.244.0.1/16';

/**
 * How many times {@link ControlPlane.start} starts the programs when one finds its loopback port taken: the port
 * was free when picked, and another process (e.g. another jest worker) bound it before the program did.
 */
const START_ATTEMPTS = 3;

/** A program exited at start-up because the loopback address it was to listen on was in use. */
class PortTakenError extends Error {
  /**
   * @param program the program's name
   * @param address the address it could not listen on, `127.0.0.1:<port>`
   * @param outputEnd the end of the program's output
   */
  constructor(
    readonly program: string,
    readonly address: string,
    readonly outputEnd: string,
  ) {
    super(`${program} could not listen on ${address}: address already in use\n--- end of ${program}'s output ---\n${outputEnd}`);
    this.name = 'PortTakenError';
  }
}

/** The units of Go's duration syntax, as `time.ParseDuration` reads them, in milliseconds. */
const GO_DURATION_UNITS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

/** Milliseconds of a duration in Go's syntax without a sign (`500ms`, `2s`, `1m30s`, `0`), or `undefined`. */
function _goDurationMs(text: string): number | undefined {
  if (text === '0') return 0;
  if (!/^(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/u.test(text)) return undefined;
  let total = 0;
  for (const [, value, unit] of text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gu)) {
    total += Number(value) * (GO_DURATION_UNITS[unit as string] as number);
  }
  // a Go duration is an int64 of nanoseconds: about 292 years
  return total <= 9.2e15 ? total : undefined;
}

/**
 * kube-controller-manager's flags for the HPA controller's timing.
 * @throws naming the option, when a duration is not in Go's syntax or a value is out of range
 */
function _horizontalPodAutoscalerArgs(timing: HorizontalPodAutoscalerTiming = {}): string[] {
  const duration = (option: keyof HorizontalPodAutoscalerTiming, value: unknown, positive: boolean): string => {
    const ms = typeof value === 'string' ? _goDurationMs(value) : undefined;
    if (ms === undefined) {
      throw new Error(
        `horizontalPodAutoscaler.${option} must be a duration in Go's syntax without a sign (e.g. 500ms, 2s, 1m30s), not ${JSON.stringify(value)}`,
      );
    }
    if (positive && ms === 0) throw new Error(`horizontalPodAutoscaler.${option} must be more than zero, not ${JSON.stringify(value)}`);
    return value as string;
  };
  const args = [`--horizontal-pod-autoscaler-sync-period=${duration('syncPeriod', timing.syncPeriod ?? '5s', true)}`];
  if (timing.downscaleStabilization !== undefined) {
    args.push(
      `--horizontal-pod-autoscaler-downscale-stabilization=${duration('downscaleStabilization', timing.downscaleStabilization, false)}`,
    );
  }
  if (timing.tolerance !== undefined) {
    if (typeof timing.tolerance !== 'number' || !Number.isFinite(timing.tolerance) || timing.tolerance < 0) {
      throw new Error(`horizontalPodAutoscaler.tolerance must be a finite number, zero or more, not ${String(timing.tolerance)}`);
    }
    args.push(`--horizontal-pod-autoscaler-tolerance=${String(timing.tolerance)}`);
  }
  return args;
}

/** Stops the programs recorded in a control plane folder's state file and removes the file. */
export async function stopRecordedControlPlane(dir: string): Promise<boolean> {
  const stateFile = path.join(dir, 'state.json');
  if (!fs.existsSync(stateFile)) return false;
  const state = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as ControlPlaneState;
  await stopProcessGroups(
    state.processes.map((entry) => entry.pid),
    5_000,
  );
  fs.rmSync(stateFile, { force: true });
  return true;
}

/** Stops and removes temporary control planes whose (non-detached) owner process has died. */
async function _sweepOrphans(): Promise<void> {
  for (const name of fs.readdirSync(os.tmpdir())) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const dir = path.join(os.tmpdir(), name);
    const stateFile = path.join(dir, 'state.json');
    try {
      const state = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as ControlPlaneState;
      if (state.detached || isProcessAlive(state.ownerPid)) continue;
      await stopRecordedControlPlane(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // a folder being set up (no state file yet) or removed meanwhile
    }
  }
}

/** Random bearer tokens for the identities of the control plane. */
function _tokens(): Record<'admin' | 'controllerManager' | 'scheduler' | 'kwok', string> {
  const token = (): string => randomBytes(24).toString('hex');
  return { admin: token(), controllerManager: token(), scheduler: token(), kwok: token() };
}

/**
 * A real Kubernetes control plane on 127.0.0.1: etcd, kube-apiserver (with its default admission plugins,
 * Pod Security among them, RBAC, and front-proxy authentication for the aggregator, as kubeadm sets it up),
 * kube-controller-manager (each controller with its own ServiceAccount's credentials) and kube-scheduler, built
 * from the pinned Kubernetes modules, plus kwok, which drives Node objects and moves the pods bound to them to
 * Running and Ready without running any container. Every port is a free loopback port chosen at start.
 */
export class ControlPlane {
  /**
   * Builds what is missing, starts every program, waits until the API server is ready, the controllers
   * work (the `default` ServiceAccount exists) and the requested kwok nodes are Ready.
   *
   * When etcd or the API server exits at start-up because its loopback port was taken meanwhile (the port is
   * free when picked, but another process can bind it before the program does), everything started is stopped,
   * what that start wrote is removed, and the programs start again on fresh ports, up to
   * {@link START_ATTEMPTS} starts in all. Other failures are not retried.
   * @throws naming the program that failed and the end of its log; everything started is stopped again
   */
  static async start(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
    // checked before anything starts
    const horizontalPodAutoscalerArgs = _horizontalPodAutoscalerArgs(options.horizontalPodAutoscaler);
    const log = options.log ?? ((): void => undefined);
    const pickPort = options.pickPort ?? ((): Promise<number> => freeLoopbackPort());
    const binaries = ensureControlPlaneBinaries({ onBuild: reportBuildsOnStderr });
    await _sweepOrphans();
    const ownsDir = options.dir === undefined;
    // what a given folder held before, so that a start that found its port taken can leave it as it was
    const heldBefore = new Set(options.dir !== undefined && fs.existsSync(options.dir) ? fs.readdirSync(options.dir) : []);
    for (let attempt = 1; ; attempt += 1) {
      const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), TEMP_PREFIX));
      fs.mkdirSync(dir, { recursive: true });
      log(`folder ${dir}`);
      const plane = new ControlPlane(dir, ownsDir, options.detached ?? false, binaries, horizontalPodAutoscalerArgs);
      try {
        await plane._boot(log, pickPort);
        if (options.upstreamCrds === true) {
          log('upstream CRDs');
          await installUpstreamCrds(plane.client);
        }
        if (options.nodePools !== undefined) await plane.addNodes(options.nodePools);
        if ((options.persistentVolumes ?? 0) > 0) await plane.addPersistentVolumes(options.persistentVolumes ?? 0);
        return plane;
      } catch (error) {
        await plane.stop();
        if (!(error instanceof PortTakenError)) throw error;
        if (attempt >= START_ATTEMPTS) {
          throw new Error(
            `${error.program} could not listen on ${error.address}: address already in use, in the last of ${START_ATTEMPTS} starts ` +
              `on freshly picked ports\n--- end of ${error.program}'s output ---\n${error.outputEnd}`,
          );
        }
        log(
          `${error.program} found ${error.address} taken; stopped what had started, starting again on fresh ports (${attempt + 1} of ${START_ATTEMPTS})`,
        );
        if (!ownsDir) {
          for (const name of fs.readdirSync(dir))
            if (!heldBefore.has(name)) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
        }
      }
    }
  }

  /** The API server's URL, `https://127.0.0.1:<port>`, once started. */
  server = '';
  /** The admin kubeconfig (group `system:masters`), for Helm and humans. */
  readonly kubeconfig: string;
  private _client: KubeClient | undefined;
  private _frontProxy: FrontProxyCredentials | undefined;
  private readonly _processes: ManagedProcess[] = [];
  /** The loopback ports each program was given to listen on, by program name. */
  private readonly _ports = new Map<string, readonly number[]>();
  private readonly _tokens = _tokens();

  private constructor(
    /** The control plane's folder. */
    readonly dir: string,
    private readonly _ownsDir: boolean,
    private readonly _detached: boolean,
    private readonly _binaries: ControlPlaneBinaries,
    private readonly _horizontalPodAutoscalerArgs: readonly string[],
  ) {
    this.kubeconfig = path.join(dir, 'kubeconfig');
  }

  /** An admin client of the API server. */
  get client(): KubeClient {
    if (this._client === undefined) throw new Error('the control plane is not started');
    return this._client;
  }

  /**
   * The aggregator's front-proxy CA and client certificate: extension API servers trust requests that present
   * the certificate to name their user in `X-Remote-User`, `X-Remote-Group` and `X-Remote-Extra-*` headers.
   */
  get frontProxy(): FrontProxyCredentials {
    if (this._frontProxy === undefined) throw new Error('the control plane is not started');
    return this._frontProxy;
  }

  /** The Kubernetes version the control plane runs (e.g. `1.33.3`). */
  get version(): string {
    return kubernetesVersion();
  }

  /**
   * Creates `count` PersistentVolumes (1Ti, ReadWriteOnce and ReadWriteMany, no StorageClass, retained) for the
   * controller manager's volume binder to bind claims to: the control plane has no storage provisioner, and kwok
   * mounts nothing, so a volume is only an object here. A claim without a StorageClass binds to one, as it would to
   * a statically provisioned volume; each volume serves one claim.
   */
  async addPersistentVolumes(count: number): Promise<void> {
    for (let index = 0; index < count; index += 1) {
      const name = `pool-${String(index).padStart(3, '0')}`;
      await this.client.create('/api/v1/persistentvolumes', {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name, labels: { 'meetscale.io/volume-pool': 'true' } },
        spec: {
          capacity: { storage: '1Ti' },
          accessModes: ['ReadWriteOnce', 'ReadWriteMany'],
          persistentVolumeReclaimPolicy: 'Retain',
          storageClassName: '',
          hostPath: { path: `/var/lib/meetscale-volume-pool/${name}` },
        },
      });
    }
  }

  /** Creates the kwok nodes of each pool and waits until every one is Ready. */
  async addNodes(pools: readonly NodePoolShape[]): Promise<void> {
    const nodes = pools.flatMap((pool) => kwokNodes(pool, this.version)) as Array<{ metadata: { name: string } }>;
    for (const node of nodes) await this.client.create('/api/v1/nodes', node);
    for (const node of nodes) {
      await waitFor(`node ${node.metadata.name} to become Ready`, async () => {
        const current = await this.client.get(`/api/v1/nodes/${node.metadata.name}`);
        const ready = (current.status?.conditions ?? []).find((condition: { type: string }) => condition.type === 'Ready');
        // the node lifecycle controller lifts its not-ready taint shortly after the node turns Ready
        const notReadyTaint = (current.spec?.taints ?? []).some((taint: { key: string }) => taint.key.startsWith('node.kubernetes.io/'));
        return ready?.status === 'True' && !notReadyTaint ? true : undefined;
      });
    }
  }

  /** Stops every program (SIGTERM, then SIGKILL), and removes the folder when the control plane made it. */
  async stop(): Promise<void> {
    this._client?.close();
    await stopProcessGroups(
      [...this._processes].reverse().map((entry) => entry.pid),
      2_000,
    );
    this._processes.length = 0;
    fs.rmSync(path.join(this.dir, 'state.json'), { force: true });
    if (this._ownsDir) fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** Starts one program and records it in the state file. */
  private _start(name: string, command: string, args: string[]): ManagedProcess {
    const started = startProcess({ name, command, args, logFile: path.join(this.dir, `${name}.log`), detached: this._detached });
    this._processes.push(started);
    const state: ControlPlaneState = {
      ownerPid: process.pid,
      detached: this._detached,
      server: this.server,
      kubeconfig: this.kubeconfig,
      processes: this._processes.map((entry) => ({ name: entry.name, pid: entry.pid })),
    };
    fs.writeFileSync(path.join(this.dir, 'state.json'), `${JSON.stringify(state, null, 2)}\n`);
    return started;
  }

  /**
   * Waits for `probe`, failing early with the program's log when the program has exited.
   * @throws {@link PortTakenError} when the program exited because an address it was to listen on was in use
   */
  private async _waitForProgram<T>(
    program: ManagedProcess,
    what: string,
    probe: () => Promise<T | undefined>,
    timeoutMs = 90_000,
  ): Promise<T> {
    let outcome: { readonly exited: string } | { readonly value: T };
    try {
      // an exit ends the wait, also while a probe is pending (e.g. on a port another process took, which may never
      // answer); an error thrown by the probe would only be retried until the timeout
      const exited = program.exited.then((status) => ({ exited: status }));
      outcome = await waitFor(
        what,
        async () => {
          const status = program.exitStatus();
          if (status !== undefined) return { exited: status };
          return Promise.race([probe().then((value) => (value === undefined ? undefined : { value })), exited]);
        },
        timeoutMs,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- end of ${program.logFile} ---\n${logTail(program.logFile)}`);
    }
    if ('value' in outcome) return outcome.value;
    // only what this run wrote: a given folder may hold the log of an earlier one
    const output = program.output();
    if (output.includes('bind: address already in use')) {
      const address = /listen tcp\d? (\S+): bind: address already in use/u.exec(output)?.[1];
      const ports = this._ports.get(program.name) ?? [];
      throw new PortTakenError(program.name, address ?? `127.0.0.1:${ports.join(' or ')}`, logTail(program.logFile));
    }
    throw new Error(
      `${program.name} ${outcome.exited} while waiting for ${what}\n--- end of ${program.logFile} ---\n${logTail(program.logFile)}`,
    );
  }

  /** Starts etcd, the API server, the controllers and kwok, in that order, each when the previous is ready. */
  private async _boot(log: (line: string) => void, pickPort: (listener: ControlPlaneListener) => Promise<number>): Promise<void> {
    const dir = this.dir;
    const [etcdClientPort, etcdPeerPort, apiserverPort] = [
      await pickPort('etcd-client'),
      await pickPort('etcd-peer'),
      await pickPort('kube-apiserver'),
    ];
    this._ports.set('etcd', [etcdClientPort, etcdPeerPort]);
    this._ports.set('kube-apiserver', [apiserverPort]);
    const etcdUrl = `http://127.0.0.1:${etcdClientPort}`;
    const peerUrl = `http://127.0.0.1:${etcdPeerPort}`;

    log(`etcd on ${etcdUrl}`);
    const etcd = this._start('etcd', this._binaries.etcd, [
      `--data-dir=${path.join(dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=default=${peerUrl}`,
      '--unsafe-no-fsync',
      '--log-level=warn',
    ]);
    await this._waitForProgram(etcd, 'etcd to report health', async () => {
      const response = await fetch(`${etcdUrl}/health`, { signal: AbortSignal.timeout(5_000) });
      return response.ok && ((await response.json()) as { health?: string }).health === 'true' ? true : undefined;
    });

    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const saKey = path.join(dir, 'service-account.key');
    const saPub = path.join(dir, 'service-account.pub');
    fs.writeFileSync(saKey, privateKey, { mode: 0o600 });
    fs.writeFileSync(saPub, publicKey);
    const tokens = this._tokens;
    const tokenFile = path.join(dir, 'tokens.csv');
    fs.writeFileSync(
      tokenFile,
      [
        `${tokens.admin},admin,admin,"system:masters"`,
        `${tokens.controllerManager},system:kube-controller-manager,system:kube-controller-manager,"system:masters"`,
        `${tokens.scheduler},system:kube-scheduler,system:kube-scheduler`,
        `${tokens.kwok},kwok,kwok,"system:masters"`,
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    const certDir = path.join(dir, 'apiserver-certs');
    const frontProxy = writeFrontProxyCredentials(path.join(dir, 'front-proxy'));
    this._frontProxy = frontProxy;
    this.server = `https://127.0.0.1:${apiserverPort}`;
    log(`kube-apiserver ${this.version} on ${this.server}`);
    const apiserver = this._start('kube-apiserver', this._binaries.apiserver, [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiserverPort}`,
      `--cert-dir=${certDir}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${saPub}`,
      `--service-account-signing-key-file=${saKey}`,
      `--token-auth-file=${tokenFile}`,
      '--authorization-mode=RBAC',
      // the aggregator proves who asks to extension API servers (e.g. prometheus-adapter) by the front-proxy
      // client certificate and the request headers; the API server publishes these settings in
      // kube-system/extension-apiserver-authentication for them to read
      `--requestheader-client-ca-file=${frontProxy.caFile}`,
      `--requestheader-allowed-names=${FRONT_PROXY_CLIENT}`,
      '--requestheader-username-headers=X-Remote-User',
      '--requestheader-group-headers=X-Remote-Group',
      '--requestheader-extra-headers-prefix=X-Remote-Extra-',
      `--proxy-client-cert-file=${frontProxy.clientCertFile}`,
      `--proxy-client-key-file=${frontProxy.clientKeyFile}`,
      '--allow-privileged=true',
      '--profiling=false',
      // its own Endpoints would hold the loopback address, which Endpoints validation refuses
      '--endpoint-reconciler-type=none',
      '--v=1',
    ]);
    const caFile = path.join(certDir, 'apiserver.crt');
    await this._waitForProgram(apiserver, 'kube-apiserver to write its serving certificate', async () =>
      fs.existsSync(caFile) ? true : undefined,
    );
    const ca = fs.readFileSync(caFile, 'utf8');
    this._client = new KubeClient({ server: this.server, token: tokens.admin, ca });
    await this._waitForProgram(apiserver, 'kube-apiserver to be ready (/readyz)', async () => {
      const response = await this.client.request('GET', '/readyz');
      return response.status === 200 ? true : undefined;
    });

    const writeKubeconfig = (file: string, user: string, token: string): string => {
      fs.writeFileSync(file, kubeconfig(this.server, ca, user, token), { mode: 0o600 });
      return file;
    };
    writeKubeconfig(this.kubeconfig, 'admin', tokens.admin);
    const controllerManagerConfig = writeKubeconfig(
      path.join(dir, 'controller-manager.kubeconfig'),
      'system:kube-controller-manager',
      tokens.controllerManager,
    );
    const schedulerConfig = writeKubeconfig(path.join(dir, 'scheduler.kubeconfig'), 'system:kube-scheduler', tokens.scheduler);
    const kwokConfig = writeKubeconfig(path.join(dir, 'kwok.kubeconfig'), 'kwok', tokens.kwok);

    log('kube-controller-manager, kube-scheduler and kwok');
    const controllerManager = this._start('kube-controller-manager', this._binaries.controllerManager, [
      `--kubeconfig=${controllerManagerConfig}`,
      '--leader-elect=false',
      '--secure-port=0',
      `--service-account-private-key-file=${saKey}`,
      `--root-ca-file=${caFile}`,
      // each controller acts as its own ServiceAccount with the rights of kube's bootstrap policy (as kubeadm runs
      // it), so that e.g. the HPA controller reads the custom metrics API as system:controller:horizontal-pod-autoscaler
      '--use-service-account-credentials',
      // the HPA controller's timing: a 5 s sync period unless the options set it
      ...this._horizontalPodAutoscalerArgs,
      // kwok's heartbeats can lag on a loaded 2-core machine; a node marked NotReady would turn every pod on
      // it NotReady for good (no kubelet sets it back), so the grace period is long
      '--node-monitor-grace-period=5m',
      '--v=1',
    ]);
    this._start('kube-scheduler', this._binaries.scheduler, [
      `--kubeconfig=${schedulerConfig}`,
      '--leader-elect=false',
      '--secure-port=0',
      '--v=1',
    ]);
    this._start('kwok', this._binaries.kwok, [
      `--kubeconfig=${kwokConfig}`,
      '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
      `--cidr=${POD_CIDR}`,
      '--node-ip=127.0.0.1',
      // heartbeats through Leases (renewed every 10 s) rather than status patches
      '--node-lease-duration-seconds=40',
    ]);
    await this._waitForProgram(controllerManager, 'the controllers to create the default ServiceAccount', async () => {
      const response = await this.client.request('GET', '/api/v1/namespaces/default/serviceaccounts/default');
      return response.status === 200 ? true : undefined;
    });
    log(`ready: kubeconfig ${this.kubeconfig}`);
  }
}
