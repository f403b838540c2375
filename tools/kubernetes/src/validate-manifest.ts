import type { LocatedMessage } from './_ajv-errors';
import { validateAgainstDefinitions } from './_definitions-validator';
import { validateWithModels } from './_models-validator';
import type { ManifestCheck, ManifestIssue } from './manifest-issue';

/** Whether a value is a plain JSON object. */
function _isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `kind/name` of a manifest, with placeholders for what is missing. */
function _objectName(manifest: Record<string, unknown>): string {
  const kind = typeof manifest.kind === 'string' ? manifest.kind : '<no kind>';
  const metadata = manifest.metadata;
  const name = _isObject(metadata) && typeof metadata.name === 'string' ? metadata.name : '<no name>';
  return `${kind}/${name}`;
}

/**
 * Validates one rendered Kubernetes object, without a cluster, with two checks whose findings are all
 * reported:
 * 1. `definitions`: ajv against the Kubernetes 1.33 definition of its `apiVersion`/`kind` (or the derived
 *    schema of a supported prometheus-operator, Gateway API, cert-manager, Envoy Gateway or ECK Elasticsearch /
 *    Kibana resource), with every
 *    object that lists properties closed, so an unknown field at any depth is an issue;
 * 2. `kubernetes-models`: the model package's validator of the same kind (types, required fields, enums,
 *    formats), when the package has that kind, i.e. for built-in kinds only; custom resources are judged by
 *    their CRD schemas alone.
 * An object whose `apiVersion`/`kind` has no schema yields a single `no schema for ...` issue.
 * @returns the issues found; empty when the object is valid
 */
export function validateManifest(manifest: unknown): ManifestIssue[] {
  if (!_isObject(manifest)) {
    return [{ object: '<not an object>', path: '/', message: 'a manifest must be an object', check: 'definitions' }];
  }
  const object = _objectName(manifest);
  const { apiVersion, kind } = manifest;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    return [{ object, path: '/', message: 'apiVersion and kind must be strings', check: 'definitions' }];
  }
  const definitions = validateAgainstDefinitions(manifest, apiVersion, kind);
  if (definitions === undefined) {
    return [{ object, path: '/', message: `no schema for apiVersion "${apiVersion}", kind "${kind}"`, check: 'definitions' }];
  }
  const tag =
    (check: ManifestCheck) =>
    ({ path, message }: LocatedMessage): ManifestIssue => ({ object, path, message, check });
  const models = validateWithModels(manifest, apiVersion, kind) ?? [];
  return [...definitions.map(tag('definitions')), ...models.map(tag('kubernetes-models'))];
}

/** {@link validateManifest} over several objects, e.g. every document of a rendered chart. */
export function validateManifests(manifests: readonly unknown[]): ManifestIssue[] {
  return manifests.flatMap((manifest) => validateManifest(manifest));
}
