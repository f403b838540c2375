/**
 * A simulated day's report: its summary (when demand met no capacity, how much, why, and what the capacity model
 * predicted) and its text, minute by minute.
 */
import type { DayReport, MinuteReport } from './day-simulation';

/** When and how much a series of unserved participants rose above zero. */
export interface Shortfall {
  /** The first and last minute with any participant unserved (`HH:MM`). */
  readonly first: string;
  readonly last: string;
  /** Minutes with participants unserved. */
  readonly minutes: number;
  /** The most unserved in one minute, and when. */
  readonly most: number;
  readonly mostAt: string;
}

/** The day in a few figures. */
export interface DaySummary {
  readonly peakDemand: number;
  readonly peakAt: string;
  /** Where the run left participants unserved, if it did. */
  readonly shortfall: Shortfall | undefined;
  /** Where the capacity model predicts participants unserved, if it does. */
  readonly predicted: Shortfall | undefined;
  /** Why participants were unserved, each reason with the minutes it held. */
  readonly causes: ReadonlyArray<{ readonly cause: string; readonly minutes: number }>;
  /** What the scheduler said of the Pending bridges while participants were unserved. */
  readonly schedulerReasons: readonly string[];
}

function _shortfall(minutes: readonly MinuteReport[], unserved: (minute: MinuteReport) => number): Shortfall | undefined {
  const short = minutes.filter((minute) => unserved(minute) > 0);
  if (short.length === 0) return undefined;
  const most = short.reduce((top, minute) => (unserved(minute) > unserved(top) ? minute : top));
  return { first: short[0]!.time, last: short.at(-1)!.time, minutes: short.length, most: unserved(most), mostAt: most.time };
}

/** The summary of a day's report. */
export function summarizeDay(report: DayReport): DaySummary {
  const peak = report.minutes.reduce((top, minute) => (minute.demand > top.demand ? minute : top), report.minutes[0]!);
  const causes = new Map<string, number>();
  const reasons = new Set<string>();
  for (const minute of report.minutes)
    for (const shard of minute.shards) {
      if (shard.cause === undefined) continue;
      if (shard.pendingReason !== '') reasons.add(shard.pendingReason);
      // the reason without its counts, so that a cause that held for many minutes is one line
      const cause = shard.cause.replace(/: .*$/, '');
      causes.set(cause, (causes.get(cause) ?? 0) + 1);
    }
  return {
    peakDemand: peak.demand,
    peakAt: peak.time,
    shortfall: _shortfall(report.minutes, (minute) => minute.unserved),
    predicted: _shortfall(report.minutes, (minute) => minute.predictedUnserved),
    causes: [...causes.entries()].map(([cause, minutes]) => ({ cause, minutes })),
    schedulerReasons: [...reasons],
  };
}

const describeShortfall = (shortfall: Shortfall | undefined): string =>
  shortfall === undefined
    ? 'no participant unserved'
    : `unserved from ${shortfall.first} to ${shortfall.last} (${shortfall.minutes} min), at most ${shortfall.most} at ${shortfall.mostAt}`;

/** One minute as a line of the report's table. */
export function formatMinute(minute: MinuteReport): string {
  const cells = [
    minute.time,
    String(minute.participants).padStart(12),
    String(minute.demand).padStart(7),
    `${minute.running}${minute.pending > 0 ? `+${minute.pending}` : ''}`.padStart(8),
    String(Math.round(minute.capacity)).padStart(9),
    String(minute.unserved).padStart(9),
    String(minute.predictedUnserved).padStart(10),
  ];
  const causes = [...new Set(minute.shards.map((shard) => shard.cause).filter((cause) => cause !== undefined))];
  return `${cells.join('  ')}${causes.length === 0 ? '' : `  ${causes.join('; ')}`}${minute.lateMs > 1_000 ? `  (read ${minute.lateMs} ms late)` : ''}`;
}

/** The header of the minute table. */
export const MINUTE_HEADER = `time   participants   demand  bridges   capacity   unserved   predicted`;

/** The report's opening lines: the day, the bridge, the configuration's limits. */
export function formatDayHeader(
  report: Pick<DayReport, 'stateId' | 'day' | 'secondsPerMinute' | 'bridge' | 'limits' | 'bridgesAtMost'>,
): string {
  const shards = Object.entries(report.limits.maxReplicas)
    .map(([shard, max]) => `${shard} ${report.bridgesAtMost[shard]} (autoscaler maximum ${max})`)
    .join(', ');
  return [
    `Day "${report.day}" on state ${report.stateId}, ${report.secondsPerMinute} s a simulated minute`,
    `A bridge carries ${report.bridge.fullParticipants} participants at full load (planned for ${report.bridge.plannedParticipants}).`,
    `Bridges at most, by shard: ${shards}; media pool ${report.limits.mediaNodes} nodes of ${report.limits.bridgesPerNode} bridge(s).`,
    'demand: Jitsi participants; bridges: running (+ Pending); capacity: what the running bridges carry at full load;',
    'predicted: unserved by the capacity model for the configuration alone.',
  ].join('\n');
}

/** The whole report as text. */
export function formatDay(report: DayReport): string {
  const summary = summarizeDay(report);
  const lines = [formatDayHeader(report), '', MINUTE_HEADER, ...report.minutes.map(formatMinute), '', formatDaySummary(summary)];
  return lines.join('\n');
}

/** The summary as text. */
export function formatDaySummary(summary: DaySummary): string {
  return [
    `Peak demand ${summary.peakDemand} at ${summary.peakAt}.`,
    `Simulated: ${describeShortfall(summary.shortfall)}.`,
    `Predicted: ${describeShortfall(summary.predicted)}.`,
    ...summary.causes.map(({ cause, minutes }) => `  ${cause} (${minutes} shard-minutes)`),
    ...summary.schedulerReasons.map((reason) => `  the scheduler: ${reason}`),
  ].join('\n');
}
