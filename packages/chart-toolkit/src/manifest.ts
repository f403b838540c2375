import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import type { ObjectMeta } from 'kubernetes-types/meta/v1';

import type { HelmValue } from './helm-value';

type Scalar = string | number | boolean;

/**
 * A Kubernetes object type (from `kubernetes-types`, in the API's own field names) whose fields may also be
 * values known only at install time: a scalar field takes a value of its type (`replicas: v.replicaCount`), a
 * map or list field takes any map or list value (`nodeSelector: omitIfEmpty(v.nodeSelector)`), written in the
 * template as block YAML. Required fields stay required.
 */
export type Templated<T> = [NonNullable<T>] extends [Scalar]
  ? T | HelmValue<T>
  : T extends readonly (infer E)[]
    ? ReadonlyArray<Templated<E>> | HelmValue<unknown>
    : T extends object
      ? { readonly [K in keyof T]: Templated<T[K]> } | HelmValue<unknown>
      : T;

/** What every object needs: its type, its name and labels (`chart.standardLabels(...)`). */
export interface ManifestBase {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: Templated<ObjectMeta>;
}

/**
 * One Kubernetes object of a chart, built in one place with its values set where the fields are: the
 * template writer receives it as given. Type it with the object's `kubernetes-types` interface:
 *
 * ```ts
 * new Manifest<Service>(this, 'service', {
 *   apiVersion: 'v1', kind: 'Service',
 *   metadata: { name, labels },
 *   spec: { type: v.service.type, selector, ports: [{ name: 'http', port: v.service.port, targetPort: 'http' }] },
 * });
 * ```
 */
export class Manifest<T extends object = Record<string, unknown>> extends ApiObject {
  readonly #manifest: ManifestBase;

  public constructor(scope: Construct, id: string, manifest: Templated<T> & ManifestBase) {
    // The name cdk8s would give is never used: the template writer reads the manifest as given.
    super(scope, id, { apiVersion: manifest.apiVersion, kind: manifest.kind });
    this.#manifest = manifest;
  }

  /** The manifest as given, values in place (cdk8s' resolution would take them apart). */
  public override toJson(): Record<string, unknown> {
    return { ...(this.#manifest as unknown as Record<string, unknown>) };
  }
}
