import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { ensureGoTool, GO_TOOLS_CACHE_ENV, GoBuildError, type GoTool, goToolPath } from '../src';

/** A module of the test's own, with no dependencies, so the build needs no network. */
function writeModule(dir: string, greeting: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'go.mod'), 'module example.test/greeter\n\ngo 1.22\n');
  fs.writeFileSync(path.join(dir, 'go.sum'), '');
  fs.writeFileSync(path.join(dir, 'main.go'), `package main\n\nimport "fmt"\n\nfunc main() { fmt.Println(${JSON.stringify(greeting)}) }\n`);
}

describe('ensureGoTool', () => {
  let work: string;
  let tool: GoTool;
  const previousCache = process.env[GO_TOOLS_CACHE_ENV];

  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'go-tools-test-'));
    process.env[GO_TOOLS_CACHE_ENV] = path.join(work, 'cache');
    writeModule(path.join(work, 'module'), 'hello');
    tool = { name: 'greeter', moduleDir: path.join(work, 'module'), packagePath: 'example.test/greeter' };
  });

  afterEach(() => {
    if (previousCache === undefined) delete process.env[GO_TOOLS_CACHE_ENV];
    else process.env[GO_TOOLS_CACHE_ENV] = previousCache;
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('builds a missing tool once and reuses the binary afterwards', () => {
    // GIVEN an empty cache
    const built: string[] = [];
    // WHEN the tool is ensured twice
    const first = ensureGoTool(tool, { onBuild: (t) => built.push(t.name) });
    const second = ensureGoTool(tool, { onBuild: (t) => built.push(t.name) });
    // THEN it was built exactly once, into the keyed cache path, and runs
    expect(built).toEqual(['greeter']);
    expect(second).toBe(first);
    expect(first).toBe(goToolPath(tool));
    expect(spawnSync(first, { encoding: 'utf8' }).stdout).toBe('hello\n');
  });

  it('builds anew when the pinning go.mod changes', () => {
    const before = ensureGoTool(tool);
    // WHEN the program changes together with its pin (here: the go directive)
    writeModule(tool.moduleDir, 'bye');
    fs.writeFileSync(path.join(tool.moduleDir, 'go.mod'), 'module example.test/greeter\n\ngo 1.23\n');
    const after = ensureGoTool(tool);
    // THEN the binary lives elsewhere and is the new one
    expect(after).not.toBe(before);
    expect(spawnSync(after, { encoding: 'utf8' }).stdout).toBe('bye\n');
  });

  it('keys the binary by its linker settings and build environment, and applies them', () => {
    // GIVEN a program printing a variable the linker sets
    fs.writeFileSync(
      path.join(tool.moduleDir, 'main.go'),
      'package main\n\nimport "fmt"\n\nvar stamp = "unset"\n\nfunc main() { fmt.Println(stamp) }\n',
    );
    const stamped: GoTool = { ...tool, linkerSettings: ['main.stamp=v1.2.3'] };
    const withEnv: GoTool = { ...stamped, buildEnv: { GOAMD64: 'v1' } };
    // THEN each variant has a binary of its own, and the stamp is applied
    expect(new Set([goToolPath(tool), goToolPath(stamped), goToolPath(withEnv)]).size).toBe(3);
    expect(spawnSync(ensureGoTool(stamped), { encoding: 'utf8' }).stdout).toBe('v1.2.3\n');
    expect(spawnSync(ensureGoTool(tool), { encoding: 'utf8' }).stdout).toBe('unset\n');
  });

  it('fails with the go command output and leaves nothing in the cache when the build fails', () => {
    fs.writeFileSync(path.join(tool.moduleDir, 'main.go'), 'package main\n\nfunc main() { undefinedCall() }\n');
    expect(() => ensureGoTool(tool)).toThrow(GoBuildError);
    expect(() => ensureGoTool(tool)).toThrow(
      /building greeter \(example\.test\/greeter, pinned in .*\/go\.mod\) failed:\n[\s\S]*undefined: undefinedCall/,
    );
    expect(fs.existsSync(path.dirname(goToolPath(tool))) ? fs.readdirSync(path.dirname(goToolPath(tool))) : []).toEqual([]);
  });
});

describe('ensureGoTool with a lock left behind', () => {
  it('takes over the build lock of a process that died', () => {
    // GIVEN a lock folder whose owner process no longer exists
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'go-tools-lock-'));
    const previous = process.env[GO_TOOLS_CACHE_ENV];
    process.env[GO_TOOLS_CACHE_ENV] = path.join(work, 'cache');
    try {
      writeModule(path.join(work, 'module'), 'locked');
      const tool: GoTool = { name: 'greeter', moduleDir: path.join(work, 'module'), packagePath: 'example.test/greeter' };
      const dead = spawnSync('true').pid as number;
      const lock = `${goToolPath(tool)}.lock`;
      fs.mkdirSync(lock, { recursive: true });
      fs.writeFileSync(path.join(lock, 'pid'), String(dead));
      // WHEN the tool is ensured
      const binary = ensureGoTool(tool);
      // THEN it is built and the lock is gone
      expect(spawnSync(binary, { encoding: 'utf8' }).stdout).toBe('locked\n');
      expect(fs.existsSync(lock)).toBe(false);
    } finally {
      if (previous === undefined) delete process.env[GO_TOOLS_CACHE_ENV];
      else process.env[GO_TOOLS_CACHE_ENV] = previous;
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
