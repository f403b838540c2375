import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { writeSharedFile } from '../src/shared-file';

describe('writeSharedFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'synth-shared-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('leaves a file that already holds the content alone, and writes a changed one in place of the old', () => {
    const path = join(dir, 'package.json');
    expect(writeSharedFile(path, '{"a":1}\n')).toBe(true);
    const first = statSync(path);
    // the same content again: not written
    expect(writeSharedFile(path, '{"a":1}\n')).toBe(false);
    expect(statSync(path).ino).toBe(first.ino);
    // new content: a new file renamed over the old one, no sibling left behind
    expect(writeSharedFile(path, '{"a":2}\n')).toBe(true);
    expect(statSync(path).ino).not.toBe(first.ino);
    expect(readFileSync(path, 'utf8')).toBe('{"a":2}\n');
    expect(readdirSync(dir)).toEqual(['package.json']);
  });

  test('a reader never sees a partial file while another process rewrites it', async () => {
    // GIVEN a JSON file that another process rewrites 400 times
    const path = join(dir, 'package.json');
    writeFileSync(path, '{}\n');
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const writer = spawn(process.execPath, [require.resolve('tsx/cli'), join(__dirname, 'fixtures/rewrite-loop.ts'), path, '400'], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    writer.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => writer.on('exit', resolve));
    let finished = false;
    void exited.then(() => (finished = true));
    // WHEN this process reads it meanwhile (at most 500,000 reads, at most 30 s)
    const started = Date.now();
    const rounds = new Set<number>();
    let reads = 0;
    try {
      while (!finished && reads < 500_000 && Date.now() - started < 30_000) {
        // THEN every read parses as a whole JSON document
        const parsed = JSON.parse(readFileSync(path, 'utf8')) as { round?: number };
        if (parsed.round !== undefined) rounds.add(parsed.round);
        reads++;
        if (reads % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      writer.kill();
    }
    expect({ status: await exited, stderr }).toEqual({ status: 0, stderr: '' });
    // the reads overlapped the rewrites: they saw several of them, and the writer left no sibling file behind
    expect(rounds.size).toBeGreaterThan(1);
    expect(readdirSync(dir)).toEqual(['package.json']);
  }, 60_000);
});
