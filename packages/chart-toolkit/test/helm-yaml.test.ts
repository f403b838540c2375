import YAML from 'yaml';

import { helmYaml } from '../src/_internal';

describe('helmYaml', () => {
  test('quotes strings that YAML 1.1 (Helm) would read as booleans or numbers', () => {
    // GIVEN strings that are booleans or octal numbers in YAML 1.1
    const text = helmYaml({ a: 'y', b: 'on', c: 'no', d: '010', e: 'plain' });
    // THEN each is quoted, and a YAML 1.1 reader reads back the same strings
    expect(text).toBe('a: "y"\nb: "on"\nc: "no"\nd: "010"\ne: plain\n');
    expect(YAML.parse(text, { version: '1.1' })).toEqual({ a: 'y', b: 'on', c: 'no', d: '010', e: 'plain' });
  });
});

describe('helmYaml writes what the yaml library writes', () => {
  const library = (value: unknown): string => YAML.stringify(value, { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false });
  const strings = [
    'plain',
    'shard-0',
    'app.kubernetes.io/name',
    'a_b',
    'y',
    'Yes',
    'OFF',
    'null',
    'Null',
    '~',
    '',
    ' lead',
    'trail ',
    '010',
    '0x1F',
    '1e3',
    '1_000',
    '1:20',
    '.inf',
    '.5',
    '-1',
    '+1',
    '2026-12-01',
    'a: b',
    'a #b',
    '#c',
    '- x',
    '-',
    '?',
    'a,b',
    '[x]',
    '{x}',
    '*ref',
    '&anchor',
    '!tag',
    '|',
    '>',
    "it's",
    'say "hi"',
    'both \' and "',
    '%x',
    '@x',
    '`x`',
    'two  spaces',
    'cr\rhere',
    'nel\u0085here',
    'emoji 🎉',
    'tab\there',
    'multi\nline',
    'trailing\n',
    '---',
    '...',
    'http://example.org:8080/x?y=1',
    '100m',
    '1Gi',
    'ünïcode',
    'a'.repeat(300),
    'true',
    'False',
    'on',
    'n',
    'N',
    '=',
    '<<',
  ];
  const scalars: unknown[] = [...strings, 0, -0, 1, -1, 1.5, 1e21, 2 ** 53, NaN, Infinity, -Infinity, true, false, null];

  test.each(scalars.map((value) => [JSON.stringify(value) ?? String(value), value]))('scalar %s, alone and nested', (_name, value) => {
    // GIVEN a scalar on its own, as a map value, as a key, and as a list item at several depths
    const values: unknown[] = [
      value,
      { key: value },
      { outer: { inner: value, list: [value, { item: value }] } },
      [value, [value], { key: value }],
      ...(typeof value === 'string' ? [{ [value]: 1 }, { outer: { [value]: value } }] : []),
    ];
    // THEN helmYaml writes each byte for byte as the yaml library does
    for (const nested of values) expect(helmYaml(nested)).toBe(library(nested));
  });

  test('collections: empty, nested and of every shape', () => {
    // GIVEN maps and lists, empty and nested, and values the yaml library writes its own way
    const values: unknown[] = [
      {},
      [],
      { a: {}, b: [], c: [[]], d: [{}], e: [[1, 2], [3]], f: [{ g: [{ h: 1 }] }] },
      [[[1]], { a: [] }, {}],
      { replicaCount: 3, shards: [{ name: 'shard-0', port: 80 }], ingress: { annotations: { 'cert-manager.io/x': 'y' } } },
      { skipped: undefined, kept: 1 },
      [undefined, 1],
      { date: new Date(0) },
      { map: new Map([['a', 1]]) },
      Object.assign(Object.create(null) as object, { a: 1 }),
    ];
    // THEN helmYaml writes each byte for byte as the yaml library does
    for (const value of values) expect(helmYaml(value)).toBe(library(value));
  });
});
