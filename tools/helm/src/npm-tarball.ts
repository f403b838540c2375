import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/**
 * The file name `npm pack` gives the tarball of a package spec: `@scope/name@1.2.3` becomes
 * `scope-name-1.2.3.tgz`.
 * @throws if `spec` does not pin an exact version (`name@version`).
 */
export function npmTarballFileName(spec: string): string {
  const at = spec.lastIndexOf('@');
  if (at <= 0) {
    throw new Error(`npm package spec "${spec}" must be name@version`);
  }
  const name = spec.slice(0, at).replace(/^@/, '').replace(/\//g, '-');
  return `${name}-${spec.slice(at + 1)}.tgz`;
}

/**
 * Returns the path of the npm tarball of `spec` inside `cacheDir`, downloading it with `npm pack` first when
 * it is not there. The tarball is packed in a private temporary folder and renamed into place, so a
 * half-downloaded tarball never appears in the cache. Only the tarball is fetched: no dependency of the
 * package is installed and no lifecycle script runs.
 */
export async function fetchNpmTarball(spec: string, cacheDir: string): Promise<string> {
  const target = path.join(cacheDir, npmTarballFileName(spec));
  if (fs.existsSync(target)) {
    return target;
  }
  fs.mkdirSync(cacheDir, { recursive: true });
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'meetscale-npm-pack-'));
  try {
    await execFileAsync('npm', ['pack', spec, '--pack-destination', workDir, '--ignore-scripts', '--silent'], {
      cwd: workDir,
      maxBuffer: 16 * 1024 * 1024,
    });
    const packed = path.join(workDir, npmTarballFileName(spec));
    if (!fs.existsSync(packed)) {
      throw new Error(`npm pack ${spec} did not produce ${path.basename(packed)}`);
    }
    const staging = path.join(cacheDir, `.${path.basename(target)}.${randomUUID()}.tmp`);
    fs.copyFileSync(packed, staging);
    fs.renameSync(staging, target);
    return target;
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}
