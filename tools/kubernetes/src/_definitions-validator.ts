import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

import { locateAjvErrors, type LocatedMessage } from './_ajv-errors';
import { definitionNameFor, loadDefinitions } from './_schema-documents';
import { strictSchema } from './_strict-schema';

/** The `$id` under which the strict definitions are registered with ajv. */
const DOCUMENT_ID = 'kubernetes-1.33';

let _ajv: Ajv | undefined;
const _validators = new Map<string, ValidateFunction>();

/** The ajv instance holding the strict definitions (built once, on first use). */
function _instance(): Ajv {
  if (_ajv === undefined) {
    const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, inlineRefs: false });
    addFormats(ajv);
    ajv.addSchema(strictSchema({ $id: DOCUMENT_ID, definitions: loadDefinitions() }) as object);
    _ajv = ajv;
  }
  return _ajv;
}

/**
 * Checks an object against the strict definition of its `apiVersion`/`kind` (compiled once per kind, on
 * first use).
 * @returns the problems found, or undefined when no definition declares the kind
 */
export function validateAgainstDefinitions(object: unknown, apiVersion: string, kind: string): LocatedMessage[] | undefined {
  const name = definitionNameFor(apiVersion, kind);
  if (name === undefined) return undefined;
  let validate = _validators.get(name);
  if (validate === undefined) {
    validate = _instance().compile({ $ref: `${DOCUMENT_ID}#/definitions/${name}` });
    _validators.set(name, validate);
  }
  return validate(object) ? [] : locateAjvErrors(validate.errors ?? []);
}
