/** The git questions the release tooling asks: which commit, is the tree clean, what did a chart hold then. */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository the tooling works on: the workspace this file belongs to. */
export const REPOSITORY_ROOT = resolve(__dirname, '..', '..', '..');

/** Runs git in a repository and returns its standard output; throws with git's own message on failure. */
export function git(args: readonly string[], cwd: string = REPOSITORY_ROOT): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${stderr || (error as Error).message}`);
  }
}

/** The full hash of HEAD. */
export function headCommit(cwd: string = REPOSITORY_ROOT): string {
  return git(['rev-parse', 'HEAD'], cwd).trim();
}

/** Whether a commit is present in the repository (a shallow clone may lack old ones). */
export function hasCommit(commit: string, cwd: string = REPOSITORY_ROOT): boolean {
  try {
    git(['cat-file', '-e', `${commit}^{commit}`], cwd);
    return true;
  } catch {
    return false;
  }
}

/** Paths under `paths` that differ from HEAD (modified, staged or untracked), as `git status --porcelain` lists them. */
export function uncommittedChanges(paths: readonly string[], cwd: string = REPOSITORY_ROOT): string[] {
  return git(['status', '--porcelain', '--untracked-files=all', '--', ...paths], cwd)
    .split('\n')
    .filter((line) => line.trim() !== '');
}

/** The committer time of a commit, in seconds since the epoch. */
export function commitTime(commit: string, cwd: string = REPOSITORY_ROOT): number {
  return Number(git(['show', '-s', '--format=%ct', commit], cwd).trim());
}

/**
 * Extracts `charts/<chart>` as it was at `commit` into `<into>/<chart>` and returns that folder.
 * @throws when the commit is missing (e.g. a shallow clone) or did not hold the chart
 */
export function chartAtCommit(chart: string, commit: string, into: string, cwd: string = REPOSITORY_ROOT): string {
  if (!hasCommit(commit, cwd)) {
    throw new Error(`commit ${commit} (a release of chart ${chart}) is not in this clone: fetch the full history (git fetch --unshallow)`);
  }
  mkdirSync(into, { recursive: true });
  const archive = execFileSync('git', ['archive', '--format=tar', commit, `charts/${chart}`], {
    cwd,
    maxBuffer: 256 * 1024 * 1024,
  });
  execFileSync('tar', ['-x', '-C', into, '--strip-components=1'], { input: archive });
  return join(into, chart);
}
