import { createRequire } from 'node:module';

import type { ErrorObject } from 'ajv';

import { locateAjvErrors, type LocatedMessage } from './_ajv-errors';

/** A `kubernetes-models` class: constructible from plain data, with a `validate()` that throws. */
interface ModelClass {
  new (data: unknown): { validate(): void };
  readonly apiVersion?: unknown;
  readonly kind?: unknown;
}

/** `v1`, `apps/v1`, `networking.k8s.io/v1beta1`: the only shapes turned into module paths. */
const API_VERSION = /^(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?\/)?v\d+(?:(?:alpha|beta)\d+)?$/;

/** Loads a model module chosen at run time from an apiVersion. */
const _load = createRequire(__filename);

const _modules = new Map<string, Record<string, unknown> | undefined>();

/** The model module of an apiVersion, e.g. `kubernetes-models/apps/v1`, or undefined when none is installed. */
function _module(apiVersion: string): Record<string, unknown> | undefined {
  if (!API_VERSION.test(apiVersion)) return undefined;
  if (!_modules.has(apiVersion)) {
    let loaded: Record<string, unknown> | undefined;
    try {
      loaded = _load(`kubernetes-models/${apiVersion}`) as Record<string, unknown>;
    } catch {
      loaded = undefined;
    }
    _modules.set(apiVersion, loaded);
  }
  return _modules.get(apiVersion);
}

/** The model class of an apiVersion/kind pair, or undefined when `kubernetes-models` has none. */
function _modelClass(apiVersion: string, kind: string): ModelClass | undefined {
  const candidate = _module(apiVersion)?.[kind] as ModelClass | undefined;
  return typeof candidate === 'function' && candidate.apiVersion === apiVersion && candidate.kind === kind ? candidate : undefined;
}

/**
 * Checks an object with the `kubernetes-models` validator of its kind: types, required fields, enums and
 * formats, but not unknown fields. Only built-in kinds have one: custom resources are judged by the schemas
 * derived from their CRDs at the installed versions alone, not by third-party model packages, which lag those
 * versions and refuse what the installed operators accept.
 * @returns the problems found, or undefined when `kubernetes-models` has no class for the kind
 */
export function validateWithModels(object: unknown, apiVersion: string, kind: string): LocatedMessage[] | undefined {
  const Model = _modelClass(apiVersion, kind);
  if (Model === undefined) return undefined;
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    const errors = (error as { errors?: unknown }).errors;
    if (Array.isArray(errors)) return locateAjvErrors(errors as ErrorObject[]);
    return [{ path: '/', message: error instanceof Error ? error.message : String(error) }];
  }
}
