/**
 * Generates the IONOS bindings (`generated/providers/ionoscloud`) if they are missing or stale, so the tests
 * run from a fresh clone. Import it first in every test file that loads the stack, as a side-effect import:
 * it must run before the generated modules are required. Idempotent (the generator compares the inputs it
 * recorded) and safe across parallel jest workers (the generator locks).
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

/** The workspace root. */
export const WORKSPACE_ROOT: string = path.resolve(__dirname, '..', '..', '..');

/** The app's cdktf `codeMakerOutput`. */
export const CODE_MAKER_OUTPUT: string = path.resolve(__dirname, '..', 'generated');

/** Runs the generator of tools/ionoscloud (as a process: an app does not import a tool). */
export function ensureBindings(): void {
  execFileSync(process.execPath, ['--import', 'tsx', path.join('tools', 'ionoscloud', 'src', 'cli.ts'), 'generate', CODE_MAKER_OUTPUT], {
    cwd: WORKSPACE_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

ensureBindings();
