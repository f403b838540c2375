import { KUBERNETES } from '@meetscale/platform-versions';

import { controlPlaneTools, kubernetesVersion, pinnedModuleVersion, upstreamCrds } from '../src';

describe('the pinned control plane', () => {
  it('runs the Kubernetes release the state stacks provision', () => {
    // THEN the go.mod pin and the shared record agree
    expect(kubernetesVersion()).toBe(KUBERNETES.release);
    expect(KUBERNETES.release.startsWith(`${KUBERNETES.minor}.`)).toBe(true);
  });

  it('stamps the Kubernetes components with that release, which a module build would not', () => {
    const tools = controlPlaneTools();
    for (const role of ['apiserver', 'controllerManager', 'scheduler'] as const) {
      expect(tools[role].linkerSettings).toContain(`k8s.io/component-base/version.gitVersion=v${KUBERNETES.release}`);
    }
    expect(tools.etcd.linkerSettings).toBeUndefined();
  });

  it('names a missing module in the error', () => {
    expect(() => pinnedModuleVersion('example.com/not-required')).toThrow(
      'tools/cluster/modules/control-plane/go.mod does not require example.com/not-required',
    );
  });
});

describe('upstreamCrds', () => {
  const crds = upstreamCrds();
  const names = crds.map((entry) => entry.crd.metadata.name);

  it('reads the CRDs the charts use from the pinned upstream modules', () => {
    expect(names).toEqual(
      expect.arrayContaining([
        'servicemonitors.monitoring.coreos.com',
        'podmonitors.monitoring.coreos.com',
        'prometheusrules.monitoring.coreos.com',
        'certificates.cert-manager.io',
        'clusterissuers.cert-manager.io',
        'httproutes.gateway.networking.k8s.io',
        'gateways.gateway.networking.k8s.io',
      ]),
    );
    expect(new Set(names).size).toBe(names.length);
    const servicemonitors = crds.find((entry) => entry.crd.metadata.name === 'servicemonitors.monitoring.coreos.com');
    expect(servicemonitors?.source).toBe(
      `github.com/prometheus-operator/prometheus-operator@${pinnedModuleVersion('github.com/prometheus-operator/prometheus-operator', 'tools/cluster/modules/crds')}`,
    );
  });

  it("drops the Helm template expressions in cert-manager's labels, and nothing else", () => {
    const certificates = crds.find((entry) => entry.crd.metadata.name === 'certificates.cert-manager.io');
    expect(JSON.stringify(certificates?.crd.metadata)).not.toContain('{{');
    expect(JSON.stringify(certificates?.crd.spec)).toContain('"kind":"Certificate"');
  });
});
