/**
 * Writing the files every chart's synth shares. `npm run build` runs one synth process per chart package, in
 * parallel under Nx, and each of them writes `charts/package.json` and `charts/facts/_naming.ts` while the others
 * may be loading a chart package that imports `@meetscale/chart-values` (whose `package.json` Node reads to resolve
 * the import). A plain write truncates the file first, so a reader at that moment saw an empty `package.json`.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `content` to `path` so that a reader at any moment sees either the old file whole or the new one whole:
 * the content goes to a sibling file first, which is then renamed over `path` (atomic on one file system). A file
 * that already holds `content` is left alone, so a build that changes nothing writes nothing.
 * @returns whether the file was written
 */
export function writeSharedFile(path: string, content: string): boolean {
  let current: string | undefined;
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === content) return false;
  const sibling = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(sibling, content);
    renameSync(sibling, path);
  } finally {
    rmSync(sibling, { force: true });
  }
  return true;
}
