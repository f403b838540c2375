import {
  BRIDGE_CPU,
  bridgeCores,
  bridgeEgressMBps,
  bridgeLoad,
  MBPS_TO_MBITPS,
  senderMbps,
  VIDEO_QUALITIES,
  type VideoQuality,
} from './bridge-load';
import { figure, FIGURES, type LastN } from './figures';
import { meetingsOf, scaleliteServerLoad } from './scalelite-load';

/** How the bridges take their UDP port (the jitsi-shard chart's `jvb.media.mode`). */
export const MEDIA_MODES = ['hostPort', 'nodePort'] as const;

/** `hostPort`: one bridge per node, sized to the node (what the state stacks deploy); `nodePort`: several per node. */
export type MediaMode = (typeof MEDIA_MODES)[number];

/** A node's size. */
export interface NodeSize {
  readonly cores: number;
  /** RAM in GB (IONOS' GB are GiB). */
  readonly ramGb: number;
}

/** What a state is sized for, and how. */
export interface SizingInput {
  /** Concurrent participants at the state's peak, Jitsi and BigBlueButton together. */
  readonly participants: number;
  /** The share of them in Jitsi. */
  readonly jitsiShare: number;
  /** The share of them in BigBlueButton (at most `1 − jitsiShare`). */
  readonly bbbShare: number;
  /** Participants of a conference (a BigBlueButton meeting too), moderators included. */
  readonly conferenceSize: number;
  /** `channelLastN`. */
  readonly lastN: LastN;
  /** The video every participant sends and receives. */
  readonly video: VideoQuality;
  /** A media node. */
  readonly mediaNode: NodeSize;
  readonly mediaMode: MediaMode;
  /** Cores of a bridge in `nodePort` mode (in `hostPort` mode a bridge has its node's allocatable cores). */
  readonly bridgeCores: number;
  /** A system node. */
  readonly systemNode: NodeSize;
  /** The share of the Jitsi participants relayed through TURN. */
  readonly turnShare: number;
}

/** The field of {@link SizingInput} a problem is about (nested ones dotted). */
export type SizingField =
  Exclude<keyof SizingInput, 'mediaNode' | 'systemNode'> | 'mediaNode.cores' | 'mediaNode.ramGb' | 'systemNode.cores' | 'systemNode.ramGb';

/** An input the model refuses, with the field it is about. */
export class SizingError extends Error {
  override readonly name = 'SizingError';
  constructor(
    readonly field: SizingField,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

/** The input for `participants`, everything else at the table's defaults (Jitsi only). */
export function defaultSizingInput(participants: number): SizingInput {
  return {
    participants,
    jitsiShare: 1,
    bbbShare: 0,
    conferenceSize: figure('defaultConferenceSize'),
    lastN: figure('defaultLastN'),
    video: '720p',
    mediaNode: { cores: figure('mediaNodeCores'), ramGb: figure('mediaNodeRamGb') },
    mediaMode: 'hostPort',
    bridgeCores: figure('bridgeCoresNodePort'),
    systemNode: { cores: figure('systemNodeCores'), ramGb: figure('systemNodeRamGb') },
    turnShare: figure('turnShare'),
  };
}

/** The bridges of a state. */
export interface JitsiSizing {
  readonly participants: number;
  readonly conferences: number;
  readonly bridge: {
    /** Cores of one bridge. */
    readonly cores: number;
    /** Bridges on one media node. */
    readonly perNode: number;
    /** Cores one conference of `conferenceSize` takes on an otherwise idle bridge. */
    readonly conferenceCores: number;
    /** Cores planned for at peak. */
    readonly plannedCores: number;
    /** Participants the planned cores carry. */
    readonly participantsByCpu: number;
    /** Participants the node's network carries (per bridge). */
    readonly participantsByNetwork: number;
    /** Participants one bridge is planned for: the smaller of the two. */
    readonly participants: number;
    readonly limitedBy: 'cpu' | 'network';
  };
  readonly bridgesAtPeak: number;
  readonly shards: number;
  /** What set the number of shards. */
  readonly shardsLimitedBy: 'conferences per shard' | 'bridges per shard' | 'minimum shards';
  /** The bridge autoscaler (HPA) of every shard. */
  readonly perShard: BridgeAutoscalerBounds;
  /** The media node pool's autoscaler bounds. */
  readonly mediaNodes: { readonly minNodes: number; readonly maxNodes: number; readonly storageGb: number } & NodeSize;
  /** What one participant sends and receives through its bridge, Mbit/s. */
  readonly participantMbps: { readonly received: number; readonly sent: number };
  /** What all bridges transmit at peak, Mbit/s. */
  readonly egressMbpsAtPeak: number;
}

/** The BigBlueButton servers of a state. */
export interface BigBlueButtonSizing {
  readonly users: number;
  readonly meetings: number;
  /** Scalelite's load of all servers at peak, every meeting just started (lessons start together). */
  readonly peakLoad: number;
  /** The load one server is planned for: usersPerServer × targetUtilization. */
  readonly loadPerServer: number;
  /** The autoscaler's bounds: `minServers` always, `maxServers` (= the pool's size) at peak. */
  readonly servers: { readonly minServers: number; readonly maxServers: number; readonly schoolDayFloor: number };
  readonly server: NodeSize & { readonly diskGb: number };
  /** What the servers transmit at peak, Mbit/s. */
  readonly egressMbpsAtPeak: number;
}

/** The TURN pool. */
export interface TurnSizing {
  readonly relayedParticipants: number;
  /** Through a TURN node per relayed participant, both legs (client and bridge), Mbit/s. */
  readonly perRelayedMbps: number;
  readonly throughputMbps: number;
  /** Nodes: fixed, since coturn is a DaemonSet (a pool autoscaler adds nodes only for pending pods). */
  readonly nodes: number;
  readonly node: NodeSize & { readonly storageGb: number };
  /** Reserved public IPs: one more than the pool's nodes, as IONOS wants. */
  readonly reservedIps: number;
}

/** The system pool. */
export interface SystemSizing {
  readonly requests: { readonly cores: number; readonly ramGib: number };
  readonly minNodes: number;
  readonly maxNodes: number;
  readonly node: NodeSize & { readonly storageGb: number };
}

/** One line of the monthly cost. */
export interface CostLine {
  readonly item: string;
  /** EUR, rounded to cents. */
  readonly eur: number;
  readonly detail: string;
}

/** The monthly cost at IONOS list prices. */
export interface MonthlyCost {
  readonly lines: readonly CostLine[];
  /** The sum of the lines, EUR. */
  readonly totalEur: number;
  /** Compute and storage if every pool ran at its maximum all month (no traffic), EUR. */
  readonly computeAtMaximumEur: number;
  /** Outbound traffic of the month, GB. */
  readonly egressGb: number;
  /** What the estimate leaves out, and why. */
  readonly notIncluded: readonly string[];
  /** Where the prices come from. */
  readonly prices: { readonly url: string; readonly asOf: string; readonly via: string };
}

/** The sizing of a state. */
export interface StateSizing {
  readonly input: SizingInput;
  readonly jitsi: JitsiSizing | null;
  readonly bigbluebutton: BigBlueButtonSizing | null;
  readonly turn: TurnSizing | null;
  readonly system: SystemSizing;
  readonly cost: MonthlyCost;
}

const isWhole = (value: number, min: number): boolean => Number.isInteger(value) && value >= min;
const isShare = (value: number): boolean => Number.isFinite(value) && value >= 0 && value <= 1;

/** Checks what the arguments alone decide. @throws SizingError */
function _validate(input: SizingInput): void {
  if (!isWhole(input.participants, 1))
    throw new SizingError('participants', `must be a whole number of at least 1, not ${input.participants}`);
  if (!isShare(input.jitsiShare)) throw new SizingError('jitsiShare', `must be a share from 0 to 1, not ${input.jitsiShare}`);
  if (!isShare(input.bbbShare)) throw new SizingError('bbbShare', `must be a share from 0 to 1, not ${input.bbbShare}`);
  if (input.jitsiShare + input.bbbShare > 1 + 1e-9) {
    throw new SizingError('bbbShare', `${input.bbbShare} and the Jitsi share ${input.jitsiShare} add up to more than 1`);
  }
  if (!isWhole(input.conferenceSize, 2))
    throw new SizingError('conferenceSize', `must be a whole number of at least 2, not ${input.conferenceSize}`);
  if (input.lastN !== 'unlimited' && !isWhole(input.lastN, 1)) {
    throw new SizingError('lastN', `must be a whole number of at least 1 or unlimited, not ${input.lastN}`);
  }
  if (!(VIDEO_QUALITIES as readonly string[]).includes(input.video)) {
    throw new SizingError('video', `must be one of ${VIDEO_QUALITIES.join(', ')}, not ${JSON.stringify(input.video)}`);
  }
  if (!(MEDIA_MODES as readonly string[]).includes(input.mediaMode)) {
    throw new SizingError('mediaMode', `must be one of ${MEDIA_MODES.join(', ')}, not ${JSON.stringify(input.mediaMode)}`);
  }
  const reservedCores = figure('nodeReservedCores');
  const reservedRam = figure('nodeReservedRamGb');
  if (!isWhole(input.mediaNode.cores, reservedCores + 1)) {
    throw new SizingError(
      'mediaNode.cores',
      `must be a whole number of at least ${reservedCores + 1} (the node keeps ${reservedCores}), not ${input.mediaNode.cores}`,
    );
  }
  if (!isWhole(input.mediaNode.ramGb, 2)) {
    throw new SizingError('mediaNode.ramGb', `must be a whole number of GB of at least 2 (IONOS node pools), not ${input.mediaNode.ramGb}`);
  }
  if (!isWhole(input.bridgeCores, 1))
    throw new SizingError('bridgeCores', `must be a whole number of at least 1, not ${input.bridgeCores}`);
  if (!isWhole(input.systemNode.cores, Math.max(2, reservedCores + 1))) {
    throw new SizingError(
      'systemNode.cores',
      `must be a whole number of at least 2 (the state stacks' minimum), not ${input.systemNode.cores}`,
    );
  }
  if (!isWhole(input.systemNode.ramGb, Math.max(4, reservedRam + 1))) {
    throw new SizingError(
      'systemNode.ramGb',
      `must be a whole number of GB of at least 4 (the state stacks' minimum), not ${input.systemNode.ramGb}`,
    );
  }
  if (!isShare(input.turnShare)) throw new SizingError('turnShare', `must be a share from 0 to 1, not ${input.turnShare}`);
}

const round2 = (value: number): number => Math.round(value * 100) / 100;

/** The bounds of one shard's bridge autoscaler (HPA). */
export interface BridgeAutoscalerBounds {
  readonly minReplicas: number;
  readonly maxReplicas: number;
}

/**
 * Each shard's bridge autoscaler for `bridgesAtPeak` bridges over `shards` shards: HAProxy spreads new rooms evenly,
 * so `maxReplicas` = ⌈bridges / shards⌉, and `minReplicas` is the off-peak share of it (`offPeakShare`), at least 1.
 */
export function bridgeAutoscalerBounds(bridgesAtPeak: number, shards: number): BridgeAutoscalerBounds {
  const maxReplicas = Math.ceil(bridgesAtPeak / shards);
  return { minReplicas: Math.max(1, Math.ceil(maxReplicas * figure('offPeakShare'))), maxReplicas };
}

/**
 * The media node pool's autoscaler bounds: every shard's bridges at each bound of its autoscaler, `bridgesPerNode`
 * bridges on a node.
 */
export function mediaNodeBounds(
  shards: number,
  perShard: BridgeAutoscalerBounds,
  bridgesPerNode: number,
): { readonly minNodes: number; readonly maxNodes: number } {
  return {
    minNodes: Math.ceil((shards * perShard.minReplicas) / bridgesPerNode),
    maxNodes: Math.ceil((shards * perShard.maxReplicas) / bridgesPerNode),
  };
}

/** The bridges, shards and media nodes for the Jitsi participants. */
function _sizeJitsi(input: SizingInput, participants: number): JitsiSizing {
  const size = input.conferenceSize;
  const reservedCores = figure('nodeReservedCores');
  const allocatableRam = input.mediaNode.ramGb - figure('nodeReservedRamGb');
  const bridgeRamGb = figure('bridgeMemoryLimitMib') / 1024;
  const hostPort = input.mediaMode === 'hostPort';
  const cores = hostPort ? input.mediaNode.cores - reservedCores : input.bridgeCores;
  const perNode = hostPort
    ? 1
    : Math.min(Math.floor((input.mediaNode.cores - reservedCores) / cores), Math.floor(allocatableRam / bridgeRamGb));
  if (allocatableRam < bridgeRamGb) {
    throw new SizingError(
      'mediaNode.ramGb',
      `${input.mediaNode.ramGb} GB leaves ${allocatableRam} GB after the node's own ${figure('nodeReservedRamGb')} GB, less than a bridge's memory limit of ${figure('bridgeMemoryLimitMib')}Mi`,
    );
  }
  if (perNode < 1) {
    throw new SizingError(
      'mediaNode.cores',
      `a node of ${input.mediaNode.cores} cores keeps ${reservedCores} and has no room for a bridge of ${cores} cores (nodePort mode)`,
    );
  }
  const conference = bridgeLoad([{ count: 1, size }], input.lastN);
  const conferenceCores = bridgeCores(conference, input.video);
  if (conferenceCores > cores) {
    throw new SizingError(
      hostPort ? 'mediaNode.cores' : 'bridgeCores',
      `one conference of ${size} at ${input.video} with lastN ${input.lastN} needs ${conferenceCores.toFixed(2)} cores on one bridge (conferences are not cascaded), a bridge of ${cores} cores is too small: use larger nodes, a smaller conference size or a lower lastN`,
    );
  }
  const plannedCores = cores * figure('bridgePlannedUtilisation');
  const perParticipantCores = (conferenceCores - BRIDGE_CPU.base) / size;
  const participantsByCpu = Math.floor((plannedCores - BRIDGE_CPU.base) / perParticipantCores);
  const received = (bridgeEgressMBps(conference, input.video) / size) * MBPS_TO_MBITPS;
  const sent = senderMbps(input.video);
  const nicMbps = figure('nicExternalMbps') * figure('nicPlannedUtilisation');
  const participantsByNetwork = Math.floor(nicMbps / (received + sent) / perNode);
  const perBridge = Math.min(participantsByCpu, participantsByNetwork);
  if (perBridge < 1) {
    throw new SizingError(
      hostPort ? 'mediaNode.cores' : 'bridgeCores',
      `a bridge of ${cores} cores, planned at ${plannedCores.toFixed(2)} cores, carries no participant beyond its idle ${BRIDGE_CPU.base.toFixed(2)} cores: use larger nodes`,
    );
  }
  const conferences = Math.ceil(participants / size);
  const bridgesAtPeak = Math.ceil(participants / perBridge);
  const byConferences = Math.ceil(conferences / figure('conferencesPerShard'));
  const byBridges = Math.ceil(bridgesAtPeak / figure('maxBridgesPerShard'));
  const shards = Math.max(figure('minShards'), byConferences, byBridges);
  const shardsLimitedBy =
    shards === figure('minShards') && shards > Math.max(byConferences, byBridges)
      ? 'minimum shards'
      : byBridges > byConferences
        ? 'bridges per shard'
        : 'conferences per shard';
  const perShard = bridgeAutoscalerBounds(bridgesAtPeak, shards);
  return {
    participants,
    conferences,
    bridge: {
      cores,
      perNode,
      conferenceCores,
      plannedCores,
      participantsByCpu,
      participantsByNetwork,
      participants: perBridge,
      limitedBy: participantsByNetwork < participantsByCpu ? 'network' : 'cpu',
    },
    bridgesAtPeak,
    shards,
    shardsLimitedBy,
    perShard,
    mediaNodes: {
      ...mediaNodeBounds(shards, perShard, perNode),
      cores: input.mediaNode.cores,
      ramGb: input.mediaNode.ramGb,
      storageGb: figure('mediaNodeStorageGb'),
    },
    participantMbps: { received, sent },
    egressMbpsAtPeak: participants * received,
  };
}

/** The BigBlueButton servers for the BigBlueButton users. */
function _sizeBigBlueButton(input: SizingInput, users: number, receivedMbps: number): BigBlueButtonSizing {
  const size = input.conferenceSize;
  // lessons start together: at the peak every meeting is younger than the join buffer
  const meetings = meetingsOf(users, size, figure('moderatorsPerMeeting'), 0);
  const peakLoad = scaleliteServerLoad(meetings);
  const loadPerServer = figure('bbbUsersPerServer') * figure('bbbTargetUtilisation');
  const headroom = figure('bbbHeadroomServers');
  const maxServers = Math.ceil(peakLoad / loadPerServer) + headroom;
  const minServers = Math.max(figure('bbbMinServers'), Math.ceil((peakLoad * figure('offPeakShare')) / loadPerServer) + headroom);
  return {
    users,
    meetings: meetings.length,
    peakLoad,
    loadPerServer,
    servers: { minServers, maxServers, schoolDayFloor: maxServers },
    server: { cores: figure('bbbServerCores'), ramGb: figure('bbbServerRamGb'), diskGb: figure('bbbServerDiskGb') },
    egressMbpsAtPeak: users * receivedMbps * figure('bbbEgressShareOfJitsi'),
  };
}

/** The TURN pool for the relayed share of the Jitsi participants. */
function _sizeTurn(input: SizingInput, jitsi: JitsiSizing): TurnSizing {
  const relayedParticipants = Math.ceil(jitsi.participants * input.turnShare);
  const perRelayedMbps = 2 * (jitsi.participantMbps.received + jitsi.participantMbps.sent);
  const throughputMbps = relayedParticipants * perRelayedMbps;
  const nodes = Math.max(figure('turnMinNodes'), Math.ceil(throughputMbps / (figure('nicExternalMbps') * figure('nicPlannedUtilisation'))));
  return {
    relayedParticipants,
    perRelayedMbps,
    throughputMbps,
    nodes,
    node: { cores: figure('turnNodeCores'), ramGb: figure('turnNodeRamGb'), storageGb: figure('turnNodeStorageGb') },
    reservedIps: nodes + 1,
  };
}

/** The system pool: the platform, every shard's signalling, HAProxy, Scalelite. */
function _sizeSystem(input: SizingInput, jitsi: JitsiSizing | null, bbb: BigBlueButtonSizing | null): SystemSizing {
  const shards = jitsi?.shards ?? 0;
  const haproxy = jitsi === null ? 0 : figure('haproxyReplicas');
  const cores =
    figure('loggingCores') +
    figure('monitoringAndAddonsCores') +
    shards * figure('shardSignallingCores') +
    haproxy * figure('haproxyCores') +
    (bbb === null ? 0 : figure('scaleliteCores'));
  const ramGib =
    figure('loggingRamGib') +
    figure('monitoringAndAddonsRamGib') +
    (shards * figure('shardSignallingRamMib')) / 1024 +
    (haproxy * figure('haproxyRamMib')) / 1024 +
    (bbb === null ? 0 : figure('scaleliteRamGib'));
  const share = figure('systemPlannedUtilisation');
  const nodeCores = (input.systemNode.cores - figure('nodeReservedCores')) * share;
  const nodeRam = (input.systemNode.ramGb - figure('nodeReservedRamGb')) * share;
  const minNodes = Math.max(figure('systemMinNodes'), Math.ceil(cores / nodeCores), Math.ceil(ramGib / nodeRam));
  return {
    requests: { cores, ramGib },
    minNodes,
    maxNodes: minNodes + figure('systemSpareNodes'),
    node: { ...input.systemNode, storageGb: figure('systemNodeStorageGb') },
  };
}

/** The monthly cost of the sizing at the table's IONOS prices. */
function _cost(jitsi: JitsiSizing | null, bbb: BigBlueButtonSizing | null, turn: TurnSizing | null, system: SystemSizing): MonthlyCost {
  const month = figure('hoursPerMonth');
  const peakHours = figure('schoolDaysPerMonth') * figure('peakHoursPerSchoolDay');
  const offPeakHours = month - peakHours;
  const core = figure('priceDedicatedCoreHour');
  const ram = figure('priceDedicatedRamGbHour');
  const ssdHour = figure('priceSsdGb30Days') / (30 * 24);
  const computeHour = (node: NodeSize): number => node.cores * core + node.ramGb * ram;
  const nodeHour = (node: NodeSize & { readonly storageGb: number }): number => computeHour(node) + node.storageGb * ssdHour;
  const lines: CostLine[] = [];
  let atMaximum = 0;
  if (jitsi !== null) {
    const { minNodes, maxNodes } = jitsi.mediaNodes;
    const hour = nodeHour(jitsi.mediaNodes);
    lines.push({
      item: 'media nodes',
      eur: round2(hour * (minNodes * month + (maxNodes - minNodes) * peakHours)),
      detail: `${minNodes} nodes all month, ${maxNodes - minNodes} more for ${peakHours} peak hours, at ${hour.toFixed(4)} EUR per node-hour`,
    });
    atMaximum += hour * maxNodes * month;
  }
  const systemHour = nodeHour(system.node);
  lines.push({
    item: 'system nodes',
    eur: round2(systemHour * system.minNodes * month),
    detail: `${system.minNodes} nodes all month at ${systemHour.toFixed(4)} EUR per node-hour`,
  });
  atMaximum += systemHour * system.maxNodes * month;
  if (turn !== null) {
    const hour = nodeHour(turn.node);
    lines.push({
      item: 'TURN nodes',
      eur: round2(hour * turn.nodes * month),
      detail: `${turn.nodes} nodes all month at ${hour.toFixed(4)} EUR per node-hour`,
    });
    atMaximum += hour * turn.nodes * month;
  }
  if (bbb !== null) {
    const { minServers, maxServers } = bbb.servers;
    const hour = computeHour(bbb.server);
    const storage = maxServers * bbb.server.diskGb * ssdHour * month;
    lines.push({
      item: 'BigBlueButton servers',
      eur: round2(hour * (minServers * month + (maxServers - minServers) * peakHours) + storage),
      detail: `${minServers} running all month, ${maxServers - minServers} more for ${peakHours} peak hours, at ${hour.toFixed(4)} EUR per server-hour; the volumes of all ${maxServers} all month (a stopped server pays only its storage)`,
    });
    atMaximum += hour * maxServers * month + storage;
  }
  const egressMbps = (jitsi?.egressMbpsAtPeak ?? 0) + (bbb?.egressMbpsAtPeak ?? 0);
  const trafficHours = peakHours + figure('offPeakShare') * offPeakHours;
  // the load tests' MB are 10^6 bytes; IONOS bills GB of 2^30 bytes
  const egressGb = ((egressMbps * 1e6) / 8 / 2 ** 30) * 3600 * trafficHours;
  lines.push({
    item: 'traffic',
    eur: round2(egressGb * figure('priceEgressGb')),
    detail: `${Math.round(egressGb).toLocaleString('en')} GB out: ${(egressMbps / 1000).toFixed(1)} Gbit/s at peak for ${peakHours} hours and ${Math.round(figure('offPeakShare') * 100)} % of it for the other ${offPeakHours}`,
  });
  lines.push({
    item: 'Managed Kubernetes',
    eur: figure('priceManagedKubernetes'),
    detail: 'the control plane is free; the nodes are paid above',
  });
  const notIncluded = [
    ...(turn === null ? [] : [`${turn.reservedIps} reserved public IP addresses of the TURN pool: price unsourced`]),
    ...(jitsi === null
      ? []
      : [`reserved IPs of the media pool, if the state reserves them (${jitsi.mediaNodes.maxNodes + 1}): price unsourced`]),
    ...(bbb === null
      ? []
      : ["Scalelite's managed PostgreSQL, In-Memory DB and NFS and the BigBlueButton servers' public IPs: not priced here"]),
    'object storage (Terraform state, backups), VAT',
  ];
  return {
    lines,
    totalEur: round2(lines.reduce((sum, line) => sum + line.eur, 0)),
    computeAtMaximumEur: round2(atMaximum),
    egressGb,
    notIncluded,
    prices: { ...FIGURES.priceDedicatedCoreHour.source },
  };
}

/**
 * Sizes a state: bridges, shards and media nodes for its Jitsi participants, BigBlueButton servers for the rest, the
 * TURN and system pools, and what it costs a month.
 * @throws SizingError naming the input field a problem is about
 */
export function sizeState(input: SizingInput): StateSizing {
  _validate(input);
  const jitsiParticipants = Math.round(input.participants * input.jitsiShare);
  const bbbUsers = Math.round(input.participants * input.bbbShare);
  const jitsi = jitsiParticipants > 0 ? _sizeJitsi(input, jitsiParticipants) : null;
  // a BigBlueButton user receives what a Jitsi participant in the same conference would
  const received =
    jitsi?.participantMbps.received ??
    (bridgeEgressMBps(bridgeLoad([{ count: 1, size: input.conferenceSize }], input.lastN), input.video) / input.conferenceSize) *
      MBPS_TO_MBITPS;
  const bigbluebutton = bbbUsers > 0 ? _sizeBigBlueButton(input, bbbUsers, received) : null;
  const turn = jitsi === null ? null : _sizeTurn(input, jitsi);
  const system = _sizeSystem(input, jitsi, bigbluebutton);
  return { input, jitsi, bigbluebutton, turn, system, cost: _cost(jitsi, bigbluebutton, turn, system) };
}
