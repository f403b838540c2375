/**
 * A compressed school day on the example state's local cluster, end to end: the state's charts installed with its
 * stack's values, the bridges' stress served through a real Prometheus and real prometheus-adapter with the stack's
 * adapter rules, the real HPA controller scaling the bridges and the real scheduler placing them on the kwok nodes of
 * the media pool. With the state's own pools a day at its peak and one beyond it, then a day with its media pool
 * capped.
 */
import { bridgeFullParticipants } from '@meetscale/capacity';

import { bridgesAtMost } from '../src/day-model';
import { formatDay, summarizeDay } from '../src/day-report';
import { bridgeLimits, compressedHpaTiming, type DayReport, installationSizing, simulateDay } from '../src/day-simulation';
import { formatPlacement, type PlacementReport, placementReport } from '../src/placement-report';
import { readSchoolDay, type SchoolDay, schoolDay } from '../src/school-day';
import { exampleStateId, mediaPools, StateCluster, type StateInstallation, stateInstallation, withMediaNodes } from '../src/state-cluster';

jest.setTimeout(600_000);

/** One simulated minute per real second: the short morning (61 minutes) takes 61 s. */
const SECONDS_PER_MINUTE = 1;

const minutesOf = (clock: string): number => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3));

/**
 * Runs the days, one after the other, on a fresh cluster of the installation (as `npm start` does) and returns the
 * placement before the first day and the days' reports.
 */
async function runDays(installation: StateInstallation, days: readonly SchoolDay[]): Promise<[PlacementReport, ...DayReport[]]> {
  const cluster = await StateCluster.start(installation, { horizontalPodAutoscaler: compressedHpaTiming(SECONDS_PER_MINUTE) });
  try {
    expect(await cluster.install()).toEqual([]);
    await cluster.settle();
    const placement = await placementReport(cluster, installationSizing(installation));
    const reports: DayReport[] = [];
    for (const day of days) reports.push(await simulateDay(cluster, { day, secondsPerMinute: SECONDS_PER_MINUTE }));
    return [placement, ...reports];
  } finally {
    await cluster.stop();
  }
}

const stateId = exampleStateId();
const installation = stateInstallation(stateId);
const sizing = installationSizing(installation);
const day = readSchoolDay('short-morning', sizing.input.participants);
/** The short morning at 160 % of the peak: more than every bridge the autoscalers allow carries at full load. */
const beyondPeak = schoolDay(
  {
    description: 'a short morning at 160 % of the peak',
    points: [
      { at: '07:30', share: 0.1 },
      { at: '07:55', share: 1.6 },
      { at: '08:05', share: 1.6 },
    ],
  },
  sizing.input.participants,
);

describe(`a short school day on state ${stateId}, with the state's own pools`, () => {
  let placement: PlacementReport;
  let report: DayReport;
  let beyond: DayReport;
  beforeAll(async () => {
    [placement, report, beyond] = (await runDays(installation, [day, beyondPeak])) as [PlacementReport, DayReport, DayReport];
  });

  test('before the day, npm start’s report shows every pool, each shard at its autoscaler’s minimum, nothing Pending', () => {
    expect(placement.pools.map((pool) => [pool.pool.name, pool.nodes])).toEqual(
      installation.pools.map((pool) => [pool.name, pool.maxNodes]),
    );
    for (const shard of placement.shards) expect(shard.running).toBe(shard.minReplicas);
    expect(placement.pending).toEqual([]);
    // the bridges are on the media pool, and what they request is counted there
    const media = placement.pools.find((pool) => pool.pool.name === mediaPools(installation)[0]!.name)!;
    const bridges = placement.shards.reduce((sum, shard) => sum + shard.running, 0);
    expect(media.nodesInUse).toBe(bridges);
    expect(media.cpu.requested).toBeGreaterThanOrEqual(bridges * sizing.jitsi!.bridge.cores);
    const text = formatPlacement(placement);
    expect(text).toContain('Every pod is scheduled.');
    expect(text).toMatch(/Not installed here[\s\S]*kube-prometheus-stack/);
  });

  test('serves every participant, as the model predicts, while the HPA scales the bridges with the demand', () => {
    // every minute of the day was read, each with its demand
    expect(report.minutes.map((minute) => minute.time)).toEqual(day.minutes.map((minute) => minute.time));
    const summary = summarizeDay(report);
    expect(summary.peakDemand).toBe(Math.round(sizing.input.participants * sizing.input.jitsiShare));
    // nobody unserved, in the run and by the model
    expect([summary.shortfall, summary.predicted]).toEqual([undefined, undefined]);
    // the real HPA controller added bridges as the morning rose, within the autoscalers' bounds
    const first = report.minutes[0]!;
    const peak = report.minutes.find((minute) => minute.time === summary.peakAt)!;
    expect(peak.running).toBeGreaterThan(first.running);
    for (const minute of report.minutes)
      for (const shard of minute.shards) expect(shard.running).toBeLessThanOrEqual(report.limits.maxReplicas[shard.shard]!);
    expect(formatDay(report)).toContain('Simulated: no participant unserved.');
  });

  test('a day beyond what the configuration serves: the report says the shards are saturated, as much as the model predicts', () => {
    const summary = summarizeDay(beyond);
    const full = bridgeFullParticipants(sizing);
    const allowed = Object.values(beyond.bridgesAtMost).reduce((sum, bridges) => sum + bridges, 0);
    // the model predicts the demand beyond every allowed bridge at full load
    expect(summary.predicted?.most).toBe(summary.peakDemand - allowed * full);
    // the run leaves that many unserved at the peak, every bridge running: the autoscalers at their maximum
    expect(summary.shortfall).toBeDefined();
    for (const minute of beyond.minutes.filter((entry) => entry.demand === summary.peakDemand)) {
      expect(minute.unserved).toBe(minute.predictedUnserved);
      expect(minute.running).toBe(allowed);
    }
    // AND names the reason: at the peak, every shard at its autoscaler's maximum
    const saturated = Object.keys(beyond.limits.maxReplicas).map((shard) => `shard ${shard} saturated`);
    expect(summary.causes.map((entry) => entry.cause)).toEqual(expect.arrayContaining(saturated));
    for (const minute of beyond.minutes.filter((entry) => entry.demand === summary.peakDemand))
      expect(minute.shards.map((shard) => shard.cause?.replace(/: .*$/, ''))).toEqual(saturated);
    expect(formatDay(beyond)).toMatch(/Simulated: unserved from \d\d:\d\d to \d\d:\d\d/);
  });
});

describe(`the same day on state ${stateId} with its media pool capped`, () => {
  const shards = Object.keys(bridgeLimits(installation, sizing).maxReplicas).length;
  const mediaMax = mediaPools(installation).reduce((sum, pool) => sum + pool.maxNodes, 0);
  // about half the pool, a multiple of the shards so that the model's even split is exact
  const cap = shards * Math.ceil(mediaMax / (2 * shards));
  const capped = withMediaNodes(installation, cap);
  let report: DayReport;
  beforeAll(async () => {
    [, report] = (await runDays(capped, [day])) as [PlacementReport, DayReport];
  });

  test('leaves participants unserved when and as much as the model predicts, and says the media pool is full', () => {
    const summary = summarizeDay(report);
    const full = bridgeFullParticipants(sizing);
    const atMost = bridgesAtMost(report.limits);
    expect(Object.values(atMost).reduce((sum, bridges) => sum + bridges, 0)).toBe(cap);
    // the model predicts a shortfall: at the peak, the demand beyond every allowed bridge at full load
    expect(summary.predicted).toBeDefined();
    expect(summary.predicted!.most).toBe(summary.peakDemand - cap * full);
    // the run has one, starting within TOLERANCE minutes of the predicted start: the scheduler may split the pool one
    // bridge off even between the shards, so one shard may saturate as early as the demand takes to grow by one full
    // bridge at the morning's steepest ramp, plus the minute the reading lags
    const steepest = Math.max(...day.minutes.slice(1).map((minute, index) => minute.participants - day.minutes[index]!.participants));
    const tolerance = Math.ceil(full / (steepest / shards)) + 1;
    expect(summary.shortfall).toBeDefined();
    expect(Math.abs(minutesOf(summary.shortfall!.first) - minutesOf(summary.predicted!.first))).toBeLessThanOrEqual(tolerance);
    // and at every minute of the peak the amount the model predicts, within one bridge at full load (the same split)
    for (const minute of report.minutes.filter((entry) => entry.demand === summary.peakDemand))
      expect(Math.abs(minute.unserved - minute.predictedUnserved)).toBeLessThanOrEqual(full);
    // the report names the reason: bridges Pending with no node left in the pool
    expect(summary.causes.map((entry) => entry.cause)).toContain('media pool full');
    expect(summary.schedulerReasons.join(' ')).toContain("didn't have free ports");
    expect(formatDay(report)).toMatch(/Simulated: unserved from \d\d:\d\d to \d\d:\d\d/);
  });
});
