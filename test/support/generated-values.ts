import { type Manifest, objectId } from './charts';

/** A Secret entry whose value is generated anew by every `helm template` (lookup finds nothing there). */
export interface GeneratedField {
  /** `Secret/<name>` */
  readonly object: string;
  /** The key under `data`. */
  readonly key: string;
}

const MASK = '<generated>';

function secretData(manifests: readonly Manifest[]): Map<string, Record<string, unknown>> {
  return new Map(
    manifests
      .filter((manifest) => manifest.kind === 'Secret')
      .map((manifest) => [objectId(manifest), (manifest.data ?? {}) as Record<string, unknown>] as const),
  );
}

/**
 * The Secret entries that differ between two renders of the same values: credentials a chart generates on
 * first install (and keeps with `lookup`, which `helm template` cannot do).
 */
export function generatedFields(first: readonly Manifest[], second: readonly Manifest[]): GeneratedField[] {
  const later = secretData(second);
  return [...secretData(first)].flatMap(([object, data]) =>
    Object.keys(data)
      .filter((key) => later.get(object)?.[key] !== data[key])
      .map((key) => ({ object, key })),
  );
}

/** The objects with every generated Secret entry replaced by a marker, so renders can be compared. */
export function maskGenerated(manifests: readonly Manifest[], fields: readonly GeneratedField[]): Manifest[] {
  return manifests.map((manifest) => {
    const keys = fields.filter((field) => field.object === objectId(manifest)).map((field) => field.key);
    if (keys.length === 0) return manifest;
    const data = { ...(manifest.data as Record<string, unknown>) };
    for (const key of keys) if (key in data) data[key] = MASK;
    return { ...manifest, data };
  });
}
