/**
 * Derives the committed schemas of the supported custom resources (Prometheus Operator, Gateway API,
 * cert-manager, Envoy Gateway, ECK's Elasticsearch and Kibana) from the CRDs of their modules pinned in tools/cluster/modules/crds/go.mod. With
 * `--check` nothing is written; the exit status is 1 when a committed file differs from the derivation.
 *
 *   npx nx run kubernetes-schema:derive
 *   npx tsx tools/kubernetes/scripts/derive-crd-schemas.ts [--check]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { upstreamCrds } from '@meetscale/cluster';

import { WORKSPACE_ROOT } from './definitions-derivation';
import { deriveUpstreamSchemasText, generatedSchemasFile, UPSTREAM_SCHEMA_SETS } from './upstream-crd-derivation';

const crds = upstreamCrds();
for (const set of Object.values(UPSTREAM_SCHEMA_SETS)) {
  const file = generatedSchemasFile(set);
  const text = deriveUpstreamSchemasText(set, crds);
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
