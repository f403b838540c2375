import { VIDEO_QUALITIES, type VideoQuality } from './bridge-load';
import { type LastN } from './figures';
import { defaultSizingInput, MEDIA_MODES, type MediaMode, type SizingField, type SizingInput } from './size-state';

/** The command line of `npm run size`. */
export const SIZE_USAGE = `usage: npm run size -- --participants <n> [options]

  --participants <n>         concurrent participants at the state's peak (required)
  --jitsi-share <0..1>       share of them in Jitsi (default: 1 - bbb-share, or 1)
  --bbb-share <0..1>         share of them in BigBlueButton (default: 1 - jitsi-share)
  --conference-size <n>      participants of a conference or meeting (default 25)
  --video <720p|360p|180p>   video every participant sends and receives (default 720p)
  --last-n <n|unlimited>     channelLastN (default 5)
  --node-cores <n>           cores of a media node (default 9, the state stacks' node)
  --node-ram-gb <n>          RAM of a media node in GB (default 4)
  --media-mode <hostPort|nodePort>  one bridge per node sized to it, or several (default hostPort)
  --bridge-cores <n>         cores of a bridge in nodePort mode (default 8)
  --system-node-cores <n>    cores of a system node (default 8)
  --system-node-ram-gb <n>   RAM of a system node in GB (default 32)
  --turn-share <0..1>        share of the Jitsi participants relayed through TURN (default 0.1)
  --json                     print the sizing as JSON
  --help                     print this text`;

/** The command-line flag of each input field, for messages. */
export const FLAG_OF_FIELD: Readonly<Record<SizingField, string>> = {
  participants: '--participants',
  jitsiShare: '--jitsi-share',
  bbbShare: '--bbb-share',
  conferenceSize: '--conference-size',
  lastN: '--last-n',
  video: '--video',
  'mediaNode.cores': '--node-cores',
  'mediaNode.ramGb': '--node-ram-gb',
  mediaMode: '--media-mode',
  bridgeCores: '--bridge-cores',
  'systemNode.cores': '--system-node-cores',
  'systemNode.ramGb': '--system-node-ram-gb',
  turnShare: '--turn-share',
};

const VALUE_FLAGS = [...Object.values(FLAG_OF_FIELD)] as const;
const SWITCHES = ['--json', '--help'] as const;

/** A command line `npm run size` refuses; the message names the argument. */
export class SizeArgumentError extends Error {
  override readonly name = 'SizeArgumentError';
}

/** What a command line asks for. */
export type SizeCommand = { readonly help: true } | { readonly help: false; readonly json: boolean; readonly input: SizingInput };

const wholeNumber = (flag: string, text: string): number => {
  if (!/^[0-9]+$/.test(text)) throw new SizeArgumentError(`${flag}: expected a whole number, got ${JSON.stringify(text)}`);
  return Number(text);
};

const share = (flag: string, text: string): number => {
  const value = /^(?:0|1|0?\.[0-9]+|1\.0*)$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= 0 && value <= 1))
    throw new SizeArgumentError(`${flag}: expected a share from 0 to 1 such as 0.6, got ${JSON.stringify(text)}`);
  return value;
};

const oneOf = <T extends string>(flag: string, text: string, choices: readonly T[]): T => {
  if (!(choices as readonly string[]).includes(text)) {
    throw new SizeArgumentError(`${flag}: expected one of ${choices.join(', ')}, got ${JSON.stringify(text)}`);
  }
  return text as T;
};

const lastN = (text: string): LastN => (text === 'unlimited' || text === '-1' ? 'unlimited' : wholeNumber('--last-n', text));

/**
 * Reads the arguments of `npm run size` (`--flag value` or `--flag=value`).
 * @throws SizeArgumentError naming the argument that is unknown, repeated, missing a value or malformed
 */
export function parseSizeArguments(argv: readonly string[]): SizeCommand {
  const values = new Map<string, string>();
  const switches = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i] ?? '';
    const [flag = '', inline] = argument.startsWith('--') && argument.includes('=') ? argument.split(/=(.*)/s) : [argument, undefined];
    if ((SWITCHES as readonly string[]).includes(flag)) {
      if (inline !== undefined) throw new SizeArgumentError(`${flag} takes no value`);
      switches.add(flag);
      continue;
    }
    if (!(VALUE_FLAGS as readonly string[]).includes(flag)) {
      throw new SizeArgumentError(`unknown argument ${JSON.stringify(argument)}; see --help`);
    }
    if (values.has(flag)) throw new SizeArgumentError(`${flag} is given twice`);
    const value = inline ?? argv[++i];
    if (value === undefined || value === '' || (inline === undefined && value.startsWith('--'))) {
      throw new SizeArgumentError(`${flag} needs a value`);
    }
    values.set(flag, value);
  }
  if (switches.has('--help')) return { help: true };
  const get = (flag: string): string | undefined => values.get(flag);
  const participantsText = get('--participants');
  if (participantsText === undefined) throw new SizeArgumentError('--participants is required (concurrent participants at peak)');
  const participants = wholeNumber('--participants', participantsText);
  if (participants < 1) throw new SizeArgumentError('--participants: expected at least 1, got 0');
  const defaults = defaultSizingInput(participants);
  const jitsiText = get('--jitsi-share');
  const bbbText = get('--bbb-share');
  const jitsiShare =
    jitsiText === undefined ? (bbbText === undefined ? 1 : 1 - share('--bbb-share', bbbText)) : share('--jitsi-share', jitsiText);
  const bbbShare = bbbText === undefined ? 1 - jitsiShare : share('--bbb-share', bbbText);
  const mediaMode: MediaMode =
    get('--media-mode') === undefined ? defaults.mediaMode : oneOf('--media-mode', get('--media-mode') ?? '', MEDIA_MODES);
  if (mediaMode === 'hostPort' && get('--bridge-cores') !== undefined) {
    throw new SizeArgumentError('--bridge-cores: only with --media-mode nodePort (in hostPort mode a bridge has its node’s cores)');
  }
  const number = (flag: string, fallback: number): number => {
    const text = get(flag);
    return text === undefined ? fallback : wholeNumber(flag, text);
  };
  const video: VideoQuality = get('--video') === undefined ? defaults.video : oneOf('--video', get('--video') ?? '', VIDEO_QUALITIES);
  const turnText = get('--turn-share');
  return {
    help: false,
    json: switches.has('--json'),
    input: {
      participants,
      jitsiShare,
      bbbShare,
      conferenceSize: number('--conference-size', defaults.conferenceSize),
      lastN: get('--last-n') === undefined ? defaults.lastN : lastN(get('--last-n') ?? ''),
      video,
      mediaNode: { cores: number('--node-cores', defaults.mediaNode.cores), ramGb: number('--node-ram-gb', defaults.mediaNode.ramGb) },
      mediaMode,
      bridgeCores: number('--bridge-cores', defaults.bridgeCores),
      systemNode: {
        cores: number('--system-node-cores', defaults.systemNode.cores),
        ramGb: number('--system-node-ram-gb', defaults.systemNode.ramGb),
      },
      turnShare: turnText === undefined ? defaults.turnShare : share('--turn-share', turnText),
    },
  };
}
