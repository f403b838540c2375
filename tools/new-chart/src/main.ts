/** `npm run new-chart -- <name> [--scope jitsi|bbb|ops]`: scaffolds `packages/<name>`. */
import { resolve } from 'node:path';

import { scaffoldChart } from './scaffold';

const [name, flag, scope] = process.argv.slice(2);
try {
  if (name === undefined) throw new Error('usage: npm run new-chart -- <name> [--scope jitsi|bbb|ops]');
  const files = scaffoldChart({
    name,
    root: resolve(__dirname, '../../..'),
    scope: flag === '--scope' ? (scope as 'jitsi' | 'bbb' | 'ops') : undefined,
  });
  process.stdout.write(
    `${files.map((file) => `created ${file}`).join('\n')}\n\nNext: npm install && npm run build (the chart lands in charts/${name}; the contract tests cover it automatically)\n`,
  );
} catch (error) {
  process.stderr.write(`new-chart: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
