/**
 * Helm and object paths on a running control plane.
 */
import type { ControlPlane, KubeClient } from '@meetscale/cluster';
import { type HelmMajor, type HelmRunResult, runHelm } from '@meetscale/helm-binaries';

import { type Manifest, valuesFileArgs } from './charts';

/** Options of {@link helmOn}. */
export interface HelmOnOptions {
  /** Values passed as one `-f` file after the given args. */
  readonly values?: unknown;
  /**
   * Time after which Helm is killed.
   * @default 300000
   */
  readonly timeoutMs?: number;
}

/** Runs real Helm against the control plane's API server. */
export function helmOn(plane: ControlPlane, major: HelmMajor, args: readonly string[], options: HelmOnOptions = {}): HelmRunResult {
  const values = valuesFileArgs(options.values);
  try {
    return runHelm(major, [...args, ...values.args, '--kubeconfig', plane.kubeconfig], { timeoutMs: options.timeoutMs ?? 300_000 });
  } finally {
    values.remove();
  }
}

/** Helm's output when it failed, for assertion messages. */
export function helmOutcome(result: HelmRunResult): { status: number; output: string } {
  return { status: result.status, output: result.status === 0 ? '' : `${result.stdout}${result.stderr}`.trim() };
}

const discovery = new WeakMap<KubeClient, Map<string, Promise<Array<{ name: string; kind: string; namespaced: boolean }>>>>();

/** The resources an API group version serves, asked once per client (discovery answers change only with CRDs). */
function discovered(client: KubeClient, base: string): Promise<Array<{ name: string; kind: string; namespaced: boolean }>> {
  let known = discovery.get(client);
  if (known === undefined) discovery.set(client, (known = new Map()));
  let resources = known.get(base);
  if (resources === undefined) {
    // a group version not served yet (a CRD still being established) is asked again next time
    resources = client.get(base).then(
      (answer) => answer.resources,
      (error: unknown) => {
        known?.delete(base);
        throw error;
      },
    );
    known.set(base, resources);
  }
  return resources;
}

/** The path of an object, found by discovery (the plural of its kind, namespaced or not; discovery answers are kept). */
export async function objectPath(client: KubeClient, manifest: Manifest, defaultNamespace: string): Promise<string> {
  const base = manifest.apiVersion.includes('/') ? `/apis/${manifest.apiVersion}` : `/api/${manifest.apiVersion}`;
  const resources = await discovered(client, base);
  const resource = resources.find((entry) => entry.kind === manifest.kind && !entry.name.includes('/'));
  if (resource === undefined) throw new Error(`the API server serves no ${manifest.kind} in ${manifest.apiVersion}`);
  const namespace = resource.namespaced ? `/namespaces/${manifest.metadata.namespace ?? defaultNamespace}` : '';
  return `${base}${namespace}/${resource.name}/${manifest.metadata.name}`;
}
