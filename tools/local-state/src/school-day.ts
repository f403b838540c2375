/**
 * A school day of load: concurrent participants over the day, given as points on the clock and taken linearly
 * between them, minute by minute. A point gives either absolute participants or a share of the state's peak.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import YAML from 'yaml';
import { z } from 'zod';

/** The folder of the day files that come with the tool. */
export const DAYS_DIR = join(__dirname, '..', 'days');

const CLOCK = /^([01][0-9]|2[0-3]):([0-5][0-9])$/;

const pointSchema = z
  .strictObject({
    at: z.string().regex(CLOCK, 'must be a time of day as HH:MM (24 h)'),
    participants: z.number().int().min(0).optional(),
    share: z.number().min(0).max(10).optional(),
  })
  .refine((point) => (point.participants === undefined) !== (point.share === undefined), {
    message: 'give either participants or share (of the peak), not both and not neither',
  });

const daySchema = z.strictObject({
  /** What the day is, for the report. */
  description: z.string().min(1).optional(),
  points: z.array(pointSchema).min(2, 'a day needs at least two points'),
});

/** A day as its file writes it. */
export type SchoolDayFile = z.infer<typeof daySchema>;

/** One minute of a day. */
export interface DayMinute {
  /** `HH:MM`. */
  readonly time: string;
  /** Concurrent participants, Jitsi and BigBlueButton together. */
  readonly participants: number;
}

/** A day, minute by minute from its first point to its last. */
export interface SchoolDay {
  readonly description: string;
  readonly minutes: readonly DayMinute[];
}

/** A day file the tool refuses, with every problem named by its place in the file. */
export class SchoolDayError extends Error {
  override readonly name = 'SchoolDayError';
}

const minutesOf = (clock: string): number => {
  const [, hours, minutes] = CLOCK.exec(clock) as RegExpExecArray;
  return Number(hours) * 60 + Number(minutes);
};

const clockOf = (minute: number): string => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

/**
 * The day of a parsed file, against a state's peak (what `share` is of).
 * @throws SchoolDayError naming each problem by its path (`points[2].at: ...`)
 */
export function schoolDay(input: unknown, peakParticipants: number, origin = 'the day'): SchoolDay {
  const parsed = daySchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const path = issue.path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('');
      return `${path.replace(/^\./, '') || '(the file)'}: ${issue.message}`;
    });
    throw new SchoolDayError(`${origin} is not a school day:\n  ${problems.join('\n  ')}`);
  }
  const points = parsed.data.points.map((point) => ({
    minute: minutesOf(point.at),
    participants: point.participants ?? point.share! * peakParticipants,
  }));
  const unordered = points.findIndex((point, index) => index > 0 && point.minute <= points[index - 1]!.minute);
  if (unordered > 0) {
    throw new SchoolDayError(
      `${origin} is not a school day:\n  points[${unordered}].at: ${clockOf(points[unordered]!.minute)} is not after the point before it (${clockOf(points[unordered - 1]!.minute)})`,
    );
  }
  const minutes: DayMinute[] = [];
  for (let index = 1; index < points.length; index++) {
    const [from, to] = [points[index - 1]!, points[index]!];
    const last = index === points.length - 1;
    for (let minute = from.minute; minute < to.minute || (last && minute === to.minute); minute++) {
      const along = (minute - from.minute) / (to.minute - from.minute);
      minutes.push({ time: clockOf(minute), participants: Math.round(from.participants + along * (to.participants - from.participants)) });
    }
  }
  return { description: parsed.data.description ?? origin, minutes };
}

/**
 * The day of a YAML or JSON file (a file name without a folder is one of the tool's own, in `days/`).
 * @throws SchoolDayError when the file cannot be read or is no day
 */
export function readSchoolDay(file: string, peakParticipants: number): SchoolDay {
  const path = file.includes('/') ? file : join(DAYS_DIR, file.endsWith('.yaml') ? file : `${file}.yaml`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new SchoolDayError(`cannot read the day file ${path}: ${(error as Error).message}`);
  }
  let document: unknown;
  try {
    document = YAML.parse(text);
  } catch (error) {
    throw new SchoolDayError(`the day file ${path} is not YAML: ${(error as Error).message}`);
  }
  return schoolDay(document, peakParticipants, `the day file ${path}`);
}
