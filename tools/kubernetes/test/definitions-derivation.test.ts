import * as fs from 'node:fs';
import * as path from 'node:path';

import { DEFINITIONS_COMMENT, deriveDefinitionsText, GENERATED_DEFINITIONS, WORKSPACE_ROOT } from '../scripts/definitions-derivation';

/** The source beside the workspace (`../shared`); absent in a fresh clone, where the comparison is skipped. */
const SOURCE = path.join(WORKSPACE_ROOT, '..', 'shared', 'kubernetes', 'v1.33.0-definitions.json');
const testWithSource = fs.existsSync(SOURCE) ? test : test.skip;

describe('the generated Kubernetes definitions', () => {
  testWithSource('equal what the derivation script produces from ../shared', () => {
    // GIVEN the source definitions beside the workspace
    // WHEN they are derived again
    const derived = deriveDefinitionsText(fs.readFileSync(SOURCE, 'utf8'));

    // THEN the committed file is byte for byte the same
    expect(fs.readFileSync(GENERATED_DEFINITIONS, 'utf8') === derived).toBe(true);
  });

  test('carry the generated-file header, no descriptions, and about 285 KB of facts', () => {
    // GIVEN the committed file
    const text = fs.readFileSync(GENERATED_DEFINITIONS, 'utf8');
    const document = JSON.parse(text) as { $comment: string; definitions: Record<string, { properties?: object }> };

    // WHEN / THEN
    expect(Object.keys(document)).toEqual(['$comment', 'definitions']);
    expect(document.$comment).toBe(DEFINITIONS_COMMENT);
    expect(Object.keys(document.definitions)).toHaveLength(707);
    expect(Buffer.byteLength(text)).toBeGreaterThan(270_000);
    expect(Buffer.byteLength(text)).toBeLessThan(300_000);
    // The only "description" keys left are fields named so, e.g. PriorityClass.description.
    expect(text.match(/"description":/g)).toHaveLength(4);
    expect(document.definitions['io.k8s.api.scheduling.v1.PriorityClass']?.properties).toHaveProperty('description');
  });
});

describe('deriveDefinitionsText', () => {
  test('drops description annotations at any depth, keeps fields named description, sorts keys', () => {
    // GIVEN a source whose schemas document themselves and one of which has a field named description
    const source = JSON.stringify({
      definitions: {
        'b.Thing': {
          type: 'object',
          description: 'A thing.',
          properties: {
            description: { type: 'string', description: 'Free text.' },
            size: { description: 'How big.', type: 'integer', format: 'int32' },
          },
        },
        'a.Other': { description: 'Other.', type: 'string' },
      },
    });

    // WHEN it is derived
    const derived = deriveDefinitionsText(source);

    // THEN
    expect(derived).toBe(
      `{"$comment":${JSON.stringify(DEFINITIONS_COMMENT)},\n"definitions":{\n` +
        '"a.Other":{"type":"string"},\n' +
        '"b.Thing":{"properties":{"description":{"type":"string"},"size":{"format":"int32","type":"integer"}},"type":"object"}\n' +
        '}}\n',
    );
  });

  test('rejects a source without definitions', () => {
    // GIVEN / WHEN / THEN
    expect(() => deriveDefinitionsText('{"swagger":"2.0"}')).toThrow('The source holds no "definitions" object');
  });
});
