import { BRIDGE_CPU } from './bridge-load';
import { figure } from './figures';
import type { StateSizing } from './size-state';

const whole = (value: number): string => Math.round(value).toLocaleString('en');
const fixed = (value: number, digits: number): string => value.toFixed(digits);
const percent = (share: number): string => `${Math.round(share * 100)} %`;
const eur = (value: number): string => `${value.toLocaleString('en', { minimumFractionDigits: 0, maximumFractionDigits: 0 })} EUR`;

/** A table of label and text, the labels padded to one width. */
function _rows(rows: ReadonlyArray<readonly [string, string]>): string[] {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, text]) => `  ${label.padEnd(width)}  ${text}`);
}

/** The sizing as the text `npm run size` prints. */
export function formatSizing(sizing: StateSizing): string {
  const { input, jitsi, bigbluebutton: bbb, turn, system, cost } = sizing;
  const lines: string[] = [];
  const parts = [
    ...(jitsi === null ? [] : [`Jitsi ${percent(input.jitsiShare)}: ${whole(jitsi.participants)}`]),
    ...(bbb === null ? [] : [`BigBlueButton ${percent(input.bbbShare)}: ${whole(bbb.users)}`]),
  ];
  lines.push(`Sizing for ${whole(input.participants)} concurrent participants at peak (${parts.join('; ')})`);
  lines.push(
    `Conferences of ${input.conferenceSize}, every participant sending ${input.video} video, channelLastN ${input.lastN}. The figures and their sources: packages/capacity/README.md`,
  );
  if (jitsi !== null) {
    const b = jitsi.bridge;
    const node = `${jitsi.mediaNodes.cores}-core / ${jitsi.mediaNodes.ramGb} GB media node`;
    lines.push('', 'Jitsi');
    lines.push(
      ..._rows([
        [
          'bridge',
          input.mediaMode === 'hostPort'
            ? `${b.cores} cores on a ${node} (hostPort: one bridge per node)`
            : `${b.cores} cores, ${b.perNode} per ${node} (nodePort)`,
        ],
        ['one conference', `${fixed(b.conferenceCores, 2)} cores of the bridge's ${b.cores} (idle bridge ${fixed(BRIDGE_CPU.base, 2)})`],
        [
          'per bridge',
          `${whole(b.participants)} participants (limited by ${b.limitedBy === 'cpu' ? `CPU: ${percent(figure('bridgePlannedUtilisation'))} of its cores = ${fixed(b.plannedCores, 2)}` : `the node's network: ${whole(figure('nicExternalMbps'))} Mbit/s at ${percent(figure('nicPlannedUtilisation'))}`}; CPU would carry ${whole(b.participantsByCpu)}, the network ${whole(b.participantsByNetwork)})`,
        ],
        ['bridges at peak', `${whole(jitsi.bridgesAtPeak)} for ${whole(jitsi.conferences)} conferences`],
        [
          'shards',
          `${jitsi.shards} (set by ${jitsi.shardsLimitedBy}: at most ${figure('conferencesPerShard')} conferences and ${figure('maxBridgesPerShard')} bridges per shard, at least ${figure('minShards')})`,
        ],
        ['bridge HPA', `minReplicas ${jitsi.perShard.minReplicas}, maxReplicas ${jitsi.perShard.maxReplicas} in each shard`],
        ['media node pool', `minNodes ${whole(jitsi.mediaNodes.minNodes)}, maxNodes ${whole(jitsi.mediaNodes.maxNodes)}`],
        [
          'per participant',
          `${fixed(jitsi.participantMbps.received, 2)} Mbit/s from the bridge, ${fixed(jitsi.participantMbps.sent, 2)} Mbit/s to it; ${fixed(jitsi.egressMbpsAtPeak / 1000, 1)} Gbit/s out of all bridges at peak`,
        ],
      ]),
    );
  }
  if (bbb !== null) {
    lines.push('', 'BigBlueButton');
    lines.push(
      ..._rows([
        [
          'Scalelite load',
          `${whole(bbb.peakLoad)} at peak (${whole(bbb.meetings)} meetings, participants + moderators, at least ${figure('scaleliteLoadMinUserCount')} each in their first ${figure('scaleliteJoinBufferMinutes')} minutes)`,
        ],
        ['per server', `${whole(bbb.loadPerServer)} (${figure('bbbUsersPerServer')} users at ${percent(figure('bbbTargetUtilisation'))})`],
        [
          'servers',
          `autoscaler minServers ${bbb.servers.minServers}, maxServers ${bbb.servers.maxServers}: a pool of ${bbb.servers.maxServers} servers of ${bbb.server.cores} cores / ${bbb.server.ramGb} GB`,
        ],
        [
          'school days',
          `schedule floor ${bbb.servers.schoolDayFloor} from before the first lesson: a server takes about ${figure('bbbServerStartMinutes')} minutes to start`,
        ],
      ]),
    );
  }
  if (turn !== null) {
    lines.push('', `TURN (assumption: ${percent(input.turnShare)} of the Jitsi participants relayed)`);
    lines.push(
      ..._rows([
        [
          'relayed',
          `${whole(turn.relayedParticipants)} participants, ${fixed(turn.throughputMbps / 1000, 1)} Gbit/s through the TURN nodes (both legs)`,
        ],
        [
          'TURN node pool',
          `${turn.nodes} nodes of ${turn.node.cores} cores / ${turn.node.ramGb} GB, fixed (coturn is a DaemonSet); ${turn.reservedIps} reserved IPs`,
        ],
      ]),
    );
  }
  lines.push('', 'System pool');
  lines.push(
    ..._rows([
      [
        'requests',
        `${fixed(system.requests.cores, 1)} cores, ${fixed(system.requests.ramGib, 1)} GiB (platform, ${jitsi?.shards ?? 0} shards' signalling, HAProxy${bbb === null ? '' : ', Scalelite'})`,
      ],
      [
        'system node pool',
        `minNodes ${system.minNodes}, maxNodes ${system.maxNodes} of ${system.node.cores} cores / ${system.node.ramGb} GB`,
      ],
    ]),
  );
  lines.push(
    '',
    `Monthly cost (IONOS list prices as of ${cost.prices.asOf}, ${cost.prices.url}; read through ${cost.prices.via.split(' (')[0]})`,
  );
  lines.push(
    ..._rows([
      ...cost.lines.map((line): [string, string] => [line.item, `${eur(line.eur).padStart(14)}  ${line.detail}`]),
      ['total', eur(cost.totalEur).padStart(14)],
    ]),
  );
  lines.push(`  (compute and storage if every pool ran at its maximum all month: ${eur(cost.computeAtMaximumEur)}, without traffic)`);
  lines.push(`  not included: ${cost.notIncluded.join('; ')}`);
  return `${lines.join('\n')}\n`;
}
