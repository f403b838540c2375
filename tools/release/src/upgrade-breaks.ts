/**
 * "Upgrades lose nothing" (chart contract): what `helm upgrade` from one render of a chart to another would break.
 * Shared by the version discipline and the contract tests.
 */

/** A Kubernetes object as `helm template` renders it. */
export type Manifest = Record<string, unknown> & {
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
};

/** `kind/name` of an object. */
export function objectId(manifest: Manifest): string {
  return `${manifest.kind}/${manifest.metadata.name}`;
}

/** Fields Kubernetes refuses to change on an existing object, by kind. */
export const IMMUTABLE: Readonly<Record<string, ReadonlyArray<readonly string[]>>> = {
  StatefulSet: [
    ['spec', 'selector'],
    ['spec', 'serviceName'],
    ['spec', 'volumeClaimTemplates'],
    ['spec', 'podManagementPolicy'],
  ],
  Deployment: [['spec', 'selector']],
  DaemonSet: [['spec', 'selector']],
  Job: [['spec', 'template']],
  PersistentVolumeClaim: [
    ['spec', 'storageClassName'],
    ['spec', 'accessModes'],
  ],
  Service: [['spec', 'clusterIP']],
};

function at(manifest: Manifest, path: readonly string[]): unknown {
  return path.reduce<unknown>(
    (node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined),
    manifest,
  );
}

/** An annotation of an object. */
function annotation(manifest: Manifest, key: string): string | undefined {
  return (manifest.metadata as { annotations?: Record<string, string> }).annotations?.[key];
}

/**
 * Whether Helm replaces the object rather than updates it: a hook deleted before its next run
 * (`helm.sh/hook-delete-policy: before-hook-creation`), created anew by each install or upgrade.
 */
function replacedHook(manifest: Manifest): boolean {
  return (
    annotation(manifest, 'helm.sh/hook') !== undefined &&
    (annotation(manifest, 'helm.sh/hook-delete-policy') ?? '').includes('before-hook-creation')
  );
}

/**
 * What an upgrade from `before` to `after` would break: an immutable field changed on an object both renders
 * hold (but for hooks Helm deletes and creates anew), or a PersistentVolumeClaim that disappears and that Helm
 * would delete (one marked `helm.sh/resource-policy: keep` stays, with its data; a StatefulSet's volume claim
 * templates are immutable fields).
 */
export function upgradeBreaks(before: readonly Manifest[], after: readonly Manifest[]): string[] {
  const breaks: string[] = [];
  for (const old of before) {
    if (replacedHook(old)) continue;
    const current = after.find((manifest) => objectId(manifest) === objectId(old));
    if (current === undefined) {
      if (old.kind === 'PersistentVolumeClaim' && annotation(old, 'helm.sh/resource-policy') !== 'keep') {
        breaks.push(`${objectId(old)} would be deleted`);
      }
      continue;
    }
    for (const path of IMMUTABLE[old.kind] ?? []) {
      if (JSON.stringify(at(old, path)) !== JSON.stringify(at(current, path))) {
        breaks.push(`${objectId(old)} changes immutable ${path.join('.')}`);
      }
    }
  }
  return breaks;
}
