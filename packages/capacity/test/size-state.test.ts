import { defaultSizingInput, sizeState, type SizingInput } from '../src/size-state';

const sized = (overrides: Partial<SizingInput> & { participants: number }) =>
  sizeState({ ...defaultSizingInput(overrides.participants), ...overrides });

const thrownBy = (action: () => unknown): Error => {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('nothing was thrown');
};

describe('sizing a state', () => {
  test('more participants never need fewer bridges, media nodes, shards or BigBlueButton servers', () => {
    let previous = sized({ participants: 1, jitsiShare: 0.6, bbbShare: 0.4 });
    for (let participants = 50; participants <= 30_000; participants += 50) {
      const next = sized({ participants, jitsiShare: 0.6, bbbShare: 0.4 });
      const [before, after] = [previous, next].map((sizing) => ({
        bridges: sizing.jitsi?.bridgesAtPeak ?? 0,
        maxNodes: sizing.jitsi?.mediaNodes.maxNodes ?? 0,
        shards: sizing.jitsi?.shards ?? 0,
        servers: sizing.bigbluebutton?.servers.maxServers ?? 0,
        turn: sizing.turn?.nodes ?? 0,
        system: sizing.system.minNodes,
      }));
      for (const key of Object.keys(after ?? {}) as Array<keyof NonNullable<typeof after>>) {
        expect([participants, key, (after?.[key] ?? 0) >= (before?.[key] ?? 0)]).toEqual([participants, key, true]);
      }
      // the media pool always has room for every shard's most bridges
      expect(next.jitsi?.mediaNodes.maxNodes).toBeGreaterThanOrEqual(next.jitsi?.bridgesAtPeak ?? Infinity);
      previous = next;
    }
  });

  test('a lower channelLastN never needs more bridges, and fewer once conferences exceed it', () => {
    const bridges = (lastN: SizingInput['lastN']) => sized({ participants: 12_000, conferenceSize: 12, lastN }).jitsi?.bridgesAtPeak ?? 0;
    expect(bridges(3)).toBeLessThan(bridges(5));
    expect(bridges(5)).toBeLessThan(bridges('unlimited'));
    expect(bridges(11)).toBe(bridges('unlimited'));
  });

  test('larger media nodes carry more participants each and never need more nodes', () => {
    const nodes = (cores: number) => sized({ participants: 12_000, mediaNode: { cores, ramGb: 16 } }).jitsi;
    expect(nodes(17)?.bridge.participants).toBeGreaterThan(nodes(9)?.bridge.participants ?? Infinity);
    expect(nodes(17)?.mediaNodes.maxNodes).toBeLessThan(nodes(9)?.mediaNodes.maxNodes ?? 0);
  });

  test('in nodePort mode several bridges share a node, as far as its cores and RAM allow', () => {
    const jitsi = sized({ participants: 1000, mediaMode: 'nodePort', bridgeCores: 8, mediaNode: { cores: 33, ramGb: 16 } }).jitsi;
    // (33 − 1) / 8 = 4 by cores, (16 − 2) / (2000 / 1024) = 7 by RAM
    expect(jitsi?.bridge.perNode).toBe(4);
    expect(jitsi?.mediaNodes.maxNodes).toBe(Math.ceil(((jitsi?.shards ?? 0) * (jitsi?.perShard.maxReplicas ?? 0)) / 4));
  });

  test('a lower video quality needs fewer bridges', () => {
    const bridges = (video: SizingInput['video']) => sized({ participants: 12_000, video }).jitsi?.bridgesAtPeak ?? 0;
    expect(bridges('360p')).toBeLessThan(bridges('720p'));
    expect(bridges('180p')).toBeLessThan(bridges('360p'));
  });

  test('a Jitsi-only state has no BigBlueButton servers and no Scalelite; a BigBlueButton-only state no bridges and no TURN', () => {
    const jitsiOnly = sized({ participants: 240 });
    expect(jitsiOnly.bigbluebutton).toBeNull();
    expect(jitsiOnly.jitsi?.shards).toBe(2);
    const bbbOnly = sized({ participants: 240, jitsiShare: 0, bbbShare: 1 });
    expect(bbbOnly.jitsi).toBeNull();
    expect(bbbOnly.turn).toBeNull();
    // 9 meetings of 25 and one of 15, each with its teacher: 9 × 26 + 16 = 250; ⌈250 / 150⌉ + 1 headroom = 3
    expect(bbbOnly.bigbluebutton?.peakLoad).toBe(250);
    expect(bbbOnly.bigbluebutton?.servers.maxServers).toBe(3);
  });

  test('refuses what it cannot size, naming the field', () => {
    expect(thrownBy(() => sized({ participants: 0 })).message).toBe('participants: must be a whole number of at least 1, not 0');
    expect(thrownBy(() => sized({ participants: 100, jitsiShare: 0.7, bbbShare: 0.5 })).message).toBe(
      'bbbShare: 0.5 and the Jitsi share 0.7 add up to more than 1',
    );
    expect(thrownBy(() => sized({ participants: 100, mediaNode: { cores: 5, ramGb: 8 } })).message).toBe(
      'mediaNode.cores: one conference of 25 at 720p with lastN 5 needs 6.40 cores on one bridge (conferences are not cascaded), a bridge of 4 cores is too small: use larger nodes, a smaller conference size or a lower lastN',
    );
    expect(thrownBy(() => sized({ participants: 100, mediaNode: { cores: 9, ramGb: 3 } })).message).toBe(
      "mediaNode.ramGb: 3 GB leaves 1 GB after the node's own 2 GB, less than a bridge's memory limit of 2000Mi",
    );
    expect(thrownBy(() => sized({ participants: 100, lastN: 0 })).message).toBe(
      'lastN: must be a whole number of at least 1 or unlimited, not 0',
    );
  });
});
