import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ADDON_CHARTS } from '../src/addon-releases';

/**
 * The test control plane serves the CRDs of the upstream Go modules pinned in `tools/cluster/modules/crds/go.mod`, and
 * the charts are tested against them: those pins must be the releases the stacks install, or a chart passes against
 * CRDs a state does not have.
 */

const CRDS_GO_MOD = join(__dirname, '..', '..', '..', 'tools', 'cluster', 'modules', 'crds', 'go.mod');

/** The add-ons whose CRDs the control plane installs, by the Go module that carries them. */
const MODULE_OF: Readonly<Partial<Record<keyof typeof ADDON_CHARTS, string>>> = {
  certManager: 'github.com/cert-manager/cert-manager',
  envoyGateway: 'github.com/envoyproxy/gateway',
  eckOperator: 'github.com/elastic/cloud-on-k8s/v3',
};

/** The version a go.mod requires of a module, or undefined. */
function required(goMod: string, module: string): string | undefined {
  const escaped = module.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, 'm').exec(goMod)?.[1];
}

/** Every add-on whose chart version differs from the module version the go.mod pins (a `v` prefix aside). */
function mismatches(goMod: string): string[] {
  return Object.entries(MODULE_OF).flatMap(([addon, module]) => {
    const chart = ADDON_CHARTS[addon as keyof typeof ADDON_CHARTS];
    const pinned = required(goMod, module);
    const expected = chart.version.startsWith('v') ? chart.version : `v${chart.version}`;
    return pinned === expected ? [] : [`${chart.chart} ${chart.version}: ${module} is pinned at ${pinned ?? 'nothing'}`];
  });
}

describe('the add-on pins', () => {
  test('are the releases whose CRDs the test control plane installs (cert-manager, Envoy Gateway, ECK)', () => {
    // GIVEN the control plane's CRD pins / WHEN they are compared with the add-ons / THEN
    expect(Object.keys(MODULE_OF)).toEqual(['certManager', 'envoyGateway', 'eckOperator']);
    expect(mismatches(readFileSync(CRDS_GO_MOD, 'utf8'))).toEqual([]);
  });

  test('a pin that differs, or is missing, is named (the check can fail)', () => {
    // GIVEN a go.mod with ECK one release behind and no Envoy Gateway
    const goMod = 'require (\n\tgithub.com/cert-manager/cert-manager v1.21.2\n\tgithub.com/elastic/cloud-on-k8s/v3 v3.4.0\n)\n';

    // WHEN / THEN
    expect(mismatches(goMod)).toEqual([
      'gateway-helm v1.9.1: github.com/envoyproxy/gateway is pinned at nothing',
      'eck-operator 3.5.0: github.com/elastic/cloud-on-k8s/v3 is pinned at v3.4.0',
    ]);
  });
});
