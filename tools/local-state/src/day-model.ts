/**
 * The arithmetic of a simulated minute, apart from the cluster: how a shard's participants spread over its running
 * bridges, how loaded each bridge is, who is left unserved and why, and what the capacity model predicts for the same
 * minute from the configuration alone.
 */
import { bridgeFullParticipants, bridgeStress, type StateSizing } from '@meetscale/capacity';

/** A shard's bridges in one minute, as the cluster shows them. */
export interface ShardBridges {
  /** The shard (its release name). */
  readonly shard: string;
  /** Bridge pods scheduled and Ready. */
  readonly running: number;
  /** Bridge pods the scheduler has not placed. */
  readonly pending: number;
  /** The scheduler's reason for the pending ones (empty when none). */
  readonly pendingReason: string;
  /** The bridges the workload asks for (`spec.replicas`, set by the HPA). */
  readonly replicas: number;
  /** The HPA's maximum. */
  readonly maxReplicas: number;
}

/** What a shard makes of its share of a minute's participants. */
export interface ShardMinute extends ShardBridges {
  /** Its share of the participants (HAProxy spreads new rooms evenly over the shards). */
  readonly demand: number;
  /** Participants on each running bridge (jicofo spreads conferences over its bridges). */
  readonly perBridge: number;
  /** Each running bridge's stress, the value its metric serves. */
  readonly stress: number;
  /** Participants its running bridges carry at full load at most. */
  readonly capacity: number;
  readonly served: number;
  readonly unserved: number;
  /** Why some are unserved, when some are. */
  readonly cause: string | undefined;
}

/**
 * Why a shard leaves participants unserved: no node for its bridges (the scheduler's reason is in `pendingReason`),
 * its autoscaler's maximum, or the autoscaler's lag.
 */
export function shortfallCause(bridges: ShardBridges): string {
  if (bridges.pending > 0) return `media pool full: ${bridges.pending} bridge(s) of ${bridges.shard} Pending`;
  if (bridges.replicas >= bridges.maxReplicas) return `shard ${bridges.shard} saturated: at its maximum of ${bridges.maxReplicas} bridges`;
  return `autoscaler behind: ${bridges.running} bridge(s) of ${bridges.shard} running, ${bridges.replicas} asked for`;
}

/** A shard's minute: its share of `demand` over its running bridges, each carrying at most a full bridge's share. */
export function shardMinute(sizing: StateSizing, bridges: ShardBridges, demand: number): ShardMinute {
  const full = bridgeFullParticipants(sizing);
  const perBridge = bridges.running === 0 ? 0 : demand / bridges.running;
  const capacity = bridges.running * full;
  const served = Math.min(demand, capacity);
  const unserved = demand - served;
  return {
    ...bridges,
    demand,
    perBridge,
    stress: bridges.running === 0 ? 0 : bridgeStress(sizing, perBridge),
    capacity,
    served,
    unserved,
    cause: unserved > 0.5 ? shortfallCause(bridges) : undefined,
  };
}

/** The limits the configuration sets on the bridges: each shard's autoscaler maximum and the media pool's nodes. */
export interface BridgeLimits {
  /** Each shard's HPA maximum, by shard. */
  readonly maxReplicas: Readonly<Record<string, number>>;
  /** The media pool's maximum nodes. */
  readonly mediaNodes: number;
  /** Bridges on one media node. */
  readonly bridgesPerNode: number;
}

/**
 * The bridges each shard can have at most by the configuration: its autoscaler's maximum, and the media pool's bridges
 * shared evenly over the shards (the scheduler places the shards' bridges as they come; with all shards ramping
 * together the split is even, give or take one bridge).
 */
export function bridgesAtMost(limits: BridgeLimits): Record<string, number> {
  const shards = Object.keys(limits.maxReplicas).sort();
  const result: Record<string, number> = {};
  let slots = limits.mediaNodes * limits.bridgesPerNode;
  // hand the pool's bridges out one at a time, round robin, to the shards still below their maximum
  for (const shard of shards) result[shard] = 0;
  while (slots > 0) {
    const open = shards.filter((shard) => result[shard]! < limits.maxReplicas[shard]!);
    if (open.length === 0) break;
    for (const shard of open) {
      if (slots === 0) break;
      result[shard]! += 1;
      slots -= 1;
    }
  }
  return result;
}

/** What the capacity model predicts for a minute of `demand` participants: those no bridge the configuration allows can carry. */
export function predictedUnserved(sizing: StateSizing, limits: BridgeLimits, demand: number): number {
  const full = bridgeFullParticipants(sizing);
  const atMost = bridgesAtMost(limits);
  const shards = Object.keys(atMost);
  return shards.reduce((sum, shard) => sum + Math.max(0, demand / shards.length - atMost[shard]! * full), 0);
}
