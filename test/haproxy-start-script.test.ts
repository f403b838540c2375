/**
 * The haproxy chart's start.sh, run for real with /bin/sh: a replica starts without the peers whose names do
 * not resolve (HAProxy itself would refuse to start), after a bounded wait. `getent` is replaced by a stub that
 * resolves only the names a test lists (real lookups would send DNS traffic), and `haproxy` by a stub that
 * records how it was started; the resulting configuration is then checked by the real HAProxy.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { configMapEntry, renderChart } from './support/charts';
import { allocateLoopbackPorts, checkConfig, loopbackConfig, peerNames, warnings } from './support/haproxy';

const FULLNAME = 'edge-haproxy';

let dir: string;
let cfg: string;
let script: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'haproxy-start-'));
  const rendered = renderChart(3, 'haproxy', {
    release: 'edge',
    values: { replicaCount: 3, shards: [{ name: 'a', host: '127.0.0.1', port: 8081 }] },
  });
  expect(rendered.stderr).toBe('');
  cfg = configMapEntry(rendered.manifests, 'haproxy.cfg');
  script = configMapEntry(rendered.manifests, 'start.sh');
  writeFileSync(join(dir, 'source.cfg'), cfg);
  writeFileSync(join(dir, 'start.sh'), script);
  // getent stub: resolves exactly the names in $RESOLVABLE (space-separated), like a cluster DNS would
  writeFileSync(join(dir, 'getent'), '#!/bin/sh\ncase " $RESOLVABLE " in *" $2 "*) echo "127.0.0.1 $2"; exit 0;; esac\nexit 2\n');
  // haproxy stub: records its arguments instead of starting
  writeFileSync(join(dir, 'haproxy'), `#!/bin/sh\necho "$@" > "${join(dir, 'haproxy.args')}"\n`);
  chmodSync(join(dir, 'getent'), 0o755);
  chmodSync(join(dir, 'haproxy'), 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function start(resolvable: string[], waitSeconds: number): { status: number; stderr: string; ms: number; runCfg: string; args: string } {
  rmSync(join(dir, 'haproxy.args'), { force: true });
  const began = Date.now();
  const result = spawnSync('/bin/sh', [join(dir, 'start.sh')], {
    encoding: 'utf8',
    timeout: 15_000,
    env: {
      PATH: `${dir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      POD_NAME: `${FULLNAME}-0`,
      RESOLVABLE: resolvable.join(' '),
      PEER_WAIT_SECONDS: String(waitSeconds),
      HAPROXY_SOURCE_CFG: join(dir, 'source.cfg'),
      HAPROXY_RUN_CFG: join(dir, 'run.cfg'),
    },
  });
  return {
    status: result.status ?? -1,
    stderr: result.stderr,
    ms: Date.now() - began,
    runCfg: readFileSync(join(dir, 'run.cfg'), 'utf8'),
    args: readFileSync(join(dir, 'haproxy.args'), 'utf8').trim(),
  };
}

const peerHost = (index: number): string => `${FULLNAME}-${index}.${FULLNAME}-peers.meetscale.svc.cluster.local`;

test('with every peer resolvable, HAProxy starts at once on the rendered configuration as the pod’s local peer', () => {
  // GIVEN the other two replicas' names resolve
  const run = start([peerHost(1), peerHost(2)], 5);
  // THEN the configuration is unchanged, and HAProxy is started as peer <fullname>-0
  expect(run.status).toBe(0);
  expect(run.stderr).toBe('');
  expect(run.runCfg).toBe(cfg);
  expect(run.args).toBe(`-W -db -f ${join(dir, 'run.cfg')} -L ${FULLNAME}-0`);
  expect(run.ms).toBeLessThan(1_000);
});

test('a peer that does not resolve within the wait is left out, and HAProxy starts anyway', async () => {
  // GIVEN replica 2 is Pending: its name does not resolve
  const run = start([peerHost(1)], 1);
  // THEN the script waited about the configured second, named the missing peer, and dropped only its line
  expect(run.status).toBe(0);
  expect(run.ms).toBeGreaterThanOrEqual(1_000);
  expect(run.ms).toBeLessThan(5_000);
  expect(run.stderr).toBe(`start.sh: peer address ${peerHost(2)} does not resolve after 1s; starting without that peer\n`);
  expect(peerNames(cfg)).toEqual([`${FULLNAME}-0`, `${FULLNAME}-1`, `${FULLNAME}-2`]);
  expect(peerNames(run.runCfg)).toEqual([`${FULLNAME}-0`, `${FULLNAME}-1`]);
  expect(run.runCfg.split('\n').length).toBe(cfg.split('\n').length - 1);
  // AND the configuration left is one the real HAProxy accepts
  const ports = await allocateLoopbackPorts(run.runCfg, {}, [8081]);
  const check = checkConfig(loopbackConfig(run.runCfg, ports).text, `${FULLNAME}-0`);
  expect(check.status).toBe(0);
  expect(warnings(check.output)).toEqual([]);
});

test('the local peer itself is never waited for nor dropped', () => {
  // GIVEN no name resolves at all, not even the pod's own
  const run = start([], 0);
  // THEN only the two remote peers are dropped
  expect(peerNames(run.runCfg)).toEqual([`${FULLNAME}-0`]);
  expect(run.stderr.trim().split('\n')).toHaveLength(2);
});
