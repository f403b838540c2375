import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

import { ensureTrivy, scanConfig, trivyConfigArgs, TrivyScanError } from '../src';

/** A Pod whose one container runs privileged, and otherwise as the restricted Pod Security level wants it. */
const PRIVILEGED_POD = `apiVersion: v1
kind: Pod
metadata:
  name: privileged
spec:
  containers:
    - name: app
      image: registry.example/app:1.0.0
      securityContext:
        privileged: true
`;

const CONFIG_MAP = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  a: b
`;

/**
 * Runs `run` with HTTP_PROXY and HTTPS_PROXY pointing at a loopback server, and returns the first line of every
 * request that reached it. The server answers none and closes each connection. When `run` blocks, connections
 * made meanwhile wait in the listen backlog and are counted afterwards.
 */
async function throughRecordingProxy<T>(run: () => T | Promise<T>): Promise<{ result: T; requests: string[] }> {
  const requests: string[] = [];
  const proxy = net.createServer((socket) => {
    requests.push('(connection)');
    const index = requests.length - 1;
    socket.once('data', (data) => {
      requests[index] = data.toString('latin1').split('\r\n')[0] ?? '';
    });
    socket.on('error', () => undefined);
    setTimeout(() => socket.destroy(), 100);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as net.AddressInfo;
  const saved = { HTTP_PROXY: process.env.HTTP_PROXY, HTTPS_PROXY: process.env.HTTPS_PROXY, NO_PROXY: process.env.NO_PROXY };
  Object.assign(process.env, { HTTP_PROXY: `http://127.0.0.1:${port}`, HTTPS_PROXY: `http://127.0.0.1:${port}`, NO_PROXY: '' });
  try {
    const result = await run();
    await new Promise((resolve) => setTimeout(resolve, 300));
    return { result, requests };
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await new Promise((resolve) => proxy.close(resolve));
  }
}

describe('scanConfig', () => {
  let work: string;
  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'trivy-scan-'));
  });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  it('reports a privileged container with its check, severity, file and resource', () => {
    // GIVEN a ConfigMap and, in a nested folder after it in the same file, a privileged Pod
    fs.mkdirSync(path.join(work, 'chart', 'defaults'), { recursive: true });
    fs.writeFileSync(path.join(work, 'chart', 'defaults', 'objects.yaml'), `${CONFIG_MAP}---\n${PRIVILEGED_POD}`);
    // WHEN the folder is scanned
    const findings = scanConfig(work);
    // THEN the privileged container is reported against the Pod, by the path relative to the folder
    expect(findings.find((finding) => finding.id === 'KSV-0017')).toEqual({
      id: 'KSV-0017',
      severity: 'HIGH',
      title: 'Privileged',
      file: 'chart/defaults/objects.yaml',
      resource: 'Pod/privileged',
      message: "Container 'app' of Pod 'privileged' should set 'securityContext.privileged' to false",
      resolution: "Change 'containers[].securityContext.privileged' to 'false'.",
    });
  }, 120_000);

  it('contacts no host, even when a proxy is offered', async () => {
    // GIVEN every HTTP client of Trivy pointed at a loopback proxy that records what reaches it
    fs.writeFileSync(path.join(work, 'pod.yaml'), PRIVILEGED_POD);
    // WHEN the folder is scanned
    const { result, requests } = await throughRecordingProxy(() => scanConfig(work));
    // THEN the embedded checks ran and nothing went out
    expect(result.map((finding) => finding.id)).toContain('KSV-0017');
    expect(requests).toEqual([]);
  }, 120_000);

  it('would see a request through that proxy: Trivy without --skip-check-update asks for the checks bundle', async () => {
    // GIVEN the same run without the flag that keeps the checks bundle from being downloaded, asking a registry
    // under the reserved .invalid domain (RFC 2606), so that not even a misrouted request could reach a real one
    fs.writeFileSync(path.join(work, 'pod.yaml'), PRIVILEGED_POD);
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'trivy-control-'));
    const args = [
      ...trivyConfigArgs(scratch, path.join(scratch, 'report.json')).filter((arg) => arg !== '--skip-check-update'),
      '--checks-bundle-repository',
      'checks.invalid/trivy-checks:1',
    ];
    try {
      // WHEN Trivy runs
      const trivy = ensureTrivy();
      const { requests } = await throughRecordingProxy(() =>
        promisify(execFile)(trivy, [...args, work], { cwd: scratch, env: { ...process.env, HOME: scratch } }).catch(() => undefined),
      );
      // THEN the proxy saw it try to reach that registry
      expect(requests).toContain('CONNECT checks.invalid:443 HTTP/1.1');
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }, 120_000);

  it('fails with what Trivy printed when Trivy fails', () => {
    expect(() => scanConfig(path.join(work, 'missing'))).toThrow(TrivyScanError);
    expect(() => scanConfig(work, { trivy: path.join(work, 'no-trivy') })).toThrow(
      `trivy config ${work} failed:\ntrivy: spawnSync ${path.join(work, 'no-trivy')} ENOENT`,
    );
  }, 120_000);
});
