import { valueChanges, type ValuesSchemaNode } from '../src/values-compat';

const object = (properties: Record<string, ValuesSchemaNode>, extra: ValuesSchemaNode = {}): ValuesSchemaNode => ({
  type: 'object',
  additionalProperties: false,
  properties,
  ...extra,
});

const messages = (before: ValuesSchemaNode, after: ValuesSchemaNode): string[] =>
  valueChanges(before, after).map((change) => change.message);

describe('valueChanges', () => {
  const before = object({
    replicaCount: { type: 'integer', minimum: 1, maximum: 10 },
    jvb: object({ media: object({ mode: { type: 'string', enum: ['udp', 'tcp', 'both'] }, port: { type: 'integer' } }) }),
    hosts: { type: 'array', items: object({ host: { type: 'string' }, paths: { type: 'array', items: { type: 'string' } } }) },
    podAnnotations: { type: 'object', additionalProperties: { type: 'string' } },
    timeout: { type: ['string', 'integer'] },
  });

  test('finds nothing between a schema and itself', () => {
    expect(valueChanges(before, before)).toEqual([]);
  });

  test('accepts added values, widened types and added enum members', () => {
    // GIVEN a schema that only grows
    const after = object({
      ...before.properties,
      replicaCount: { type: 'number', minimum: 0 },
      jvb: object({ media: object({ mode: { type: 'string', enum: ['udp', 'tcp', 'both', 'quic'] }, port: { type: 'integer' } }) }),
      newValue: { type: 'boolean' },
    });
    // THEN no values file written for the old one is hit
    expect(valueChanges(before, after)).toEqual([]);
  });

  test('names a removed value by its dotted path, in a closed and in an open object', () => {
    // GIVEN jvb.media.port is gone from a closed object, and hosts[].paths from an open one
    const after = object({
      ...before.properties,
      jvb: object({ media: object({ mode: { type: 'string', enum: ['udp', 'tcp', 'both'] } }) }),
      hosts: { type: 'array', items: { type: 'object', properties: { host: { type: 'string' } } } },
    });
    // THEN both are reported, each with what a values file that sets it meets
    expect(valueChanges(before, after)).toEqual([
      { path: 'jvb.media.port', kind: 'removed', message: '`jvb.media.port` was removed: Helm now refuses values files that set it' },
      { path: 'hosts[].paths', kind: 'removed', message: '`hosts[].paths` was removed: values files that set it are now ignored' },
    ]);
  });

  test('reports a narrowed type, removed enum members and tighter bounds', () => {
    const after = object({
      ...before.properties,
      replicaCount: { type: 'integer', minimum: 2, maximum: 10 },
      jvb: object({ media: object({ mode: { type: 'string', enum: ['udp'] }, port: { type: 'integer' } }) }),
      timeout: { type: 'string' },
    });
    expect(messages(before, after)).toEqual([
      '`replicaCount` must now be at least 2 (it had to be at least 1)',
      '`jvb.media.mode` no longer accepts "tcp", "both": it accepts "udp"',
      '`timeout` no longer accepts integer: it was integer or string and is now string',
    ]);
  });

  test('reports a value whose type changes to an incompatible one as changing meaning', () => {
    // GIVEN jvb.media.mode, a string, becomes an object, and a list item field a boolean
    const after = object({
      ...before.properties,
      jvb: object({ media: object({ mode: object({ udp: { type: 'boolean' } }), port: { type: 'integer' } }) }),
      hosts: { type: 'array', items: object({ host: { type: 'boolean' }, paths: { type: 'array', items: { type: 'string' } } }) },
    });
    expect(valueChanges(before, after)).toEqual([
      {
        path: 'jvb.media.mode',
        kind: 'changes-meaning',
        message: '`jvb.media.mode` changes meaning: it was string and is now object, so a values file that sets it must be rewritten',
      },
      {
        path: 'hosts[].host',
        kind: 'changes-meaning',
        message: '`hosts[].host` changes meaning: it was string and is now boolean, so a values file that sets it must be rewritten',
      },
    ]);
  });

  test('reports a value that becomes required, a map that closes and a map whose entries narrow', () => {
    const after = object(
      {
        ...before.properties,
        replicaCount: { type: 'integer' },
        podAnnotations: { type: 'object', additionalProperties: { type: 'integer' } },
      },
      { required: ['replicaCount'] },
    );
    expect(messages(before, after)).toEqual([
      '`podAnnotations.*` changes meaning: it was string and is now integer, so a values file that sets it must be rewritten',
      '`replicaCount` is now required: values files without it are refused',
    ]);
    const closed = object({ ...before.properties, podAnnotations: object({ team: { type: 'string' } }) });
    expect(messages(before, closed)).toEqual(['`podAnnotations` no longer accepts keys other than team']);
  });

  test('reads the schema the toolkit emits for an enum without a type and for nullable values', () => {
    const old = object({ mode: { enum: ['a', 'b'] }, name: { anyOf: [{ type: 'string' }, { type: 'null' }] } });
    const now = object({ mode: { enum: ['a'] }, name: { type: 'string' } });
    expect(messages(old, now)).toEqual([
      '`mode` no longer accepts "b": it accepts "a"',
      '`name` no longer accepts null: it was null or string and is now string',
    ]);
  });
});
