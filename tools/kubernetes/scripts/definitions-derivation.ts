import * as path from 'node:path';

import { type Json, serializeDefinitions, stripDescriptions } from './strip-descriptions';

/** The workspace root, from this file's location. */
export const WORKSPACE_ROOT: string = path.resolve(__dirname, '..', '..', '..');

/** The committed, generated definitions file. */
export const GENERATED_DEFINITIONS: string = path.join(__dirname, '..', 'generated', 'v1.33.0-definitions.json');

/** The header of the generated file. */
export const DEFINITIONS_COMMENT =
  'GENERATED FILE, DO NOT EDIT. Kubernetes 1.33 API definitions without descriptions, derived from ' +
  '../shared/kubernetes/v1.33.0-definitions.json (cdk8s-team/cdk8s kubernetes-schemas/v1.33.0/_definitions.json, ' +
  'Apache-2.0) by `npx nx run kubernetes-schema:derive` (tools/kubernetes/scripts/derive-definitions.ts).';

/**
 * The text of the generated definitions file for the text of the source definitions file.
 * @throws if the source has no `definitions` object
 */
export function deriveDefinitionsText(sourceText: string): string {
  const source = JSON.parse(sourceText) as { definitions?: { [name: string]: Json } };
  if (source.definitions === undefined || typeof source.definitions !== 'object') {
    throw new Error('The source holds no "definitions" object');
  }
  const definitions: { [name: string]: Json } = {};
  for (const [name, definition] of Object.entries(source.definitions)) {
    definitions[name] = stripDescriptions(definition);
  }
  return serializeDefinitions(DEFINITIONS_COMMENT, definitions);
}
