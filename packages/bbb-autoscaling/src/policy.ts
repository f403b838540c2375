import { z } from 'zod';

/** Days of the week as the schedule names them. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A time of day, `HH:MM`. */
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

const clockTime = (what: string) =>
  z.string().regex(TIME, 'must be a time of day as HH:MM (24 hours)').describe(`${what}, local time in \`timeZone\`, HH:MM.`);

const scheduleWindow = z
  .strictObject({
    days: z.array(z.enum(WEEKDAYS)).min(1).describe('Days the window applies to (`mon` … `sun`).'),
    from: clockTime('Start of the window'),
    to: clockTime('End of the window (exclusive; `00:00` for midnight)'),
    minServers: z.int().min(0).describe('Servers that must run (enabled in Scalelite) during the window.'),
  })
  // (only once both times are valid: a malformed one is reported on its own)
  .refine((window) => !TIME.test(window.from) || !TIME.test(window.to) || window.to === '00:00' || window.from < window.to, {
    error: (issue) => {
      const window = issue.input as { from: string; to: string };
      return `the window ${window.from}-${window.to} ends before it starts (split a window across midnight in two)`;
    },
  });

/** One window of the schedule. */
export type ScheduleWindow = z.infer<typeof scheduleWindow>;

/** A school day: every server the morning ramp needs from 07:00 to 16:00 on weekdays. */
const SCHOOL_DAY: ScheduleWindow[] = [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '07:00', to: '16:00', minServers: 2 }];

/**
 * The autoscaling policy: how many BigBlueButton servers must run, and how fast the pool may change. The autoscaler
 * reads it from its configuration file; the autoscaler chart takes it as its `policy` values block.
 */
export const autoscalingPolicy = z
  .strictObject({
    timeZone: z
      .string()
      .min(1)
      .refine((zone) => isTimeZone(zone), { error: (issue) => `unknown time zone ${JSON.stringify(issue.input)}` })
      .default('Europe/Berlin')
      .describe('The IANA time zone the schedule is written in.'),
    minServers: z.int().min(0).default(1).describe('Servers that always run, outside every schedule window too.'),
    maxServers: z
      .int()
      .min(0)
      .default(0)
      .describe('Most servers that may run; 0: every server of the pool. A bound on cost, below the pool size.'),
    schedule: z
      .array(scheduleWindow)
      .default(SCHOOL_DAY)
      .describe('Floors by weekday and time of day: at least `minServers` run in each window (the largest applies where windows overlap).'),
    leadMinutes: z
      .int()
      .min(0)
      .max(240)
      .default(20)
      .describe('Minutes before a window opens that its servers are started, so that they serve when the window opens.'),
    usersPerServer: z.int().min(1).default(200).describe("Users one server serves (Scalelite's load of a full server)."),
    targetUtilization: z
      .number()
      .gt(0)
      .max(1)
      .default(0.75)
      .describe('Share of the running servers’ capacity the load may use before more servers start.'),
    headroomServers: z.int().min(0).default(1).describe('Servers kept running beyond what the load needs, for meetings about to start.'),
    scaleInUtilization: z
      .number()
      .gt(0)
      .max(1)
      .default(0.5)
      .describe(
        'Hysteresis: a server is drained only when the others would then run at most this share of their capacity (below `targetUtilization`).',
      ),
    scaleInCooldownSeconds: z
      .int()
      .min(0)
      .default(900)
      .describe('Seconds after any change of the pool (and after the autoscaler starts) before a server may be drained.'),
    startTimeoutSeconds: z
      .int()
      .min(60)
      .default(900)
      .describe(
        'Seconds a started server has to answer its BigBlueButton API; then it counts as failed, is never enabled, and another starts.',
      ),
  })
  .refine((policy) => policy.scaleInUtilization < policy.targetUtilization, {
    error: 'scaleInUtilization must be below targetUtilization, or the pool would drain what it just started',
  });

/** The autoscaling policy, defaults applied. */
export type AutoscalingPolicy = z.infer<typeof autoscalingPolicy>;

/** Whether the runtime knows an IANA time zone. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
