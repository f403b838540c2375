import { goPatternToJs } from '../src/_go-pattern';

describe('goPatternToJs', () => {
  test('returns a pattern without inline flags as it is', () => {
    // GIVEN the Prometheus duration pattern
    const pattern = '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$';

    // WHEN / THEN
    expect(goPatternToJs(pattern)).toBe(pattern);
  });

  test('makes the letters after (?i) caseless, up to the end of the pattern', () => {
    // GIVEN PrometheusRule's partial_response_strategy pattern
    // WHEN / THEN
    expect(goPatternToJs('^(?i)(abort|warn)?$')).toBe('^([aA][bB][oO][rR][tT]|[wW][aA][rR][nN])?$');
  });

  test('makes the letters after (?i) caseless up to the end of its group only, across alternatives', () => {
    // GIVEN the weekday pattern of an AlertmanagerConfig time interval
    const pattern = '^((?i)sun|mon)day(?:((:(sun|mon)day)$)|$)';

    // WHEN it is rewritten
    const rewritten = goPatternToJs(pattern);

    // THEN `day` and the second group stay case-sensitive, as in Go
    expect(rewritten).toBe('^([sS][uU][nN]|[mM][oO][nN])day(?:((:(sun|mon)day)$)|$)');
    expect(['SUNday', 'monday:sunday'].map((day) => new RegExp(rewritten, 'u').test(day))).toEqual([true, true]);
    expect(['SUNDAY', 'monday:Sunday'].map((day) => new RegExp(rewritten, 'u').test(day))).toEqual([false, false]);
  });

  test('adds the other case to the letters and letter ranges of a caseless class, and rewrites (?i:...) and (?P<name>', () => {
    // GIVEN / WHEN / THEN
    expect(goPatternToJs('^(?i:[a-cx\\d]+)(?P<n>[a-z])$')).toBe('^(?:[a-cx\\dA-CX]+)(?<n>[a-z])$');
  });

  test('refuses another inline flag', () => {
    // GIVEN / WHEN / THEN
    expect(() => goPatternToJs('(?s).*')).toThrow('unsupported Go inline flag at 0 in pattern "(?s).*"');
  });
});
