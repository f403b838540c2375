import './_bindings';

import { autoscalingPolicy } from '@meetscale/bbb-autoscaling';
import { bridgeAutoscalerBounds, mediaNodeBounds } from '@meetscale/capacity';

import { parseStateConfig, type StateConfigInput } from '../src/state-config';
import { state as bremen } from '../states/bremen';
import { state as nordrheinWestfalen } from '../states/nordrhein-westfalen';
import { bigBlueButtonPoolState, helmValuesOf, minimalState, modelSizingOf, resourceOf, synthesize } from './_stacks';
import { thrownBy } from './_thrown';

/** A state with nothing but its peak load: every pool, shard and bound derived. */
const derivedState = (peakLoad: StateConfigInput['peakLoad'], more: Partial<StateConfigInput> = {}): StateConfigInput => ({
  ...minimalState(),
  peakLoad,
  nodePools: { system: { cores: 8, ramMb: 32768 } },
  jitsi: {},
  ...more,
});

/** The message of a configuration that does not validate. */
const refusal = (state: unknown): string => thrownBy(() => parseStateConfig(state, 'states/testland.ts')).message;

describe('an example state', () => {
  test.each([
    ['bremen', bremen],
    ['nordrhein-westfalen', nordrheinWestfalen],
  ])('%s runs the media pool, the shards and the bridge autoscalers the model gives its declared load', (_id, state) => {
    // GIVEN the state's file, and what the model gives for the load and node sizes it declares
    const model = modelSizingOf(state);
    if (model.jitsi === null) throw new Error('the example state runs no Jitsi');

    // WHEN it is validated and synthesized
    const config = parseStateConfig(state, 'states');
    const synthesized = synthesize(config);

    // THEN its configuration holds the model's shards, autoscaler bounds and media pool
    expect(config.jitsi.shards).toBe(model.jitsi.shards);
    expect(config.jitsi.bridgeAutoscaling).toEqual(model.jitsi.perShard);
    expect(config.nodePools.media).toMatchObject({ minNodes: model.jitsi.mediaNodes.minNodes, maxNodes: model.jitsi.mediaNodes.maxNodes });
    expect(config.sizing.overridden.filter((path) => !path.startsWith('nodePools.system'))).toEqual([]);
    // AND its stack provisions that pool, of the model's node size, and installs that many shards, each autoscaled
    // within those bounds with bridges of the model's size
    expect(resourceOf(synthesized, 'ionoscloud_k8s_node_pool', 'kubernetes_media-pool_pool')).toMatchObject({
      cores_count: model.jitsi.mediaNodes.cores,
      ram_size: model.jitsi.mediaNodes.ramGb * 1024,
      node_count: model.jitsi.mediaNodes.minNodes,
      auto_scaling: { min_node_count: model.jitsi.mediaNodes.minNodes, max_node_count: model.jitsi.mediaNodes.maxNodes },
    });
    const shards = Object.keys(synthesized.json.resource['helm_release'] ?? {}).filter((name) => name.startsWith('meetscale_shard-'));
    expect(shards).toHaveLength(model.jitsi.shards);
    for (const shard of shards) {
      expect(helmValuesOf(synthesized, shard)).toMatchObject({
        jvb: {
          autoscaling: model.jitsi.perShard,
          resources: { requests: { cpu: String(model.jitsi.bridge.cores) }, limits: { cpu: String(model.jitsi.bridge.cores) } },
        },
      });
    }
    // AND the shards' bridges at their maximum fill the pool at its maximum, and carry the load at peak
    expect(model.jitsi.shards * model.jitsi.perShard.maxReplicas).toBeLessThanOrEqual(model.jitsi.mediaNodes.maxNodes);
    expect(model.jitsi.shards * model.jitsi.perShard.maxReplicas * model.jitsi.bridge.participants).toBeGreaterThanOrEqual(
      model.jitsi.participants,
    );
  });

  test('nordrhein-westfalen runs the system pool the model gives; bremen sets its own, and the sizing says so', () => {
    // GIVEN / WHEN both states
    const nrw = parseStateConfig(nordrheinWestfalen, 'states');
    const hb = parseStateConfig(bremen, 'states');

    // THEN NRW's system pool is the model's for its 8-core nodes
    const model = modelSizingOf(nordrheinWestfalen).system;
    expect(nrw.nodePools.system).toMatchObject({ cores: 8, ramMb: 32768, minNodes: model.minNodes, maxNodes: model.maxNodes });
    expect(resourceOf(synthesize(nrw), 'ionoscloud_k8s_node_pool', 'kubernetes_system-pool_pool')).toMatchObject({
      auto_scaling: { min_node_count: model.minNodes, max_node_count: model.maxNodes },
    });
    // AND Bremen's is the one it writes, not the model's, which the sizing lists as the state's own
    expect(hb.nodePools.system).toMatchObject({ minNodes: bremen.nodePools.system.minNodes, maxNodes: bremen.nodePools.system.maxNodes });
    expect(hb.sizing.model.system.minNodes).not.toBe(bremen.nodePools.system.minNodes);
    expect(hb.sizing.overridden).toEqual(['nodePools.system.minNodes', 'nodePools.system.maxNodes']);
  });
});

describe('a figure the state sets itself', () => {
  const load = { participants: 2000, jitsiShare: 1 };
  const model = modelSizingOf(derivedState(load)).jitsi;
  if (model === null) throw new Error('no Jitsi in the test load');

  test('is not needed: a load alone gives every pool, shard and bound', () => {
    // GIVEN / WHEN a state that declares its load only
    const config = parseStateConfig(derivedState(load), 's.ts');

    // THEN
    expect(config.jitsi.shards).toBe(model.shards);
    expect(config.jitsi.bridgeAutoscaling).toEqual(model.perShard);
    expect(config.nodePools.media).toMatchObject({ minNodes: model.mediaNodes.minNodes, maxNodes: model.mediaNodes.maxNodes });
    expect(config.sizing.overridden).toEqual([]);
  });

  test('wins: more shards share the bridges at peak, and the media pool follows their autoscalers', () => {
    // GIVEN the load on more shards than the model gives
    const shards = model.shards + 3;
    const config = parseStateConfig(derivedState(load, { jitsi: { shards } }), 's.ts');

    // THEN each shard's autoscaler covers its share of the bridges at peak, and the pool all of them
    const perShard = bridgeAutoscalerBounds(model.bridgesAtPeak, shards);
    expect(config.jitsi).toMatchObject({ shards, bridgeAutoscaling: perShard });
    expect(config.nodePools.media).toMatchObject(mediaNodeBounds(shards, perShard, 1));
    expect(config.sizing.overridden).toEqual(['jitsi.shards']);
  });

  test("wins: a media pool set by hand is shared evenly by the shards' autoscalers, even below what the load needs", () => {
    // GIVEN the load with its media pool capped at 10 nodes, far below the model's maximum
    const config = parseStateConfig(
      derivedState(load, { nodePools: { system: { cores: 8, ramMb: 32768 }, media: { maxNodes: 10 } } }),
      's.ts',
    );

    // THEN the cap stands, without a complaint, and each shard may run its share of the 10 bridges
    expect(model.mediaNodes.maxNodes).toBeGreaterThan(10);
    expect(config.nodePools.media.maxNodes).toBe(10);
    expect(config.jitsi.bridgeAutoscaling).toEqual({
      minReplicas: Math.min(model.perShard.minReplicas, Math.floor(10 / model.shards)),
      maxReplicas: Math.floor(10 / model.shards),
    });
    expect(config.nodePools.media.minNodes).toBe(model.shards * config.jitsi.bridgeAutoscaling.minReplicas);
    expect(config.sizing.overridden).toEqual(['nodePools.media.maxNodes']);
  });

  test("wins: the bridge autoscalers' bounds set by hand size the media pool", () => {
    // GIVEN / WHEN
    const config = parseStateConfig(derivedState(load, { jitsi: { bridgeAutoscaling: { minReplicas: 4, maxReplicas: 30 } } }), 's.ts');

    // THEN
    expect(config.jitsi.bridgeAutoscaling).toEqual({ minReplicas: 4, maxReplicas: 30 });
    expect(config.nodePools.media).toMatchObject({ minNodes: model.shards * 4, maxNodes: model.shards * 30 });
  });

  test('wins: a system pool and a media node size set by hand', () => {
    // GIVEN a larger media node (a 16-core bridge) and a system pool of the state's own
    const state = derivedState(load, {
      nodePools: { system: { cores: 8, ramMb: 32768, minNodes: 5, maxNodes: 9 }, media: { cores: 17, ramMb: 8192 } },
    });
    const config = parseStateConfig(state, 's.ts');
    const larger = modelSizingOf(state).jitsi;

    // THEN the bridges are sized to the node, and the system pool is the state's
    expect(larger?.bridge.cores).toBe(16);
    expect(config.sizing.jitsi.bridgeCores).toBe(16);
    expect(config.nodePools.media).toMatchObject({ cores: 17, ramMb: 8192, maxNodes: larger?.mediaNodes.maxNodes });
    expect(config.nodePools.system).toMatchObject({ minNodes: 5, maxNodes: 9 });
  });

  test('is refused where it contradicts what the rest derives, naming the field', () => {
    expect(refusal(derivedState(load, { nodePools: { system: { cores: 8, ramMb: 32768 }, media: { minNodes: 500 } } }))).toBe(
      `Invalid state configuration in states/testland.ts:\n  - nodePools.media: minNodes (500) exceeds maxNodes (${model.mediaNodes.maxNodes}, derived from the peak load)`,
    );
    expect(
      refusal(
        derivedState(load, {
          jitsi: { bridgeAutoscaling: { maxReplicas: 40 } },
          nodePools: { system: { cores: 8, ramMb: 32768 }, media: { maxNodes: 20 } },
        }),
      ),
    ).toBe(
      'Invalid state configuration in states/testland.ts:\n' +
        `  - nodePools.media.maxNodes: 20 media nodes hold 20 bridges, but the ${model.shards} shards' autoscalers may run ${model.shards} × 40 = ${model.shards * 40}: raise maxNodes or lower jitsi.bridgeAutoscaling.maxReplicas`,
    );
    expect(
      refusal(derivedState(load, { jitsi: { shards: 4 }, nodePools: { system: { cores: 8, ramMb: 32768 }, media: { maxNodes: 3 } } })),
    ).toBe(
      'Invalid state configuration in states/testland.ts:\n  - nodePools.media.maxNodes: 4 shards need at least 4 media nodes, but the pool has at most 3',
    );
    expect(refusal(derivedState({ participants: 3000, jitsiShare: 1 }, { jitsi: { shards: 1 } }))).toContain(
      '  - jitsi.shards: each of the 1 shards would run up to',
    );
  });
});

describe('a bad peak load', () => {
  test.each([
    [{ participants: 0, jitsiShare: 1 }, '  - peakLoad.participants: 0 participants: a state is sized for at least 1'],
    [{ participants: 12.5, jitsiShare: 1 }, '  - peakLoad.participants: 12.5 is not a whole number of participants'],
    [{ participants: 100, jitsiShare: 0 }, '  - peakLoad.jitsiShare: 0 is not a share above 0 and at most 1, such as 0.6'],
    [{ participants: 100, jitsiShare: 1.5 }, '  - peakLoad.jitsiShare: 1.5 is not a share above 0 and at most 1, such as 0.6'],
    [{ participants: 100, jitsiShare: 1, conferenceSize: 1 }, '  - peakLoad.conferenceSize: 1 participants make no conference: at least 2'],
    [
      { participants: 100, jitsiShare: 1, video: '1080p' },
      '  - peakLoad.video: unknown video quality "1080p"; expected one of 720p, 360p, 180p',
    ],
    [{ participants: 100, jitsiShare: 1, lastN: 0 }, '  - peakLoad.lastN: 0 is not a lastN: a whole number of at least 1, or "unlimited"'],
    [
      { participants: 100, jitsiShare: 1, bbbShare: 0.2 },
      '  - peakLoad.bbbShare: 0.2 of the peak in BigBlueButton, but the state runs none (bigbluebutton.enabled)',
    ],
    [{ participants: 100 }, '  - peakLoad.jitsiShare: undefined is not a share above 0 and at most 1, such as 0.6'],
  ])('%j is refused, naming the field', (peakLoad, problem) => {
    expect(refusal(derivedState(peakLoad as StateConfigInput['peakLoad']))).toBe(
      `Invalid state configuration in states/testland.ts:\n${problem}`,
    );
  });

  test('is refused when the model cannot size it, naming the field the model names', () => {
    // a class of 60 with every video stream forwarded does not fit one 8-core bridge
    expect(refusal(derivedState({ participants: 600, jitsiShare: 1, conferenceSize: 60, lastN: 'unlimited' }))).toMatch(
      /^Invalid state configuration in states\/testland\.ts:\n {2}- nodePools\.media\.cores: one conference of 60 at 720p with lastN unlimited needs [0-9.]+ cores on one bridge/,
    );
    // a media node without room for a bridge's memory
    expect(
      refusal(
        derivedState({ participants: 100, jitsiShare: 1 }, { nodePools: { system: { cores: 8, ramMb: 32768 }, media: { ramMb: 2048 } } }),
      ),
    ).toContain("  - nodePools.media.ramMb: 2 GB leaves 0 GB after the node's own 2 GB");
    // shares of more than the whole
    expect(refusal({ ...bigBlueButtonPoolState(), peakLoad: { participants: 100, jitsiShare: 0.7, bbbShare: 0.5 } })).toBe(
      'Invalid state configuration in states/testland.ts:\n  - peakLoad.bbbShare: 0.5 and the Jitsi share 0.7 add up to more than 1',
    );
  });

  test('is required, and must name a BigBlueButton share when the state runs BigBlueButton', () => {
    const { peakLoad: _omitted, ...withoutLoad } = minimalState();
    expect(refusal(withoutLoad)).toBe(
      'Invalid state configuration in states/testland.ts:\n  - peakLoad: Invalid input: expected object, received undefined',
    );
    expect(refusal({ ...bigBlueButtonPoolState(), peakLoad: { participants: 100, jitsiShare: 0.5 } })).toBe(
      'Invalid state configuration in states/testland.ts:\n' +
        '  - peakLoad.bbbShare: the state runs BigBlueButton (bigbluebutton.enabled): give the share of the peak in it',
    );
  });
});

describe('the BigBlueButton server pool of a state', () => {
  const peakLoad = { participants: 3000, jitsiShare: 0.6, bbbShare: 0.4 };
  const withLoad = (servers: Record<string, unknown> = {}): StateConfigInput => ({ ...bigBlueButtonPoolState(servers), peakLoad });
  const model = modelSizingOf(withLoad()).bigbluebutton;
  if (model === null) throw new Error('no BigBlueButton in the test load');

  test("is the model's servers at peak, and the autoscaler runs between the model's off-peak and peak servers", () => {
    // GIVEN a pool without a count or policy
    const config = parseStateConfig(withLoad({ count: undefined }), 's.ts');

    // THEN the pool is the servers at peak, the autoscaler's bounds the model's, and on school days every server of
    // the peak runs from the first lesson (the library's school-day window, at the model's school-day floor)
    expect(config.bigbluebutton.servers?.count).toBe(model.servers.maxServers);
    const schoolDay = autoscalingPolicy.parse({}).schedule.map((window) => ({ ...window, minServers: model.servers.schoolDayFloor }));
    expect(config.bigbluebutton.servers?.autoscaler.policy).toEqual(
      autoscalingPolicy.parse({ minServers: model.servers.minServers, maxServers: model.servers.maxServers, schedule: schoolDay }),
    );
    expect(model.servers.minServers).toBeLessThan(model.servers.maxServers);
    expect(config.bigbluebutton.servers?.autoscaler.policy.schedule[0]).toMatchObject({ from: '07:00', to: '16:00', minServers: 10 });
  });

  test("keeps a schedule the state gives, and caps the derived floor at the autoscaler's maximum", () => {
    const own = [{ days: ['mon'], from: '08:00', to: '12:00', minServers: 3 }];
    const given = parseStateConfig(withLoad({ count: undefined, autoscaler: { policy: { schedule: own } } }), 's.ts');
    expect(given.bigbluebutton.servers?.autoscaler.policy.schedule).toEqual(own);
    expect(given.sizing.overridden).toContain('bigbluebutton.servers.autoscaler.policy.schedule');
    const capped = parseStateConfig(withLoad({ count: 5, autoscaler: { policy: { maxServers: 4 } } }), 's.ts');
    expect(capped.bigbluebutton.servers?.autoscaler.policy.schedule.map((window) => window.minServers)).toEqual([4]);
  });

  test('takes the count and the bounds the state sets, the rest of its policy with them', () => {
    // GIVEN a pool of 5 and a policy with its own floor, and one of 5 whose policy says nothing of the bounds
    const bounded = parseStateConfig(
      withLoad({ count: 5, autoscaler: { policy: { minServers: 0, maxServers: 4, leadMinutes: 30 } } }),
      's.ts',
    );
    const unbounded = parseStateConfig(withLoad({ count: 5, autoscaler: { policy: { leadMinutes: 30 } } }), 's.ts');

    // THEN the state's count and bounds win; without bounds the autoscaler may run the whole pool, and keeps the
    // model's off-peak servers
    expect(bounded.bigbluebutton.servers).toMatchObject({
      count: 5,
      autoscaler: { policy: { minServers: 0, maxServers: 4, leadMinutes: 30 } },
    });
    expect(unbounded.bigbluebutton.servers).toMatchObject({
      count: 5,
      autoscaler: { policy: { minServers: Math.min(model.servers.minServers, 5), maxServers: 5, leadMinutes: 30 } },
    });
    expect(bounded.sizing.overridden).toEqual([
      'jitsi.shards',
      'nodePools.media.minNodes',
      'nodePools.media.maxNodes',
      'nodePools.system.minNodes',
      'nodePools.system.maxNodes',
      'bigbluebutton.servers.count',
      'bigbluebutton.servers.autoscaler.policy.maxServers',
      'bigbluebutton.servers.autoscaler.policy.minServers',
    ]);
  });

  test('refuses a policy that contradicts the policy library, naming the value', () => {
    expect(refusal(withLoad({ autoscaler: { policy: { scaleInUtilization: 0.9 } } }))).toBe(
      'Invalid state configuration in states/testland.ts:\n' +
        '  - bigbluebutton.servers.autoscaler.policy: scaleInUtilization must be below targetUtilization, or the pool would drain what it just started',
    );
  });

  test('is not sized without its share of the load', () => {
    expect(refusal({ ...withLoad({ count: undefined }), peakLoad: { participants: 3000, jitsiShare: 1 } })).toContain(
      '  - peakLoad.bbbShare: the state runs BigBlueButton (bigbluebutton.enabled): give the share of the peak in it',
    );
  });
});
