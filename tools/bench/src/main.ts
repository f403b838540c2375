/**
 * `npm run bench`: the time to emit every chart next to the time Node takes merely to load cdk8s and
 * (the floor: cdk8s alone), each measured in fresh processes, so the toolkit's own overhead is visible.
 * What is compared, and why it is a fair comparison, is in `tools/bench/README.md`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { chartPackages } from '@meetscale/synth';

interface Probe {
  readonly loadMs: number;
  readonly totalMs: number;
  readonly cpuMs: number;
  readonly maxRssMb: number;
  /** Charts the probe emitted (0 for the floor). */
  readonly charts: number;
}

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/** Fresh processes per chart for the per-chart table (each chart's own synth, as `npm run build` runs it). */
const CHART_RUNS = Number(process.env.BENCH_CHART_RUNS ?? 3);
/** The budget of issue 10: emitting every chart takes at most this many times the floor. */
const MAX_RATIO = 2;
const probeScript = resolve(__dirname, 'emit-probe.ts');
const tsx = resolve(__dirname, '../../../node_modules/.bin/tsx');

function run(args: string[]): Probe & { wallMs: number } {
  const start = process.hrtime.bigint();
  const result = spawnSync(tsx, [probeScript, ...args], { encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`bench probe ${args.join(' ')} failed:\n${result.stderr}`);
  return { ...(JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as Probe), wallMs };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

function main(): void {
  const out = mkdtempSync(join(tmpdir(), 'meetscale-bench-'));
  try {
    // Floor and emit runs alternate, so a machine that gets busier or quieter during the bench affects both alike.
    const floors: Array<Probe & { wallMs: number }> = [];
    const emits: Array<Probe & { wallMs: number }> = [];
    for (let i = 0; i < RUNS; i++) {
      floors.push(run(['floor']));
      emits.push(run(['emit', out]));
    }
    const row = (what: string, probes: Array<Probe & { wallMs: number }>): [string, number, number, number, number] => [
      what,
      median(probes.map((p) => p.totalMs)),
      median(probes.map((p) => p.cpuMs)),
      median(probes.map((p) => p.wallMs)),
      median(probes.map((p) => p.maxRssMb)),
    ];
    const rows = [row('load cdk8s (floor)', floors), row('emit all charts (incl. the floor)', emits)];
    const floor = rows[0]?.[1] ?? NaN;
    const emit = rows[1]?.[1] ?? NaN;
    const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
    process.stdout.write(
      `Median of ${RUNS} fresh processes each, floor and emit alternating. Both run the same way \`npm run build\` does\n` +
        `(tsx, cdk8s loaded first by import); in-process time starts before cdk8s loads and excludes Node/tsx start-up,\n` +
        `wall time includes it. See tools/bench/README.md.\n\n`,
    );
    process.stdout.write(
      `${line(['what', 'in-process ms', 'in-process CPU ms', 'wall ms', 'peak RSS MB'])}\n${line(['---', '---:', '---:', '---:', '---:'])}\n`,
    );
    for (const [what, inProcess, cpu, wall, rss] of rows)
      process.stdout.write(`${line([what, inProcess.toFixed(0), cpu.toFixed(0), wall.toFixed(0), rss.toFixed(0)])}\n`);
    const charts = emits[0]?.charts ?? 0;
    process.stdout.write(
      `\ntoolkit overhead over the floor: ${(emit - floor).toFixed(0)} ms, ${((emit - floor) / charts).toFixed(0)} ms per chart (${charts} charts)\n`,
    );
    const pairRatio = median(emits.map((e, i) => e.totalMs / (floors[i]?.totalMs ?? NaN)));
    const cpuRatio = (rows[1]?.[2] ?? NaN) / (rows[0]?.[2] ?? NaN);
    process.stdout.write(
      `emit / floor (in-process medians): ${(emit / floor).toFixed(2)}x, median of the ${RUNS} run pairs' ratios: ${pairRatio.toFixed(2)}x ` +
        `(budget: at most ${MAX_RATIO}x)\n`,
    );
    process.stdout.write(`emit / floor (CPU time, steadier on a busy machine): ${cpuRatio.toFixed(2)}x\n`);

    // `npm run build` runs one synth process per chart package (Nx, in parallel): each of them next to the floor.
    process.stdout.write(
      `\nEach chart alone, as \`npm run build\` emits it (one process per chart package; median of ${CHART_RUNS}, floor ${floor.toFixed(0)} ms):\n\n` +
        `${line(['chart package', 'in-process ms', 'over the floor ms', 'ratio to the floor'])}\n${line(['---', '---:', '---:', '---:'])}\n`,
    );
    for (const packageDir of chartPackages()) {
      const alone = median(Array.from({ length: CHART_RUNS }, () => run(['emit', out, packageDir]).totalMs));
      process.stdout.write(`${line([packageDir, alone.toFixed(0), (alone - floor).toFixed(0), `${(alone / floor).toFixed(2)}x`])}\n`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

main();
