/**
 * `npm start`: a federal state on the local control plane. Starts kwok nodes shaped like the state's node pools,
 * installs every meetscale chart the state's stack installs with the stack's values, waits until all is scheduled,
 * prints what runs where and the capacity headroom, optionally runs a school day of load on it, and keeps the cluster
 * for Helm until Ctrl-C.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

import { ensureControlPlaneBinaries, stopRecordedControlPlane } from '@meetscale/cluster';
import { reportBuildsOnStderr } from '@meetscale/go-tools';
import { ensureHelm } from '@meetscale/helm-binaries';

import { WORKSPACE_ROOT } from './charts';
import { formatDay, formatDayHeader, formatDaySummary, formatMinute, MINUTE_HEADER, summarizeDay } from './day-report';
import { compressedHpaTiming, DEFAULT_SECONDS_PER_MINUTE, installationSizing, simulateDay } from './day-simulation';
import { formatPlacement, placementReport } from './placement-report';
import { readSchoolDay } from './school-day';
import { parseStartArguments, START_USAGE, StartArgumentError, type StartCommand } from './start-arguments';
import { exampleStateId, StateCluster, stateIds, stateInstallation, withMediaNodes } from './state-cluster';

const log = (line: string): void => console.error(`start: ${line}`);

/** Resolves when the user presses Ctrl-C (or the process is told to stop). */
const untilInterrupted = (): Promise<void> =>
  new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });

async function run(command: Extract<StartCommand, { help: false }>): Promise<number> {
  const began = Date.now();
  const known = stateIds();
  if (command.state !== undefined && !known.includes(command.state)) {
    throw new StartArgumentError(`--state: no state "${command.state}"; the states are ${known.join(', ')}`);
  }
  // Helm first: reading a state's stack renders its cluster base with it
  log('Helm and the control plane (built from their pinned Go modules on the first run)');
  await ensureHelm(4);
  ensureControlPlaneBinaries({ onBuild: reportBuildsOnStderr });
  const stateId = command.state ?? exampleStateId();
  if (command.state === undefined) log(`no --state given: ${stateId}, the state with the smallest peak load`);
  let installation = stateInstallation(stateId);
  if (command.mediaNodes !== undefined) installation = withMediaNodes(installation, command.mediaNodes);
  const sizing = installationSizing(installation);
  const secondsPerMinute = command.secondsPerMinute ?? DEFAULT_SECONDS_PER_MINUTE;
  const day = command.day === undefined ? undefined : readSchoolDay(command.day, sizing.input.participants);

  const dir = join(WORKSPACE_ROOT, '.cache', 'local-state', stateId);
  await stopRecordedControlPlane(dir);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  log(`starting state ${stateId}: ${installation.pools.map((pool) => `${pool.maxNodes} ${pool.name} nodes`).join(', ')}`);
  const cluster = await StateCluster.start(installation, {
    dir: join(dir, 'control-plane'),
    // the HPA controller's timing is compressed with the day (its flags cannot change while it runs)
    ...(day === undefined ? {} : { horizontalPodAutoscaler: compressedHpaTiming(secondsPerMinute) }),
  });
  try {
    const problems = await cluster.install(log);
    await cluster.settle();
    const placement = await placementReport(cluster, sizing);
    console.log(`\n${formatPlacement(placement)}\n`);
    if (problems.length > 0) console.log(`Problems:\n  ${problems.join('\n  ')}\n`);
    log(`ready in ${Math.round((Date.now() - began) / 1000)} s`);

    if (day !== undefined) {
      log(`running the day "${day.description}": ${day.minutes.length} simulated minutes of ${secondsPerMinute} s`);
      let printedHeader = false;
      const report = await simulateDay(cluster, {
        day,
        secondsPerMinute,
        onMinute: (minute) => {
          if (!printedHeader) console.log(`${MINUTE_HEADER}`);
          printedHeader = true;
          console.log(formatMinute(minute));
        },
      });
      writeFileSync(join(dir, 'day-report.json'), `${JSON.stringify(report, null, 2)}\n`);
      writeFileSync(join(dir, 'day-report.txt'), `${formatDay(report)}\n`);
      console.log(`\n${formatDayHeader(report)}\n${formatDaySummary(summarizeDay(report))}`);
      console.log(`The report: ${relative(process.cwd(), join(dir, 'day-report.txt'))} (and .json)\n`);
    }

    const kubeconfig = relative(process.cwd(), cluster.plane.kubeconfig);
    console.log(
      [
        `The cluster's API server: ${cluster.plane.server}. With Helm, from another terminal:`,
        `  export KUBECONFIG=${kubeconfig}`,
        '  npm run helm -- list --all-namespaces',
        `  npm run helm -- get values ${installation.releases[0]?.name ?? '<release>'} --namespace ${installation.releases[0]?.namespace ?? '<namespace>'}`,
      ].join('\n'),
    );
    if (!command.once) {
      console.log('\nThe cluster runs until you press Ctrl-C.');
      await untilInterrupted();
    }
    return problems.length === 0 ? 0 : 1;
  } finally {
    log('stopping the control plane');
    await cluster.stop();
  }
}

async function main(argv: readonly string[]): Promise<number> {
  let command: StartCommand;
  try {
    command = parseStartArguments(argv);
  } catch (error) {
    if (error instanceof StartArgumentError) {
      console.error(`${error.message}\n\n${START_USAGE}`);
      return 2;
    }
    throw error;
  }
  if (command.help) {
    console.log(START_USAGE);
    return 0;
  }
  try {
    return await run(command);
  } catch (error) {
    if (error instanceof StartArgumentError) {
      console.error(`${error.message}\n\n${START_USAGE}`);
      return 2;
    }
    throw error;
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
