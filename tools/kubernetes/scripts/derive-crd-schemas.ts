/**
 * Derives the committed structural schemas of the supported prometheus-operator custom resources from the
 * typings of the installed `@kubernetes-models/prometheus-operator`.
 *
 *   npx nx run kubernetes-schema:derive
 *   npx tsx tools/kubernetes/scripts/derive-crd-schemas.ts [--check]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { deriveCrdSchemasText, GENERATED_CRD_SCHEMAS } from './crd-derivation';
import { WORKSPACE_ROOT } from './definitions-derivation';

const text = deriveCrdSchemasText();
const relative = path.relative(WORKSPACE_ROOT, GENERATED_CRD_SCHEMAS);
if (process.argv.includes('--check')) {
  const current = fs.existsSync(GENERATED_CRD_SCHEMAS) ? fs.readFileSync(GENERATED_CRD_SCHEMAS, 'utf8') : '';
  if (current !== text) {
    console.error(`${relative} is out of date; run npx nx run kubernetes-schema:derive`);
    process.exitCode = 1;
  }
} else {
  fs.mkdirSync(path.dirname(GENERATED_CRD_SCHEMAS), { recursive: true });
  fs.writeFileSync(GENERATED_CRD_SCHEMAS, text);
  console.log(`wrote ${relative} (${Buffer.byteLength(text)} bytes)`);
}
