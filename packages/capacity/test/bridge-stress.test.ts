import { bridgeFullParticipants, bridgeStress, defaultSizingInput, figure, sizeState } from '../src';

describe('a bridge’s stress by the model', () => {
  const sizing = sizeState({ ...defaultSizingInput(500), mediaNode: { cores: 9, ramGb: 4 } });

  test('is the planned utilisation at the participants the sizing plans a bridge for', () => {
    // the sizing plans as many participants as keep the bridge's cores at or below the planned share
    const planned = sizing.jitsi!.bridge.participants;
    expect(bridgeStress(sizing, planned)).toBeLessThanOrEqual(figure('bridgePlannedUtilisation'));
    expect(bridgeStress(sizing, planned + 1)).toBeGreaterThan(figure('bridgePlannedUtilisation'));
  });

  test('reaches 1 at the participants of a full bridge, and grows with every participant', () => {
    const full = bridgeFullParticipants(sizing);
    expect(full).toBeGreaterThan(sizing.jitsi!.bridge.participants);
    expect(bridgeStress(sizing, full)).toBeLessThanOrEqual(1);
    expect(bridgeStress(sizing, full + 1)).toBeGreaterThan(1);
    expect(bridgeStress(sizing, 10)).toBeGreaterThan(bridgeStress(sizing, 9));
    // an idle bridge carries its base load only
    expect(bridgeStress(sizing, 0)).toBeCloseTo(1.11 / 8, 2);
  });

  test('is bound by the network where the network binds first', () => {
    // 180p video on a 64-core node: the CPU carries far more than the interface's share
    const wide = sizeState({
      ...defaultSizingInput(500),
      video: '180p',
      lastN: 'unlimited',
      conferenceSize: 4,
      mediaNode: { cores: 64, ramGb: 16 },
    });
    expect(wide.jitsi!.bridge.limitedBy).toBe('network');
    const full = bridgeFullParticipants(wide);
    const mbps = wide.jitsi!.participantMbps.received + wide.jitsi!.participantMbps.sent;
    expect(full).toBe(Math.floor(figure('nicExternalMbps') / mbps));
  });

  test('needs Jitsi participants', () => {
    const bbbOnly = sizeState({ ...defaultSizingInput(500), jitsiShare: 0, bbbShare: 1 });
    expect(() => bridgeStress(bbbOnly, 1)).toThrow('the state has no Jitsi participants, so no bridge');
    expect(() => bridgeStress(sizing, -1)).toThrow('participants on a bridge must be 0 or more, not -1');
  });
});
