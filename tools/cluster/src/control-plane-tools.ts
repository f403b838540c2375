import * as fs from 'node:fs';

import { type EnsureGoToolOptions, ensureGoTools, type GoTool, goToolPath, requiredModuleVersion } from '@meetscale/go-tools';

/** The module that pins the control plane's programs (its go.mod names every version). */
export const CONTROL_PLANE_MODULE = 'tools/cluster/modules/control-plane';

/** The role of one program of the control plane. */
export type ControlPlaneRole = 'etcd' | 'apiserver' | 'controllerManager' | 'scheduler' | 'kwok';

/**
 * The linker settings that make a Kubernetes component report its release (`/version`, which Helm checks a
 * chart's `kubeVersion` against): the release build stamps them, a module build does not.
 */
function _kubernetesVersionStamp(): string[] {
  const version = `v${kubernetesVersion()}`;
  const [major, minor] = version.slice(1).split('.');
  return ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].flatMap((pkg) => [
    `${pkg}.gitVersion=${version}`,
    `${pkg}.gitMajor=${major}`,
    `${pkg}.gitMinor=${minor}`,
    `${pkg}.gitTreeState=clean`,
  ]);
}

/** The programs of the control plane, by role, as built from {@link CONTROL_PLANE_MODULE}. */
export function controlPlaneTools(): Record<ControlPlaneRole, GoTool> {
  const kubernetes = (name: string): GoTool => ({
    name,
    moduleDir: CONTROL_PLANE_MODULE,
    packagePath: `k8s.io/kubernetes/cmd/${name}`,
    linkerSettings: _kubernetesVersionStamp(),
  });
  return {
    etcd: { name: 'etcd', moduleDir: CONTROL_PLANE_MODULE, packagePath: 'go.etcd.io/etcd/server/v3' },
    apiserver: kubernetes('kube-apiserver'),
    controllerManager: kubernetes('kube-controller-manager'),
    scheduler: kubernetes('kube-scheduler'),
    kwok: { name: 'kwok', moduleDir: CONTROL_PLANE_MODULE, packagePath: 'sigs.k8s.io/kwok/cmd/kwok' },
  };
}

/** The absolute path of each program, by role. */
export type ControlPlaneBinaries = Readonly<Record<ControlPlaneRole, string>>;

/** The version the control plane's go.mod (or the go.mod in `moduleDir`) requires of a module, e.g. `v1.33.3`. */
export function pinnedModuleVersion(modulePath: string, moduleDir: string = CONTROL_PLANE_MODULE): string {
  return requiredModuleVersion(modulePath, moduleDir);
}

/** The Kubernetes version the control plane runs, without the `v` (e.g. `1.33.3`), read from its go.mod. */
export function kubernetesVersion(): string {
  return pinnedModuleVersion('k8s.io/kubernetes').slice(1);
}

/** Builds every control-plane program that is not cached yet and returns their paths. */
export function ensureControlPlaneBinaries(options: EnsureGoToolOptions = {}): ControlPlaneBinaries {
  const tools = controlPlaneTools();
  const roles = Object.keys(tools) as ControlPlaneRole[];
  const paths = ensureGoTools(
    roles.map((role) => tools[role]),
    options,
  );
  return Object.fromEntries(roles.map((role, index) => [role, paths[index]])) as Record<ControlPlaneRole, string>;
}

/** The roles whose program is not built yet. */
export function missingControlPlaneBinaries(): ControlPlaneRole[] {
  const tools = controlPlaneTools();
  return (Object.keys(tools) as ControlPlaneRole[]).filter((role) => !fs.existsSync(goToolPath(tools[role])));
}
