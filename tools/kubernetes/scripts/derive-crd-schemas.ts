/**
 * Derives the committed structural schemas of the supported custom resources: the prometheus-operator ones
 * from the typings of the installed `@kubernetes-models/prometheus-operator`, the Gateway API, cert-manager and
 * Envoy Gateway ones from the CRDs of their modules pinned in tools/cluster/modules/crds/go.mod.
 *
 *   npx nx run kubernetes-schema:derive
 *   npx tsx tools/kubernetes/scripts/derive-crd-schemas.ts [--check]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { upstreamCrds } from '@meetscale/cluster';

import { deriveCrdSchemasText, GENERATED_CRD_SCHEMAS } from './crd-derivation';
import { WORKSPACE_ROOT } from './definitions-derivation';
import { deriveUpstreamSchemasText, generatedSchemasFile, UPSTREAM_SCHEMA_SETS } from './upstream-crd-derivation';

const crds = upstreamCrds();
const derivations: ReadonlyArray<readonly [string, () => string]> = [
  [GENERATED_CRD_SCHEMAS, deriveCrdSchemasText],
  ...Object.values(UPSTREAM_SCHEMA_SETS).map((set) => [generatedSchemasFile(set), () => deriveUpstreamSchemasText(set, crds)] as const),
];
for (const [file, derive] of derivations) {
  const text = derive();
  const relative = path.relative(WORKSPACE_ROOT, file);
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (current !== text) {
      console.error(`${relative} is out of date; run npx nx run kubernetes-schema:derive`);
      process.exitCode = 1;
    }
  } else {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    console.log(`wrote ${relative} (${Buffer.byteLength(text)} bytes)`);
  }
}
