import { type AutoscalingPolicy, autoscalingPolicy } from '@meetscale/bbb-autoscaling';
import {
  type BridgeAutoscalerBounds,
  bridgeAutoscalerBounds,
  defaultSizingInput,
  figure,
  type LastN,
  mediaNodeBounds,
  sizeState,
  SizingError,
  type SizingField,
  type SizingInput,
  type StateSizing,
  type VideoQuality,
} from '@meetscale/capacity';
import { NODE_POOL_SIZES } from '@meetscale/ionos-facts';

import { JVB_MEDIA_MODE } from './state-base-releases';

/**
 * A state's pools, shards and autoscaler bounds from its declared peak load, by the capacity model
 * (`@meetscale/capacity`'s `sizeState`), with every figure the state sets itself taking the model's place. The order:
 *
 * 1. `jitsi.shards`: the state's, or the model's.
 * 2. Each shard's bridge autoscaler: the state's `jitsi.bridgeAutoscaling` bounds; else, where the state sets the
 *    media pool's bound, what that pool holds shared evenly over the shards; else the model's bounds for its bridges
 *    at peak over the shards of step 1 (`bridgeAutoscalerBounds`).
 * 3. The media pool: the state's `minNodes`/`maxNodes`, or every shard's bridges at each autoscaler bound
 *    (`mediaNodeBounds`).
 * 4. The system pool: the state's bounds, or the model's for the state's system node size.
 * 5. With a BigBlueButton server pool: its `count`, or the model's servers at peak; the autoscaler policy's
 *    `maxServers`, or the pool; its `minServers`, or the model's off-peak servers (at most the maximum); its
 *    `schedule`, or the school day (weekdays 07:00 to 16:00) at the model's school-day floor (at most the maximum).
 *
 * An explicit figure wins without a warning, whatever the model says; {@link StateSizingResult.overridden} lists them.
 */

/** The most Jitsi shards a state runs. */
export const MAX_SHARDS = 64;

/** A state's peak load as its configuration declares it (`peakLoad`, defaults filled in). */
export interface PeakLoad {
  /** Concurrent participants at the state's peak, Jitsi and BigBlueButton together. */
  readonly participants: number;
  /** The share of them in Jitsi. */
  readonly jitsiShare: number;
  /** The share of them in BigBlueButton. */
  readonly bbbShare: number;
  /** Participants of a conference or meeting, moderators included. */
  readonly conferenceSize: number;
  /** The video every participant sends and receives. */
  readonly video: VideoQuality;
  /** `channelLastN`: the video streams a participant receives at most. */
  readonly lastN: LastN;
}

/** A node pool as a state writes it: its node size, and the autoscaler's bounds if it sets them. */
interface PoolSettings {
  readonly cores: number;
  /** RAM per node in MB (a multiple of 1024: IONOS' GB are GiB). */
  readonly ramMb: number;
  readonly minNodes?: number | undefined;
  readonly maxNodes?: number | undefined;
}

/** The BigBlueButton autoscaler's policy as a state writes it: its bounds may be left to the sizing. */
export type PolicySettings = Omit<AutoscalingPolicy, 'minServers' | 'maxServers' | 'schedule'> & {
  readonly minServers?: number | undefined;
  readonly maxServers?: number | undefined;
  readonly schedule?: AutoscalingPolicy['schedule'] | undefined;
};

/** What the sizing reads of a validated state configuration: the load, the node sizes, and the figures it sets. */
export interface SizingSettings {
  readonly peakLoad: PeakLoad;
  readonly nodePools: { readonly system: PoolSettings; readonly media: PoolSettings };
  readonly jitsi: {
    readonly shards?: number | undefined;
    readonly bridgeAutoscaling: { readonly minReplicas?: number | undefined; readonly maxReplicas?: number | undefined };
  };
  readonly bigbluebutton: {
    readonly enabled: boolean;
    readonly servers?:
      { readonly count?: number | undefined; readonly autoscaler: { readonly policy?: PolicySettings | undefined } } | undefined;
  };
}

/** A pool's autoscaler bounds. */
export interface PoolBounds {
  readonly minNodes: number;
  readonly maxNodes: number;
}

/** What a state runs: the model's sizing of its load, with the figures the state sets itself in their places. */
export interface StateSizingResult {
  /** The model's sizing of the declared peak load alone. */
  readonly model: StateSizing;
  readonly nodePools: { readonly system: PoolBounds; readonly media: PoolBounds };
  readonly jitsi: {
    readonly shards: number;
    /** Each shard's bridge autoscaler (HPA). */
    readonly bridgeAutoscaling: BridgeAutoscalerBounds;
    /** Cores of one bridge: in `hostPort` mode the media node's cores beside the node's own. */
    readonly bridgeCores: number;
    /** Bridges on one media node. */
    readonly bridgesPerNode: number;
  };
  /** With a BigBlueButton server pool: its size and the autoscaler's policy. */
  readonly bigbluebutton?: { readonly count: number; readonly policy: AutoscalingPolicy };
  /** The figures the state sets itself where the model would give one, by path (`nodePools.system.minNodes`, ...). */
  readonly overridden: readonly string[];
}

/** A problem of the configuration the sizing finds, with the path of the field it is about. */
export interface SizingProblem {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** The sizing of a state, or why there is none. */
export type SizingOutcome =
  { readonly ok: true; readonly sizing: StateSizingResult } | { readonly ok: false; readonly problems: readonly SizingProblem[] };

/** The configuration field each input of the model comes from. */
const PATH_OF_FIELD: Readonly<Record<SizingField, readonly string[]>> = {
  participants: ['peakLoad', 'participants'],
  jitsiShare: ['peakLoad', 'jitsiShare'],
  bbbShare: ['peakLoad', 'bbbShare'],
  conferenceSize: ['peakLoad', 'conferenceSize'],
  lastN: ['peakLoad', 'lastN'],
  video: ['peakLoad', 'video'],
  'mediaNode.cores': ['nodePools', 'media', 'cores'],
  'mediaNode.ramGb': ['nodePools', 'media', 'ramMb'],
  'systemNode.cores': ['nodePools', 'system', 'cores'],
  'systemNode.ramGb': ['nodePools', 'system', 'ramMb'],
  // the stacks' own choices, not the state's
  mediaMode: ['peakLoad'],
  bridgeCores: ['nodePools', 'media', 'cores'],
  turnShare: ['peakLoad'],
};

/** The model's input for a state: its load and node sizes, the stacks' media mode, the model's defaults otherwise. */
export function sizingInput(settings: SizingSettings): SizingInput {
  const { peakLoad, nodePools } = settings;
  const gb = (ramMb: number): number => ramMb / NODE_POOL_SIZES.ramStepMb;
  return {
    ...defaultSizingInput(peakLoad.participants),
    jitsiShare: peakLoad.jitsiShare,
    bbbShare: peakLoad.bbbShare,
    conferenceSize: peakLoad.conferenceSize,
    lastN: peakLoad.lastN,
    video: peakLoad.video,
    mediaNode: { cores: nodePools.media.cores, ramGb: gb(nodePools.media.ramMb) },
    mediaMode: JVB_MEDIA_MODE,
    systemNode: { cores: nodePools.system.cores, ramGb: gb(nodePools.system.ramMb) },
  };
}

/**
 * Sizes a state from its configuration: what the model gives for its peak load, and in its place every figure the
 * state sets itself (the order in this module's comment).
 */
export function sizeStateConfig(settings: SizingSettings): SizingOutcome {
  const { peakLoad, nodePools, jitsi, bigbluebutton } = settings;
  const problems: SizingProblem[] = [];
  const refuse = (path: readonly PropertyKey[], message: string): void => void problems.push({ path, message });
  if (bigbluebutton.enabled && peakLoad.bbbShare === 0) {
    refuse(['peakLoad', 'bbbShare'], 'the state runs BigBlueButton (bigbluebutton.enabled): give the share of the peak in it');
  }
  if (!bigbluebutton.enabled && peakLoad.bbbShare > 0) {
    refuse(['peakLoad', 'bbbShare'], `${peakLoad.bbbShare} of the peak in BigBlueButton, but the state runs none (bigbluebutton.enabled)`);
  }
  if (problems.length > 0) return { ok: false, problems };
  let model: StateSizing;
  try {
    model = sizeState(sizingInput(settings));
  } catch (error) {
    if (error instanceof SizingError) return { ok: false, problems: [{ path: PATH_OF_FIELD[error.field], message: error.problem }] };
    throw error;
  }
  const modelJitsi = model.jitsi;
  if (modelJitsi === null) {
    return {
      ok: false,
      problems: [
        { path: ['peakLoad', 'jitsiShare'], message: `${peakLoad.jitsiShare} of ${peakLoad.participants} is no Jitsi participant` },
      ],
    };
  }

  const overridden: string[] = [];
  const pick = <T>(explicit: T | undefined, path: string, derived: () => T): T => {
    if (explicit === undefined) return derived();
    overridden.push(path);
    return explicit;
  };
  const derivedNote = (path: string): string => (overridden.includes(path) ? '' : ', derived from the peak load');

  // Jitsi: shards, each shard's bridge autoscaler, the media pool
  const perNode = modelJitsi.bridge.perNode;
  const shards = pick(jitsi.shards, 'jitsi.shards', () => modelJitsi.shards);
  if (shards > MAX_SHARDS) {
    refuse(
      ['peakLoad', 'participants'],
      `${modelJitsi.bridgesAtPeak} bridges for ${modelJitsi.conferences} conferences at peak need ${shards} shards, more than the ${MAX_SHARDS} a state runs`,
    );
  }
  const modelBounds = bridgeAutoscalerBounds(modelJitsi.bridgesAtPeak, shards);
  const media = nodePools.media;
  const poolShare = (nodes: number): number => Math.floor((nodes * perNode) / shards);
  const maxReplicas = pick(jitsi.bridgeAutoscaling.maxReplicas, 'jitsi.bridgeAutoscaling.maxReplicas', () =>
    media.maxNodes === undefined ? modelBounds.maxReplicas : poolShare(media.maxNodes),
  );
  const minReplicas = pick(jitsi.bridgeAutoscaling.minReplicas, 'jitsi.bridgeAutoscaling.minReplicas', () =>
    Math.min(maxReplicas, media.minNodes === undefined ? modelBounds.minReplicas : Math.max(1, poolShare(media.minNodes))),
  );
  const mediaBounds = mediaNodeBounds(shards, { minReplicas, maxReplicas }, perNode);
  const mediaMin = pick(media.minNodes, 'nodePools.media.minNodes', () => mediaBounds.minNodes);
  const mediaMax = pick(media.maxNodes, 'nodePools.media.maxNodes', () => mediaBounds.maxNodes);
  const bridgeLimit = figure('maxBridgesPerShard');
  if (maxReplicas < 1) {
    refuse(
      ['nodePools', 'media', 'maxNodes'],
      `${shards} shards need at least ${Math.ceil(shards / perNode)} media nodes, but the pool has at most ${mediaMax}`,
    );
  } else if (maxReplicas > bridgeLimit) {
    const path = overridden.includes('jitsi.bridgeAutoscaling.maxReplicas')
      ? ['jitsi', 'bridgeAutoscaling', 'maxReplicas']
      : overridden.includes('nodePools.media.maxNodes')
        ? ['nodePools', 'media', 'maxNodes']
        : ['jitsi', 'shards'];
    refuse(
      path,
      `each of the ${shards} shards would run up to ${maxReplicas} bridges, more than the ${bridgeLimit} a shard runs (the jitsi-shard chart's jvb.autoscaling.maxReplicas): run more shards`,
    );
  }
  if (minReplicas > maxReplicas && maxReplicas >= 1) {
    refuse(
      ['jitsi', 'bridgeAutoscaling'],
      `minReplicas (${minReplicas}${derivedNote('jitsi.bridgeAutoscaling.minReplicas')}) exceeds maxReplicas (${maxReplicas}${derivedNote('jitsi.bridgeAutoscaling.maxReplicas')})`,
    );
  }
  if (mediaMin > mediaMax) {
    refuse(
      ['nodePools', 'media'],
      `minNodes (${mediaMin}${derivedNote('nodePools.media.minNodes')}) exceeds maxNodes (${mediaMax}${derivedNote('nodePools.media.maxNodes')})`,
    );
  } else if (maxReplicas >= 1 && shards * maxReplicas > mediaMax * perNode) {
    refuse(
      ['nodePools', 'media', 'maxNodes'],
      `${mediaMax} media nodes hold ${mediaMax * perNode} bridges, but the ${shards} shards' autoscalers may run ${shards} × ${maxReplicas} = ${shards * maxReplicas}: raise maxNodes or lower jitsi.bridgeAutoscaling.maxReplicas`,
    );
  }

  // the system pool
  const system = nodePools.system;
  const systemMin = pick(system.minNodes, 'nodePools.system.minNodes', () => model.system.minNodes);
  const systemMax = pick(system.maxNodes, 'nodePools.system.maxNodes', () => model.system.maxNodes);
  if (systemMin > systemMax) {
    refuse(
      ['nodePools', 'system'],
      `minNodes (${systemMin}${derivedNote('nodePools.system.minNodes')}) exceeds maxNodes (${systemMax}${derivedNote('nodePools.system.maxNodes')})`,
    );
  }

  // the BigBlueButton server pool and its autoscaler
  let bbb: StateSizingResult['bigbluebutton'];
  const servers = bigbluebutton.servers;
  if (servers !== undefined) {
    const modelServers = model.bigbluebutton?.servers;
    if (modelServers === undefined) {
      refuse(
        ['peakLoad', 'bbbShare'],
        `${peakLoad.bbbShare} of ${peakLoad.participants} is no BigBlueButton user to size the server pool for`,
      );
      return { ok: false, problems };
    }
    const policy = servers.autoscaler.policy;
    const count = pick(servers.count, 'bigbluebutton.servers.count', () => modelServers.maxServers);
    const maxServers = pick(policy?.maxServers, 'bigbluebutton.servers.autoscaler.policy.maxServers', () => count);
    const minServers = pick(policy?.minServers, 'bigbluebutton.servers.autoscaler.policy.minServers', () =>
      Math.min(modelServers.minServers, maxServers === 0 ? count : maxServers),
    );
    // the school day's floor: the servers at peak from the first lesson on (they take minutes to start), in the
    // library's school-day windows
    const schedule = pick(policy?.schedule, 'bigbluebutton.servers.autoscaler.policy.schedule', () =>
      autoscalingPolicy.parse({}).schedule.map((window) => ({
        ...window,
        minServers: Math.min(modelServers.schoolDayFloor, maxServers === 0 ? count : maxServers),
      })),
    );
    if (policy !== undefined) {
      // a policy the state gives must fit its pool
      const highest = Math.max(minServers, ...schedule.map((window) => window.minServers));
      if (highest > count) {
        refuse(
          ['bigbluebutton', 'servers', 'autoscaler', 'policy'],
          `the autoscaler's floor asks for ${highest} servers, the pool has ${count}`,
        );
      }
      if (maxServers > count) {
        refuse(
          ['bigbluebutton', 'servers', 'autoscaler', 'policy', 'maxServers'],
          `maxServers ${maxServers} is more than the pool's ${count} servers`,
        );
      }
    }
    const resolved = autoscalingPolicy.safeParse({ ...policy, minServers, maxServers, schedule });
    if (resolved.success) bbb = { count, policy: resolved.data };
    else
      for (const issue of resolved.error.issues) refuse(['bigbluebutton', 'servers', 'autoscaler', 'policy', ...issue.path], issue.message);
  }

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    sizing: {
      model,
      nodePools: { system: { minNodes: systemMin, maxNodes: systemMax }, media: { minNodes: mediaMin, maxNodes: mediaMax } },
      jitsi: {
        shards,
        bridgeAutoscaling: { minReplicas, maxReplicas },
        bridgeCores: modelJitsi.bridge.cores,
        bridgesPerNode: perNode,
      },
      ...(bbb === undefined ? {} : { bigbluebutton: bbb }),
      overridden,
    },
  };
}
