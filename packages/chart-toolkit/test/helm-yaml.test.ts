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
