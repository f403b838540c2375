import { BRIDGE_CPU } from './bridge-load';
import { figure } from './figures';
import type { StateSizing } from './size-state';

/**
 * A bridge's load by the model, as a share of what it can carry (1 = full): the larger of its CPU share (the fitted
 * cores of its participants in conferences of the state's size, over the bridge's cores) and its network share (what
 * its participants receive and send, over its part of the node's interface). This is the value the simulation serves
 * as the bridge's `jitsi_jvb_stress`; the real bridge computes its stress from its packet rate, which grows with the
 * same streams.
 * @throws Error when the state has no Jitsi participants, or `participants` is negative
 */
export function bridgeStress(sizing: StateSizing, participants: number): number {
  const { perParticipantCores, perParticipantMbps, cores, nicMbps } = _bridge(sizing);
  if (!(participants >= 0)) throw new Error(`participants on a bridge must be 0 or more, not ${participants}`);
  return Math.max((BRIDGE_CPU.base + participants * perParticipantCores) / cores, (participants * perParticipantMbps) / nicMbps);
}

/** The participants a bridge carries at stress 1 (full CPU or full network share), by {@link bridgeStress}. */
export function bridgeFullParticipants(sizing: StateSizing): number {
  const { perParticipantCores, perParticipantMbps, cores, nicMbps } = _bridge(sizing);
  return Math.min(Math.floor((cores - BRIDGE_CPU.base) / perParticipantCores), Math.floor(nicMbps / perParticipantMbps));
}

function _bridge(sizing: StateSizing): { perParticipantCores: number; perParticipantMbps: number; cores: number; nicMbps: number } {
  const jitsi = sizing.jitsi;
  if (jitsi === null) throw new Error('the state has no Jitsi participants, so no bridge');
  return {
    perParticipantCores: (jitsi.bridge.conferenceCores - BRIDGE_CPU.base) / sizing.input.conferenceSize,
    perParticipantMbps: jitsi.participantMbps.received + jitsi.participantMbps.sent,
    cores: jitsi.bridge.cores,
    nicMbps: figure('nicExternalMbps') / jitsi.bridge.perNode,
  };
}
