import * as fs from 'node:fs';

import { deriveCrdSchemasText, GENERATED_CRD_SCHEMAS } from '../scripts/crd-derivation';
import { interfaceToSchema } from '../scripts/typings-to-schema';

describe('the generated prometheus-operator schemas', () => {
  test('equal what the derivation script produces from the installed typings', () => {
    // GIVEN the installed @kubernetes-models/prometheus-operator
    // WHEN the schemas are derived again
    // THEN the committed file is byte for byte the same
    expect(fs.readFileSync(GENERATED_CRD_SCHEMAS, 'utf8') === deriveCrdSchemasText()).toBe(true);
  });
});

describe('interfaceToSchema', () => {
  test('closes object literals, opens index signatures, and maps unions, arrays and references', () => {
    // GIVEN typings in the shape crd-generate writes
    const typings = `
      export interface IThing {
        "kind": "Thing";
        "metadata"?: IObjectMeta;
        "spec": {
          "labels"?: { [key: string]: string };
          "port"?: number | string;
          "mode"?: "a" | "b";
          "items"?: Array<{ "name": string }>;
          "free"?: {};
        };
      }`;

    // WHEN the interface is converted
    const schema = interfaceToSchema('thing.d.ts', typings, 'IThing', { IObjectMeta: '#/definitions/Meta' });

    // THEN
    expect(schema).toEqual({
      type: 'object',
      additionalProperties: false,
      properties: {
        kind: { enum: ['Thing'] },
        metadata: { $ref: '#/definitions/Meta' },
        spec: {
          type: 'object',
          additionalProperties: false,
          properties: {
            labels: { type: 'object', additionalProperties: { type: 'string' } },
            port: { type: ['number', 'string'] },
            mode: { enum: ['a', 'b'] },
            items: {
              type: 'array',
              items: { type: 'object', additionalProperties: false, properties: { name: { type: 'string' } }, required: ['name'] },
            },
            free: { type: 'object' },
          },
        },
      },
      required: ['kind', 'spec'],
    });
  });

  test('refuses a construct it does not know', () => {
    // GIVEN a type reference it has no mapping for
    const typings = 'export interface IThing { "when": Date; }';

    // WHEN / THEN
    expect(() => interfaceToSchema('thing.d.ts', typings, 'IThing', {})).toThrow('Unsupported type at thing.d.ts:1 (TypeReference)');
  });
});
