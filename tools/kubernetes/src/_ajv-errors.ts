import type { ErrorObject } from 'ajv';

/** A located message, before it is tied to an object and a check. */
export interface LocatedMessage {
  /** JSON pointer. */
  readonly path: string;
  /** What is wrong. */
  readonly message: string;
}

/** Escapes one JSON pointer segment. */
function _segment(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** One ajv error as a located message; unknown and missing fields point at the field itself. */
function _locate(error: ErrorObject): LocatedMessage {
  const at = error.instancePath;
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
    return { path: `${at}/${_segment(params.additionalProperty)}`, message: `unknown field "${params.additionalProperty}"` };
  }
  if (error.keyword === 'required' && typeof params.missingProperty === 'string') {
    return { path: `${at}/${_segment(params.missingProperty)}`, message: `missing required field "${params.missingProperty}"` };
  }
  if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    return {
      path: at === '' ? '/' : at,
      message: `must be one of ${params.allowedValues.map((value) => JSON.stringify(value)).join(', ')}`,
    };
  }
  if (error.keyword === 'type') {
    return { path: at === '' ? '/' : at, message: `must be ${String(params.type).split(',').join(' or ')}` };
  }
  return { path: at === '' ? '/' : at, message: error.message ?? `fails ${error.keyword}` };
}

/**
 * Turns ajv errors into located messages, one per problem: the branch `type` errors of a failed `oneOf`
 * (e.g. an int-or-string that is neither) are folded into one `must be string or integer`, and duplicates
 * are dropped.
 */
export function locateAjvErrors(errors: readonly ErrorObject[]): LocatedMessage[] {
  const oneOfPaths = new Set(errors.filter((error) => error.keyword === 'oneOf').map((error) => error.instancePath));
  const branchTypes = new Map<string, string[]>();
  for (const error of errors) {
    if (error.keyword === 'type' && oneOfPaths.has(error.instancePath)) {
      const types = branchTypes.get(error.instancePath) ?? [];
      types.push(String((error.params as { type: unknown }).type));
      branchTypes.set(error.instancePath, types);
    }
  }
  const seen = new Set<string>();
  const result: LocatedMessage[] = [];
  for (const error of errors) {
    if (error.keyword === 'type' && oneOfPaths.has(error.instancePath)) continue;
    const types = error.keyword === 'oneOf' ? branchTypes.get(error.instancePath) : undefined;
    const located =
      types !== undefined && types.length > 0
        ? { path: error.instancePath === '' ? '/' : error.instancePath, message: `must be ${types.join(' or ')}` }
        : _locate(error);
    const key = `${located.path}\u0000${located.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      result.push(located);
    }
  }
  return result;
}
