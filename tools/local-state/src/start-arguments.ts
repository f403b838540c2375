/** The arguments of `npm start`. */

/** What `npm start -- --help` prints. */
export const START_USAGE = `usage: npm start -- [--state <state>] [--day <file>] [--seconds-per-minute <n>] [--media-nodes <n>] [--once]
  --state <state>           the state to run (a file name in apps/infra/states/ without .ts); default: the state
                            with the smallest peak load
  --day <file>              after installing, run a school day of load: a YAML file, or the name of one in
                            tools/local-state/days/ (school-day, beyond-peak, short-morning)
  --seconds-per-minute <n>  real seconds per simulated minute of the day, 1 to 60 (default 2)
  --media-nodes <n>         cap the media pool at n nodes (default: the state's maximum)
  --once                    stop the cluster after the report instead of keeping it until Ctrl-C`;

/** An argument `npm start` refuses. */
export class StartArgumentError extends Error {
  override readonly name = 'StartArgumentError';
}

/** What `npm start` was asked to do. */
export type StartCommand =
  | { readonly help: true }
  | {
      readonly help: false;
      readonly state: string | undefined;
      readonly day: string | undefined;
      readonly secondsPerMinute: number | undefined;
      readonly mediaNodes: number | undefined;
      readonly once: boolean;
    };

const wholeNumber = (flag: string, text: string, min: number, max: number): number => {
  const value = Number(text);
  if (!/^[0-9]+$/.test(text) || value < min || value > max) {
    throw new StartArgumentError(`${flag}: must be a whole number from ${min} to ${max}, not ${JSON.stringify(text)}`);
  }
  return value;
};

/**
 * Parses `npm start`'s arguments.
 * @throws StartArgumentError naming the argument that is wrong
 */
export function parseStartArguments(argv: readonly string[]): StartCommand {
  let state: string | undefined;
  let day: string | undefined;
  let secondsPerMinute: number | undefined;
  let mediaNodes: number | undefined;
  let once = false;
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index]!;
    if (flag === '--help' || flag === '-h') return { help: true };
    if (flag === '--once') {
      once = true;
      continue;
    }
    const value = argv[index + 1];
    if (!['--state', '--day', '--seconds-per-minute', '--media-nodes'].includes(flag)) {
      throw new StartArgumentError(`unknown argument ${JSON.stringify(flag)}`);
    }
    if (value === undefined || value.startsWith('--')) throw new StartArgumentError(`${flag}: needs a value`);
    index++;
    if (flag === '--state') state = value;
    if (flag === '--day') day = value;
    if (flag === '--seconds-per-minute') secondsPerMinute = wholeNumber(flag, value, 1, 60);
    if (flag === '--media-nodes') mediaNodes = wholeNumber(flag, value, 1, 10_000);
  }
  if (secondsPerMinute !== undefined && day === undefined) throw new StartArgumentError('--seconds-per-minute: only with --day');
  return { help: false, state, day, secondsPerMinute, mediaNodes, once };
}
