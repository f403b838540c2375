import { bridgeFullParticipants, bridgeStress, defaultSizingInput, sizeState } from '@meetscale/capacity';

import { bridgesAtMost, predictedUnserved, type ShardBridges, shardMinute, shortfallCause } from '../src/day-model';

// the model's defaults on 9-core media nodes (one 8-core bridge a node): 32 participants a bridge at full load
const sizing = sizeState({ ...defaultSizingInput(500), mediaNode: { cores: 9, ramGb: 4 } });
const FULL = bridgeFullParticipants(sizing);
const bridges = (over: Partial<ShardBridges>): ShardBridges => ({
  shard: 'shard-0',
  running: 4,
  pending: 0,
  pendingReason: '',
  replicas: 4,
  maxReplicas: 11,
  ...over,
});

describe('a simulated minute of one shard', () => {
  test('spreads the shard’s participants evenly over its running bridges and serves their stress', () => {
    const minute = shardMinute(sizing, bridges({ running: 4 }), 80);
    expect(minute).toMatchObject({ perBridge: 20, capacity: 4 * FULL, served: 80, unserved: 0, cause: undefined });
    expect(minute.stress).toBeCloseTo(bridgeStress(sizing, 20), 10);
  });

  test('leaves unserved what its running bridges cannot carry at full load, and says why', () => {
    // more than four full bridges, with two more bridges Pending for want of a node
    const pending = shardMinute(sizing, bridges({ running: 4, pending: 2, replicas: 6, pendingReason: 'no free ports' }), 4 * FULL + 10);
    expect([pending.served, pending.unserved]).toEqual([4 * FULL, 10]);
    expect(pending.cause).toBe('media pool full: 2 bridge(s) of shard-0 Pending');
    expect(pending.stress).toBeGreaterThan(1);
    // at its autoscaler's maximum, every bridge running
    expect(shardMinute(sizing, bridges({ running: 11, replicas: 11 }), 11 * FULL + 1).cause).toBe(
      'shard shard-0 saturated: at its maximum of 11 bridges',
    );
    // the autoscaler has asked for more than run
    expect(shortfallCause(bridges({ running: 4, replicas: 6 }))).toBe('autoscaler behind: 4 bridge(s) of shard-0 running, 6 asked for');
    // no bridge at all: all unserved
    expect(shardMinute(sizing, bridges({ running: 0, replicas: 0 }), 5)).toMatchObject({ served: 0, unserved: 5, stress: 0 });
  });
});

describe('the bridges the configuration allows', () => {
  test('share the media pool evenly over the shards, each up to its autoscaler maximum', () => {
    const maxReplicas = { 'shard-0': 11, 'shard-1': 11 };
    expect(bridgesAtMost({ maxReplicas, mediaNodes: 22, bridgesPerNode: 1 })).toEqual({ 'shard-0': 11, 'shard-1': 11 });
    expect(bridgesAtMost({ maxReplicas, mediaNodes: 12, bridgesPerNode: 1 })).toEqual({ 'shard-0': 6, 'shard-1': 6 });
    expect(bridgesAtMost({ maxReplicas, mediaNodes: 11, bridgesPerNode: 1 })).toEqual({ 'shard-0': 6, 'shard-1': 5 });
    // a pool larger than the autoscalers allow: the autoscalers' maximum; one smaller shard leaves its share to the other
    expect(bridgesAtMost({ maxReplicas, mediaNodes: 40, bridgesPerNode: 1 })).toEqual({ 'shard-0': 11, 'shard-1': 11 });
    expect(bridgesAtMost({ maxReplicas: { a: 2, b: 11 }, mediaNodes: 5, bridgesPerNode: 2 })).toEqual({ a: 2, b: 8 });
  });

  test('predict unserved what exceeds each shard’s bridges at full load', () => {
    const limits = { maxReplicas: { 'shard-0': 11, 'shard-1': 11 }, mediaNodes: 12, bridgesPerNode: 1 };
    expect(predictedUnserved(sizing, limits, 12 * FULL)).toBe(0);
    expect(predictedUnserved(sizing, limits, 500)).toBe(500 - 12 * FULL);
    // an uneven split saturates the smaller shard first
    expect(predictedUnserved(sizing, { ...limits, mediaNodes: 11 }, 2 * 5 * FULL + 2)).toBe(1);
  });
});
