/**
 * `npm run bench` (part): the autoscaler's decision for a pool of 500 servers — the time of the pure decision and of a
 * whole cycle (observe, decide, act over in-memory ports), and the API calls a cycle makes, in steady state (a busy
 * school day, every server serving) and in the morning ramp (servers coming up). Fails when over budget.
 */
import { decide, freshMemory } from '@meetscale/bbb-autoscaling';

import type { BalancerApi, CloudApi, MetricsApi, ServerProbe } from '../src/ports';
import { Reconciler } from '../src/reconciler';
import { Telemetry } from '../src/telemetry';
import { PoolWorld } from '../test/support/pool-world';
import { worldConfig } from '../test/support/run-world';
import { SimulatedClock } from '../test/support/simulated-clock';

const POOL = 500;
/** Budgets: the pure decision and a whole in-memory cycle for 500 servers, in milliseconds (median). */
const BUDGET = { decideMs: 20, cycleMs: 100 };
const RUNS = Number(process.env.BENCH_RUNS ?? 25);

/** Wraps every port method in a call counter. */
function counted<T extends object>(port: T, name: string, calls: Map<string, number>): T {
  return new Proxy(port, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.set(`${name}.${String(key)}`, (calls.get(`${name}.${String(key)}`) ?? 0) + 1);
        return (value as (...parameters: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

async function measure(phase: 'steady' | 'ramp'): Promise<{ decideMs: number; cycleMs: number; calls: Map<string, number> }> {
  // Tuesday 1 December 2026, 10:00 in Berlin
  const clock = new SimulatedClock(new Date('2026-12-01T09:00:00Z'));
  const hosts = Array.from({ length: POOL }, (_, index) => `bbb-${String(index + 1).padStart(3, '0')}.example.org`);
  const world = new PoolWorld(clock, hosts);
  for (const [index, server] of world.servers.entries()) {
    const serving = phase === 'steady' || index < POOL / 2;
    server.vm = 'RUNNING';
    server.servesFrom = serving ? 0 : Number.POSITIVE_INFINITY;
    server.state = serving ? 'enabled' : 'disabled';
  }
  // a busy day: load to keep all of them serving (steady), or twice what serves (ramp)
  const config = worldConfig(world, { usersPerServer: 200, scaleInCooldownSeconds: 3600, maxServers: 0 });
  world.demand(phase === 'steady' ? POOL * 140 : POOL * 100);
  const calls = new Map<string, number>();
  const ports = {
    cloud: counted<CloudApi>(world.cloud, 'ionos', calls),
    balancer: counted<BalancerApi>(world.balancer, 'scalelite', calls),
    probe: counted<ServerProbe>(world.probe, 'bbb', calls),
    metrics: counted<MetricsApi>(world.metrics, 'prometheus', calls),
  };
  const observation = {
    now: clock.now(),
    servers: world.servers.map((server) => ({
      host: server.host,
      vm: { id: server.vmId, running: true, busy: false },
      balancer: { id: server.host, state: server.state, load: server.meetings.length * 25, online: true },
      unprocessedRecordings: 0,
      serves: server.state === 'enabled' ? undefined : false,
    })),
    balancerRead: true,
    metricsRead: true,
  };
  const decideTimes: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const start = process.hrtime.bigint();
    decide(observation, config.policy, freshMemory(new Date(0)));
    decideTimes.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const cycleTimes: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    calls.clear();
    const reconciler = new Reconciler(
      config,
      { ...ports, clock, serverSecret: (host) => `secret-of-${host}`, log: () => undefined },
      new Telemetry(),
    );
    const start = process.hrtime.bigint();
    await reconciler.cycle();
    cycleTimes.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return { decideMs: median(decideTimes), cycleMs: median(cycleTimes), calls };
}

async function main(): Promise<void> {
  const line = (cells: Array<string | number>): string => `| ${cells.join(' | ')} |`;
  process.stdout.write(`\nBigBlueButton autoscaler, a pool of ${POOL} servers (median of ${RUNS} runs; in-memory ports):\n\n`);
  process.stdout.write(`${line(['phase', 'decide ms', 'cycle ms', 'API calls per cycle'])}\n${line(['---', '---:', '---:', '---'])}\n`);
  let over = false;
  for (const phase of ['steady', 'ramp'] as const) {
    const result = await measure(phase);
    const calls = [...result.calls].map(([call, count]) => `${call} ${count}`).join(', ');
    process.stdout.write(`${line([phase, result.decideMs.toFixed(2), result.cycleMs.toFixed(2), calls])}\n`);
    if (result.decideMs > BUDGET.decideMs || result.cycleMs > BUDGET.cycleMs) over = true;
  }
  process.stdout.write(`\nbudget: decide at most ${BUDGET.decideMs} ms, a whole cycle at most ${BUDGET.cycleMs} ms\n`);
  if (over) {
    process.stderr.write('over budget\n');
    process.exitCode = 1;
  }
}

void main();
