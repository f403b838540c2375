import * as fs from 'node:fs';
import * as path from 'node:path';

/** The definitions of the generated schema documents, merged, as committed (not yet made strict). */
export type Definitions = Readonly<Record<string, unknown>>;

/** The generated documents, read in this order; later ones may refer to earlier ones' definitions. */
const DOCUMENTS = [
  'v1.33.0-definitions.json',
  'prometheus-operator-schemas.json',
  'gateway-api-schemas.json',
  'cert-manager-schemas.json',
  'envoy-gateway-schemas.json',
  'eck-schemas.json',
] as const;

/** The folder of the committed, generated schema documents. */
const GENERATED_DIR = path.join(__dirname, '..', 'generated');

let _definitions: Definitions | undefined;
let _byKind: ReadonlyMap<string, string> | undefined;

/** The key of an apiVersion/kind pair in the kind index. */
function _kindKey(apiVersion: string, kind: string): string {
  return `${apiVersion} ${kind}`;
}

/** Every definition of the generated documents (read once, on first use). */
export function loadDefinitions(): Definitions {
  if (_definitions === undefined) {
    const merged: Record<string, unknown> = {};
    for (const document of DOCUMENTS) {
      const text = fs.readFileSync(path.join(GENERATED_DIR, document), 'utf8');
      Object.assign(merged, (JSON.parse(text) as { definitions: Record<string, unknown> }).definitions);
    }
    _definitions = merged;
  }
  return _definitions;
}

/**
 * The name of the definition of an `apiVersion`/`kind` pair, found through each definition's
 * `x-kubernetes-group-version-kind`, or undefined when no definition declares it.
 */
export function definitionNameFor(apiVersion: string, kind: string): string | undefined {
  if (_byKind === undefined) {
    const index = new Map<string, string>();
    for (const [name, definition] of Object.entries(loadDefinitions())) {
      const gvks = (definition as { 'x-kubernetes-group-version-kind'?: unknown })['x-kubernetes-group-version-kind'];
      if (!Array.isArray(gvks)) continue;
      for (const gvk of gvks as { group?: string; version: string; kind: string }[]) {
        const group = gvk.group ?? '';
        index.set(_kindKey(group === '' ? gvk.version : `${group}/${gvk.version}`, gvk.kind), name);
      }
    }
    _byKind = index;
  }
  return _byKind.get(_kindKey(apiVersion, kind));
}
