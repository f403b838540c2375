import type { AutoscalingPolicy, ScheduleWindow, Weekday } from './policy';
import { WEEKDAYS } from './policy';

/** A moment as the schedule sees it: the weekday and minutes since midnight in the policy's time zone. */
export interface LocalTime {
  readonly day: Weekday;
  readonly minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The weekday and time of day of `at` in `timeZone` (daylight saving time included). */
export function localTime(at: Date, timeZone: string): LocalTime {
  let format = formatters.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((part) => [part.type, part.value]));
  const day = String(parts.weekday).slice(0, 3).toLowerCase() as Weekday;
  if (!WEEKDAYS.includes(day)) throw new Error(`cannot read the weekday of ${at.toISOString()} in ${timeZone}`);
  return { day, minute: Number(parts.hour) * 60 + Number(parts.minute) };
}

const minuteOf = (time: string): number => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/** Whether a window covers a local time (`to` exclusive, `00:00` meaning midnight at the end of the day). */
export function windowCovers(window: ScheduleWindow, at: LocalTime): boolean {
  const to = window.to === '00:00' ? 24 * 60 : minuteOf(window.to);
  return window.days.includes(at.day) && at.minute >= minuteOf(window.from) && at.minute < to;
}

/** The schedule's floor at one moment: the largest `minServers` of the windows covering it, at least `minServers`. */
export function floorAt(policy: AutoscalingPolicy, at: Date): number {
  const local = localTime(at, policy.timeZone);
  return policy.schedule.reduce(
    (floor, window) => (windowCovers(window, local) ? Math.max(floor, window.minServers) : floor),
    policy.minServers,
  );
}

/**
 * The floor the pool must meet now: the schedule's floor now and `leadMinutes` ahead (servers start before their window
 * opens), so that the morning ramp is served before it happens.
 */
export function scheduledFloor(policy: AutoscalingPolicy, now: Date): number {
  return Math.max(floorAt(policy, now), floorAt(policy, new Date(now.getTime() + policy.leadMinutes * 60_000)));
}
