import { meetingsOf, scaleliteServerLoad } from '../src/scalelite-load';

describe("Scalelite's load of a server", () => {
  test('counts participantCount + moderatorCount of a meeting past the join buffer, so a moderator counts twice', () => {
    expect(scaleliteServerLoad([{ participantCount: 25, moderatorCount: 1, ageMinutes: 30 }])).toBe(26);
  });

  test('counts a young meeting as at least LOAD_MIN_USER_COUNT (15) for LOAD_JOIN_BUFFER_TIME (15 minutes)', () => {
    expect(scaleliteServerLoad([{ participantCount: 3, moderatorCount: 1, ageMinutes: 14 }])).toBe(15);
    expect(scaleliteServerLoad([{ participantCount: 3, moderatorCount: 1, ageMinutes: 15 }])).toBe(4);
    expect(scaleliteServerLoad([{ participantCount: 20, moderatorCount: 1, ageMinutes: 0 }])).toBe(21);
  });

  test('leaves breakout rooms out and multiplies the sum by the load multiplier', () => {
    const meetings = [
      { participantCount: 10, moderatorCount: 1, ageMinutes: 60 },
      { participantCount: 5, moderatorCount: 0, ageMinutes: 60, breakout: true },
    ];
    expect(scaleliteServerLoad(meetings)).toBe(11);
    expect(scaleliteServerLoad(meetings, 1.5)).toBe(16.5);
  });
});

describe('the meetings of a number of users', () => {
  test('fills meetings of the given size and puts the rest in a smaller one', () => {
    const meetings = meetingsOf(60, 25, 1, 0);
    expect(meetings.map((meeting) => meeting.participantCount)).toEqual([25, 25, 10]);
    expect(meetings.every((meeting) => meeting.moderatorCount === 1)).toBe(true);
    expect(scaleliteServerLoad(meetings)).toBe(26 + 26 + 15);
  });
});
