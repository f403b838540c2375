/**
 * `npm run bench`: the time to emit every chart next to the time Node takes merely to load cdk8s and
 * cdk8s-plus-27 (the floor), each measured in fresh processes, so the toolkit's own overhead is visible.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

interface Probe {
  readonly loadMs: number;
  readonly totalMs: number;
  readonly maxRssMb: number;
}

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
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
    const floors = Array.from({ length: RUNS }, () => run(['floor']));
    const emits = Array.from({ length: RUNS }, () => run(['emit', out]));
    const rows: Array<[string, number, number, number]> = [
      [
        'load cdk8s + cdk8s-plus-27 (floor)',
        median(floors.map((p) => p.totalMs)),
        median(floors.map((p) => p.wallMs)),
        median(floors.map((p) => p.maxRssMb)),
      ],
      [
        'emit all charts (incl. the floor)',
        median(emits.map((p) => p.totalMs)),
        median(emits.map((p) => p.wallMs)),
        median(emits.map((p) => p.maxRssMb)),
      ],
    ];
    const overhead = (rows[1]?.[1] ?? 0) - (rows[0]?.[1] ?? 0);
    const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
    process.stdout.write(`Median of ${RUNS} fresh processes each (in-process time excludes Node/tsx start-up; wall includes it)\n\n`);
    process.stdout.write(`${line(['what', 'in-process ms', 'wall ms', 'peak RSS MB'])}\n${line(['---', '---:', '---:', '---:'])}\n`);
    for (const [what, inProcess, wall, rss] of rows)
      process.stdout.write(`${line([what, inProcess.toFixed(0), wall.toFixed(0), rss.toFixed(0)])}\n`);
    process.stdout.write(`\ntoolkit overhead over the floor: ${overhead.toFixed(0)} ms\n`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

main();
