/**
 * One measured run, in a fresh process: `emit-probe floor` only loads cdk8s (the one library every chart build runs;
 * the charts build typed manifests from `kubernetes-types`, types only, since cdk8s-plus-27 left them);
 * `emit-probe emit <dir> [packages/<chart>]` loads them and emits every chart (or the one named, as `npm run build`
 * runs each chart package's synth) into <dir>. Prints JSON timings (ms), the CPU time the process spent meanwhile
 * (all its threads: tsx's loader thread, V8's compiler and GC threads), and peak RSS.
 */
import { performance } from 'node:perf_hooks';

async function probe(mode: string, outDir: string | undefined, packageDir: string | undefined): Promise<void> {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  await import('cdk8s');
  const loaded = performance.now();
  let charts = 0;
  if (mode === 'emit') {
    const { synth } = await import('@meetscale/synth');
    charts = (await synth(packageDir === undefined ? [] : [packageDir], outDir ?? '')).length;
  }
  const done = performance.now();
  const cpu = process.cpuUsage(cpuStart);
  const result = {
    loadMs: loaded - start,
    totalMs: done - start,
    charts,
    cpuMs: (cpu.user + cpu.system) / 1000,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

probe(process.argv[2] ?? 'floor', process.argv[3], process.argv[4]).catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
