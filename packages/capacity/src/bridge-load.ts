import { leastSquares } from './_least-squares';
import { type ConferenceGroup, figure, type LastN, type LoadTestRun, loadTestRuns } from './figures';

/**
 * The videobridge's load, fitted to the HPI load tests (`FIGURES.hpi*`). A bridge forwards, in every conference it
 * hosts, each participant's media to the others. Per bridge:
 *
 *   cores  = base + q · (perParticipant · n + perVideoStream · V + perPair · P)
 *   egress =        q · (egressPerParticipant · n + egressPerVideoStream · V)        (MB/s)
 *
 * with, summed over the conferences of size k on the bridge, n = Σ k participants, V = Σ k · min(k − 1, lastN) video
 * streams forwarded (what `channelLastN` caps) and P = Σ k · (k − 1) ordered pairs of participants in one
 * conference (audio, which lastN does not cap, and the per-receiver bandwidth allocation over all senders). q is 1
 * at 720p, the only quality measured, and below it scales with the layer's bitrate (`qualityFactor`).
 */

/** The video qualities the model knows: the simulcast layers of jitsi-meet. */
export const VIDEO_QUALITIES = ['720p', '360p', '180p'] as const;

/** A video quality: the highest layer every participant sends and receives. */
export type VideoQuality = (typeof VIDEO_QUALITIES)[number];

/** What a bridge carries. */
export interface BridgeLoad {
  /** Participants, each sending video and audio. */
  readonly participants: number;
  /** Video streams forwarded: each receiver gets at most `lastN`. */
  readonly videoStreams: number;
  /** Ordered pairs of participants in the same conference. */
  readonly pairs: number;
}

/** Video streams one receiver gets in a conference of `size`: the others, at most `lastN`. */
export function streamsPerReceiver(size: number, lastN: LastN): number {
  const others = Math.max(0, size - 1);
  return lastN === 'unlimited' ? others : Math.min(others, lastN);
}

/** The load of the conferences on one bridge. */
export function bridgeLoad(conferences: readonly ConferenceGroup[], lastN: LastN): BridgeLoad {
  return conferences.reduce<BridgeLoad>(
    (load, { count, size }) => ({
      participants: load.participants + count * size,
      videoStreams: load.videoStreams + count * size * streamsPerReceiver(size, lastN),
      pairs: load.pairs + count * size * Math.max(0, size - 1),
    }),
    { participants: 0, videoStreams: 0, pairs: 0 },
  );
}

/** The load of one bridge of a load-test run. */
export function runLoad(run: LoadTestRun): BridgeLoad {
  return bridgeLoad(run.conferencesPerBridge, run.lastN);
}

/** Cores of a bridge, by what it carries (at 720p). */
export interface BridgeCpuModel {
  /** Cores of a bridge with nothing to do (the fit's intercept). */
  readonly base: number;
  readonly perParticipant: number;
  readonly perVideoStream: number;
  readonly perPair: number;
}

/** Network transmit of a bridge, MB/s, by what it carries (at 720p). */
export interface BridgeEgressModel {
  readonly perParticipant: number;
  readonly perVideoStream: number;
}

/**
 * The CPU model: least squares over the `clean` runs (below the CPU limit, every participant stable). The
 * `saturated` runs only say that the demand exceeded the limit, the `flagged` and `degraded` ones are not the load
 * they name (see their notes); the tests check the model against each.
 */
function _fitCpu(): BridgeCpuModel {
  const clean = loadTestRuns().filter(({ run }) => run.outcome === 'clean');
  const rows = clean.map(({ run }) => {
    const load = runLoad(run);
    return [1, load.participants, load.videoStreams, load.pairs];
  });
  const [base = 0, perParticipant = 0, perVideoStream = 0, perPair = 0] = leastSquares(
    rows,
    clean.map(({ run }) => run.cores),
  );
  return { base, perParticipant, perVideoStream, perPair };
}

/**
 * The egress model: least squares (through the origin) over every run not at its CPU limit, all bridges of a run
 * together (the source reports the transmit of all bridges).
 */
function _fitEgress(): BridgeEgressModel {
  const runs = loadTestRuns().filter(({ run }) => run.outcome !== 'saturated');
  const rows = runs.map(({ run }) => {
    const load = runLoad(run);
    return [load.participants * run.bridges, load.videoStreams * run.bridges];
  });
  const [perParticipant = 0, perVideoStream = 0] = leastSquares(
    rows,
    runs.map(({ run }) => run.transmitMBps),
  );
  return { perParticipant, perVideoStream };
}

/** The fitted CPU model (computed from the table when the module loads). */
export const BRIDGE_CPU: BridgeCpuModel = _fitCpu();

/** The fitted egress model. */
export const BRIDGE_EGRESS: BridgeEgressModel = _fitEgress();

/** The highest bitrate of a quality's layer, kbit/s (jitsi-meet's VP8 defaults). */
export function layerBitrateKbps(quality: VideoQuality): number {
  switch (quality) {
    case '720p':
      return figure('bitrate720pKbps');
    case '360p':
      return figure('bitrate360pKbps');
    case '180p':
      return figure('bitrate180pKbps');
  }
}

/**
 * How a bridge's per-participant load at `quality` compares with 720p: the bitrate-independent share stays, the
 * rest scales with the layer's bitrate. 1 at 720p.
 */
export function qualityFactor(quality: VideoQuality): number {
  const fixed = figure('bitrateIndependentShare');
  return fixed + (1 - fixed) * (layerBitrateKbps(quality) / figure('bitrate720pKbps'));
}

/** Cores a bridge uses for `load` at `quality`. */
export function bridgeCores(load: BridgeLoad, quality: VideoQuality = '720p'): number {
  const m = BRIDGE_CPU;
  return (
    m.base + qualityFactor(quality) * (m.perParticipant * load.participants + m.perVideoStream * load.videoStreams + m.perPair * load.pairs)
  );
}

/** What a bridge transmits for `load` at `quality`, MB/s. */
export function bridgeEgressMBps(load: BridgeLoad, quality: VideoQuality = '720p'): number {
  const m = BRIDGE_EGRESS;
  return qualityFactor(quality) * (m.perParticipant * load.participants + m.perVideoStream * load.videoStreams);
}

/**
 * What one participant sends, Mbit/s: every simulcast layer up to `quality` (an upper bound: the client suspends
 * layers nobody receives). Audio is left out (a few percent of it).
 */
export function senderMbps(quality: VideoQuality): number {
  const layers: readonly VideoQuality[] = VIDEO_QUALITIES.slice(VIDEO_QUALITIES.indexOf(quality));
  return layers.reduce((sum, layer) => sum + layerBitrateKbps(layer), 0) / 1000;
}

/** MB/s to Mbit/s. */
export const MBPS_TO_MBITPS = 8;
