/**
 * Properties of the autoscaler over random school days and random faults (fast-check): whatever the load and
 * whatever fails, no VM is stopped while it has meetings, unprocessed recordings, or while Scalelite counts it
 * enabled or cordoned; no VM is started twice; and the servers serving never fall below the schedule's floor
 * (without faults: at every cycle; with faults: never by the autoscaler's own drain). The pool is simulated in
 * memory (PoolWorld) so that each property sees hundreds of days; the scenario tests run the same reconciler
 * against the loopback HTTP fakes.
 */
import { floorAt } from '@meetscale/bbb-autoscaling';
import fc from 'fast-check';

import { DEFAULT_WORLD, PoolWorld } from './support/pool-world';
import { type Tick } from './support/run-world';
import { newReconciler, worldConfig } from './support/run-world';
import { SimulatedClock } from './support/simulated-clock';

jest.setTimeout(120_000);

/** Random days per property: each is 1,320 cycles (05:00 to 16:00 every 30 s); three properties share the budget. */
const RUNS = 25;

/** Monday 30 November 2026, 05:00 in Berlin (CET, UTC+1). */
const MONDAY_0500 = new Date('2026-11-30T04:00:00Z');

const fault = fc.oneof(
  fc.record({
    kind: fc.constant('ionos-errors' as const),
    minute: fc.integer({ min: 0, max: 600 }),
    count: fc.integer({ min: 1, max: 6 }),
  }),
  fc.record({
    kind: fc.constantFrom('ionos' as const, 'scalelite' as const, 'prometheus' as const),
    minute: fc.integer({ min: 0, max: 600 }),
    seconds: fc.integer({ min: 30, max: 3600 }),
  }),
  fc.record({ kind: fc.constant('restart' as const), minute: fc.integer({ min: 0, max: 600 }) }),
  fc.record({ kind: fc.constant('broken' as const), server: fc.nat() }),
);

const day = fc.record({
  poolSize: fc.integer({ min: 3, max: 10 }),
  minServers: fc.integer({ min: 0, max: 2 }),
  windowFloor: fc.integer({ min: 0, max: 8 }),
  leadMinutes: fc.integer({ min: 5, max: 40 }),
  usersPerServer: fc.integer({ min: 60, max: 200 }),
  headroomServers: fc.integer({ min: 0, max: 2 }),
  scaleInCooldownSeconds: fc.integer({ min: 0, max: 1800 }),
  // participants at each hour from 05:00 to 16:00 (the curve steps hourly)
  curve: fc.array(fc.integer({ min: 0, max: 1500 }), { minLength: 11, maxLength: 11 }),
  recordingMinutes: fc.integer({ min: 0, max: 30 }),
  faults: fc.array(fault, { maxLength: 6 }),
});

type Day = typeof day extends fc.Arbitrary<infer T> ? T : never;

/** Runs one random day; returns the world and a line per cycle (with what served before the cycle acted). */
async function live(
  scenario: Day,
): Promise<{ world: PoolWorld; ticks: Array<Tick & { servingBefore: number }>; config: ReturnType<typeof worldConfig> }> {
  const clock = new SimulatedClock(MONDAY_0500);
  const hosts = Array.from({ length: scenario.poolSize }, (_, index) => `bbb-${String(index + 1).padStart(2, '0')}.example.org`);
  const world = new PoolWorld(clock, hosts, { ...DEFAULT_WORLD, recordingMinutes: scenario.recordingMinutes });
  const config = worldConfig(world, {
    minServers: scenario.minServers,
    schedule: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '07:00', to: '16:00', minServers: scenario.windowFloor }],
    leadMinutes: scenario.leadMinutes,
    usersPerServer: scenario.usersPerServer,
    headroomServers: scenario.headroomServers,
    scaleInCooldownSeconds: scenario.scaleInCooldownSeconds,
  });
  for (const broken of scenario.faults.filter((entry) => entry.kind === 'broken'))
    (world.servers[broken.server % world.servers.length] as { broken: boolean }).broken = true;
  let reconciler = newReconciler(world, config);
  const ticks: Array<Tick & { servingBefore: number }> = [];
  for (let cycle = 0; cycle < 11 * 120; cycle += 1) {
    const minute = cycle / 2;
    for (const entry of scenario.faults) {
      if (entry.kind === 'broken' || entry.minute !== minute) continue;
      if (entry.kind === 'restart') reconciler = newReconciler(world, config);
      else if (entry.kind === 'ionos-errors')
        world.failIonos(...Array.from({ length: entry.count }, (_, index) => (index % 2 === 0 ? '429' : '503')));
      else world.outage(entry.kind, entry.seconds);
    }
    const at = clock.now();
    const demand = scenario.curve[Math.min(10, Math.floor(minute / 60))] ?? 0;
    world.demand(demand);
    const servingBefore = world.serving().length;
    const report = await reconciler.cycle();
    ticks.push({
      at,
      demand,
      servingBefore,
      serving: world.serving().length,
      running: world.servers.filter((server) => server.vm === 'RUNNING').length,
      floor: floorAt(config.policy, at),
      actions: (report.decision?.actions ?? []).map((action) => `${action.kind} ${action.host}`),
    });
    clock.advance(config.intervalSeconds * 1000);
  }
  return { world, ticks, config };
}

test('no VM is stopped with meetings, recordings, or while Scalelite counts it; none is started twice', async () => {
  await fc.assert(
    fc.asyncProperty(day, async (scenario) => {
      const { world } = await live(scenario);
      expect(world.violations).toEqual([]);
    }),
    { numRuns: RUNS },
  );
});

test('without faults, the servers serving never fall below the schedule floor once the first servers are up', async () => {
  await fc.assert(
    fc.asyncProperty(
      day.map((scenario) => ({ ...scenario, faults: [] })),
      async (scenario) => {
        const { ticks } = await live(scenario);
        const bootCycles = Math.ceil((DEFAULT_WORLD.bootSeconds + 60) / 30);
        const below = ticks
          .slice(bootCycles)
          .filter((tick) => tick.serving < Math.min(tick.floor, scenario.poolSize))
          .map((tick) => `${tick.at.toISOString()}: ${tick.serving} serving, floor ${tick.floor}`);
        expect(below).toEqual([]);
      },
    ),
    { numRuns: RUNS },
  );
});

test('with faults, the autoscaler never drains a server the floor needs', async () => {
  await fc.assert(
    fc.asyncProperty(day, async (scenario) => {
      const { ticks } = await live(scenario);
      const drainsBelow = ticks
        .filter((tick) => tick.actions.some((action) => action.startsWith('cordon ')) && tick.servingBefore - 1 < tick.floor)
        .map((tick) => `${tick.at.toISOString()}: drained with ${tick.servingBefore} serving, floor ${tick.floor}`);
      expect(drainsBelow).toEqual([]);
    }),
    { numRuns: RUNS },
  );
});
