import { ensureAllHelm } from './ensure-helm';
import { runHelm } from './run-helm';

const USAGE = 'usage: tsx tools/helm/src/cli.ts fetch';

/** `fetch`: ensures both pinned Helm binaries and prints their paths and `helm version --short`. */
async function fetchCommand(): Promise<void> {
  for (const binary of await ensureAllHelm()) {
    const version = runHelm(binary.major, ['version', '--short']);
    if (version.status !== 0) {
      throw new Error(`helm version failed for Helm ${binary.version}: ${version.stderr}`);
    }
    console.log(`Helm ${binary.major}: ${binary.path} (${version.stdout.trim()}, sha256 ${binary.sha256})`);
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
