/** `npm run release -- …`: see USAGE. */
import { parseArgs } from 'node:util';

import { reportBuildsOnStderr } from '@meetscale/go-tools';

import { ensureCosign } from './cosign';
import { checkVersionDiscipline } from './discipline';
import { REPOSITORY_ROOT } from './git';
import { REGISTRY_ENV } from './registry';
import { chartsIn, release } from './release';
import { verifyRecordedDigests } from './reproduce';

const USAGE = `usage: npm run release -- [publish] [--registry oci://<host>/<path>] [--chart <name>]... [options]
  publish (default)  for every chart whose version has no release record: check it against its last release,
                     package it from HEAD, sign it, push it, record it in releases/<chart>/ and commit the record
      --registry     where to push (default: $${REGISTRY_ENV})
      --chart        only this chart (repeatable)
      --plain-http   reach a loopback registry without TLS
      --skip-cosign  push without a cosign signature (recorded as such)
      --no-commit    write the records, do not commit them
    keys and credentials come from the environment, never from the repository:
      MEETSCALE_SIGNING_KEY, MEETSCALE_SIGNING_KEY_PASSPHRASE   PGP secret key (armoured) for the provenance file
      MEETSCALE_COSIGN_KEY, MEETSCALE_COSIGN_PASSWORD           cosign private key for the OCI signature
      MEETSCALE_REGISTRY_USERNAME, MEETSCALE_REGISTRY_PASSWORD  registry login
  check              the version discipline of every chart against its last release (what CI runs)
  reproduce          package every recorded release from its commit again and compare with the recorded digest
  build              build cosign from its pinned Go module`;

function main(argv: readonly string[]): number {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      registry: { type: 'string' },
      chart: { type: 'string', multiple: true },
      'plain-http': { type: 'boolean' },
      'skip-cosign': { type: 'boolean' },
      'no-commit': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  const [command = 'publish', ...rest] = positionals;
  if (values.help === true || rest.length > 0) {
    console.error(USAGE);
    return values.help === true ? 0 : 2;
  }
  const charts = values.chart ?? chartsIn(REPOSITORY_ROOT);
  switch (command) {
    case 'publish': {
      const registry = values.registry ?? process.env[REGISTRY_ENV];
      if (registry === undefined || registry === '') {
        console.error(`release: no registry: pass --registry oci://<host>/<path> or set ${REGISTRY_ENV}\n\n${USAGE}`);
        return 2;
      }
      const outcomes = release({
        registry,
        charts,
        plainHttp: values['plain-http'] === true,
        skipCosign: values['skip-cosign'] === true,
        commit: values['no-commit'] !== true,
        log: (line) => console.error(`release: ${line}`),
      });
      for (const outcome of outcomes)
        console.log(`${outcome.chart} ${outcome.version} ${outcome.status} ${outcome.entry.reference}@${outcome.entry.manifestDigest}`);
      return 0;
    }
    case 'check': {
      let failed = false;
      for (const chart of charts) {
        const { problems } = checkVersionDiscipline({ chart });
        for (const problem of problems) console.error(`release check: ${problem}`);
        failed ||= problems.length > 0;
        if (problems.length === 0) console.log(`${chart}: keeps the version discipline`);
      }
      return failed ? 1 : 0;
    }
    case 'reproduce': {
      const mismatches = verifyRecordedDigests(charts);
      for (const line of mismatches) console.error(`release reproduce: ${line}`);
      if (mismatches.length === 0) console.log('every recorded release packages again to its recorded digest');
      return mismatches.length === 0 ? 0 : 1;
    }
    case 'build':
      console.log(ensureCosign({ onBuild: reportBuildsOnStderr }));
      return 0;
    default:
      console.error(USAGE);
      return 2;
  }
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  console.error(`release: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
