/**
 * Derives the committed JSON Schemas of the Gateway API custom resources from the CRDs of the pinned
 * `sigs.k8s.io/gateway-api` module (tools/cluster/modules/crds/go.mod), which the test control plane installs.
 *
 *   npx nx run kubernetes-schema:derive
 *   npx tsx tools/kubernetes/scripts/derive-gateway-api-schemas.ts [--check]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { WORKSPACE_ROOT } from './definitions-derivation';
import { deriveGatewayApiSchemasText, GENERATED_GATEWAY_API_SCHEMAS } from './gateway-api-derivation';

const text = deriveGatewayApiSchemasText();
const relative = path.relative(WORKSPACE_ROOT, GENERATED_GATEWAY_API_SCHEMAS);
if (process.argv.includes('--check')) {
  const current = fs.existsSync(GENERATED_GATEWAY_API_SCHEMAS) ? fs.readFileSync(GENERATED_GATEWAY_API_SCHEMAS, 'utf8') : '';
  if (current !== text) {
    console.error(`${relative} is out of date; run npx nx run kubernetes-schema:derive`);
    process.exitCode = 1;
  }
} else {
  fs.mkdirSync(path.dirname(GENERATED_GATEWAY_API_SCHEMAS), { recursive: true });
  fs.writeFileSync(GENERATED_GATEWAY_API_SCHEMAS, text);
  console.log(`wrote ${relative} (${Buffer.byteLength(text)} bytes)`);
}
