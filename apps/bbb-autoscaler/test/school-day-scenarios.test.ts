/**
 * The autoscaler through its real clients against the loopback fakes (IONOS validated against the Cloud API v6
 * description, Scalelite verifying checksums, one BigBlueButton API per server, Prometheus' query API), in simulated
 * time: the morning ramp, the end of the school day, a meeting that keeps its server, recordings that delay a stop,
 * IONOS refusing with 429 and 503, a restart mid-drain, Scalelite unreachable, a VM that never comes up.
 */
import { Telemetry } from '../src/telemetry';
import { type FakeMember, FakePool } from './support/fake-pool';
import { SimulatedClock } from './support/simulated-clock';

jest.setTimeout(120_000);

/** Monday 30 November 2026, 06:00 in Berlin (CET, UTC+1). */
const MONDAY_0600 = new Date('2026-11-30T05:00:00Z');
const SCHOOL_DAY = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '07:30', to: '14:00', minServers: 3 };

let pool: FakePool | undefined;
afterEach(async () => {
  if (pool !== undefined) {
    pool.ionos.expectNoViolations();
    await pool.close();
  }
  pool = undefined;
});

/** Local Berlin time of a simulated instant, `HH:MM`. */
const berlin = (at: Date): string => at.toLocaleTimeString('de-DE', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit' });

/**
 * Runs cycles every 30 s of simulated time until `until` (Berlin `HH:MM`), the participants from `demand`; returns
 * what served at each minute.
 */
async function runUntil(
  subject: FakePool,
  until: string,
  demand: (time: string) => number,
  reconciler = subject.reconciler(),
): Promise<Array<{ time: string; serving: number; running: number; demand: number }>> {
  const lines: Array<{ time: string; serving: number; running: number; demand: number }> = [];
  for (let guard = 0; guard < 24 * 120 && berlin(subject.clock.now()) !== until; guard += 1) {
    const time = berlin(subject.clock.now());
    await subject.tick(demand(time));
    await reconciler.cycle();
    subject.sync();
    lines.push({
      time,
      serving: subject.serving().length,
      running: subject.members.filter((member) => subject.vmState(member) === 'RUNNING').length,
      demand: demand(time),
    });
    subject.clock.advance(30_000);
  }
  return lines;
}

const at = <Line extends { time: string }>(lines: Line[], time: string): Line | undefined => lines.find((line) => line.time === time);

test('the morning ramp: the floor serves before the first lesson, the load adds servers as it comes, none is unserved', async () => {
  const clock = new SimulatedClock(MONDAY_0600);
  pool = await FakePool.start(clock, { size: 6, policy: { minServers: 1, schedule: [SCHOOL_DAY], leadMinutes: 20, usersPerServer: 100 } });
  // lessons from 07:30: 200 participants, 400 from 09:00
  const lines = await runUntil(pool, '10:00', (time) => (time >= '09:00' ? 400 : time >= '07:30' ? 200 : 0));
  // at night one server (minServers), three before 07:30 (started at 07:10 with the lead, up within their boot time)
  expect(at(lines, '06:30')?.serving).toBe(1);
  expect(at(lines, '07:25')?.serving).toBe(3);
  // with 400 participants at 100 per server and 75 % target utilisation: 6 needed (5 + 1 headroom), all of the pool
  expect(at(lines, '09:30')?.serving).toBe(6);
  expect(pool.unserved).toBe(0);
  // every start was one POST that IONOS accepted
  expect(pool.ionos.calls('start')).toBe(6);
});

test('the end of the school day: servers drain as the load goes, each stopped once disabled, down to the night floor', async () => {
  const clock = new SimulatedClock(MONDAY_0600);
  pool = await FakePool.start(clock, {
    size: 4,
    meetingMinutes: 30,
    policy: { minServers: 1, schedule: [SCHOOL_DAY], usersPerServer: 100, scaleInCooldownSeconds: 300 },
  });
  const lines = await runUntil(pool, '17:00', (time) => (time >= '08:00' && time < '13:30' ? 250 : 0));
  expect(at(lines, '12:00')?.serving).toBe(4);
  // after the last lesson, and the window closed at 14:00: one server left running, the others stopped by IONOS
  expect(at(lines, '16:59')).toMatchObject({ serving: 1, running: 1 });
  expect(pool.ionos.calls('stop')).toBe(3);
  for (const member of pool.members.filter((candidate) => pool?.vmState(candidate) === 'SHUTOFF'))
    expect(pool.entry(member).state).toBe('disabled');
});

test('a server whose own API still reports a meeting is never stopped, whatever Scalelite counts', async () => {
  const clock = new SimulatedClock(MONDAY_0600);
  pool = await FakePool.start(clock, { size: 3, policy: { minServers: 1, schedule: [], scaleInCooldownSeconds: 0 } });
  // GIVEN two VMs running, the second disabled in Scalelite by an administrator while a lesson ran on it: Scalelite
  // counts it disabled with no load, its own API lists the meeting
  const [first, second] = pool.members as [FakeMember, FakeMember];
  for (const member of [first, second]) pool.ionos.addServer({ id: member.vmId, name: member.host, vmState: 'RUNNING' });
  second.meetings.push({ id: 'still-teaching', participants: 20, endsAt: clock.now().getTime() + 6 * 3600_000 });
  // WHEN the autoscaler runs for half an hour: one server is all the night needs
  const reconciler = pool.reconciler();
  const skipped: string[] = [];
  for (let cycle = 0; cycle < 60; cycle += 1) {
    await pool.tick(0);
    const report = await reconciler.cycle();
    skipped.push(...report.skipped.map((action) => `${action.kind} ${action.host}`));
    clock.advance(30_000);
  }
  // THEN it served with the first, wanted the second stopped, asked the server, and kept it
  expect(pool.entry(first).state).toBe('enabled');
  expect(pool.entry(second).state).toBe('disabled');
  expect(skipped).toContain(`stop ${second.host}`);
  expect(pool.vmState(second)).toBe('RUNNING');
  expect(pool.ionos.calls('stop')).toBe(0);
  // AND once the lesson is over, the server goes
  second.meetings = [];
  for (let cycle = 0; cycle < 4; cycle += 1) {
    await pool.tick(0);
    await reconciler.cycle();
    clock.advance(30_000);
  }
  expect(pool.vmState(second)).toBe('SHUTOFF');
});

test('recordings still processing delay a drained server’s stop until Prometheus reports them done', async () => {
  const clock = new SimulatedClock(MONDAY_0600);
  pool = await FakePool.start(clock, {
    size: 3,
    meetingMinutes: 20,
    recordingMinutes: 25,
    policy: { minServers: 1, schedule: [], usersPerServer: 100, scaleInCooldownSeconds: 0 },
  });
  // a lesson hour needing three servers, then nothing
  const lines = await runUntil(pool, '08:30', (time) => (time >= '06:10' && time < '06:40' ? 200 : 0));
  expect(Math.max(...lines.map((line) => line.serving))).toBe(3);
  // the last meetings end by 07:00; their recordings take 25 minutes: no stop before they are processed
  const stops = pool.ionos.log().filter((exchange) => exchange.operation === 'stop' && exchange.status === 202);
  expect(stops).toHaveLength(2);
  const firstDrainedAt = lines.find((line, index) => index > 0 && line.running < (lines[index - 1]?.running ?? 0))?.time;
  const lastMeetingEnd = '07:00';
  // (a meeting started at 06:39 ends at 06:59; its recording at 07:24)
  expect(firstDrainedAt! > lastMeetingEnd).toBe(true);
  expect(firstDrainedAt! >= '07:05').toBe(true);
  expect(pool.members.flatMap((member) => member.recordings)).toEqual([]);
});

test('IONOS answering 429 and 503: every start happens, each with exactly one accepted POST', async () => {
  const clock = new SimulatedClock(MONDAY_0600);
  pool = await FakePool.start(clock, { size: 4, policy: { minServers: 4, schedule: [] } });
  pool.ionos.injectFault({ status: 429, times: 3, match: 'start', retryAfterSeconds: 5 });
  pool.ionos.injectFault({ status: 503, times: 2, match: 'listServers' });
  pool.ionos.injectFault({ status: 503, times: 2, match: 'requestStatus' });
  const lines = await runUntil(pool, '06:15', () => 0);
  expect(at(lines, '06:14')?.serving).toBe(4);
  const accepted = pool.ionos.log().filter((exchange) => exchange.operation === 'start' && exchange.status === 202);
  expect(accepted).toHaveLength(4);
  expect(new Set(accepted.map((exchange) => exchange.path)).size).toBe(4);
});

test('a restart in the middle of a drain resumes it from what Scalelite reports', async () => {
  const clock = new SimulatedClock(MONDAY_0600);
  pool = await FakePool.start(clock, {
    size: 3,
    policy: {
      minServers: 1,
      schedule: [{ ...SCHOOL_DAY, from: '06:00', to: '06:10', minServers: 3 }],
      leadMinutes: 0,
      usersPerServer: 100,
      headroomServers: 0,
      scaleInUtilization: 0.7,
      scaleInCooldownSeconds: 0,
    },
  });
  const first = pool.reconciler();
  await runUntil(pool, '06:10', () => 0, first);
  expect(pool.serving()).toHaveLength(3);
  // GIVEN lessons of 125 participants: one on the first server until 06:40, two each on the others until 08:00
  const [a, b, c] = pool.members as [FakeMember, FakeMember, FakeMember];
  const until = (time: string): number => new Date(`2026-11-30T${time}:00+01:00`).getTime();
  a.meetings.push({ id: 'a-1', participants: 25, endsAt: until('06:40') });
  for (const member of [b, c])
    member.meetings.push(
      { id: `${member.host}-1`, participants: 25, endsAt: until('08:00') },
      { id: `${member.host}-2`, participants: 25, endsAt: until('08:00') },
    );
  // WHEN the window closes, two servers carry the load: the least-loaded one is cordoned with its lesson still on
  await runUntil(pool, '06:12', () => 0, first);
  expect(pool.entry(a)).toMatchObject({ state: 'cordoned', load: 25 });
  // AND the autoscaler restarts (a new process: nothing remembered)
  const second = pool.reconciler();
  const after = await runUntil(pool, '07:00', () => 0, second);
  // THEN the drain went on: the server kept its lesson to the end, turned disabled, and was stopped after
  expect(after.filter((line) => line.time < '06:40').every((line) => line.running === 3)).toBe(true);
  expect(pool.vmState(a)).toBe('SHUTOFF');
  expect(pool.serving().map((member) => member.host)).toEqual([b.host, c.host]);
  expect(pool.ionos.calls('stop')).toBe(1);
});

test('Scalelite unreachable: servers still start for the floor, none is drained or stopped until it answers again', async () => {
  const clock = new SimulatedClock(MONDAY_0600);
  pool = await FakePool.start(clock, {
    size: 4,
    policy: { minServers: 1, schedule: [{ ...SCHOOL_DAY, from: '06:30', to: '06:45' }], leadMinutes: 5, scaleInCooldownSeconds: 0 },
  });
  await runUntil(pool, '06:20', () => 0);
  expect(pool.serving()).toHaveLength(1);
  // WHEN Scalelite stops answering before the window opens
  await pool.scalelite.unreachable('refuse');
  const during = await runUntil(pool, '07:15', () => 0);
  // THEN the window's servers were started all the same (they cannot be enabled without Scalelite), and after the
  // window none was stopped: without Scalelite's word, nothing is drained
  expect(Math.max(...during.map((line) => line.running))).toBe(3);
  expect(at(during, '07:14')?.running).toBe(3);
  expect(pool.ionos.calls('stop')).toBe(0);
  // AND once it answers again, the window's servers are enabled, found idle, and the extra ones go
  await pool.scalelite.reachable();
  await runUntil(pool, '07:45', () => 0);
  expect(pool.members.filter((member) => pool?.vmState(member) === 'RUNNING')).toHaveLength(1);
});

test('a VM that never comes up is not enabled, is reported by the start-failed metric, and another server starts', async () => {
  const clock = new SimulatedClock(MONDAY_0600);
  pool = await FakePool.start(clock, { size: 3, policy: { minServers: 2, schedule: [], startTimeoutSeconds: 600 } });
  pool.member('bbb-01.lernen.example.org').broken = true;
  const telemetry = new Telemetry();
  const reconciler = pool.reconciler(telemetry);
  const lines = await runUntil(pool, '06:20', () => 0, reconciler);
  const broken = pool.member('bbb-01.lernen.example.org');
  expect(pool.entry(broken).state).toBe('disabled');
  expect(at(lines, '06:19')?.serving).toBe(2);
  expect(pool.vmState(pool.member('bbb-03.lernen.example.org'))).toBe('RUNNING');
  const metrics = await telemetry.registry.metrics();
  expect(metrics).toContain('meetscale_bbb_server_start_failed{server="bbb-01.lernen.example.org"} 1');
  expect(metrics).toContain('meetscale_bbb_server_start_failed{server="bbb-02.lernen.example.org"} 0');
});

test('a dry run decides as usual and changes nothing', async () => {
  const clock = new SimulatedClock(MONDAY_0600);
  pool = await FakePool.start(clock, { size: 3, policy: { minServers: 2, schedule: [] } });
  const telemetry = new Telemetry();
  const logged: Array<Record<string, unknown>> = [];
  const dry = pool.reconciler(telemetry, (entry) => logged.push(entry), { ...pool.config, dryRun: true });
  const report = await dry.cycle();
  expect(report.decision?.actions.map((action) => action.kind)).toEqual(['start', 'start']);
  expect(pool.ionos.calls('start')).toBe(0);
  // the decision is logged and counted, marked as a dry run
  expect(logged).toContainEqual(
    expect.objectContaining({
      msg: 'decision',
      dryRun: true,
      actions: [expect.stringMatching(/^start /), expect.stringMatching(/^start /)],
    }),
  );
  expect(await telemetry.registry.metrics()).toContain('meetscale_bbb_autoscaler_decisions_total{action="start"} 2');
});
