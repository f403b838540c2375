/**
 * Emits chart packages into `charts/`: `tsx tools/synth/src/main.ts packages/haproxy [packages/...]`.
 * Each package exports exactly one chart definition (a value built with `defineChart`).
 */
import { resolve } from 'node:path';

import { type ChartDefinition, emitChart } from '@meetscale/chart-toolkit';

const workspaceRoot = resolve(__dirname, '../../..');

function isChartDefinition(candidate: unknown): candidate is ChartDefinition {
  return typeof candidate === 'object' && candidate !== null && 'build' in candidate && 'values' in candidate && 'name' in candidate;
}

/** The chart definitions a package exports. */
export async function chartsOf(packageDir: string): Promise<ChartDefinition[]> {
  const exported = (await import(resolve(workspaceRoot, packageDir, 'src/index.ts'))) as Record<string, unknown>;
  return Object.values(exported).filter(isChartDefinition);
}

async function main(packageDirs: string[]): Promise<void> {
  if (packageDirs.length === 0) throw new Error('usage: synth <chart package dir> [...]');
  for (const dir of packageDirs) {
    const charts = await chartsOf(dir);
    if (charts.length !== 1) throw new Error(`${dir} must export exactly one chart definition, found ${charts.length}`);
    for (const chart of charts) {
      const target = await emitChart(chart, resolve(workspaceRoot, 'charts'));
      process.stdout.write(`emitted ${chart.name} ${chart.version} -> ${target}\n`);
    }
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`synth: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
