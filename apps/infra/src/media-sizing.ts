import { NODE_POOL_SIZES } from '@meetscale/ionos-facts';

/**
 * Sizing of the media (videobridge) nodes from the load figures in `platform-facts.md` (hpi-schul-cloud/
 * jitsi-deployment `docs/loadtests/loadtestresults.md`, every participant sending 720p). One bridge runs per
 * media node, so the node is the bridge plus what a node needs for itself.
 */

/** CPU cores of one bridge: HPI's production JVBs ran with 8 CPUs. */
export const BRIDGE_CORES = 8;

/** Memory of one bridge in MB: a JVB stayed between 760 and 940 MB under load; HPI gave it 1000Mi. */
export const BRIDGE_MEMORY_MB = 1024;

/** Participants one core carries: a 4-CPU JVB used 1.9 cores for 8 and 3.5 cores for 14 participants. */
export const PARTICIPANTS_PER_CORE = 4;

/**
 * The share of a bridge's CPU planned for: a 4-CPU JVB hit its limit at 24 participants and an 8-CPU JVB
 * dropped participants at 32, so bridges are filled to three quarters only.
 */
export const TARGET_CPU_UTILISATION = 0.75;

/** Cores a media node keeps for the kubelet, the container runtime and the node's DaemonSets. */
export const NODE_RESERVED_CORES = 1;

/** Memory in MB a media node keeps for the system and DaemonSets (node exporter, log shipper). */
export const NODE_RESERVED_MEMORY_MB = 2048;

/** The JVB's JVM may briefly use twice its steady-state memory (garbage collection, conference bursts). */
const BRIDGE_MEMORY_HEADROOM = 2;

/** Participants one media node (one bridge) is planned for: 8 cores × 4 participants × 0.75 = 24. */
export const PARTICIPANTS_PER_MEDIA_NODE: number = Math.floor(BRIDGE_CORES * PARTICIPANTS_PER_CORE * TARGET_CPU_UTILISATION);

/** The size of a media node: IONOS node pools take cores and RAM in MB (a multiple of 1024). */
export interface MediaNodeSize {
  /** CPU cores. */
  readonly cores: number;
  /** RAM in MB. */
  readonly ramMb: number;
}

/** The media node: one bridge (8 cores, 2 × 1 GB) plus the node's own reserve (1 core, 2 GB) = 9 cores, 4 GB. */
export function mediaNodeSize(): MediaNodeSize {
  const memory = BRIDGE_MEMORY_MB * BRIDGE_MEMORY_HEADROOM + NODE_RESERVED_MEMORY_MB;
  return {
    cores: BRIDGE_CORES + NODE_RESERVED_CORES,
    ramMb: Math.max(NODE_POOL_SIZES.minRamMb, Math.ceil(memory / NODE_POOL_SIZES.ramStepMb) * NODE_POOL_SIZES.ramStepMb),
  };
}

/**
 * The media nodes needed for a number of concurrent participants at peak (one bridge per node, 24
 * participants each), e.g. for a state's `nodePools.media.maxNodes`.
 * @throws if the number of participants is not a positive integer
 */
export function mediaNodesFor(peakParticipants: number): number {
  if (!Number.isInteger(peakParticipants) || peakParticipants < 1) {
    throw new Error(`peak participants must be a positive integer, got ${peakParticipants}`);
  }
  return Math.ceil(peakParticipants / PARTICIPANTS_PER_MEDIA_NODE);
}
