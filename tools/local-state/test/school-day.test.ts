import { readdirSync } from 'node:fs';

import { DAYS_DIR, readSchoolDay, schoolDay, SchoolDayError } from '../src/school-day';

describe('a school day', () => {
  test('is taken linearly between its points, minute by minute, from the first point to the last', () => {
    // GIVEN a day from 07:58 to 08:02 rising from 10 % of a peak of 1,000 to 500 participants, then flat
    const day = schoolDay(
      {
        points: [
          { at: '07:58', share: 0.1 },
          { at: '08:00', participants: 500 },
          { at: '08:02', participants: 500 },
        ],
      },
      1_000,
    );
    // THEN every minute of it, both ends included, in order and interpolated
    expect(day.minutes).toEqual([
      { time: '07:58', participants: 100 },
      { time: '07:59', participants: 300 },
      { time: '08:00', participants: 500 },
      { time: '08:01', participants: 500 },
      { time: '08:02', participants: 500 },
    ]);
    expect(day.description).toBe('the day');
  });

  test('refuses a file that is no day, naming every problem by its place', () => {
    const refusal = (input: unknown): string => {
      try {
        schoolDay(input, 100, 'days.yaml');
      } catch (error) {
        expect(error).toBeInstanceOf(SchoolDayError);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refusal({ points: [{ at: '8:00', share: 0.5 }, { at: '09:00' }] })).toBe(
      'days.yaml is not a school day:\n  points[0].at: must be a time of day as HH:MM (24 h)\n  points[1]: give either participants or share (of the peak), not both and not neither',
    );
    expect(refusal({ points: [{ at: '08:00', share: 0.5, participants: 3 }] })).toContain('points: a day needs at least two points');
    expect(refusal({ points: [], extra: 1 })).toContain('(the file): Unrecognized key: "extra"');
    expect(
      refusal({
        points: [
          { at: '09:00', share: 0.5 },
          { at: '09:00', share: 1 },
        ],
      }),
    ).toBe('days.yaml is not a school day:\n  points[1].at: 09:00 is not after the point before it (09:00)');
    expect(
      refusal({
        points: [
          { at: '08:00', participants: -1 },
          { at: '09:00', share: 11 },
        ],
      }),
    ).toMatch(/points\[0\]\.participants: .*>=0[\s\S]*points\[1\]\.share: .*<=10/);
  });

  test.each(readdirSync(DAYS_DIR).filter((file) => file.endsWith('.yaml')))('the tool’s own day %s reads', (file) => {
    const day = readSchoolDay(file, 1_000);
    expect(day.minutes.length).toBeGreaterThan(30);
    expect(day.description).not.toBe('');
  });

  test('a file that cannot be read is named, by its path', () => {
    expect(() => readSchoolDay('/nonexistent/day.yaml', 100)).toThrow('cannot read the day file /nonexistent/day.yaml');
    expect(() => readSchoolDay('no-such-day', 100)).toThrow(/cannot read the day file .*days\/no-such-day\.yaml/);
  });
});
