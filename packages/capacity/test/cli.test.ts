import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { BRIDGE_CPU, BRIDGE_EGRESS } from '../src/bridge-load';
import { parseSizeArguments, SizeArgumentError } from '../src/cli-arguments';
import type { StateSizing } from '../src/size-state';

const CLI = join(__dirname, '..', 'src', 'cli.ts');

/** Runs `npm run size -- <args>` as the root script does (tsx on the CLI), without jest's NODE_OPTIONS. */
function size(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const result = spawnSync(process.execPath, [require.resolve('tsx/cli'), CLI, ...args], { encoding: 'utf8', env });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * The example, 20,000 participants at peak, 60 % of them in Jitsi, computed here step by step from the cited
 * figures (typed in again, not read from the table) and the fitted coefficients (whose fit the bridge-load test
 * checks), to compare with what the CLI prints.
 */
function example() {
  const jitsi = 12_000; // 0.6 × 20,000
  const bbb = 8_000;
  // a conference of 25 with lastN 5: 25 participants, 25 × 5 video streams, 25 × 24 pairs
  const conferenceCores = BRIDGE_CPU.base + 25 * BRIDGE_CPU.perParticipant + 125 * BRIDGE_CPU.perVideoStream + 600 * BRIDGE_CPU.perPair;
  const perParticipant = (conferenceCores - BRIDGE_CPU.base) / 25;
  // a 9-core node keeps 1 core: an 8-core bridge, planned at 75 %
  const perBridge = Math.floor((8 * 0.75 - BRIDGE_CPU.base) / perParticipant);
  const bridges = Math.ceil(jitsi / perBridge);
  const conferences = jitsi / 25;
  // at least 2 shards, at most 100 conferences and 100 bridges each
  const shards = Math.max(2, Math.ceil(conferences / 100), Math.ceil(bridges / 100));
  const maxReplicas = Math.ceil(bridges / shards);
  const minReplicas = Math.ceil(maxReplicas * 0.1);
  // BigBlueButton: 320 meetings of 25 with their teacher counted twice, all just started (at least 15 each)
  const load = (bbb / 25) * 26;
  const maxServers = Math.ceil(load / (200 * 0.75)) + 1;
  const minServers = Math.max(1, Math.ceil((load * 0.1) / 150) + 1);
  // what a participant receives, Mbit/s (MB/s × 8), and sends: 1.5 + 0.5 + 0.2 Mbit/s of simulcast layers
  const received = ((25 * BRIDGE_EGRESS.perParticipant + 125 * BRIDGE_EGRESS.perVideoStream) / 25) * 8;
  const relayed = jitsi * 0.1;
  const turnNodes = Math.max(2, Math.ceil((relayed * 2 * (received + 2.2)) / (2000 * 0.75)));
  // system pool: logging 5.7 cores / 23 GiB, monitoring and add-ons 3 / 12, per shard 1.1 / 1000Mi, 2 HAProxy of
  // 0.1 / 128Mi, Scalelite and the autoscaler 0.65 cores / 1792Mi; a node of 8 cores / 32 GB gives 7 / 30 at 75 %
  const systemCores = 5.7 + 3 + shards * 1.1 + 0.2 + 0.65;
  const systemRam = 23 + 12 + (shards * 1000) / 1024 + 256 / 1024 + 1792 / 1024;
  const systemNodes = Math.max(3, Math.ceil(systemCores / (7 * 0.75)), Math.ceil(systemRam / (30 * 0.75)));
  // IONOS: 0.04 EUR per dedicated core-hour, 0.0045 per GB-hour, SSD 0.15 per GB and 30 days, egress 0.05 per GB;
  // 730 hours a month, 20 school days of 6 peak hours
  const ssdHour = 0.15 / 720;
  const mediaHour = 9 * 0.04 + 4 * 0.0045 + 50 * ssdHour;
  const mediaMin = shards * minReplicas;
  const mediaMax = shards * maxReplicas;
  const bbbHour = 8 * 0.04 + 16 * 0.0045;
  const egressGb = (((jitsi + bbb) * received * 1e6) / 8 / 2 ** 30) * 3600 * (120 + 0.1 * 610);
  const cost = {
    'media nodes': mediaHour * (mediaMin * 730 + (mediaMax - mediaMin) * 120),
    'system nodes': (8 * 0.04 + 32 * 0.0045 + 200 * ssdHour) * systemNodes * 730,
    'TURN nodes': (4 * 0.04 + 8 * 0.0045 + 20 * ssdHour) * turnNodes * 730,
    'BigBlueButton servers': bbbHour * (minServers * 730 + (maxServers - minServers) * 120) + maxServers * 50 * ssdHour * 730,
    traffic: egressGb * 0.05,
    'Managed Kubernetes': 0,
  };
  return {
    perBridge,
    bridges,
    conferences,
    shards,
    maxReplicas,
    minReplicas,
    mediaMin,
    mediaMax,
    load,
    maxServers,
    minServers,
    turnNodes,
    systemNodes,
    cost,
  };
}

describe('npm run size', () => {
  const expected = example();

  test('the example works out as the issue sketches it (numbers computed in this test)', () => {
    expect(expected).toMatchObject({
      perBridge: 23,
      bridges: 522,
      conferences: 480,
      shards: 6,
      maxReplicas: 87,
      minReplicas: 9,
      load: 8320,
    });
    expect(expected).toMatchObject({ mediaMin: 54, mediaMax: 522, maxServers: 57, minServers: 7, turnNodes: 10, systemNodes: 4 });
  });

  test('prints the sizing of 20,000 participants, 60 % of them in Jitsi', () => {
    // WHEN the CLI runs with the example
    const { status, stdout, stderr } = size('--participants', '20000', '--jitsi-share', '0.6');
    // THEN it prints bridges, shards with their HPA bounds, the media pool, BigBlueButton servers, TURN, the system pool
    expect([status, stderr]).toEqual([0, '']);
    expect(stdout).toContain('Sizing for 20,000 concurrent participants at peak (Jitsi 60 %: 12,000; BigBlueButton 40 %: 8,000)');
    expect(stdout).toMatch(new RegExp(`per bridge +${expected.perBridge} participants \\(limited by CPU`));
    expect(stdout).toMatch(/bridges at peak +522 for 480 conferences/);
    expect(stdout).toMatch(/shards +6 \(set by bridges per shard/);
    expect(stdout).toMatch(/bridge HPA +minReplicas 9, maxReplicas 87 in each shard/);
    expect(stdout).toMatch(/media node pool +minNodes 54, maxNodes 522/);
    expect(stdout).toMatch(/Scalelite load +8,320 at peak \(320 meetings/);
    expect(stdout).toMatch(/servers +autoscaler minServers 7, maxServers 57: a pool of 57 servers of 8 cores \/ 16 GB/);
    expect(stdout).toMatch(/TURN node pool +10 nodes of 4 cores \/ 8 GB, fixed \(coturn is a DaemonSet\); 11 reserved IPs/);
    expect(stdout).toMatch(/system node pool +minNodes 4, maxNodes 5 of 8 cores \/ 32 GB/);
    // AND the monthly cost, line by line, with the prices' date and source, and what it leaves out
    expect(stdout).toContain('Monthly cost (IONOS list prices as of 2026-05-20, https://cloud.ionos.de/managed-kubernetes');
    for (const [item, eur] of Object.entries(expected.cost)) {
      const shown = `${Math.round(eur).toLocaleString('en')} EUR`;
      expect([
        item,
        stdout.includes(`${item}`) && new RegExp(`${item} +${shown.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`).test(stdout),
      ]).toEqual([item, true]);
    }
    expect(stdout).toContain('11 reserved public IP addresses of the TURN pool: price unsourced');
  });

  test('--json prints the same sizing as JSON, the money to the cent', () => {
    const { status, stdout } = size('--participants=20000', '--jitsi-share=0.6', '--json');
    expect(status).toBe(0);
    const sizing = JSON.parse(stdout) as StateSizing;
    expect(sizing.jitsi).toMatchObject({
      participants: 12_000,
      conferences: expected.conferences,
      bridgesAtPeak: expected.bridges,
      shards: expected.shards,
      perShard: { minReplicas: expected.minReplicas, maxReplicas: expected.maxReplicas },
      mediaNodes: { minNodes: expected.mediaMin, maxNodes: expected.mediaMax, cores: 9, ramGb: 4 },
    });
    expect(sizing.bigbluebutton).toMatchObject({
      users: 8000,
      peakLoad: expected.load,
      servers: { minServers: expected.minServers, maxServers: expected.maxServers },
    });
    expect(sizing.turn).toMatchObject({ relayedParticipants: 1200, nodes: expected.turnNodes, reservedIps: expected.turnNodes + 1 });
    expect(sizing.system).toMatchObject({ minNodes: expected.systemNodes, maxNodes: expected.systemNodes + 1 });
    for (const line of sizing.cost.lines) {
      expect([line.item, Math.abs(line.eur - expected.cost[line.item as keyof typeof expected.cost]) <= 0.01]).toEqual([line.item, true]);
    }
    expect(sizing.cost.totalEur).toBeCloseTo(
      Object.values(expected.cost).reduce((sum, eur) => sum + eur, 0),
      1,
    );
  });

  test('refuses bad arguments with a message naming the argument, and exits 2', () => {
    expect(size('--participants', 'many')).toEqual({
      status: 2,
      stdout: '',
      stderr: 'size: --participants: expected a whole number, got "many"\n',
    });
    expect(size('--participants', '1000', '--node-cores', '5')).toEqual({
      status: 2,
      stdout: '',
      stderr:
        'size: --node-cores: one conference of 25 at 720p with lastN 5 needs 6.40 cores on one bridge (conferences are not cascaded), a bridge of 4 cores is too small: use larger nodes, a smaller conference size or a lower lastN\n',
    });
    expect(size('--participants', '1000', '--jitsi-share', '0.7', '--bbb-share', '0.5').stderr).toBe(
      'size: --bbb-share: 0.5 and the Jitsi share 0.7 add up to more than 1\n',
    );
  });

  test('--help prints the usage', () => {
    const { status, stdout } = size('--help');
    expect(status).toBe(0);
    expect(stdout).toMatch(/^usage: npm run size -- --participants <n> \[options\]/);
  });
});

describe('the arguments of npm run size', () => {
  const refused = (...argv: string[]): string => {
    try {
      parseSizeArguments(argv);
    } catch (error) {
      if (error instanceof SizeArgumentError) return error.message;
      throw error;
    }
    throw new Error('the arguments were accepted');
  };

  test.each([
    [['--jitsi-share', '0.6'], '--participants is required (concurrent participants at peak)'],
    [['--participants', '0'], '--participants: expected at least 1, got 0'],
    [['--participants', '-5'], '--participants: expected a whole number, got "-5"'],
    [['--participants', '2.5'], '--participants: expected a whole number, got "2.5"'],
    [['--participants', '100', '--jitsi-share', '1.5'], '--jitsi-share: expected a share from 0 to 1 such as 0.6, got "1.5"'],
    [['--participants', '100', '--jitsi-share', '60%'], '--jitsi-share: expected a share from 0 to 1 such as 0.6, got "60%"'],
    [['--participants', '100', '--video', '4k'], '--video: expected one of 720p, 360p, 180p, got "4k"'],
    [['--participants', '100', '--last-n', 'five'], '--last-n: expected a whole number, got "five"'],
    [['--participants', '100', '--node-ram-gb'], '--node-ram-gb needs a value'],
    [['--participants', '100', '--participants', '200'], '--participants is given twice'],
    [
      ['--participants', '100', '--bridge-cores', '8'],
      '--bridge-cores: only with --media-mode nodePort (in hostPort mode a bridge has its node’s cores)',
    ],
    [['--participants', '100', '--media-mode', 'hostNetwork'], '--media-mode: expected one of hostPort, nodePort, got "hostNetwork"'],
    [['--participants', '100', '--nodes', '3'], 'unknown argument "--nodes"; see --help'],
    [['--participants', '100', '--json=yes'], '--json takes no value'],
  ])('refuses %j: %s', (argv, message) => {
    expect(refused(...argv)).toBe(message);
  });

  test('takes the BigBlueButton share as the rest of the Jitsi share, and the other way round', () => {
    const bbb = (...argv: string[]) => {
      const command = parseSizeArguments(['--participants', '100', ...argv]);
      return command.help ? undefined : [command.input.jitsiShare, command.input.bbbShare];
    };
    expect(bbb('--jitsi-share', '0.6')).toEqual([0.6, 0.4]);
    expect(bbb('--bbb-share', '0.25')).toEqual([0.75, 0.25]);
    expect(bbb()).toEqual([1, 0]);
    expect(bbb('--jitsi-share', '0.5', '--bbb-share', '0.3')).toEqual([0.5, 0.3]);
  });

  test('reads unlimited lastN as unlimited or -1', () => {
    for (const text of ['unlimited', '-1']) {
      const command = parseSizeArguments(['--participants', '100', '--last-n', text]);
      expect(command.help ? undefined : command.input.lastN).toBe('unlimited');
    }
  });
});
