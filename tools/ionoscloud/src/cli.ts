/**
 * The IONOS Cloud provider bindings, from the command line (run with tsx from the workspace root):
 *
 *   tsx tools/ionoscloud/src/cli.ts generate <codeMakerOutput> [--force]
 *     Generates the typed cdktf bindings from the committed subset into <codeMakerOutput>/providers/ionoscloud
 *     (what `npx nx run infra:generate` runs). Does nothing when they are up to date.
 *
 *   tsx tools/ionoscloud/src/cli.ts derive [source.json] [--check]
 *     Writes the committed facts-only subset from the full schema dump (default
 *     ../shared/ionoscloud/provider-schema-6.7.12.json beside the workspace; `npx nx run
 *     ionoscloud-bindings:derive`). With --check nothing is written and the exit status is 1 when the committed
 *     subset differs from the derivation.
 *
 *   tsx tools/ionoscloud/src/cli.ts derive-openapi [source.yaml] [--check]
 *     Writes the committed subset of the IONOS Cloud API v6 OpenAPI description (the operations the BigBlueButton
 *     autoscaler uses) from the full description (default ../shared/ionoscloud/cloudapi-v6-openapi.yaml beside the
 *     workspace; `npx nx run ionoscloud-bindings:derive-openapi`). --check as for derive.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { generateBindings } from './generate-bindings';
import { deriveOpenApiSubsetText, OPENAPI_SHARED_SOURCE_PATH, OPENAPI_SUBSET_PATH } from './openapi-subset';
import { deriveSubsetText, SHARED_SOURCE_PATH, SUBSET_PATH } from './subset';

const USAGE =
  'usage: cli.ts generate <codeMakerOutput> [--force] | cli.ts derive [source.json] [--check] | cli.ts derive-openapi [source.yaml] [--check]';

/** Writes (or with --check compares) a committed derivation; the exit status. */
function writeDerived(target: string, text: string, source: string, check: boolean, command: string): number {
  const shown = path.relative(process.cwd(), target);
  if (check) {
    const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
    if (current !== text) {
      console.error(`${shown} is out of date; run npx nx run ionoscloud-bindings:${command}`);
      return 1;
    }
    console.log(`${shown} matches ${source}`);
    return 0;
  }
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, text);
  console.log(`wrote ${shown} (${Buffer.byteLength(text)} bytes) from ${source}`);
  return 0;
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const flags = new Set(rest.filter((arg) => arg.startsWith('--')));
  const [operand] = rest.filter((arg) => !arg.startsWith('--'));

  if (command === 'generate' && operand !== undefined) {
    const started = Date.now();
    const result = await generateBindings({ codeMakerOutput: operand, force: flags.has('--force') });
    const where = path.relative(process.cwd(), result.folder);
    console.log(result.generated ? `generated ${where} in ${Date.now() - started} ms` : `${where} is up to date`);
    return 0;
  }

  if (command === 'derive') {
    const source = path.resolve(operand ?? SHARED_SOURCE_PATH);
    const text = deriveSubsetText(fs.readFileSync(source, 'utf8'));
    const target = path.relative(process.cwd(), SUBSET_PATH);
    if (flags.has('--check')) {
      const current = fs.existsSync(SUBSET_PATH) ? fs.readFileSync(SUBSET_PATH, 'utf8') : '';
      if (current !== text) {
        console.error(`${target} is out of date; run npx nx run ionoscloud-bindings:derive`);
        return 1;
      }
      console.log(`${target} matches ${source}`);
      return 0;
    }
    fs.mkdirSync(path.dirname(SUBSET_PATH), { recursive: true });
    fs.writeFileSync(SUBSET_PATH, text);
    console.log(`wrote ${target} (${Buffer.byteLength(text)} bytes) from ${source}`);
    return 0;
  }

  if (command === 'derive-openapi') {
    const source = path.resolve(operand ?? OPENAPI_SHARED_SOURCE_PATH);
    const text = deriveOpenApiSubsetText(fs.readFileSync(source, 'utf8'));
    return writeDerived(OPENAPI_SUBSET_PATH, text, source, flags.has('--check'), 'derive-openapi');
  }

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
