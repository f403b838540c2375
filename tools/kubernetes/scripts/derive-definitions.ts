/**
 * Derives the committed, facts-only copy of the Kubernetes 1.33 API definitions.
 *
 *   npx nx run kubernetes-schema:derive
 *   npx tsx tools/kubernetes/scripts/derive-definitions.ts [source.json] [--check]
 *
 * `source.json` defaults to `../shared/kubernetes/v1.33.0-definitions.json` beside the workspace root. With
 * `--check` nothing is written; the exit status is 1 when the committed file differs from the derivation.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { deriveDefinitionsText, GENERATED_DEFINITIONS, WORKSPACE_ROOT } from './definitions-derivation';

const args = process.argv.slice(2);
const check = args.includes('--check');
const source = path.resolve(
  args.find((arg) => !arg.startsWith('--')) ?? path.join(WORKSPACE_ROOT, '..', 'shared', 'kubernetes', 'v1.33.0-definitions.json'),
);
const text = deriveDefinitionsText(fs.readFileSync(source, 'utf8'));
if (check) {
  const current = fs.existsSync(GENERATED_DEFINITIONS) ? fs.readFileSync(GENERATED_DEFINITIONS, 'utf8') : '';
  if (current !== text) {
    console.error(`${path.relative(WORKSPACE_ROOT, GENERATED_DEFINITIONS)} is out of date; run npx nx run kubernetes-schema:derive`);
    process.exitCode = 1;
  }
} else {
  fs.mkdirSync(path.dirname(GENERATED_DEFINITIONS), { recursive: true });
  fs.writeFileSync(GENERATED_DEFINITIONS, text);
  console.log(`wrote ${path.relative(WORKSPACE_ROOT, GENERATED_DEFINITIONS)} (${Buffer.byteLength(text)} bytes) from ${source}`);
}
