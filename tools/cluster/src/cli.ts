import * as fs from 'node:fs';
import * as path from 'node:path';

import { isProcessAlive, reportBuildsOnStderr, WORKSPACE_ROOT } from '@meetscale/go-tools';

import { ControlPlane, type ControlPlaneState, stopRecordedControlPlane } from './control-plane';
import { ensureControlPlaneBinaries } from './control-plane-tools';

const USAGE = `usage: npm run cluster -- <command>
  up      start etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok on 127.0.0.1 with
          three kwok nodes and the upstream CRDs; writes .cache/cluster/kubeconfig and prints its path
  down    stop everything 'up' started and remove .cache/cluster
  status  say whether the control plane is up
  build   build the control plane's programs from their pinned Go modules (up does this when needed)`;

/** The folder of the control plane that `up` starts. */
const CLUSTER_DIR = path.join(WORKSPACE_ROOT, '.cache', 'cluster');

/** The recorded state of the control plane in {@link CLUSTER_DIR}, when its programs still run. */
function _running(): ControlPlaneState | undefined {
  const stateFile = path.join(CLUSTER_DIR, 'state.json');
  if (!fs.existsSync(stateFile)) return undefined;
  const state = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as ControlPlaneState;
  return state.processes.every((entry) => isProcessAlive(entry.pid)) ? state : undefined;
}

/** Runs one command. */
async function main(argv: readonly string[]): Promise<number> {
  const [command] = argv;
  const log = (line: string): void => console.error(`cluster: ${line}`);
  switch (command) {
    case 'up': {
      const running = _running();
      if (running !== undefined) {
        console.log(running.kubeconfig);
        log(`already up at ${running.server}`);
        return 0;
      }
      await stopRecordedControlPlane(CLUSTER_DIR);
      fs.rmSync(CLUSTER_DIR, { recursive: true, force: true });
      const plane = await ControlPlane.start({
        dir: CLUSTER_DIR,
        detached: true,
        upstreamCrds: true,
        nodePools: [{ name: 'kwok-node', count: 3, cpu: '16', memory: '64Gi' }],
        log,
      });
      plane.client.close();
      log(`up at ${plane.server}; try: npm run helm -- install <release> charts/<chart> --kubeconfig ${plane.kubeconfig}`);
      console.log(plane.kubeconfig);
      return 0;
    }
    case 'down': {
      const stopped = await stopRecordedControlPlane(CLUSTER_DIR);
      fs.rmSync(CLUSTER_DIR, { recursive: true, force: true });
      log(stopped ? 'stopped' : 'was not up');
      return 0;
    }
    case 'status': {
      const running = _running();
      console.log(running === undefined ? 'down' : `up at ${running.server}, kubeconfig ${running.kubeconfig}`);
      return 0;
    }
    case 'build': {
      for (const [role, binary] of Object.entries(ensureControlPlaneBinaries({ onBuild: reportBuildsOnStderr })))
        console.log(`${role}: ${binary}`);
      return 0;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
