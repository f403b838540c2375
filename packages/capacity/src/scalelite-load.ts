import { figure } from './figures';

/** A meeting as BigBlueButton's `getMeetings` reports it to Scalelite's poller. */
export interface ScaleliteMeeting {
  /** `participantCount`: every user of the meeting, moderators included. */
  readonly participantCount: number;
  /** `moderatorCount`. */
  readonly moderatorCount: number;
  /** Minutes since the meeting was created. */
  readonly ageMinutes: number;
  /** `isBreakout`: breakout rooms do not count. */
  readonly breakout?: boolean;
}

/**
 * A server's load as Scalelite's poller computes it (blindsidenetworks/scalelite `lib/tasks/poll.rake`, task
 * `poll:servers`): over the meetings that are not breakout rooms, `participantCount + moderatorCount` (so a
 * moderator counts twice), at least `LOAD_MIN_USER_COUNT` while the meeting is younger than `LOAD_JOIN_BUFFER_TIME`,
 * summed and multiplied by the server's `load_multiplier`.
 */
export function scaleliteServerLoad(
  meetings: readonly ScaleliteMeeting[],
  loadMultiplier: number = figure('scaleliteLoadMultiplier'),
): number {
  const minimum = figure('scaleliteLoadMinUserCount');
  const buffer = figure('scaleliteJoinBufferMinutes');
  const attendees = meetings
    .filter((meeting) => meeting.breakout !== true)
    .reduce((sum, meeting) => {
      const actual = meeting.participantCount + meeting.moderatorCount;
      return sum + (meeting.ageMinutes < buffer ? Math.max(actual, minimum) : actual);
    }, 0);
  return attendees * loadMultiplier;
}

/**
 * The meetings of `users` users in meetings of `size` (the last one smaller), each with `moderators` moderators
 * among its users, all `ageMinutes` old.
 */
export function meetingsOf(users: number, size: number, moderators: number, ageMinutes: number): ScaleliteMeeting[] {
  const full = Math.floor(users / size);
  const rest = users - full * size;
  const meeting = (participantCount: number): ScaleliteMeeting => ({
    participantCount,
    moderatorCount: Math.min(moderators, participantCount),
    ageMinutes,
  });
  return [...Array.from({ length: full }, () => meeting(size)), ...(rest > 0 ? [meeting(rest)] : [])];
}
