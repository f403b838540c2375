import { parseStartArguments } from '../src/start-arguments';

describe('npm start’s arguments', () => {
  test('take a state, a day with its compression, a media pool cap and --once', () => {
    expect(parseStartArguments([])).toEqual({
      help: false,
      state: undefined,
      day: undefined,
      secondsPerMinute: undefined,
      mediaNodes: undefined,
      once: false,
    });
    expect(
      parseStartArguments(['--state', 'bremen', '--day', 'short-morning', '--seconds-per-minute', '1', '--media-nodes', '12', '--once']),
    ).toEqual({ help: false, state: 'bremen', day: 'short-morning', secondsPerMinute: 1, mediaNodes: 12, once: true });
    expect(parseStartArguments(['--once', '--help'])).toEqual({ help: true });
  });

  test('refuse what they do not know, naming it', () => {
    expect(() => parseStartArguments(['--states', 'x'])).toThrow('unknown argument "--states"');
    expect(() => parseStartArguments(['--state'])).toThrow('--state: needs a value');
    expect(() => parseStartArguments(['--day', '--once'])).toThrow('--day: needs a value');
    expect(() => parseStartArguments(['--day', 'd', '--seconds-per-minute', '0'])).toThrow(
      '--seconds-per-minute: must be a whole number from 1 to 60, not "0"',
    );
    expect(() => parseStartArguments(['--day', 'd', '--seconds-per-minute', '1.5'])).toThrow('not "1.5"');
    expect(() => parseStartArguments(['--media-nodes', '-3'])).toThrow('--media-nodes: must be a whole number from 1 to 10000, not "-3"');
    expect(() => parseStartArguments(['--media-nodes', 'many'])).toThrow(
      '--media-nodes: must be a whole number from 1 to 10000, not "many"',
    );
    expect(() => parseStartArguments(['--seconds-per-minute', '2'])).toThrow('--seconds-per-minute: only with --day');
  });
});
