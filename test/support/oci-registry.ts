/**
 * A real OCI registry on loopback: Debian's docker-registry (CNCF Distribution) with htpasswd authentication,
 * bcrypt hashes made by Apache's `htpasswd`, storage in a temporary folder removed on stop.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freeLoopbackPort } from '@meetscale/cluster';
import { type ServerProcess, startServerProcess } from '@meetscale/local-state';

/** A running registry. */
export interface OciRegistry {
  /** `127.0.0.1:<port>`. */
  readonly host: string;
  readonly username: string;
  readonly password: string;
  /** Everything the registry logged so far. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts a registry accepting one user; resolves once it answers `/v2/` (with 401 to an anonymous client). */
export async function startOciRegistry(username = 'release', password = 'correct horse battery staple'): Promise<OciRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'meetscale-oci-registry-'));
  const port = await freeLoopbackPort();
  const htpasswd = execFileSync('htpasswd', ['-nbB', username, password], { encoding: 'utf8' });
  writeFileSync(join(dir, 'htpasswd'), htpasswd);
  writeFileSync(
    join(dir, 'config.yml'),
    [
      'version: 0.1',
      'log: { level: info, accesslog: { disabled: false } }',
      `storage: { filesystem: { rootdirectory: ${join(dir, 'data')} }, delete: { enabled: false } }`,
      `http: { addr: "127.0.0.1:${port}" }`,
      `auth: { htpasswd: { realm: meetscale-test, path: ${join(dir, 'htpasswd')} } }`,
      '',
    ].join('\n'),
  );
  // The log goes to a file, not a pipe: tests block the event loop in synchronous Helm calls, and a registry
  // writing into a full pipe nobody drains would stall the very request Helm waits for.
  const log = join(dir, 'registry.log');
  const server: ServerProcess = startServerProcess('sh', [
    '-c',
    `exec docker-registry serve "$1" >"$2" 2>&1`,
    'sh',
    join(dir, 'config.yml'),
    log,
  ]);
  const output = (): string => (existsSync(log) ? readFileSync(log, 'utf8') : server.output());
  const stop = async (): Promise<void> => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    const status = await fetch(`http://127.0.0.1:${port}/v2/`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 401) break;
    if (server.exited || Date.now() > deadline) {
      const said = output();
      await stop();
      throw new Error(`docker-registry did not come up on 127.0.0.1:${port} (last status ${status}):\n${said}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { host: `127.0.0.1:${port}`, username, password, output, stop };
}
