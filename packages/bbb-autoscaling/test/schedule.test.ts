import { autoscalingPolicy, floorAt, localTime, scheduledFloor } from '../src';

const policy = autoscalingPolicy.parse({
  minServers: 1,
  leadMinutes: 20,
  schedule: [
    { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '07:00', to: '16:00', minServers: 10 },
    { days: ['mon'], from: '08:00', to: '10:00', minServers: 14 },
    { days: ['sat'], from: '22:00', to: '00:00', minServers: 3 },
  ],
});

test('reads the weekday and time of day in the policy’s time zone, daylight saving time included', () => {
  // Monday 30 March 2026, the day after the clocks went forward: 07:00 in Berlin is 05:00 UTC
  expect(localTime(new Date('2026-03-30T05:00:00Z'), 'Europe/Berlin')).toEqual({ day: 'mon', minute: 7 * 60 });
  // Monday 30 November 2026: 07:00 in Berlin is 06:00 UTC
  expect(localTime(new Date('2026-11-30T06:00:00Z'), 'Europe/Berlin')).toEqual({ day: 'mon', minute: 7 * 60 });
  // a Sunday evening in UTC is already Monday in Berlin
  expect(localTime(new Date('2026-11-29T23:30:00Z'), 'Europe/Berlin')).toEqual({ day: 'mon', minute: 30 });
});

test('the floor is the largest window covering the moment, `to` exclusive, `00:00` meaning midnight', () => {
  const berlin = (iso: string): Date => new Date(`${iso}+01:00`);
  expect(floorAt(policy, berlin('2026-11-30T06:59:00'))).toBe(1);
  expect(floorAt(policy, berlin('2026-11-30T07:00:00'))).toBe(10);
  expect(floorAt(policy, berlin('2026-11-30T09:59:00'))).toBe(14);
  expect(floorAt(policy, berlin('2026-11-30T10:00:00'))).toBe(10);
  expect(floorAt(policy, berlin('2026-11-30T16:00:00'))).toBe(1);
  expect(floorAt(policy, berlin('2026-12-05T23:59:00'))).toBe(3);
  expect(floorAt(policy, berlin('2026-12-06T00:00:00'))).toBe(1);
});

test('servers are asked for `leadMinutes` before their window opens, and kept until it closes', () => {
  const berlin = (iso: string): Date => new Date(`${iso}+01:00`);
  expect(scheduledFloor(policy, berlin('2026-11-30T06:39:00'))).toBe(1);
  expect(scheduledFloor(policy, berlin('2026-11-30T06:40:00'))).toBe(10);
  expect(scheduledFloor(policy, berlin('2026-11-30T07:40:00'))).toBe(14);
  expect(scheduledFloor(policy, berlin('2026-11-30T15:59:00'))).toBe(10);
});

test('refuses a policy that cannot work, naming the value', () => {
  const issues = (input: unknown): string[] =>
    autoscalingPolicy.safeParse(input).error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) ?? [];
  expect(issues({ timeZone: 'Europe/Bremen' })).toEqual(['timeZone: unknown time zone "Europe/Bremen"']);
  expect(issues({ schedule: [{ days: ['mon'], from: '16:00', to: '07:00', minServers: 2 }] })).toEqual([
    'schedule.0: the window 16:00-07:00 ends before it starts (split a window across midnight in two)',
  ]);
  expect(issues({ schedule: [{ days: ['mon'], from: '7:00', to: '24:00', minServers: 2 }] })).toEqual([
    'schedule.0.from: must be a time of day as HH:MM (24 hours)',
    'schedule.0.to: must be a time of day as HH:MM (24 hours)',
  ]);
  expect(issues({ scaleInUtilization: 0.8, targetUtilization: 0.75 })).toEqual([
    ': scaleInUtilization must be below targetUtilization, or the pool would drain what it just started',
  ]);
});
